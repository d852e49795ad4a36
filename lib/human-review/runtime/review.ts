/**
 * The review API's work: the next task for a reviewer (claimed for them alone until the claim
 * expires) and a reviewer's label (recorded under their claim, then written to the lake).
 */
import { randomUUID } from 'crypto';
import { SENTIMENTS } from './contract';
import { LakeWriter } from './lake-records';
import { ReviewItem, ReviewStore } from './review-store';
import { BadRequest } from './requests';

/** Queued tasks read per try of a claim: enough that reviewers racing for the oldest still get one. */
const CANDIDATES = 10;

/** A task as the reviewer's app shows it. */
export interface ReviewTask {
  readonly inferenceId: string;
  readonly text: string;
  readonly productCategory?: string;
  readonly label: number;
  readonly confidence: number;
  readonly claimToken: string;
  /** When the claim expires (ISO 8601): the task then goes back to the queue. */
  readonly claimExpiresAt: string;
}

export interface ReviewServiceProps {
  readonly store: ReviewStore;
  readonly lake: LakeWriter;
  /** How long a claim holds a task for one reviewer. */
  readonly claimMs: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** The outcome of a label: recorded, and whether its records are in the lake yet. */
export interface LabelResult {
  readonly inferenceId: string;
  readonly humanLabel: number;
  readonly delivered: boolean;
  readonly groundTruthKeys?: string[];
}

/**
 * The groups of a Cognito token's claims: API Gateway's authorizer passes `cognito:groups` as a
 * list, a JSON list, or a text of names separated by commas or spaces.
 */
export function groupsOf(claims: Record<string, unknown> | undefined): string[] {
  const raw = claims?.['cognito:groups'];
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string' || raw.trim() === '') return [];
  const text = raw.trim();
  if (text.startsWith('[')) {
    try {
      const parsed = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      return text.slice(1, -1).split(/[,\s]+/).filter(Boolean);
    }
  }
  return text.split(/[,\s]+/).filter(Boolean);
}

export class ReviewService {
  private readonly clock: () => number;

  constructor(private readonly props: ReviewServiceProps) {
    this.clock = props.clock ?? Date.now;
  }

  /**
   * The reviewer's task: the one they hold (after a reload), else the oldest available one,
   * claimed for them; undefined when the queue is empty.
   */
  public async next(reviewer: string): Promise<ReviewTask | undefined> {
    // The index may lag the table (a task just labelled can still show as held): read it again.
    const candidate = await this.props.store.claimedBy(reviewer, this.clock());
    const held = candidate && (await this.props.store.get(candidate.inferenceId));
    if (held && held.work === 'review' && held.claimedBy === reviewer && held.workAt! > this.clock()) return taskOf(held);
    for (let round = 0; round < 3; round++) {
      const now = this.clock();
      const candidates = await this.props.store.due('review', now, CANDIDATES);
      if (candidates.length === 0) return undefined;
      for (const candidate of candidates) {
        const claimed = await this.props.store.claim(candidate.inferenceId, reviewer, randomUUID(), now, now + this.props.claimMs);
        if (claimed) return taskOf(claimed);
      }
    }
    return undefined;
  }

  /**
   * Records the reviewer's label of a task they hold, then writes its records to the lake. A second
   * call with the same claim answers the same (the label is not written twice).
   * @throws BadRequest 400 for a label that is no sentiment, 404 for an unknown task, 409 for a claim that is not theirs
   */
  public async label(reviewer: string, inferenceId: string, humanLabel: unknown, claimToken: unknown): Promise<LabelResult> {
    if (typeof humanLabel !== 'number' || !SENTIMENTS.includes(humanLabel)) {
      throw new BadRequest(`'label' is ${JSON.stringify(humanLabel)}; expected one of ${SENTIMENTS.join(', ')}.`);
    }
    if (typeof claimToken !== 'string' || claimToken === '') throw new BadRequest("'claimToken' is missing; expected the claim token the task came with.");
    const now = this.clock();
    let item = await this.props.store.review(inferenceId, reviewer, claimToken, humanLabel, now);
    if (!item) {
      const existing = await this.props.store.get(inferenceId);
      if (!existing) throw new BadRequest(`Task '${inferenceId}' does not exist.`, 404);
      const again = existing.status === 'reviewed' && existing.claimToken === claimToken && existing.reviewer === reviewer;
      if (again && existing.humanLabel !== humanLabel) {
        throw new BadRequest(`Task '${inferenceId}' was already labelled ${existing.humanLabel} under your claim; a label is given once.`, 409);
      }
      if (!again) {
        throw new BadRequest(
          `Your claim on task '${inferenceId}' is no longer valid (it expired and the task went back to the queue, or it was labelled); fetch the next task.`,
          409,
        );
      }
      if (existing.work !== 'deliver') return { inferenceId, humanLabel: existing.humanLabel!, delivered: true };
      item = existing;
    }
    try {
      const keys = await this.props.lake.write(item);
      await this.props.store.delivered(inferenceId, this.clock());
      return { inferenceId, humanLabel: item.humanLabel!, delivered: true, groundTruthKeys: keys };
    } catch {
      // Kept as due for delivery: the scheduled function writes it.
      return { inferenceId, humanLabel: item.humanLabel!, delivered: false };
    }
  }
}

function taskOf(item: ReviewItem): ReviewTask {
  return {
    inferenceId: item.inferenceId,
    text: item.text,
    ...(item.productCategory !== undefined ? { productCategory: item.productCategory } : {}),
    label: item.label!,
    confidence: item.confidence!,
    claimToken: item.claimToken!,
    claimExpiresAt: new Date(item.workAt!).toISOString(),
  };
}
