/**
 * The prediction API's work, and the retry function's: each review is stored before the endpoint
 * is called, then recorded as answered, queued for a reviewer (confidence below the threshold) or
 * failed (kept with the error and retried on a schedule). Nothing a caller sent is dropped: a
 * review whose call never returns stays pending and the retry function takes it after a grace.
 */
import { randomUUID } from 'crypto';
import { Scorer } from './endpoint';
import { LakeWriter } from './lake-records';
import { Outcome, ReviewItem, ReviewStore } from './review-store';
import { ReviewInput } from './requests';

/** Endpoint calls of one request in flight at once. */
export const ENDPOINT_CONCURRENCY = 10;
/** An endpoint call is given up (and the review kept for a retry) after this long. */
export const ENDPOINT_CALL_TIMEOUT_MS = 5_000;
/** A pending review not recorded by then is the retry function's (longer than the function can run). */
export const PENDING_GRACE_MS = 2 * 60_000;
/** The first retry of a failed review, doubled each time up to {@link MAX_RETRY_DELAY_MS}. */
export const FIRST_RETRY_DELAY_MS = 60_000;
export const MAX_RETRY_DELAY_MS = 60 * 60_000;
/** A leased retry becomes due again this long after the run's deadline, should the run stop. */
export const RETRY_LEASE_MARGIN_MS = 60_000;

function logError(message: string, inferenceId: string, error: unknown): void {
  console.error(JSON.stringify({ message, inferenceId, error: String((error as Error)?.message ?? error) }));
}

export interface PredictionServiceProps {
  readonly store: ReviewStore;
  readonly scorer: Scorer;
  /** Predictions whose confidence is below it go to a reviewer. */
  readonly threshold: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly clock?: () => number;
  /** How long one endpoint call may take. @default ENDPOINT_CALL_TIMEOUT_MS */
  readonly callTimeoutMs?: number;
}

/** What the API answers of one review. */
export interface PredictionAnswer {
  readonly inferenceId: string;
  /**
   * The review's status in the table, or what kept it out: `not_stored` (the table could not take
   * it; send it again), `conflict` (its id belongs to another review).
   */
  readonly status: ReviewItem['status'] | 'not_stored' | 'conflict';
  readonly label?: number;
  readonly confidence?: number;
  /** Whether a reviewer will label (or labelled) it. */
  readonly humanReview: boolean;
  readonly humanLabel?: number;
  readonly error?: string;
}

export function answerOf(item: ReviewItem): PredictionAnswer {
  return {
    inferenceId: item.inferenceId,
    status: item.status,
    ...(item.label !== undefined ? { label: item.label, confidence: item.confidence } : {}),
    humanReview: item.status === 'queued' || item.status === 'reviewed',
    ...(item.humanLabel !== undefined ? { humanLabel: item.humanLabel } : {}),
    ...(item.status === 'failed' || item.status === 'pending' ? { error: item.error ?? 'not answered yet; it is retried' } : {}),
  };
}

/** The answer of a review the table does not hold: the caller sends it again. */
const notStored = (inferenceId: string): PredictionAnswer => ({ inferenceId, status: 'not_stored', humanReview: false, error: 'the review could not be stored; send it again' });

/** Runs `work` over the items, at most `limit` at once, keeping their order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The delay before the next try of a review that has failed `attempts` times. */
export function retryDelay(attempts: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** Math.max(0, attempts - 1));
}

export class PredictionService {
  private readonly clock: () => number;
  private readonly callTimeoutMs: number;

  constructor(private readonly props: PredictionServiceProps) {
    this.clock = props.clock ?? Date.now;
    this.callTimeoutMs = props.callTimeoutMs ?? ENDPOINT_CALL_TIMEOUT_MS;
  }

  /**
   * Predicts each review, within `deadline` (epoch ms): a review not answered by then is kept as
   * failed. A review whose id the table holds is answered from the table (or is a `conflict` when
   * the table holds another text under it). A review the table could not take is `not_stored`;
   * one stored but not recorded stays pending, which the retry function takes.
   */
  public async predict(reviews: readonly ReviewInput[], deadline: number, requestedBy?: string): Promise<PredictionAnswer[]> {
    // Every review has its id before any work, so that every answer can name it.
    const ids = reviews.map((review) => review.id ?? randomUUID());
    return mapLimit(reviews, ENDPOINT_CONCURRENCY, async (review, i) => {
      const inferenceId = ids[i];
      const now = this.clock();
      let created: boolean;
      try {
        created = await this.props.store.create({
          inferenceId,
          text: review.text,
          ...(review.productCategory !== undefined ? { productCategory: review.productCategory } : {}),
          ...(requestedBy !== undefined ? { requestedBy } : {}),
          status: 'pending',
          createdAt: new Date(now).toISOString(),
          attempts: 0,
          work: 'retry',
          workAt: now + PENDING_GRACE_MS,
        });
      } catch (error) {
        logError('a review could not be stored', inferenceId, error);
        return notStored(inferenceId);
      }
      try {
        if (!created) {
          const existing = await this.props.store.get(inferenceId);
          if (existing && existing.text !== review.text) {
            return { inferenceId, status: 'conflict', humanReview: false, error: `id '${inferenceId}' belongs to another review; ids must be unique across callers` };
          }
          if (existing) return answerOf(existing);
          // Gone between the two reads (it expired): nothing is stored under the id now.
          return notStored(inferenceId);
        }
        const item = await this.attempt(inferenceId, review, 0, deadline);
        return answerOf(item ?? (await this.props.store.get(inferenceId))!);
      } catch (error) {
        // Stored as pending: the retry function takes it after the grace.
        logError('a stored review could not be recorded; it is retried', inferenceId, error);
        return { inferenceId, status: 'pending', humanReview: false, error: 'not answered yet; it is retried' };
      }
    });
  }

  /** The stored answer of a review, or undefined. */
  public async answer(inferenceId: string): Promise<PredictionAnswer | undefined> {
    const item = await this.props.store.get(inferenceId);
    return item && answerOf(item);
  }

  /**
   * Tries the reviews due for a retry (failed, or pending past the grace), at most `limit`, each
   * leased until `deadline` first, so that overlapping runs never call the endpoint twice for one.
   */
  public async retryDue(limit: number, deadline: number): Promise<{ answered: number; queued: number; failed: number }> {
    const now = this.clock();
    const due = await this.props.store.due('retry', now, limit);
    const items = await mapLimit(due, ENDPOINT_CONCURRENCY, async (item) => {
      // Not enough time left for a call: leave it to the next run rather than fail it untried.
      if (deadline - this.clock() < this.callTimeoutMs) return undefined;
      try {
        const leased = await this.props.store.lease(item.inferenceId, now, Math.max(deadline, now) + RETRY_LEASE_MARGIN_MS);
        return leased ? await this.attempt(item.inferenceId, leased, leased.attempts, deadline) : undefined;
      } catch (error) {
        logError('a retry could not be recorded; the next run takes it', item.inferenceId, error);
        return undefined;
      }
    });
    const count = (status: string) => items.filter((item) => item?.status === status).length;
    return { answered: count('answered'), queued: count('queued'), failed: count('failed') };
  }

  private async attempt(inferenceId: string, review: { text: string; productCategory?: string }, attempts: number, deadline: number) {
    const outcome = await this.outcome(inferenceId, review, attempts, deadline);
    return this.props.store.record(inferenceId, outcome, this.clock());
  }

  private async outcome(inferenceId: string, review: { text: string; productCategory?: string }, attempts: number, deadline: number): Promise<Outcome> {
    const failure = (error: string): Outcome => ({ kind: 'failure', error, retryAt: this.clock() + retryDelay(attempts + 1) });
    const left = deadline - this.clock();
    if (left <= 0) return failure('not tried within the request\'s time limit; it is retried');
    try {
      const prediction = await this.props.scorer.score(review, inferenceId, AbortSignal.timeout(Math.min(left, this.callTimeoutMs)));
      return { kind: 'prediction', ...prediction, review: prediction.confidence < this.props.threshold };
    } catch (error) {
      return failure((error as Error).message ?? String(error));
    }
  }
}

/**
 * Delivers the reviewed labels whose lake records are not yet written (a failed write at
 * labelling): the number delivered. One that fails again stays due for the next run.
 */
export async function deliverDue(store: ReviewStore, lake: LakeWriter, now: number, limit: number): Promise<number> {
  const due = await store.due('deliver', now, limit);
  const delivered = await mapLimit(due, ENDPOINT_CONCURRENCY, async (item) => {
    try {
      await lake.write(item);
      await store.delivered(item.inferenceId, now);
      return true;
    } catch (error) {
      logError('delivery failed; the next run tries again', item.inferenceId, error);
      return false;
    }
  });
  return delivered.filter(Boolean).length;
}
