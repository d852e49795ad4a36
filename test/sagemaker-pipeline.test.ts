import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DataLakeStorage } from '../lib/constructs/data-lake-storage';
import { SageMakerPipeline, SageMakerPipelineProps } from '../lib/constructs/sagemaker-pipeline';
import { FailStep, ParameterString, PipelineDefinition } from '../pipeline-definitions/dsl';
import { nagFindings, templateOf, testStack } from './helpers';

/** A small pipeline of one step that names its role and its code. */
function pipelineStack(props: Partial<SageMakerPipelineProps> = {}, synth = true) {
  const stack = testStack();
  const storage = new DataLakeStorage(stack, 'Lake', {});
  storage.allowLogGroupEncryption('/pds-test/*');
  const topic = new sns.Topic(stack, 'Failures', { enforceSSL: true, masterKey: storage.key });
  const construct = new SageMakerPipeline(stack, 'Pipeline', {
    pipelineName: 'pds-test-pipeline',
    description: 'A test pipeline',
    role: { jobKinds: ['processing-job'], imageRepositories: [], jobKey: storage.key },
    storage,
    code: { sources: [s3deploy.Source.data('step.py', 'print(1)')], prefix: 'pipelines/test/code/v1/', logGroupName: '/pds-test/pipelines/test/release-upload' },
    definition: ({ roleArn, codeUri }) =>
      new PipelineDefinition({
        parameters: [new ParameterString('Code', codeUri)],
        steps: [new FailStep('Stop', { errorMessage: roleArn })],
      }),
    failureTopic: topic,
    ...props,
  });
  return { stack, construct, template: synth ? templateOf(stack) : undefined! };
}

describe('SageMakerPipeline', () => {
  test('the pipeline, run by its own role, with the definition inline, after the role\'s policy and the upload', () => {
    const { template, construct } = pipelineStack();
    const [pipeline] = Object.values(template.findResources('AWS::SageMaker::Pipeline')) as any[];
    expect(pipeline.Properties).toMatchObject({
      PipelineName: 'pds-test-pipeline',
      PipelineDescription: 'A test pipeline',
      RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^PipelineRole/), 'Arn'] },
    });
    const body = JSON.stringify(pipeline.Properties.PipelineDefinition.PipelineDefinitionBody);
    expect(body).toContain('pipelines/test/code/v1/');
    expect(body).toContain('PipelineRole');
    expect(pipeline.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^PipelineRoleDefaultPolicy/), expect.stringMatching(/^PipelineCode/)]));
    expect(construct.definitionStorage).toBe('inline');
  });

  test('s3 storage: the definition is a file of the release, named by its content', () => {
    const { template, construct } = pipelineStack({ definitionStorage: 's3' });
    expect(construct.definitionStorage).toBe('s3');
    template.hasResourceProperties('AWS::SageMaker::Pipeline', {
      PipelineDefinition: { PipelineDefinitionS3Location: { Bucket: Match.anyValue(), Key: Match.stringLikeRegexp('^pipelines/test/code/v1/definitions/[0-9a-f]{32}\\.json$') } },
    });
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment')) as any[];
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
  });

  test('a schedule and a start on new data under a prefix, through a role that may start only this pipeline', () => {
    const { template } = pipelineStack({ schedule: 'rate(7 days)', startOnNewDataUnder: 'raw/test/' });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(7 days)' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { object: { key: ['raw/test/_SUCCESS', { wildcard: 'raw/test/*/_SUCCESS' }] } } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'sagemaker:StartPipelineExecution', Resource: Match.anyValue() })] },
    });
  });

  test('a failed execution is told to the topic', () => {
    const { template } = pipelineStack();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.sagemaker'], detail: { currentPipelineExecutionStatus: ['Failed'] } },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Failures') } })],
    });
  });

  test('passes the cdk-nag AwsSolutions checks (and the check sees what it must)', () => {
    expect(nagFindings(pipelineStack({ schedule: 'rate(1 day)', startOnNewDataUnder: 'raw/' }, false).stack)).toEqual([]);
    const { stack } = pipelineStack({}, false);
    new s3.Bucket(stack, 'Plain');
    expect(nagFindings(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-S1 /)]));
  });

  test.each([
    [{ pipelineName: 'bad_name' }, "SageMakerPipeline: pipelineName 'bad_name' is not allowed"],
    [{ code: { sources: [], prefix: 'no-slash', logGroupName: '/pds-test/x' } }, "SageMakerPipeline: code.prefix 'no-slash' must end with a slash."],
  ])('bad props fail clearly: %p', (props, message) => {
    expect(() => pipelineStack(props as Partial<SageMakerPipelineProps>)).toThrow(message);
  });
});
