import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LakePrefix } from '../lake-layout';
import { acknowledgeWildcards } from '../nag';
import { S3_MIN_INFREQUENT_ACCESS_DAYS } from '../service-limits';
import { dependOnlyOn } from '../template-hygiene';

/** How long objects under each prefix live. All values are days. */
export interface LakeRetention {
  /** @default 30 */
  readonly athenaResultsExpirationDays?: number;
  /** @default 90 */
  readonly dataCaptureExpirationDays?: number;
  /** Raw data moves to Standard-IA after this many days (at least 30). @default 90 */
  readonly rawDataInfrequentAccessDays?: number;
  /** @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
  /** @default 365 */
  readonly accessLogsExpirationDays?: number;
  /** Incomplete multipart uploads are aborted after this many days. @default 7 */
  readonly abortIncompleteMultipartUploadDays?: number;
}

/** What other constructs need of the lake's storage. */
export interface ILakeStorage {
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  /** The S3 URI of a lake prefix, e.g. `s3://bucket/raw/`. */
  s3Uri(prefix: string): string;
  /** Lets the grantee list and read the objects under a prefix (and decrypt them). */
  grantReadPrefix(grantee: iam.IGrantable, prefix: string): iam.Grant;
  /** Lets the grantee list, read, write and delete the objects under a prefix. */
  grantReadWritePrefix(grantee: iam.IGrantable, prefix: string): iam.Grant;
  /** Lets the grantee write objects under a prefix (encrypting them with the key), and nothing else. */
  grantWritePrefix(grantee: iam.IGrantable, prefix: string): iam.Grant;
}

export interface DataLakeStorageProps {
  /**
   * Alias of the lake's KMS key, without the `alias/` part.
   * @default - no alias
   */
  readonly keyAlias?: string;
  /**
   * What happens to the buckets and the key when they leave the stack. Only `DESTROY` deletes
   * them, emptying the buckets first; anything else retains them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** @default - the defaults of {@link LakeRetention} */
  readonly retention?: LakeRetention;
  /**
   * Send the lake bucket's events to EventBridge (e.g. to start a pipeline on new raw data).
   * @default false
   */
  readonly eventBridgeNotifications?: boolean;
}

/**
 * The lake's storage: a customer-managed KMS key (rotation on), the lake bucket and the bucket that
 * receives its server access logs.
 *
 * The lake bucket is SSE-KMS with a bucket key, versioned, TLS-only (TLS 1.2 or later), blocks all
 * public access, owns its objects, and logs access to the logs bucket. The logs bucket uses SSE-S3
 * because S3 log delivery cannot write with a KMS key. Lifecycle rules abort incomplete uploads,
 * expire noncurrent versions, expire Athena results and captured inference data, and move old raw
 * data to Standard-IA.
 */
export class DataLakeStorage extends Construct implements ILakeStorage {
  /** The customer-managed key of the lake (objects, Athena results, Glue logs and bookmarks). */
  public readonly key: kms.Key;
  /** The lake bucket; its layout is {@link LakePrefix}. */
  public readonly bucket: s3.Bucket;
  /** The bucket of S3 server access logs. */
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataLakeStorageProps = {}) {
    super(scope, id);
    // S3 log delivery is granted by bucket policy, not by the legacy LogDeliveryWrite ACL, whatever
    // the app's feature flags say (the buckets enforce bucket-owner object ownership).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;
    const removalPolicy = destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const retention = {
      athenaResultsExpirationDays: 30,
      dataCaptureExpirationDays: 90,
      rawDataInfrequentAccessDays: 90,
      noncurrentVersionExpirationDays: 30,
      accessLogsExpirationDays: 365,
      abortIncompleteMultipartUploadDays: 7,
      ...props.retention,
    };
    if (retention.rawDataInfrequentAccessDays < S3_MIN_INFREQUENT_ACCESS_DAYS) {
      throw new Error(
        `DataLakeStorage: retention.rawDataInfrequentAccessDays is ${retention.rawDataInfrequentAccessDays}; ` +
          `expected at least ${S3_MIN_INFREQUENT_ACCESS_DAYS} (S3 moves objects to Standard-IA no earlier).`,
      );
    }

    this.key = new kms.Key(this, 'Key', {
      description: 'Data lake: objects, Athena results, Glue logs and job bookmarks',
      enableKeyRotation: true,
      alias: props.keyAlias,
      removalPolicy,
      pendingWindow: Duration.days(destroy ? 7 : 30),
    });

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      removalPolicy,
      autoDeleteObjects: destroy,
      lifecycleRules: [
        { id: 'ExpireAccessLogs', expiration: Duration.days(retention.accessLogsExpirationDays) },
        {
          id: 'AbortIncompleteMultipartUploads',
          abortIncompleteMultipartUploadAfter: Duration.days(retention.abortIncompleteMultipartUploadDays),
        },
      ],
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the destination of the lake bucket\'s server access logs; logging it to itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'lake/',
      removalPolicy,
      autoDeleteObjects: destroy,
      lifecycleRules: [
        {
          id: 'AbortIncompleteMultipartUploads',
          abortIncompleteMultipartUploadAfter: Duration.days(retention.abortIncompleteMultipartUploadDays),
        },
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: Duration.days(retention.noncurrentVersionExpirationDays),
        },
        {
          id: 'ExpireAthenaResults',
          prefix: LakePrefix.athenaResults,
          expiration: Duration.days(retention.athenaResultsExpirationDays),
        },
        {
          id: 'ExpireDataCapture',
          prefix: LakePrefix.dataCapture,
          expiration: Duration.days(retention.dataCaptureExpirationDays),
        },
        {
          id: 'RawDataToInfrequentAccess',
          prefix: LakePrefix.raw,
          transitions: [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(retention.rawDataInfrequentAccessDays),
            },
          ],
        },
      ],
    });

    if (props.eventBridgeNotifications) {
      // Set on the resource itself: the L2 flag would add a notifications custom resource.
      (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
        eventBridgeConfiguration: { eventBridgeEnabled: true },
      };
    }

    if (destroy) {
      // The auto-delete handler is a singleton of the stack that references its role already.
      const provider = Stack.of(this).node.tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider');
      const handler = provider?.node.tryFindChild('Handler');
      if (handler) dependOnlyOn(handler, []);
    } else {
      Annotations.of(this).addInfo('The lake buckets and key are retained when removed from the stack.');
    }
  }

  /** The S3 URI of a lake prefix, e.g. `s3://bucket/raw/`. */
  public s3Uri(prefix: string): string {
    return `s3://${this.bucket.bucketName}/${prefix}`;
  }

  /**
   * Lets the grantee list and read the objects under a prefix (and decrypt them).
   * @param prefix a prefix of {@link LakePrefix}
   */
  public grantReadPrefix(grantee: iam.IGrantable, prefix: string): iam.Grant {
    this.grantList(grantee, prefix);
    this.key.grant(grantee, 'kms:Decrypt');
    this.acknowledgePrefix(grantee, prefix, 'reads');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
  }

  /**
   * Lets the grantee list, read, write and delete the objects under a prefix (with the key).
   * @param prefix a prefix of {@link LakePrefix}
   */
  public grantReadWritePrefix(grantee: iam.IGrantable, prefix: string): iam.Grant {
    this.grantList(grantee, prefix);
    this.key.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
    this.acknowledgePrefix(grantee, prefix, 'reads and writes');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [
        's3:GetObject',
        's3:GetObjectVersion',
        's3:PutObject',
        's3:DeleteObject',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
      ],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
  }

  /**
   * Lets the grantee write objects under a prefix, encrypted with the lake key, without reading
   * or listing anything (e.g. an endpoint capturing its requests).
   * @param prefix a prefix of {@link LakePrefix}, or a folder under one
   */
  public grantWritePrefix(grantee: iam.IGrantable, prefix: string): iam.Grant {
    this.key.grant(grantee, 'kms:GenerateDataKey', 'kms:Encrypt');
    this.acknowledgePrefix(grantee, prefix, 'writes');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
  }

  /** A prefix grant is a wildcard by design: acknowledge exactly that resource on the grantee. */
  private acknowledgePrefix(grantee: iam.IGrantable, prefix: string, access: string): void {
    if (Construct.isConstruct(grantee)) {
      acknowledgeWildcards(grantee, [
        {
          resource: this.bucket.arnForObjects(`${prefix}*`),
          reason: `The grantee ${access} the objects under the lake prefix ${prefix}, and no others.`,
        },
      ]);
    }
  }

  private grantList(grantee: iam.IGrantable, prefix: string): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
    });
    iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetBucketLocation'], resourceArns: [this.bucket.bucketArn] });
  }

  /**
   * Lets CloudWatch Logs of this stack's region encrypt log groups whose names match a pattern
   * (e.g. `/aws-glue/*`) with the lake key.
   */
  public allowLogGroupEncryption(logGroupNamePattern: string): void {
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowCloudWatchLogs${logGroupNamePattern.replace(/[^A-Za-z0-9]/g, '')}`,
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: logGroupNamePattern,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
}
