import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImageRegistries } from '../lib/constructs/image-registries';
import { PipelineRole, PipelineRoleProps } from '../lib/constructs/pipeline-role';
import { nagFindings, templateOf, testStack } from './helpers';

/**
 * A stack with the role of a training pipeline (as SageMakerPipeline builds one); the props
 * override. The image registries and the key are made only when used (an unused mapping or key
 * is a finding of its own).
 */
function roleStack(props: (f: { images: () => ImageRegistries; key: () => kms.IKey }) => Partial<PipelineRoleProps> = () => ({})) {
  const stack = testStack();
  let images: ImageRegistries | undefined;
  const f = {
    images: () => (images ??= new ImageRegistries(stack, 'Images')),
    key: () => new kms.Key(stack, 'Key', { enableKeyRotation: true }),
  };
  const overrides = props(f);
  const construct = new PipelineRole(stack, 'Role', {
    pipelineName: 'pds-test-train',
    jobKinds: ['processing-job', 'training-job'],
    imageRepositories: overrides.imageRepositories ?? [f.images().repository('huggingFaceTraining')],
    ...overrides,
  });
  return { stack, construct };
}

/** The statements of the role's one policy. */
function statements(stack: Stack): any[] {
  const policies = Object.values(templateOf(stack).findResources('AWS::IAM::Policy')) as any[];
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

function statement(all: any[], sid: string): any {
  const found = all.find((s) => s.Sid === sid);
  expect(found).toBeDefined();
  return found;
}

describe('PipelineRole', () => {
  test('assumed by SageMaker only, with no AWS managed policies', () => {
    const { stack } = roleStack();
    const template = templateOf(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
      Description: 'SageMaker pipeline pds-test-train and the jobs it starts',
      ManagedPolicyArns: Match.absent(),
    });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('creates, describes and stops only the jobs of its step kinds', () => {
    const { stack } = roleStack();
    const jobs = statement(statements(stack), 'PipelineJobs');
    expect(jobs.Action).toEqual([
      'sagemaker:AddTags',
      'sagemaker:CreateProcessingJob',
      'sagemaker:CreateTrainingJob',
      'sagemaker:DescribeProcessingJob',
      'sagemaker:DescribeTrainingJob',
      'sagemaker:StopProcessingJob',
      'sagemaker:StopTrainingJob',
    ]);
    const resources = JSON.stringify(jobs.Resource);
    expect(jobs.Resource).toHaveLength(2);
    expect(resources).toContain(':processing-job/*"');
    expect(resources).toContain(':training-job/*"');
    expect(resources).not.toContain('transform-job');
  });

  test('a model step kind adds only the model actions on models', () => {
    const { stack } = roleStack(() => ({ jobKinds: ['model'] }));
    const jobs = statement(statements(stack), 'PipelineJobs');
    expect(jobs.Action).toEqual(['sagemaker:AddTags', 'sagemaker:CreateModel', 'sagemaker:DeleteModel', 'sagemaker:DescribeModel']);
    expect(JSON.stringify(jobs.Resource)).toMatch(/:model\/\*"\]\]\}$/);
  });

  test('passes only itself, and only to SageMaker', () => {
    const { stack } = roleStack();
    const all = statements(stack);
    const passRole = all.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('iam:')));
    expect(passRole).toEqual([
      {
        Sid: 'PassOnlyThisRoleToSageMaker',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Role/), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      },
    ]);
  });

  test('pulls only the images it names; logs and metrics stay under SageMaker\'s names', () => {
    const { stack } = roleStack();
    const all = statements(stack);
    const pull = statement(all, 'PullImages');
    expect(JSON.stringify(pull.Resource)).toContain(':repository/huggingface-pytorch-training"');
    expect(JSON.stringify(pull.Resource)).toContain('"Fn::FindInMap":["Images",{"Ref":"AWS::Region"},"dlc"]');
    expect(statement(all, 'EcrLogin')).toMatchObject({ Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(JSON.stringify(statement(all, 'JobLogs').Resource)).toContain(':log-group:/aws/sagemaker/*"');
    expect(statement(all, 'JobMetrics')).toMatchObject({
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'aws/sagemaker/*'] } },
    });
    // No wildcard resource without a condition, apart from the ECR login (which takes none).
    const unconditioned = all.filter((s) => s.Resource === '*' && !s.Condition).map((s) => s.Sid);
    expect(unconditioned).toEqual(['EcrLogin']);
  });

  test('no image repositories: no ECR permissions at all', () => {
    const { stack } = roleStack(() => ({ imageRepositories: [] }));
    const actions = statements(stack).flatMap((s) => [s.Action].flat());
    expect(actions.filter((a: string) => a.startsWith('ecr:'))).toEqual([]);
  });

  test('no key and no VPC by default: no KMS or EC2 permissions', () => {
    const { stack } = roleStack();
    const actions = statements(stack).flatMap((s) => [s.Action].flat());
    expect(actions.filter((a: string) => a.startsWith('kms:') || a.startsWith('ec2:'))).toEqual([]);
  });

  test('a job key: grants on that key only, and only for AWS resources', () => {
    const { stack } = roleStack(({ key }) => ({ jobKey: key() }));
    expect(statement(statements(stack), 'JobVolumeAndOutputEncryption')).toEqual({
      Sid: 'JobVolumeAndOutputEncryption',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
  });

  test('jobs in a VPC: the network interface actions SageMaker needs', () => {
    const { stack } = roleStack(() => ({ jobsInVpc: true }));
    const eni = statement(statements(stack), 'JobNetworkInterfaces');
    expect(eni.Action).toEqual(expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups']));
    expect(eni.Action.every((a: string) => a.startsWith('ec2:'))).toBe(true);
  });

  test('passes the cdk-nag AwsSolutions checks', () => {
    const { stack } = roleStack(({ key }) => ({ jobKey: key() }));
    expect(nagFindings(stack)).toEqual([]);
  });

  test('passes the cdk-nag AwsSolutions checks with jobs in a VPC and several step kinds', () => {
    const { stack } = roleStack(({ key, images }) => ({
      jobKinds: ['processing-job', 'training-job', 'transform-job', 'model', 'hyper-parameter-tuning-job'],
      imageRepositories: [images().repository('huggingFaceTraining'), images().managedRepository('clarify')],
      jobKey: key(),
      jobsInVpc: true,
    }));
    expect(nagFindings(stack)).toEqual([]);
  });
});
