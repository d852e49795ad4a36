import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DELIVERY_MARKER, LakePrefix } from '../lake-layout';
import { acknowledgeWildcards } from '../nag';
import { GLUE_CRON_PATTERN } from '../service-limits';
import { ILakeStorage } from './data-lake-storage';

/** The columns of the reviews dataset as delivered (Women's E-Commerce Clothing Reviews). */
export const RAW_REVIEW_COLUMNS = [
  'Clothing ID',
  'Age',
  'Title',
  'Review Text',
  'Rating',
  'Recommended IND',
  'Positive Feedback Count',
  'Division Name',
  'Department Name',
  'Class Name',
] as const;

/** The course's transformed `reviews` table. */
export const REVIEWS_TABLE_COLUMNS: glue.CfnTable.ColumnProperty[] = [
  { name: 'sentiment', type: 'int', comment: 'Rating 1-2 is -1, 3 is 0, 4-5 is 1' },
  { name: 'review_body', type: 'string', comment: 'The review text' },
  { name: 'product_category', type: 'string', comment: 'The product class (Class Name)' },
];

/** The table the crawler's tables start with, so its role can be limited to them. */
export const CRAWLER_TABLE_PREFIX = 'raw_';

const GLUE_DATABASE_NAME = /^[a-z0-9_]{1,255}$/;
const GLUE_NAME = /^[\w-]{1,255}$/;

export interface LakeCatalogProps {
  /** The lake whose raw prefix is crawled and whose key encrypts logs and bookmarks. */
  readonly storage: ILakeStorage;
  /** Glue database name: lowercase letters, digits and underscores (Athena's rule). */
  readonly databaseName: string;
  /** Name of the Glue security configuration. */
  readonly securityConfigurationName: string;
  /** Name of the raw-data crawler; its CSV classifier takes the same name. */
  readonly crawlerName: string;
  /**
   * Glue cron expression (six fields) of the crawler.
   * @default - no schedule: the crawler runs on demand
   */
  readonly crawlerSchedule?: string;
}

/**
 * The lake's Glue Data Catalog: a database, a security configuration (SSE-KMS for S3 and CloudWatch
 * Logs, CSE-KMS for job bookmarks), a crawler over the raw reviews with a CSV classifier and a
 * least-privilege role, and the explicit Parquet table `reviews` over the transformed prefix, so
 * Athena works before any crawl.
 */
export class LakeCatalog extends Construct {
  public readonly database: glue.CfnDatabase;
  public readonly databaseName: string;
  public readonly securityConfiguration: glue.CfnSecurityConfiguration;
  public readonly crawler: glue.CfnCrawler;
  public readonly crawlerRole: iam.Role;
  public readonly classifier: glue.CfnClassifier;
  /** The transformed `reviews` table. */
  public readonly reviewsTable: glue.CfnTable;

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    check('databaseName', props.databaseName, GLUE_DATABASE_NAME, 'lowercase letters, digits and underscores, 1 to 255 characters');
    check('securityConfigurationName', props.securityConfigurationName, GLUE_NAME, 'letters, digits, hyphens and underscores, 1 to 255 characters');
    check('crawlerName', props.crawlerName, GLUE_NAME, 'letters, digits, hyphens and underscores, 1 to 255 characters');
    if (props.crawlerSchedule !== undefined) {
      check('crawlerSchedule', props.crawlerSchedule, GLUE_CRON_PATTERN, 'a Glue cron expression with six fields');
    }
    const stack = Stack.of(this);
    const { bucket, key } = props.storage;
    this.databaseName = props.databaseName;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: props.databaseName,
        description: 'Data lake of the Practical Data Science platform: raw and transformed reviews',
      },
    });

    this.securityConfiguration = new glue.CfnSecurityConfiguration(this, 'SecurityConfiguration', {
      name: props.securityConfigurationName,
      encryptionConfiguration: {
        s3Encryptions: [{ s3EncryptionMode: 'SSE-KMS', kmsKeyArn: key.keyArn }],
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: key.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: key.keyArn },
      },
    });

    this.classifier = new glue.CfnClassifier(this, 'CsvClassifier', {
      csvClassifier: {
        name: props.crawlerName,
        containsHeader: 'PRESENT',
        delimiter: ',',
        quoteSymbol: '"',
        header: [...RAW_REVIEW_COLUMNS],
        allowSingleColumn: false,
        disableValueTrimming: false,
      },
    });

    const catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
    const databaseArn = stack.formatArn({ service: 'glue', resource: 'database', resourceName: props.databaseName });
    const crawlerTablesArn = stack.formatArn({
      service: 'glue',
      resource: 'table',
      resourceName: `${props.databaseName}/${CRAWLER_TABLE_PREFIX}*`,
    });
    this.crawlerRole = new iam.Role(this, 'CrawlerRole', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: `Glue crawler ${props.crawlerName}: reads the raw prefix, writes its tables to ${props.databaseName}`,
    });
    this.crawlerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CatalogTablesOfTheCrawler',
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:GetTables',
          'glue:CreateTable',
          'glue:UpdateTable',
          'glue:GetPartition',
          'glue:GetPartitions',
          'glue:BatchGetPartition',
          'glue:CreatePartition',
          'glue:BatchCreatePartition',
          'glue:UpdatePartition',
          'glue:BatchUpdatePartition',
        ],
        resources: [catalogArn, databaseArn, crawlerTablesArn],
      }),
    );
    const crawlerLogGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws-glue/crawlers*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.crawlerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptedCrawlerLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
        resources: [crawlerLogGroups],
      }),
    );
    key.grant(this.crawlerRole, 'kms:Encrypt', 'kms:GenerateDataKey');
    props.storage.grantReadPrefix(this.crawlerRole, LakePrefix.rawReviews);
    acknowledgeWildcards(this.crawlerRole, [
      {
        resource: crawlerTablesArn,
        reason: `The crawler names the tables it creates after the data; all start with '${CRAWLER_TABLE_PREFIX}' in this database.`,
      },
      {
        resource: crawlerLogGroups,
        reason: 'Glue names the crawler log groups and streams itself, all under /aws-glue/crawlers.',
      },
    ]);

    this.crawler = new glue.CfnCrawler(this, 'Crawler', {
      name: props.crawlerName,
      description: 'Crawls the raw reviews CSV files into the lake database',
      role: this.crawlerRole.roleArn,
      databaseName: props.databaseName,
      tablePrefix: CRAWLER_TABLE_PREFIX,
      classifiers: [props.crawlerName],
      crawlerSecurityConfiguration: props.securityConfigurationName,
      // Delivery markers are no data.
      targets: { s3Targets: [{ path: `s3://${bucket.bucketName}/${LakePrefix.rawReviews}`, exclusions: [DELIVERY_MARKER, `**/${DELIVERY_MARKER}`] }] },
      schedule: props.crawlerSchedule ? { scheduleExpression: props.crawlerSchedule } : undefined,
      schemaChangePolicy: { updateBehavior: 'UPDATE_IN_DATABASE', deleteBehavior: 'DEPRECATE_IN_DATABASE' },
      recrawlPolicy: { recrawlBehavior: 'CRAWL_EVERYTHING' },
      configuration: JSON.stringify({
        Version: 1.0,
        CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
        Grouping: { TableGroupingPolicy: 'CombineCompatibleSchemas' },
      }),
    });
    this.crawler.node.addDependency(this.database);
    this.crawler.node.addDependency(this.securityConfiguration);
    this.crawler.node.addDependency(this.classifier);
    // The role's policy must exist before the crawler may run (the role itself is referenced).
    this.crawler.node.addDependency(this.crawlerRole.node.findChild('DefaultPolicy'));

    this.reviewsTable = new glue.CfnTable(this, 'ReviewsTable', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: props.databaseName,
      tableInput: {
        name: 'reviews',
        description: 'The course\'s transformed reviews (Parquet, written by the pipeline\'s processing step)',
        tableType: 'EXTERNAL_TABLE',
        parameters: { classification: 'parquet', 'parquet.compression': 'SNAPPY', EXTERNAL: 'TRUE' },
        storageDescriptor: {
          columns: REVIEWS_TABLE_COLUMNS,
          location: `s3://${bucket.bucketName}/${LakePrefix.transformedReviews}`,
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            parameters: { 'serialization.format': '1' },
          },
          compressed: true,
          storedAsSubDirectories: false,
        },
      },
    });
    this.reviewsTable.node.addDependency(this.database);
  }
}

function check(prop: string, value: string, pattern: RegExp, allowed: string): void {
  if (!pattern.test(value)) {
    throw new Error(`LakeCatalog: ${prop} '${value}' is not allowed; expected ${allowed}.`);
  }
}
