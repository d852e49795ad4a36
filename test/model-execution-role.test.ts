import { Match } from 'aws-cdk-lib/assertions';
import { ImageRegistries } from '../lib/constructs/image-registries';
import { ModelExecutionRole } from '../lib/constructs/model-execution-role';
import { nagFindings, templateOf, testStack } from './helpers';

/** A stack with the execution role of an endpoint serving the Hugging Face inference image (as ServingStack builds it). */
function roleStack() {
  const stack = testStack();
  const images = new ImageRegistries(stack, 'Images');
  const construct = new ModelExecutionRole(stack, 'ModelRole', {
    endpointName: 'pds-test-reviews',
    imageRepositories: [images.repository('huggingFaceInference')],
  });
  return { stack, construct };
}

function statements(stack: ReturnType<typeof roleStack>['stack']): any[] {
  const policies = Object.values(templateOf(stack).findResources('AWS::IAM::Policy')) as any[];
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

describe('ModelExecutionRole', () => {
  test('assumed by SageMaker only, named for its endpoint, with no AWS managed policies', () => {
    const { stack } = roleStack();
    const template = templateOf(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
      Description: 'Models of the endpoint pds-test-reviews',
      ManagedPolicyArns: Match.absent(),
    });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('only pulls the serving image, writes its endpoint\'s logs and SageMaker\'s metrics', () => {
    const { stack } = roleStack();
    const all = statements(stack);
    expect(all.map((s) => s.Sid)).toEqual(['PullImages', 'EcrLogin', 'EndpointLogs', 'EndpointMetrics']);
    // Model artifacts, the capture folder and keys are granted by their owners, not here.
    const actions = all.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a: string) => /^(s3|kms|iam|sagemaker):/.test(a))).toEqual([]);

    const [pull, login, logs, metrics] = all;
    expect(pull.Action).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    expect(JSON.stringify(pull.Resource)).toContain(':repository/huggingface-pytorch-inference"');
    expect(JSON.stringify(pull.Resource)).toContain('"Fn::FindInMap":["Images",{"Ref":"AWS::Region"},"dlc"]');
    expect(login).toMatchObject({ Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(logs.Action).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents']);
    expect(JSON.stringify(logs.Resource)).toMatch(/:log-group:\/aws\/sagemaker\/Endpoints\/pds-test-reviews:\*"\]\]\}$/);
    expect(metrics).toMatchObject({
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'aws/sagemaker/*', 'AWS/SageMaker'] } },
    });
  });

  test('passes no role at all', () => {
    const { stack } = roleStack();
    templateOf(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.not(Match.arrayWith([Match.objectLike({ Action: 'iam:PassRole' })])) },
    });
  });

  test('passes the cdk-nag AwsSolutions checks', () => {
    expect(nagFindings(roleStack().stack)).toEqual([]);
  });
});

describe('ModelExecutionRole for a serial inference pipeline', () => {
  test('pulls the image of every container, and only those', () => {
    const stack = testStack();
    const images = new ImageRegistries(stack, 'Images');
    new ModelExecutionRole(stack, 'ModelRole', {
      endpointName: 'pds-test-pipeline',
      imageRepositories: [images.repository('huggingFaceInference'), images.repository('huggingFaceTraining')],
    });
    const pull = statements(stack).find((s) => s.Sid === 'PullImages');
    expect(pull.Resource).toHaveLength(2);
    expect(JSON.stringify(pull.Resource)).toContain('repository/huggingface-pytorch-inference');
    expect(JSON.stringify(pull.Resource)).toContain('repository/huggingface-pytorch-training');
  });

  test('no image is an error naming the prop', () => {
    expect(() => new ModelExecutionRole(testStack(), 'ModelRole', { endpointName: 'x', imageRepositories: [] })).toThrow(
      'ModelExecutionRole: imageRepositories is empty; expected the repository of every serving container.',
    );
  });
});
