/**
 * A bounded load test of human review on the local stack: concurrent callers send the sample's
 * reviews to the prediction API while the stand-in endpoint fails a third of its calls; then the
 * scheduled function runs (the clock moved past each retry's time) until nothing is left to retry.
 * It counts where every review ended and checks that none was lost.
 *
 *     npm run human-review:load [-- --predictions 2000 --callers 16]
 */
import { LocalStack, startLocalStack } from './local-stack';
import { sampleReviews } from './sample-reviews';
import { MAX_REVIEWS_PER_REQUEST } from '../../lib/human-review/runtime/requests';

export interface LoadOptions {
  readonly predictions: number;
  readonly callers: number;
  /** Reviews per request, cycled (each at most the API's limit). @default 1 to 8 */
  readonly batchSizes?: readonly number[];
}

export interface LoadReport {
  readonly predictions: number;
  readonly callers: number;
  readonly requests: number;
  readonly seconds: number;
  readonly predictionsPerSecond: number;
  readonly requestMs: { readonly p50: number; readonly p95: number; readonly max: number };
  /** The API's answers: 200 (all answered) and 503 (some kept for a retry). */
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly endpointCalls: { readonly total: number; readonly failed: number };
  /** Reviews the first call left failed (kept, answered 503). */
  readonly keptAsFailed: number;
  /** Requests sent again by their callers after a 503, with the same ids. */
  readonly resent: number;
  readonly retryRuns: number;
  /** Endpoint calls the retry runs made (one per review they tried). */
  readonly retryCalls: number;
  /** Where the reviews ended, by status. */
  readonly final: Readonly<Record<string, number>>;
  /** Reviews sent that the table does not hold, or holds in no final state: must be none. */
  readonly lost: readonly string[];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function runLoad(stack: LocalStack, options: LoadOptions, advance: (ms: number) => void): Promise<LoadReport> {
  const sample = sampleReviews();
  const sizes = options.batchSizes ?? [1, 2, 3, 4, 5, 6, 7, 8];
  if (sizes.some((size) => size < 1 || size > MAX_REVIEWS_PER_REQUEST)) throw new Error(`batch sizes must be 1 to ${MAX_REVIEWS_PER_REQUEST}`);
  const reviews = Array.from({ length: options.predictions }, (_, i) => ({ ...sample[i % sample.length], id: `load-${i}` }));
  const batches: (typeof reviews)[] = [];
  for (let at = 0, n = 0; at < reviews.length; n++) {
    const size = sizes[n % sizes.length];
    batches.push(reviews.slice(at, at + size));
    at += size;
  }
  const statusCodes: Record<string, number> = {};
  const latencies: number[] = [];
  let keptAsFailed = 0;
  let resent = 0;
  let next = 0;
  const post = async (batch: typeof reviews) => {
    const started = performance.now();
    const response = await fetch(new URL('predictions', stack.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reviews: batch }) });
    latencies.push(performance.now() - started);
    statusCodes[response.status] = (statusCodes[response.status] ?? 0) + 1;
    const answer = (await response.json()) as { predictions?: { status: string }[] };
    if (response.status !== 200 && response.status !== 503) throw new Error(`the prediction API answered ${response.status}: ${JSON.stringify(answer)}`);
    return { status: response.status, predictions: answer.predictions ?? [] };
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.callers }, async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        const first = await post(batch);
        if (first.status === 503) {
          keptAsFailed += first.predictions.filter((p) => p.status === 'failed').length;
          // A caller that sends the same reviews again is answered from the table, not predicted twice.
          resent += 1;
          await post(batch);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  let retryRuns = 0;
  let retryCalls = 0;
  for (; retryRuns < 20; retryRuns++) {
    const left = (await stack.items()).filter((item) => item.status === 'failed' || item.status === 'pending').length;
    if (left === 0) break;
    advance(2 * 60 * 60_000);
    const run = await stack.retry();
    retryCalls += run.answered + run.queued + run.failed;
  }
  const items = new Map((await stack.items()).map((item) => [item.inferenceId, item]));
  const final: Record<string, number> = {};
  for (const item of items.values()) final[item.status] = (final[item.status] ?? 0) + 1;
  const lost = reviews.filter((r) => !['answered', 'queued'].includes(items.get(r.id)?.status ?? 'missing')).map((r) => r.id);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    predictions: options.predictions,
    callers: options.callers,
    requests: latencies.length,
    seconds: Number(seconds.toFixed(2)),
    predictionsPerSecond: Number((options.predictions / seconds).toFixed(1)),
    requestMs: { p50: Math.round(percentile(sorted, 50)), p95: Math.round(percentile(sorted, 95)), max: Math.round(sorted[sorted.length - 1] ?? 0) },
    statusCodes,
    endpointCalls: { ...stack.endpointCalls },
    keptAsFailed,
    resent,
    retryRuns,
    retryCalls,
    final,
    lost,
  };
}

/** Starts a local stack with a clock the test moves, runs the load, and stops it. */
export async function loadTest(options: LoadOptions): Promise<LoadReport> {
  let offset = 0;
  const stack = await startLocalStack({ clock: () => Date.now() + offset });
  try {
    return await runLoad(stack, options, (ms) => (offset += ms));
  } finally {
    await stack.stop();
  }
}

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

if (require.main === module) {
  loadTest({ predictions: argument('predictions', 2000), callers: argument('callers', 16) })
    .then((report) => {
      console.log(JSON.stringify(report, null, 2));
      if (report.lost.length > 0) {
        console.error(`${report.lost.length} reviews were lost: ${report.lost.slice(0, 10).join(', ')}`);
        process.exit(1);
      }
      console.log(`No review lost: ${report.predictions} predictions from ${report.callers} callers in ${report.seconds} s.`);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
