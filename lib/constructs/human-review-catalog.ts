import { Aws } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { HUMAN_REVIEW_COLUMNS } from '../human-review/runtime/lake-records';
import { ILakeStorage } from './data-lake-storage';

/** The Glue table of reviewers' labels. */
export const HUMAN_REVIEW_TABLE = 'human_review';

export interface HumanReviewCatalogProps {
  readonly storage: ILakeStorage;
  /** The lake's Glue database. */
  readonly databaseName: string;
  /** `human-review/`: the records are under `<prefix><endpoint>/yyyy/mm/dd/`. */
  readonly prefix: string;
  /** The endpoints whose reviews the table reads (its `endpoint` partition's values). */
  readonly endpointNames: readonly string[];
}

/**
 * The `human_review` table that Athena queries: the JSON records the review function writes (who,
 * when, the model's and the reviewer's labels, agreement), partitioned by endpoint and day through
 * partition projection, so new days need no crawler and no `MSCK REPAIR`.
 */
export class HumanReviewCatalog extends Construct {
  public readonly table: glue.CfnTable;

  constructor(scope: Construct, id: string, props: HumanReviewCatalogProps) {
    super(scope, id);
    const location = props.storage.s3Uri(props.prefix);
    this.table = new glue.CfnTable(this, 'Resource', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: props.databaseName,
      tableInput: {
        name: HUMAN_REVIEW_TABLE,
        description: "Reviewers' labels of low-confidence predictions (JSON, written by the human-review functions)",
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [
          { name: 'endpoint', type: 'string', comment: 'The endpoint whose prediction was reviewed' },
          { name: 'day', type: 'string', comment: 'The day of the label, yyyy/MM/dd (UTC)' },
        ],
        parameters: {
          classification: 'json',
          EXTERNAL: 'TRUE',
          'projection.enabled': 'true',
          'projection.endpoint.type': 'enum',
          'projection.endpoint.values': props.endpointNames.join(','),
          'projection.day.type': 'date',
          'projection.day.format': 'yyyy/MM/dd',
          'projection.day.range': '2026/01/01,NOW',
          'projection.day.interval': '1',
          'projection.day.interval.unit': 'DAYS',
          'storage.location.template': `${location}\${endpoint}/\${day}/`,
        },
        storageDescriptor: {
          columns: HUMAN_REVIEW_COLUMNS.map((column) => ({ ...column })),
          location,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'ignore.malformed.json': 'true' } },
          compressed: false,
          storedAsSubDirectories: false,
        },
      },
    });
  }
}
