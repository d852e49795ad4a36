import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { IModelPackageGroup, MODEL_PACKAGE_GROUP_NAME_PATTERN, ModelPackageGroup } from './model-package-group';

export interface ModelPackageGroupSpec {
  /** Name of the group in the Model Registry. */
  readonly name: string;
  /** What the group's models do (at most 1024 characters). */
  readonly description: string;
  /** Tags of the group (e.g. the pipeline that registers into it). */
  readonly tags?: Record<string, string>;
}

export interface ModelRegistryProps {
  /** The model package groups, one per pipeline that registers models. */
  readonly groups: readonly ModelPackageGroupSpec[];
  /**
   * DESTROY deletes the groups with the stack; CloudFormation can delete a group only when it holds
   * no model packages.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The SageMaker Model Registry's model package groups of the platform's pipelines, with
 * descriptions and tags, retained by default (they hold every registered model version).
 */
export class ModelRegistry extends Construct {
  private readonly groups = new Map<string, sagemaker.CfnModelPackageGroup>();
  private readonly references = new Map<string, IModelPackageGroup>();

  constructor(scope: Construct, id: string, props: ModelRegistryProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    for (const spec of props.groups) {
      if (!MODEL_PACKAGE_GROUP_NAME_PATTERN.test(spec.name)) {
        throw new Error(
          `ModelRegistry: group name '${spec.name}' is not allowed; expected 1 to 63 letters, digits and hyphens, ` +
            'starting and ending with a letter or digit.',
        );
      }
      if (this.groups.has(spec.name)) {
        throw new Error(`ModelRegistry: group name '${spec.name}' is used twice; expected unique names.`);
      }
      if (spec.description.length === 0 || spec.description.length > 1024) {
        throw new Error(`ModelRegistry: group '${spec.name}' needs a description of 1 to 1024 characters.`);
      }
      const group = new sagemaker.CfnModelPackageGroup(this, spec.name, {
        modelPackageGroupName: spec.name,
        modelPackageGroupDescription: spec.description,
      });
      for (const [key, value] of Object.entries(spec.tags ?? {})) {
        Tags.of(group).add(key, value);
      }
      group.applyRemovalPolicy(removalPolicy);
      this.groups.set(spec.name, group);
    }
  }

  /** A group by name (with `grantRegister`). */
  public group(name: string): IModelPackageGroup {
    if (!this.groups.has(name)) {
      throw new Error(`ModelRegistry: no group '${name}'; expected one of ${[...this.groups.keys()].join(', ')}.`);
    }
    let reference = this.references.get(name);
    if (!reference) {
      reference = ModelPackageGroup.fromModelPackageGroupName(this, `Ref-${name}`, name);
      this.references.set(name, reference);
    }
    return reference;
  }
}
