import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ImageRegistries } from '../lib/constructs/image-registries';
import { ModelExecutionRole } from '../lib/constructs/model-execution-role';
import { ModelPackageModel, ModelPackageModelProps } from '../lib/constructs/model-package-model';
import { nagFindings, templateOf, testStack } from './helpers';

const PACKAGE_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-test-reviews/3';

/** A stack with a model of a package, run by the endpoint's execution role (as ServingStack builds it). */
function modelStack(props: Partial<ModelPackageModelProps> = {}) {
  const stack = testStack();
  const images = new ImageRegistries(stack, 'Images');
  const role = new ModelExecutionRole(stack, 'ModelRole', {
    endpointName: 'pds-test-reviews',
    imageRepositories: [images.repository('huggingFaceInference')],
  }).role;
  const construct = new ModelPackageModel(stack, 'VariantAModel', { modelPackageArn: PACKAGE_ARN, role, ...props });
  return { stack, construct };
}

describe('ModelPackageModel', () => {
  test('the package\'s container, network-isolated, run by the given role', () => {
    const template = templateOf(modelStack().stack);
    template.resourceCountIs('AWS::SageMaker::Model', 1);
    template.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: true,
      ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelRole'), 'Arn'] },
      // The package names its own image: no placeholder image is left behind.
      PrimaryContainer: { ModelPackageName: PACKAGE_ARN, Image: Match.absent() },
      Containers: Match.absent(),
    });
  });

  test('never the alpha module\'s default role with AmazonSageMakerFullAccess', () => {
    const template = templateOf(modelStack().stack);
    // The execution role is the only role, and it has no managed policy.
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    expect(JSON.stringify(template.toJSON())).not.toContain('AmazonSageMakerFullAccess');
  });

  test('waits for the role\'s policy, not the role itself (the ARN implies it)', () => {
    const template = templateOf(modelStack().stack);
    const [model] = Object.values(template.findResources('AWS::SageMaker::Model')) as any[];
    expect(model.DependsOn).toEqual([expect.stringMatching(/^ModelRoleDefaultPolicy/)]);
  });

  test('networkIsolation false (serverless): the container may reach the network', () => {
    templateOf(modelStack({ networkIsolation: false }).stack).hasResourceProperties('AWS::SageMaker::Model', { EnableNetworkIsolation: false });
  });

  test('an imported role: its ARN, and no dependencies', () => {
    const stack = testStack();
    const role = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::111122223333:role/pds-test-model');
    new ModelPackageModel(stack, 'Model', { modelPackageArn: PACKAGE_ARN, role });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::IAM::Role', 0);
    const [model] = Object.values(template.findResources('AWS::SageMaker::Model')) as any[];
    expect(model.Properties.ExecutionRoleArn).toBe('arn:aws:iam::111122223333:role/pds-test-model');
    expect(model.DependsOn).toBeUndefined();
  });

  test('passes the cdk-nag AwsSolutions checks', () => {
    expect(nagFindings(modelStack().stack)).toEqual([]);
  });
});
