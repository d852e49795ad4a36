import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeBucketDeployment } from './bucket-deployment-findings';
import { functionRole } from './function-role';
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
    ({ role: this.role, logGroup: this.logGroup } = functionRole(this, { logGroupName: props.logGroupName, logKey: props.storage.key, description: props.description }));
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

    acknowledgeBucketDeployment(this.role, {
      purpose: 'copies the files from the CDK asset bucket into the lake',
      destination: { objects: props.storage.bucket.arnForObjects('*'), reason: `It writes only under ${props.destinationPrefix} (destinationKeyPrefix) and never prunes.` },
      more: ['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({ action, reason: 'The key actions are limited to the lake key.' })),
    });
  }
}
