import { CfnElement, CustomResource, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { dependOnlyOn } from '../template-hygiene';
import { functionRole } from './function-role';
import { projectPath } from '../project-paths';

/** The handler's code: one Python file, no dependencies beyond the runtime's boto3. */
export const FEATURE_METADATA_CODE_DIR = projectPath('lib', 'feature-store', 'feature-metadata');

export interface FeatureMetadataWriterProps {
  /** Name of the handler's log group. */
  readonly logGroupName: string;
  /**
   * Key of the log group; the key policy must let CloudWatch Logs use it for that name (see
   * `DataLakeStorage.allowLogGroupEncryption`).
   * @default - CloudWatch Logs' own encryption
   */
  readonly logKey?: kms.IKey;
}

/** What a feature group asks the writer to describe. */
export interface FeatureDescriptions {
  readonly featureGroupName: string;
  readonly featureGroupArn: string;
  /** Feature name to description. */
  readonly descriptions: Readonly<Record<string, string>>;
}

/**
 * Writes feature descriptions into Feature Store's catalog (UpdateFeatureMetadata), where
 * CloudFormation has no property for them: one Lambda function per stack, with a role of its own
 * (its log group and UpdateFeatureMetadata on the groups it describes, nothing else), and one
 * `Custom::FeatureMetadata` resource per feature group, however many features it has. A stack
 * with many feature groups stays small.
 */
export class FeatureMetadataWriter extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  private readonly describeStatement: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: FeatureMetadataWriterProps) {
    super(scope, id);
    ({ role: this.role, logGroup: this.logGroup } = functionRole(this, {
      logGroupName: props.logGroupName,
      logKey: props.logKey,
      description: 'Writes feature descriptions to Feature Store during deployments',
    }));
    // One statement for every group the writer describes, filled in as groups are added.
    this.describeStatement = new iam.PolicyStatement({ sid: 'DescribeFeatures', actions: ['sagemaker:UpdateFeatureMetadata'] });
    this.role.addToPrincipalPolicy(this.describeStatement);
    this.node.addValidation({
      validate: () => (this.describeStatement.resources.length ? [] : ['FeatureMetadataWriter: it describes no feature group; leave it out.']),
    });
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.determineLatestPythonRuntime(this),
      handler: 'index.handler',
      code: lambda.Code.fromAsset(FEATURE_METADATA_CODE_DIR, { exclude: ['__pycache__', '*.pyc'] }),
      role: this.role,
      logGroup: this.logGroup,
      timeout: Duration.minutes(5),
      memorySize: 256,
      description: 'Custom::FeatureMetadata: writes feature descriptions to Feature Store',
    });
    // The function names the role already; it need only wait for the role's policy.
    dependOnlyOn(this.function, [this.role.node.findChild('DefaultPolicy').node.defaultChild as CfnElement]);
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The runtime is the one aws-cdk-lib names as the latest Python available in every region (determineLatestPythonRuntime), ' +
        'not a runtime that may not have reached the deployment region yet.',
    });
  }

  /** One resource that writes every description of the group, after the group exists. */
  public describe(scope: Construct, id: string, group: FeatureDescriptions, after: Construct): CustomResource {
    this.describeStatement.addResources(group.featureGroupArn);
    const resource = new CustomResource(scope, id, {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::FeatureMetadata',
      properties: { FeatureGroupName: group.featureGroupName, Descriptions: { ...group.descriptions } },
    });
    resource.node.addDependency(after);
    return resource;
  }
}
