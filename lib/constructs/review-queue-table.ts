import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EXPIRES_AT, REVIEW_TABLE_KEYS } from '../human-review/runtime/review-store';

export interface ReviewQueueTableProps {
  readonly tableName: string;
  /**
   * What happens to the table and its key when they leave the stack; RETAIN also turns deletion protection on.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** What the functions do with the queue: each grant names its actions on the table and its work index. */
export type ReviewQueueAccess = 'predict' | 'review' | 'retry';

const ACTIONS: Record<ReviewQueueAccess, string[]> = {
  // Stores reviews and records the endpoint's outcome.
  predict: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
  // Reads the queue, claims and labels.
  review: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
  // Reads what is due, records outcomes and deliveries.
  retry: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
};

/**
 * The review queue: a DynamoDB table of reviews keyed by inference id, encrypted with a key of its
 * own (rotation on), point-in-time recovery, on-demand capacity, answered and delivered reviews
 * expiring by time to live, and the sparse index of work (retry, review, deliver) the functions
 * read. The item layout is the runtime's (lib/human-review/runtime/review-store.ts).
 */
export class ReviewQueueTable extends Construct {
  public readonly table: dynamodb.Table;
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: ReviewQueueTableProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the human-review queue ${props.tableName}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    const keys = REVIEW_TABLE_KEYS;
    this.table = new dynamodb.Table(this, 'Resource', {
      tableName: props.tableName,
      partitionKey: { name: keys.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: EXPIRES_AT,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: keys.workIndex.name,
      partitionKey: { name: keys.workIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: keys.workIndex.sortKey, type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }

  /** Lets a function do its part with the queue: the table's and the work index's actions, and the key's. */
  public grant(grantee: iam.IGrantable, access: ReviewQueueAccess): iam.Grant {
    const actions = ACTIONS[access];
    const table = iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.table.tableArn, ...(actions.includes('dynamodb:Query') ? [`${this.table.tableArn}/index/${REVIEW_TABLE_KEYS.workIndex.name}`] : [])],
    });
    return table.combine(this.key.grant(grantee, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'));
  }
}
