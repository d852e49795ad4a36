import { CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from '../nag';
import { dependOnlyOn } from '../template-hygiene';
import { ILakeStorage } from './data-lake-storage';
import { projectPath } from '../project-paths';

/** Stacks that have an upload: one per stack, since the deployment handler is shared. */
const UPLOAD_STACKS = new WeakSet<Stack>();

/** The folder of the synthetic reviews sample (made by `data/generate_sample.py`). */
export const SAMPLE_DATA_DIR = projectPath('data', 'sample', 'reviews');

export interface LakeFolderUploadProps {
  /** The lake that receives the files. */
  readonly storage: ILakeStorage;
  /** Folder whose files are uploaded (as they are: no archive). Give this or `sources`. */
  readonly sourceDir?: string;
  /** What to upload instead of a folder (e.g. `Source.jsonData` with deploy-time values). */
  readonly sources?: s3deploy.ISource[];
  /** Lake prefix the files land under (ending with a slash). */
  readonly destinationPrefix: string;
  /**
   * Glob patterns of files to leave out.
   * @default - none
   */
  readonly exclude?: string[];
  /** What the upload is, for the role's description. */
  readonly description: string;
  /**
   * Name of the handler's log group. It is encrypted with the lake key, so the key policy must
   * let CloudWatch Logs use the key for it (see `DataLakeStorage.allowLogGroupEncryption`).
   */
  readonly logGroupName: string;
}

/**
 * Uploads a folder of the project to a lake prefix with a CDK bucket deployment, at deploy time.
 * Its Lambda function runs with a role of its own (no AWS managed policies) and logs to a log
 * group encrypted with the lake key. Files uploaded by other means are kept (no pruning), and the
 * files stay in the lake when the upload is removed.
 */
export class LakeFolderUpload extends Construct {
  public readonly deployment: s3deploy.BucketDeployment;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: LakeFolderUploadProps) {
    super(scope, id);
    if ((props.sourceDir === undefined) === (props.sources === undefined)) {
      throw new Error('LakeFolderUpload: give exactly one of sourceDir and sources.');
    }
    const stack = Stack.of(this);
    if (UPLOAD_STACKS.has(stack)) {
      throw new Error(
        `LakeFolderUpload: stack ${stack.stackName} has one already; CDK bucket deployments share one handler per stack, so give that one more sources.`,
      );
    }
    UPLOAD_STACKS.add(stack);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: props.logGroupName,
      retention: logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.storage.key,
      // Logs of a deploy-time helper, not lake data; a retained named group would block a redeploy.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: props.sources ?? [s3deploy.Source.asset(props.sourceDir!, { exclude: props.exclude })],
      // By reference: the deployment tags a bucket it is given as a construct, which would change
      // the lake's (stateful) template with every upload.
      destinationBucket: s3.Bucket.fromBucketAttributes(this, 'Destination', {
        bucketArn: props.storage.bucket.bucketArn,
        bucketName: props.storage.bucket.bucketName,
        encryptionKey: props.storage.key,
      }),
      destinationKeyPrefix: props.destinationPrefix,
      prune: false,
      retainOnDelete: true,
      role: this.role,
      logGroup: this.logGroup,
      memoryLimit: 256,
    });

    const bucketDeploymentReason =
      'Granted by the CDK BucketDeployment construct, whose handler copies the files from the CDK asset bucket into the lake; ' +
      'it runs only during deployments of this stack.';
    acknowledgeWildcards(this.role, [
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
        action,
        reason: bucketDeploymentReason,
      })),
      ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
        action,
        reason: `${bucketDeploymentReason} The key actions are limited to the lake key.`,
      })),
      {
        resourceMatching: /^arn:(aws[a-z-]*|<AWS::Partition>):s3:::cdk-[a-z0-9]+-assets-[^/]+\/\*$/,
        reason: `${bucketDeploymentReason} This is the CDK bootstrap asset bucket that holds the files' zip.`,
      },
      {
        resource: props.storage.bucket.arnForObjects('*'),
        reason: `${bucketDeploymentReason} It writes only under ${props.destinationPrefix} (destinationKeyPrefix) and never prunes.`,
      },
    ]);
    // The handler function is a singleton of the stack; its runtime is the one aws-cdk-lib ships.
    const policy = this.role.node.findChild('DefaultPolicy').node.defaultChild as CfnElement;
    for (const child of stack.node.children) {
      if (child.node.id.startsWith('Custom::CDKBucketDeployment')) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-L1',
          reason: 'The BucketDeployment handler\'s runtime is chosen and updated by aws-cdk-lib, not by this project.',
        });
        // The function references the role already; it need only wait for the role's policy.
        dependOnlyOn(child, [policy]);
      }
    }
  }
}
