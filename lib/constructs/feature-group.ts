import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { FeatureGroupSchema } from '../feature-store/feature-schema';
import { LakePrefix } from '../lake-layout';
import { acknowledgeWildcards } from '../nag';
import { ILakeStorage } from './data-lake-storage';
import { FeatureMetadataWriter } from './feature-metadata-writer';

/** Table format of a feature group's offline store. */
export enum OfflineTableFormat {
  /** Plain Glue (Hive) table of Parquet files. */
  GLUE = 'Glue',
  /** Apache Iceberg table: compaction and time travel; queried with Athena engine v3. */
  ICEBERG = 'Iceberg',
}

/** Something that can let a grantee run Athena queries over lake prefixes (e.g. `LakeAthena`). */
export interface IQueryWorkGroup {
  grantQuery(grantee: iam.IGrantable, prefixes: readonly string[]): void;
}

export interface OnlineStoreOptions {
  /**
   * Key of the online store.
   * @default - the lake key
   */
  readonly key?: kms.IKey;
  /**
   * Records expire from the online store this long after their event time (whole minutes at least).
   * @default - records never expire
   */
  readonly ttl?: Duration;
}

export interface FeatureGroupProps {
  /** The group's validated schema (name, features, record identifier, event time). */
  readonly schema: FeatureGroupSchema;
  /** The lake: the offline store lives under {@link LakePrefix.featureStore}, encrypted with its key. */
  readonly storage: ILakeStorage;
  /** Glue database that receives the offline store's table (the lake's database). */
  readonly databaseName: string;
  /**
   * Table format of the offline store. Cannot change once the group exists.
   * @default OfflineTableFormat.GLUE
   */
  readonly tableFormat?: OfflineTableFormat;
  /**
   * The online store for low-latency reads; KMS-encrypted.
   * @default - no online store
   */
  readonly onlineStore?: OnlineStoreOptions;
  /**
   * Write each feature's description into Feature Store's catalog (UpdateFeatureMetadata), where
   * CloudFormation has no property for it.
   * @default true
   */
  readonly describeFeatures?: boolean;
  /**
   * The helper that writes the descriptions (one per stack serves every group in it).
   * @default - the stack's shared writer, made on first use, logging to
   * `/feature-store/describe-features` encrypted with the lake key
   */
  readonly metadataWriter?: FeatureMetadataWriter;
  /**
   * DESTROY deletes the group (and its online records) with the stack; the offline data stays in
   * the lake either way.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A SageMaker Feature Store feature group over `AWS::SageMaker::FeatureGroup`, secure by default:
 * the offline store in the lake's feature-store prefix, encrypted with the lake key, with its Glue
 * table registered in the lake's database (queryable from the lake's Athena workgroup); an optional
 * KMS-encrypted online store with an optional TTL; and a least-privilege role for the offline store.
 *
 * **Changes that replace the group.** Feature Store cannot drop or retype features, change the
 * record identifier or event time, the table format or the catalog settings of an existing group:
 * CloudFormation replaces the group, which fails for a named group while the old one exists (and
 * would orphan its data). Treat such a change as a new group with a new name. Adding features is
 * an in-place update.
 */
export class FeatureGroup extends Construct {
  public readonly featureGroupName: string;
  public readonly featureGroupArn: string;
  /** The schema the group was made from. */
  public readonly schema: FeatureGroupSchema;
  /** Where the offline store writes (Feature Store adds account, region and group below it). */
  public readonly offlineStoreS3Uri: string;
  /** The offline store's Glue database and table. */
  public readonly offlineDatabaseName: string;
  public readonly offlineTableName: string;
  public readonly tableFormat: OfflineTableFormat;
  public readonly onlineStoreEnabled: boolean;
  /** The role Feature Store uses to write the offline store and its table. */
  public readonly offlineStoreRole: iam.Role;
  public readonly resource: sagemaker.CfnFeatureGroup;
  private readonly onlineKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: FeatureGroupProps) {
    super(scope, id);
    const { schema, storage } = props;
    if (schema.validated !== true) {
      throw new Error('FeatureGroup: schema must come from validateFeatureGroupSchema().');
    }
    const ttl = props.onlineStore?.ttl;
    if (ttl !== undefined && (ttl.toMinutes({ integral: false }) < 1 || !Number.isInteger(ttl.toMinutes({ integral: false })))) {
      throw new Error(`FeatureGroup '${schema.featureGroupName}': onlineStore.ttl ${ttl.toHumanString()} is not allowed; expected whole minutes, at least 1.`);
    }
    const stack = Stack.of(this);
    this.schema = schema;
    this.featureGroupName = schema.featureGroupName;
    this.tableFormat = props.tableFormat ?? OfflineTableFormat.GLUE;
    this.onlineStoreEnabled = props.onlineStore !== undefined;
    this.offlineDatabaseName = props.databaseName;
    this.offlineTableName = schema.featureGroupName.toLowerCase().replace(/-/g, '_');
    this.offlineStoreS3Uri = storage.s3Uri(LakePrefix.featureStore);
    this.featureGroupArn = stack.formatArn({ service: 'sagemaker', resource: 'feature-group', resourceName: this.featureGroupName.toLowerCase() });

    this.offlineStoreRole = new iam.Role(this, 'OfflineStoreRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Feature Store writes the offline store of ${schema.featureGroupName} and its Glue table`,
    });
    storage.grantReadWritePrefix(this.offlineStoreRole, LakePrefix.featureStore);
    this.offlineStoreRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OfflineStoreObjectAcl',
        actions: ['s3:GetBucketAcl', 's3:PutObjectAcl'],
        resources: [storage.bucket.bucketArn, storage.bucket.arnForObjects(`${LakePrefix.featureStore}*`)],
      }),
    );
    this.offlineStoreRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OfflineStoreTable',
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:CreateTable',
          'glue:UpdateTable',
          'glue:GetPartitions',
          'glue:BatchCreatePartition',
          'glue:BatchGetPartition',
        ],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: props.databaseName }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${props.databaseName}/${this.offlineTableName}` }),
        ],
      }),
    );
    acknowledgeWildcards(this.offlineStoreRole, [
      {
        resource: storage.bucket.arnForObjects(`${LakePrefix.featureStore}*`),
        reason: 'Feature Store sets the ACL of the offline-store objects it writes under this prefix (names it chooses).',
      },
    ]);

    const online = props.onlineStore;
    this.onlineKey = online ? (online.key ?? storage.key) : undefined;
    this.resource = new sagemaker.CfnFeatureGroup(this, 'Resource', {
      featureGroupName: schema.featureGroupName,
      description: schema.description,
      recordIdentifierFeatureName: schema.recordIdentifier,
      eventTimeFeatureName: schema.eventTime,
      featureDefinitions: schema.features.map((f) => ({ featureName: f.name, featureType: f.type })),
      roleArn: this.offlineStoreRole.roleArn,
      // These two properties are untyped in CloudFormation's schema: their keys are written as the API spells them.
      offlineStoreConfig: {
        S3StorageConfig: { S3Uri: this.offlineStoreS3Uri, KmsKeyId: storage.key.keyArn },
        DisableGlueTableCreation: false,
        DataCatalogConfig: { Catalog: 'AwsDataCatalog', Database: props.databaseName, TableName: this.offlineTableName },
        TableFormat: this.tableFormat,
      },
      onlineStoreConfig: online
        ? {
            EnableOnlineStore: true,
            StorageType: 'Standard',
            SecurityConfig: { KmsKeyId: (online.key ?? storage.key).keyArn },
            ...(online.ttl ? { TtlDuration: ttlDuration(online.ttl) } : {}),
          }
        : { EnableOnlineStore: false },
    });
    this.resource.applyRemovalPolicy(props.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN);
    // Feature Store checks the role's access when it creates the group.
    this.resource.node.addDependency(this.offlineStoreRole.node.findChild('DefaultPolicy'));

    if (props.describeFeatures ?? true) {
      const writer = props.metadataWriter ?? sharedWriter(stack, storage);
      writer.describe(this, 'Metadata', {
        featureGroupName: this.featureGroupName,
        featureGroupArn: this.featureGroupArn,
        descriptions: Object.fromEntries(schema.features.map((f) => [f.name, f.description])),
      }, this.resource);
    }
  }

  /** Lets the grantee write records (PutRecord) and delete them (with the online store's key). */
  public grantIngest(grantee: iam.IGrantable): iam.Grant {
    this.onlineKey?.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:PutRecord', 'sagemaker:DeleteRecord', 'sagemaker:DescribeFeatureGroup'],
      resourceArns: [this.featureGroupArn],
    });
  }

  /** Lets the grantee read records from the online store (GetRecord, BatchGetRecord). */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    this.onlineKey?.grant(grantee, 'kms:Decrypt');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:GetRecord', 'sagemaker:BatchGetRecord', 'sagemaker:DescribeFeatureGroup'],
      resourceArns: [this.featureGroupArn],
    });
  }

  /** Lets the grantee query the offline store with Athena in a workgroup (e.g. the lake's). */
  public grantOfflineQuery(grantee: iam.IGrantable, workGroup: IQueryWorkGroup): void {
    workGroup.grantQuery(grantee, [LakePrefix.featureStore]);
    iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:DescribeFeatureGroup'], resourceArns: [this.featureGroupArn] });
  }

  /**
   * SQL that selects the latest, not deleted version of every record from the offline store.
   * @param where an extra condition on the features, e.g. `split_type = 'train'`
   */
  public latestRecordsSql(where?: string): string {
    const quote = (name: string) => `"${name.toLowerCase()}"`;
    const columns = this.schema.features.map((f) => quote(f.name)).join(', ');
    return [
      `SELECT ${columns}`,
      'FROM (',
      `  SELECT *, ROW_NUMBER() OVER (PARTITION BY ${quote(this.schema.recordIdentifier)}`,
      `    ORDER BY ${quote(this.schema.eventTime)} DESC, api_invocation_time DESC, write_time DESC) AS row_number`,
      `  FROM "${this.offlineDatabaseName}"."${this.offlineTableName}"`,
      ')',
      `WHERE row_number = 1 AND NOT is_deleted${where ? ` AND ${where}` : ''}`,
    ].join('\n');
  }
}

/** The writer a stack's feature groups share when they are not given one. */
function sharedWriter(stack: Stack, storage: ILakeStorage): FeatureMetadataWriter {
  const id = 'FeatureMetadataWriter';
  return (stack.node.tryFindChild(id) as FeatureMetadataWriter | undefined) ?? new FeatureMetadataWriter(stack, id, { logGroupName: '/feature-store/describe-features', logKey: storage.key });
}

function ttlDuration(ttl: Duration): { Unit: string; Value: number } {
  const minutes = ttl.toMinutes();
  if (minutes % (60 * 24 * 7) === 0) return { Unit: 'Weeks', Value: minutes / (60 * 24 * 7) };
  if (minutes % (60 * 24) === 0) return { Unit: 'Days', Value: minutes / (60 * 24) };
  if (minutes % 60 === 0) return { Unit: 'Hours', Value: minutes / 60 };
  return { Unit: 'Minutes', Value: minutes };
}
