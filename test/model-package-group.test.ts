import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ModelPackageGroup } from '../lib/constructs/model-package-group';
import { nagFindings, templateOf, testStack } from './helpers';

describe('ModelPackageGroup.fromModelPackageGroupName', () => {
  test('the group and its versions as ARNs of the scope\'s stack, in lower case as SageMaker writes them', () => {
    const stack = testStack();
    const group = ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', 'Pds-Dev-Bert');
    expect(group.modelPackageGroupName).toBe('Pds-Dev-Bert');
    expect(JSON.stringify(stack.resolve(group.modelPackageGroupArn))).toContain(':model-package-group/pds-dev-bert"');
    expect(JSON.stringify(stack.resolve(group.modelPackageArns))).toContain(':model-package/pds-dev-bert/*"');
  });

  test('grantRegister: create, describe and list versions of this group alone, acknowledged exactly', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Pipeline', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const grant = ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', 'pds-test-bert').grantRegister(role);
    expect(grant.success).toBe(true);
    const [policy] = Object.values(templateOf(stack).findResources('AWS::IAM::Policy')) as any[];
    const [statement] = policy.Properties.PolicyDocument.Statement;
    expect(statement.Action).toEqual(['sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup', 'sagemaker:ListModelPackages']);
    const resources = JSON.stringify(statement.Resource);
    expect(resources).toContain(':model-package-group/pds-test-bert"');
    expect(resources).toContain(':model-package/pds-test-bert/*"');
  });

  test('passes the cdk-nag AwsSolutions checks', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Pipeline', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', 'pds-test-bert').grantRegister(role);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('a literal name SageMaker refuses is an error naming it; a token is taken as it is', () => {
    expect(() => ModelPackageGroup.fromModelPackageGroupName(testStack(), 'Group', 'bad_name')).toThrow(
      "ModelPackageGroup: name 'bad_name' is not allowed; expected 1 to 63 letters, digits and hyphens",
    );
    const stack = testStack();
    const token = Token.asString({ Ref: 'GroupName' });
    expect(ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', token).modelPackageGroupName).toBe(token);
  });
});
