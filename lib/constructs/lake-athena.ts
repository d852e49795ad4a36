import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { LakePrefix } from '../lake-layout';
import { ATHENA_MIN_BYTES_SCANNED_CUTOFF } from '../service-limits';
import { ILakeStorage } from './data-lake-storage';

/** A saved query of the workgroup. */
export interface LakeQuery {
  /** Name shown in the Athena console; unique within the workgroup. */
  readonly name: string;
  readonly description: string;
  /** SQL run against the lake database. */
  readonly sql: string;
}

/** The course's exploration queries over the `reviews` table, and a few more. */
export const COURSE_QUERIES: readonly LakeQuery[] = [
  {
    name: 'reviews-count-by-category',
    description: 'Course: how many reviews each product category has',
    sql: 'SELECT product_category, COUNT(*) AS count_reviews\nFROM reviews\nGROUP BY product_category\nORDER BY count_reviews DESC',
  },
  {
    name: 'reviews-average-sentiment-by-category',
    description: 'Course: average sentiment of each product category',
    sql: 'SELECT product_category, AVG(sentiment) AS avg_sentiment\nFROM reviews\nGROUP BY product_category\nORDER BY avg_sentiment DESC',
  },
  {
    name: 'reviews-count-by-category-and-sentiment',
    description: 'Course: reviews per product category and sentiment (class imbalance)',
    sql:
      'SELECT product_category, sentiment, COUNT(*) AS count_reviews\nFROM reviews\n' +
      'GROUP BY product_category, sentiment\nORDER BY product_category ASC, sentiment DESC, count_reviews',
  },
  {
    name: 'reviews-count-by-sentiment',
    description: 'Overall class balance of the sentiment label',
    sql: 'SELECT sentiment, COUNT(*) AS count_reviews\nFROM reviews\nGROUP BY sentiment\nORDER BY sentiment',
  },
  {
    name: 'reviews-length-by-category',
    description: 'Review length in words per category (to choose MaxSeqLength)',
    sql:
      "SELECT product_category,\n  AVG(cardinality(split(review_body, ' '))) AS avg_words,\n" +
      "  APPROX_PERCENTILE(cardinality(split(review_body, ' ')), 0.95) AS p95_words\nFROM reviews\n" +
      'GROUP BY product_category\nORDER BY avg_words DESC',
  },
];

export interface LakeAthenaProps {
  /** The lake that holds query results (under {@link LakePrefix.athenaResults}) and its key. */
  readonly storage: ILakeStorage;
  /** Workgroup name. */
  readonly workGroupName: string;
  /** The Glue database the saved queries run against. */
  readonly databaseName: string;
  /** Bytes a query may scan before Athena cancels it; at least 10,000,000. */
  readonly bytesScannedCutoffPerQuery: number;
  /**
   * Saved queries of the workgroup.
   * @default COURSE_QUERIES
   */
  readonly queries?: readonly LakeQuery[];
  /**
   * DESTROY deletes the workgroup with its saved queries and query history.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The lake's Athena workgroup (engine version 3): results in the lake, SSE-KMS with the lake key,
 * the workgroup's settings enforced on every client, CloudWatch metrics, a per-query scan cutoff;
 * and the course's exploration queries as named queries.
 */
export class LakeAthena extends Construct {
  public readonly workGroup: athena.CfnWorkGroup;
  public readonly workGroupName: string;
  public readonly namedQueries: athena.CfnNamedQuery[];
  private readonly storage: ILakeStorage;
  private readonly databaseName: string;

  constructor(scope: Construct, id: string, props: LakeAthenaProps) {
    super(scope, id);
    const cutoff = props.bytesScannedCutoffPerQuery;
    if (!Number.isInteger(cutoff) || cutoff < ATHENA_MIN_BYTES_SCANNED_CUTOFF) {
      throw new Error(
        `LakeAthena: bytesScannedCutoffPerQuery ${cutoff} is not allowed; ` +
          `expected an integer of at least ${ATHENA_MIN_BYTES_SCANNED_CUTOFF} (Athena's minimum).`,
      );
    }
    if (!/^[a-zA-Z0-9._-]{1,128}$/.test(props.workGroupName)) {
      throw new Error(
        `LakeAthena: workGroupName '${props.workGroupName}' is not allowed; ` +
          'expected 1 to 128 letters, digits, periods, hyphens and underscores.',
      );
    }
    this.storage = props.storage;
    this.databaseName = props.databaseName;
    this.workGroupName = props.workGroupName;

    this.workGroup = new athena.CfnWorkGroup(this, 'Resource', {
      name: props.workGroupName,
      description: 'Queries over the Practical Data Science data lake',
      state: 'ENABLED',
      recursiveDeleteOption: props.removalPolicy === RemovalPolicy.DESTROY,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        bytesScannedCutoffPerQuery: cutoff,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.storage.bucket.bucketName}/${LakePrefix.athenaResults}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.storage.key.keyArn },
          expectedBucketOwner: Stack.of(this).account,
          aclConfiguration: { s3AclOption: 'BUCKET_OWNER_FULL_CONTROL' },
        },
      },
    });
    this.workGroup.applyRemovalPolicy(props.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN);

    const names = new Set<string>();
    this.namedQueries = (props.queries ?? COURSE_QUERIES).map((query) => {
      if (names.has(query.name)) {
        throw new Error(`LakeAthena: query name '${query.name}' is used twice; expected unique names.`);
      }
      names.add(query.name);
      const namedQuery = new athena.CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.description,
        database: props.databaseName,
        workGroup: this.workGroup.ref,
        queryString: query.sql,
      });
      return namedQuery;
    });
  }

  /**
   * Lets the grantee run queries in this workgroup over the lake database: start and read queries,
   * read the catalog, read the lake prefixes given, and write results.
   * @param prefixes lake prefixes the queries may read (e.g. `LakePrefix.transformed`)
   */
  public grantQuery(grantee: iam.IGrantable, prefixes: readonly string[]): void {
    const stack = Stack.of(this);
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'athena:StartQueryExecution',
        'athena:StopQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:GetWorkGroup',
        'athena:GetNamedQuery',
        'athena:ListNamedQueries',
      ],
      resourceArns: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName })],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
      resourceArns: [
        stack.formatArn({ service: 'glue', resource: 'catalog' }),
        stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
        stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/*` }),
      ],
    });
    for (const prefix of prefixes) {
      this.storage.grantReadPrefix(grantee, prefix);
    }
    this.storage.grantReadWritePrefix(grantee, LakePrefix.athenaResults);
  }
}
