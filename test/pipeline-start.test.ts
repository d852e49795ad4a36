import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { PipelineStart } from '../lib/constructs/pipeline-start';
import { CDK_JSON_CONTEXT, nagFindings, templateOf, testStack } from './helpers';

const PIPELINE_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:pipeline/pds-test-train';

/** A stack with a weekly rule that starts the pipeline (as SageMakerPipeline's schedule does). */
function scheduledStack(): { stack: Stack; target: PipelineStart } {
  const stack = testStack();
  const target = new PipelineStart(PIPELINE_ARN);
  new events.Rule(stack, 'Schedule', {
    description: 'Starts pds-test-train on schedule',
    schedule: events.Schedule.expression('rate(7 days)'),
    targets: [target],
  });
  return { stack, target };
}

describe('PipelineStart', () => {
  test('the rule targets the pipeline itself, through a role, with its default parameters', () => {
    const template = templateOf(scheduledStack().stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(7 days)',
      Targets: [
        {
          Arn: PIPELINE_ARN,
          Id: Match.anyValue(),
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineStartRole'), 'Arn'] },
          // No parameter list: the pipeline runs with its defaults.
          SageMakerPipelineParameters: Match.absent(),
          Input: Match.absent(),
        },
      ],
    });
  });

  test('the role is assumed by EventBridge only, with no AWS managed policies', () => {
    const template = templateOf(scheduledStack().stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } }] },
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('the role may start only that pipeline, and do nothing else', () => {
    const template = templateOf(scheduledStack().stack);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'sagemaker:StartPipelineExecution', Effect: 'Allow', Resource: PIPELINE_ARN }] },
    });
  });

  test('one role for the target, however many rules of the stack use it', () => {
    const { stack, target } = scheduledStack();
    new events.Rule(stack, 'OnNewData', {
      eventPattern: { source: ['aws.s3'], detailType: ['Object Created'], detail: { object: { key: [{ prefix: 'raw/' }] } } },
      targets: [target],
    });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.resourceCountIs('AWS::IAM::Role', 1);
    const roleArns = Object.values(template.findResources('AWS::Events::Rule')).map((rule: any) => rule.Properties.Targets[0].RoleArn);
    expect(roleArns[0]).toEqual(roleArns[1]);
  });

  test('passes the cdk-nag AwsSolutions checks', () => {
    expect(nagFindings(scheduledStack().stack)).toEqual([]);
  });
});

describe('PipelineStart in several stacks and for several pipelines', () => {
  test('two pipelines in one stack: a role each, each starting only its pipeline', () => {
    const stack = testStack();
    const arn = (name: string) => `arn:aws:sagemaker:us-east-1:111122223333:pipeline/${name}`;
    new events.Rule(stack, 'A', { schedule: events.Schedule.rate(Duration.days(1)), targets: [new PipelineStart(arn('a'))] });
    new events.Rule(stack, 'B', { schedule: events.Schedule.rate(Duration.days(1)), targets: [new PipelineStart(arn('b'))] });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::IAM::Role', 2);
    for (const name of ['a', 'b']) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [{ Action: 'sagemaker:StartPipelineExecution', Effect: 'Allow', Resource: arn(name) }] },
      });
    }
  });

  test('one target in two stacks: a role in each stack', () => {
    const app = new App({ context: CDK_JSON_CONTEXT });
    const target = new PipelineStart('arn:aws:sagemaker:us-east-1:111122223333:pipeline/a');
    const stacks = ['One', 'Two'].map((id) => new Stack(app, id));
    for (const stack of stacks) new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.days(1)), targets: [target] });
    for (const stack of stacks) {
      const template = templateOf(stack);
      template.resourceCountIs('AWS::IAM::Role', 1);
      const [rule] = Object.values(template.findResources('AWS::Events::Rule')) as any[];
      expect(rule.Properties.Targets[0].RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PipelineStartRole/), 'Arn'] });
    }
  });
});
