import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CfnOutput } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DataLakeStorage, LakeRetention } from './constructs/data-lake-storage';
import { DeliveryMarker } from './constructs/delivery-marker';
import { LakeAthena } from './constructs/lake-athena';
import { LakeCatalog } from './constructs/lake-catalog';
import { LakeFolderUpload, SAMPLE_DATA_DIR } from './constructs/lake-folder-upload';
import { LakePrefix, SAMPLE_REVIEWS_FILES } from './lake-layout';
import { resourceName } from './naming';
import { StatefulStack, StatefulStackProps } from './stateful-stack';

export interface DataLakeStackProps extends StatefulStackProps {
  /** How long objects live under each prefix of the lake. */
  readonly retention: LakeRetention;
  /**
   * Send the lake bucket's events to EventBridge (a pipeline starts on new raw data).
   * @default false
   */
  readonly eventBridgeNotifications?: boolean;
  /**
   * Glue cron schedule of the raw-data crawler.
   * @default - the crawler runs on demand only
   */
  readonly crawlerSchedule?: string;
  /** Bytes a query of the lake workgroup may scan before Athena cancels it. */
  readonly athenaBytesScannedCutoff: number;
  /**
   * Upload the synthetic reviews sample to the raw prefix.
   * @default false
   */
  readonly deploySampleData?: boolean;
}

/**
 * Name of one of the platform's log groups: under `/<prefix>/`, where the lake key's policy lets
 * CloudWatch Logs encrypt them.
 */
export function logGroupName(prefix: string, path: string): string {
  return `/${prefix}/${path}`;
}

/**
 * The data lake (stateful): the lake key and buckets, the Glue catalog with its crawler and the
 * `reviews` table, the Athena workgroup with the course's queries, and the sample dataset.
 *
 * Later stacks use {@link storage}, {@link catalog} and {@link athena} and their `grant…` methods.
 * Outside dev (or unless `destroyOnRemoval` is set) everything stateful is retained and the stack
 * has termination protection.
 */
export class DataLakeStack extends StatefulStack {
  public readonly storage: DataLakeStorage;
  public readonly catalog: LakeCatalog;
  public readonly athena: LakeAthena;
  public readonly sampleData?: LakeFolderUpload;
  /** The sample's delivery marker, written after its files. */
  public readonly sampleDelivered?: DeliveryMarker;

  constructor(scope: Construct, id: string, props: DataLakeStackProps) {
    super(scope, id, 'Practical Data Science platform: data lake (S3, Glue catalog and crawler, Athena)', props);
    const prefix = this.namePrefix;
    const removalPolicy = this.removalPolicy;

    this.storage = new DataLakeStorage(this, 'Storage', {
      keyAlias: resourceName(prefix, 'lake', 256),
      removalPolicy,
      eventBridgeNotifications: props.eventBridgeNotifications ?? false,
      retention: props.retention,
    });
    // Glue writes the crawler's logs to /aws-glue/... log groups encrypted with the lake key, and
    // the platform's own log groups are named /<prefix>/... (see logGroupName).
    this.storage.allowLogGroupEncryption('/aws-glue/*');
    this.storage.allowLogGroupEncryption(`/${prefix}/*`);

    this.catalog = new LakeCatalog(this, 'Catalog', {
      storage: this.storage,
      databaseName: resourceName(prefix.replace(/-/g, '_'), 'lake', 255, '_'),
      securityConfigurationName: resourceName(prefix, 'lake', 255),
      crawlerName: resourceName(prefix, 'raw-reviews', 255),
      crawlerSchedule: props.crawlerSchedule,
    });

    this.athena = new LakeAthena(this, 'Athena', {
      storage: this.storage,
      workGroupName: resourceName(prefix, 'lake', 128),
      databaseName: this.catalog.databaseName,
      bytesScannedCutoffPerQuery: props.athenaBytesScannedCutoff,
      removalPolicy,
    });

    if (props.deploySampleData) {
      this.sampleData = new LakeFolderUpload(this, 'SampleData', {
        storage: this.storage,
        sourceDir: SAMPLE_DATA_DIR,
        destinationPrefix: LakePrefix.rawReviews,
        description: 'Uploads the synthetic reviews sample to the raw prefix of the lake',
        logGroupName: logGroupName(prefix, 'lake/sample-data-upload'),
      });
      // Written last: a pipeline that starts on new data starts once for the sample's files.
      this.sampleDelivered = new DeliveryMarker(this, 'SampleDataDelivered', {
        storage: this.storage,
        prefix: LakePrefix.rawReviews,
        files: SAMPLE_REVIEWS_FILES,
        after: this.sampleData,
        version: filesHash(SAMPLE_DATA_DIR, SAMPLE_REVIEWS_FILES),
        logGroupName: logGroupName(prefix, 'lake/sample-data-delivered'),
      });
    }

    new CfnOutput(this, 'LakeBucketName', { value: this.storage.bucket.bucketName, description: 'The lake bucket' });
    new CfnOutput(this, 'LakeKeyArn', { value: this.storage.key.keyArn, description: 'The lake KMS key' });
    new CfnOutput(this, 'RawReviewsUri', {
      value: this.storage.s3Uri(LakePrefix.rawReviews),
      description: 'Where the raw reviews CSV files go (crawled by Glue)',
    });
    new CfnOutput(this, 'GlueDatabaseName', { value: this.catalog.databaseName });
    new CfnOutput(this, 'CrawlerName', { value: this.catalog.crawler.ref });
    new CfnOutput(this, 'AthenaWorkGroupName', { value: this.athena.workGroupName });
  }
}

/** A short hash of files' names and contents: it changes when any of them does. */
function filesHash(dir: string, files: readonly string[]): string {
  const hash = crypto.createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(fs.readFileSync(path.join(dir, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}
