/**
 * The review queue: one DynamoDB item per review, keyed by its inference id, from the moment the
 * prediction API takes it until its label is in the lake.
 *
 * An item's `status` says where it is:
 * - `pending`: taken, the endpoint not yet answered (a crash here leaves it to the retry function);
 * - `failed`: the endpoint failed; kept with the error, retried by the scheduled function;
 * - `answered`: confident enough, answered to the caller; nothing more to do;
 * - `queued`: below the threshold: a task for a reviewer;
 * - `reviewed`: a reviewer labelled it.
 *
 * What is left to do is the sparse `work` index (`work`, `workAt` in epoch milliseconds): `retry`
 * (pending or failed, due at `workAt`), `review` (queued; available from `workAt`, which a claim
 * moves to the claim's expiry, so an expired claim puts the task back in the queue by itself) and
 * `deliver` (reviewed, its records not yet in the lake). Every change is a conditional write, so
 * retries of any call are idempotent and two reviewers never hold the same task.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, QueryCommandInput, QueryCommandOutput, UpdateCommand, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';

/** The name of the table's index of what is left to do. */
export const WORK_INDEX = 'work';
/** The table's time-to-live attribute (epoch seconds): answered and delivered items expire. */
export const EXPIRES_AT = 'expiresAt';
/** How long an answered or delivered review stays in the table. */
export const RETENTION_DAYS = 90;

export type ReviewStatus = 'pending' | 'failed' | 'answered' | 'queued' | 'reviewed';
export type WorkKind = 'retry' | 'review' | 'deliver';

/** A review as the table holds it. */
export interface ReviewItem {
  readonly inferenceId: string;
  readonly text: string;
  readonly productCategory?: string;
  readonly status: ReviewStatus;
  /** When the API took it (ISO 8601). */
  readonly createdAt: string;
  /** Who called the prediction API (the caller's IAM ARN), when known. */
  readonly requestedBy?: string;
  /** Endpoint calls so far. */
  readonly attempts: number;
  readonly label?: number;
  readonly confidence?: number;
  /** The production variant that answered. */
  readonly variant?: string;
  /** The last endpoint error (failed items). */
  readonly error?: string;
  readonly work?: WorkKind;
  readonly workAt?: number;
  readonly claimedBy?: string;
  readonly claimToken?: string;
  readonly humanLabel?: number;
  readonly reviewer?: string;
  readonly reviewedAt?: string;
  readonly deliveredAt?: string;
  readonly expiresAt?: number;
}

/** What the endpoint said of a review: a prediction, or why there is none. */
export type Outcome =
  | { readonly kind: 'prediction'; readonly label: number; readonly confidence: number; readonly variant?: string; readonly review: boolean }
  | { readonly kind: 'failure'; readonly error: string; readonly retryAt: number };

/** What a conditional update of one review says: the rest of the request is the store's. */
type ConditionalUpdate = Required<Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>>;
/** A query of the work index: the rest of the request is the store's. */
type WorkQuery = Omit<QueryCommandInput, 'TableName' | 'IndexName' | 'ExclusiveStartKey'>;

const expiry = (now: number) => Math.floor(now / 1000) + RETENTION_DAYS * 86_400;

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

export class ReviewStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    public readonly tableName: string,
  ) {}

  /** Stores a new review; false when one with its inference id exists (a retried request). */
  public async create(item: ReviewItem): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(inferenceId)' }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  public async get(inferenceId: string): Promise<ReviewItem | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { inferenceId }, ConsistentRead: true }));
    return result.Item as ReviewItem | undefined;
  }

  /**
   * Records the endpoint's outcome of a pending or failed review: answered, queued for a reviewer,
   * or failed again (due for another try at `retryAt`). Undefined when the review is no longer
   * pending or failed (another call recorded it first).
   */
  public async record(inferenceId: string, outcome: Outcome, now: number): Promise<ReviewItem | undefined> {
    const names: Record<string, string> = { '#status': 'status', '#work': 'work', '#workAt': 'workAt', '#attempts': 'attempts' };
    const values: Record<string, unknown> = { ':pending': 'pending', ':failed': 'failed', ':one': 1 };
    let update: string;
    if (outcome.kind === 'failure') {
      Object.assign(values, { ':status': 'failed', ':error': outcome.error, ':retry': 'retry', ':at': outcome.retryAt });
      update = 'SET #status = :status, #error = :error, #work = :retry, #workAt = :at ADD #attempts :one';
      names['#error'] = 'error';
    } else {
      Object.assign(values, { ':label': outcome.label, ':confidence': outcome.confidence, ':variant': outcome.variant ?? 'unknown' });
      names['#label'] = 'label';
      names['#confidence'] = 'confidence';
      names['#variant'] = 'variant';
      names['#error'] = 'error';
      const common = 'SET #status = :status, #label = :label, #confidence = :confidence, #variant = :variant';
      if (outcome.review) {
        Object.assign(values, { ':status': 'queued', ':review': 'review', ':at': now });
        update = `${common}, #work = :review, #workAt = :at ADD #attempts :one REMOVE #error`;
      } else {
        Object.assign(values, { ':status': 'answered', ':expires': expiry(now) });
        names['#expires'] = EXPIRES_AT;
        update = `${common}, #expires = :expires ADD #attempts :one REMOVE #error, #work, #workAt`;
      }
    }
    return this.updateIf(inferenceId, {
      UpdateExpression: update,
      ConditionExpression: '#status IN (:pending, :failed)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  /** Reviews with work of a kind due at `now`, oldest first. */
  public async due(kind: WorkKind, now: number, limit: number): Promise<ReviewItem[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: WORK_INDEX,
        KeyConditionExpression: '#work = :kind AND #workAt <= :now',
        ExpressionAttributeNames: { '#work': 'work', '#workAt': 'workAt' },
        ExpressionAttributeValues: { ':kind': kind, ':now': now },
        Limit: limit,
      }),
    );
    return (result.Items ?? []) as ReviewItem[];
  }

  /**
   * Takes a review due for a retry until `until` (one run of the retry function at a time); the
   * review as it is then, or undefined when another run took it first.
   */
  public async lease(inferenceId: string, now: number, until: number): Promise<ReviewItem | undefined> {
    return this.updateIf(inferenceId, {
      UpdateExpression: 'SET #workAt = :until',
      ConditionExpression: '#work = :retry AND #workAt <= :now',
      ExpressionAttributeNames: { '#work': 'work', '#workAt': 'workAt' },
      ExpressionAttributeValues: { ':until': until, ':retry': 'retry', ':now': now },
    });
  }

  /**
   * The reviewer's own claim that has not expired, if any (a reviewer who reloads the app gets it
   * back), as the index has it: read the item again before trusting it.
   */
  public async claimedBy(reviewer: string, now: number): Promise<ReviewItem | undefined> {
    for await (const page of this.workPages({
      KeyConditionExpression: '#work = :review AND #workAt > :now',
      FilterExpression: 'claimedBy = :reviewer',
      ExpressionAttributeNames: { '#work': 'work', '#workAt': 'workAt' },
      ExpressionAttributeValues: { ':review': 'review', ':now': now, ':reviewer': reviewer },
    })) {
      if (page.Items?.length) return page.Items[0] as ReviewItem;
    }
    return undefined;
  }

  /** How many reviews are kept as failed, due for a retry or not (every page of the index). */
  public async countFailed(): Promise<number> {
    let total = 0;
    for await (const page of this.workPages({
      KeyConditionExpression: '#work = :retry',
      FilterExpression: '#status = :failed',
      ExpressionAttributeNames: { '#work': 'work', '#status': 'status' },
      ExpressionAttributeValues: { ':retry': 'retry', ':failed': 'failed' },
      Select: 'COUNT',
    })) {
      total += page.Count ?? 0;
    }
    return total;
  }

  /**
   * Gives a queued review to one reviewer until `until`: only when no one holds it, or the last
   * claim has expired. Undefined when someone else got it first.
   */
  public async claim(inferenceId: string, reviewer: string, claimToken: string, now: number, until: number): Promise<ReviewItem | undefined> {
    return this.updateIf(inferenceId, {
      UpdateExpression: 'SET claimedBy = :reviewer, claimToken = :token, #workAt = :until',
      ConditionExpression: '#work = :review AND #workAt <= :now',
      ExpressionAttributeNames: { '#work': 'work', '#workAt': 'workAt' },
      ExpressionAttributeValues: { ':reviewer': reviewer, ':token': claimToken, ':until': until, ':review': 'review', ':now': now },
    });
  }

  /**
   * Records a reviewer's label under a claim that is still theirs and not expired; the review is
   * then due for delivery to the lake. Undefined when the claim is not (or no longer) theirs.
   */
  public async review(inferenceId: string, reviewer: string, claimToken: string, humanLabel: number, now: number): Promise<ReviewItem | undefined> {
    return this.updateIf(inferenceId, {
      UpdateExpression: 'SET #status = :reviewed, humanLabel = :label, reviewer = :reviewer, reviewedAt = :at, #work = :deliver, #workAt = :now',
      ConditionExpression: '#work = :review AND claimToken = :token AND claimedBy = :reviewer AND #workAt > :now',
      ExpressionAttributeNames: { '#status': 'status', '#work': 'work', '#workAt': 'workAt' },
      ExpressionAttributeValues: {
        ':reviewed': 'reviewed',
        ':label': humanLabel,
        ':reviewer': reviewer,
        ':at': new Date(now).toISOString(),
        ':deliver': 'deliver',
        ':now': now,
        ':review': 'review',
        ':token': claimToken,
      },
    });
  }

  /** Marks a reviewed item's records as written to the lake (a second call changes nothing). */
  public async delivered(inferenceId: string, now: number): Promise<void> {
    await this.updateIf(inferenceId, {
      UpdateExpression: 'SET deliveredAt = :at, #expires = :expires REMOVE #work, #workAt',
      ConditionExpression: '#work = :deliver',
      ExpressionAttributeNames: { '#work': 'work', '#workAt': 'workAt', '#expires': EXPIRES_AT },
      ExpressionAttributeValues: { ':at': new Date(now).toISOString(), ':expires': expiry(now), ':deliver': 'deliver' },
    });
  }

  /**
   * One conditional update of a review: the review as it is after it, or undefined when the
   * condition does not hold (another call changed it first).
   */
  private async updateIf(inferenceId: string, update: ConditionalUpdate): Promise<ReviewItem | undefined> {
    try {
      const result = await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: { inferenceId }, ...update, ReturnValues: 'ALL_NEW' }));
      return result.Attributes as ReviewItem;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Every page of a query of the work index. */
  private async *workPages(query: WorkQuery): AsyncGenerator<QueryCommandOutput> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ TableName: this.tableName, IndexName: WORK_INDEX, ...query, ExclusiveStartKey: start }));
      yield page;
      start = page.LastEvaluatedKey;
    } while (start);
  }
}

/** The table's key and its index of work, as the stack declares them and the local stack creates them. */
export const REVIEW_TABLE_KEYS = {
  partitionKey: 'inferenceId',
  workIndex: { name: WORK_INDEX, partitionKey: 'work', sortKey: 'workAt' },
} as const;
