import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from '../nag';

/** Model package group names: `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`. */
export const MODEL_PACKAGE_GROUP_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** A group of registered model versions (a SageMaker Model Registry model package group). */
export interface IModelPackageGroup {
  readonly modelPackageGroupName: string;
  readonly modelPackageGroupArn: string;
  /** The ARN of the group's versions, `…:model-package/<group>/*`. */
  readonly modelPackageArns: string;
  /** Lets the grantee register model versions in the group (a pipeline's RegisterModel step). */
  grantRegister(grantee: iam.IGrantable): iam.Grant;
}

/** Ways to refer to a model package group that a registry stack holds. */
export class ModelPackageGroup {
  /**
   * A group by name, e.g. one made by another stack's registry; ARNs are formed in the scope's
   * stack. A literal name is checked against SageMaker's pattern (a token is taken as it is).
   */
  public static fromModelPackageGroupName(scope: Construct, id: string, modelPackageGroupName: string): IModelPackageGroup {
    return new ImportedModelPackageGroup(scope, id, modelPackageGroupName);
  }

  private constructor() {}
}

class ImportedModelPackageGroup extends Construct implements IModelPackageGroup {
  public readonly modelPackageGroupArn: string;
  public readonly modelPackageArns: string;

  constructor(
    scope: Construct,
    id: string,
    public readonly modelPackageGroupName: string,
  ) {
    super(scope, id);
    if (!Token.isUnresolved(modelPackageGroupName) && !MODEL_PACKAGE_GROUP_NAME_PATTERN.test(modelPackageGroupName)) {
      throw new Error(
        `ModelPackageGroup: name '${modelPackageGroupName}' is not allowed; expected 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.`,
      );
    }
    const stack = Stack.of(this);
    // SageMaker's ARNs of groups and versions are lower case.
    const arnName = Token.isUnresolved(modelPackageGroupName) ? modelPackageGroupName : modelPackageGroupName.toLowerCase();
    this.modelPackageGroupArn = stack.formatArn({ service: 'sagemaker', resource: 'model-package-group', resourceName: arnName });
    this.modelPackageArns = stack.formatArn({ service: 'sagemaker', resource: 'model-package', resourceName: `${arnName}/*` });
  }

  public grantRegister(grantee: iam.IGrantable): iam.Grant {
    if (Construct.isConstruct(grantee)) {
      acknowledgeWildcards(grantee, [
        { resource: this.modelPackageArns, reason: `Model versions of the group ${this.modelPackageGroupName}, numbered by the registry as they are created.` },
      ]);
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackageGroup', 'sagemaker:ListModelPackages', 'sagemaker:DescribeModelPackage'],
      resourceArns: [this.modelPackageGroupArn, this.modelPackageArns],
    });
  }
}
