import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ModelRegistry, ModelRegistryProps } from '../lib/constructs/model-registry';
import { nagFindings, templateOf, testStack } from './helpers';

function registry(props: Partial<ModelRegistryProps> = {}) {
  const stack = testStack();
  const construct = new ModelRegistry(stack, 'Registry', {
    groups: [{ name: 'pds-test-bert', description: 'BERT models', tags: { pipeline: 'bert' } }],
    ...props,
  });
  return { stack, construct };
}

describe('ModelRegistry', () => {
  test('a model package group per spec, with description and tags, retained by default', () => {
    const template = templateOf(registry().stack);
    template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: 'pds-test-bert',
      ModelPackageGroupDescription: 'BERT models',
      Tags: Match.arrayWith([{ Key: 'pipeline', Value: 'bert' }]),
    });
    expect(Object.values(template.findResources('AWS::SageMaker::ModelPackageGroup'))[0]).toMatchObject({ DeletionPolicy: 'Retain' });
  });

  test('DESTROY deletes the groups', () => {
    const template = templateOf(registry({ removalPolicy: RemovalPolicy.DESTROY }).stack);
    expect(Object.values(template.findResources('AWS::SageMaker::ModelPackageGroup'))[0]).toMatchObject({ DeletionPolicy: 'Delete' });
  });

  test.each([
    [{ groups: [{ name: 'bad_name', description: 'x' }] }, "ModelRegistry: group name 'bad_name' is not allowed; expected 1 to 63 letters, digits and hyphens"],
    [{ groups: [{ name: 'a'.repeat(64), description: 'x' }] }, 'is not allowed'],
    [{ groups: [{ name: 'a', description: 'x' }, { name: 'a', description: 'y' }] }, "ModelRegistry: group name 'a' is used twice"],
    [{ groups: [{ name: 'a', description: '' }] }, "ModelRegistry: group 'a' needs a description of 1 to 1024 characters."],
  ])('bad groups fail clearly: %p', (props, message) => {
    expect(() => registry(props)).toThrow(message);
  });

  test('group() names the group and its ARN; an unknown group is an error', () => {
    const { stack, construct } = registry();
    const group = construct.group('pds-test-bert');
    expect(group.modelPackageGroupName).toBe('pds-test-bert');
    expect(JSON.stringify(stack.resolve(group.modelPackageGroupArn))).toContain(':model-package-group/pds-test-bert');
    expect(() => construct.group('other')).toThrow("ModelRegistry: no group 'other'; expected one of pds-test-bert.");
  });

  test('grantRegister lets a pipeline register versions in one group', () => {
    const { stack, construct } = registry();
    const role = new iam.Role(stack, 'Pipeline', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    construct.group('pds-test-bert').grantRegister(role);
    const rendered = JSON.stringify(templateOf(stack).findResources('AWS::IAM::Policy'));
    expect(rendered).toContain('sagemaker:CreateModelPackage');
    expect(rendered).toContain(':model-package-group/pds-test-bert');
    expect(rendered).toContain(':model-package/pds-test-bert/*');
  });
});

test('ModelRegistry passes the cdk-nag AwsSolutions checks', () => {
  expect(nagFindings(registry().stack)).toEqual([]);
});
