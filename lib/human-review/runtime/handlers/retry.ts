/**
 * Lambda entry of the scheduled retry: labels whose lake records could not be written are written
 * (first: cheap, and they hold people's work), then the reviews the endpoint failed (or that were
 * never answered) are tried again. Each phase's failure is logged and leaves the other's work.
 */
import { deliverDue } from '../prediction';
import { REPLY_MARGIN_MS, TimeLeft } from '../http';
import { metricsLine } from '../metrics';
import { lakeOf, predictionServiceOf, required, storeOf } from '../services';

/** Reviews taken per run; the schedule's next run takes the rest. */
export const RETRY_BATCH = 200;

const store = storeOf(process.env);
const predictions = predictionServiceOf(process.env, {}, undefined, store);
const lake = lakeOf(process.env);

async function phase<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    console.error(JSON.stringify({ message: `${name} failed; the next run tries again`, error: String((error as Error)?.message ?? error) }));
    return undefined;
  }
}

export async function handler(_event: unknown, context: TimeLeft) {
  const delivered = await phase('delivery', () => deliverDue(store, lake, Date.now(), RETRY_BATCH));
  const retried = await phase('retry', () => predictions.retryDue(RETRY_BATCH, Date.now() + context.getRemainingTimeInMillis() - REPLY_MARGIN_MS));
  const awaiting = await phase('count', () => store.countFailed());
  const result = { ...(retried ?? { answered: 0, queued: 0, failed: 0 }), delivered: delivered ?? 0, awaitingRetry: awaiting ?? 0 };
  console.log(JSON.stringify({ message: 'retry run', ...result }));
  if (awaiting !== undefined) {
    console.log(metricsLine(required(process.env, 'ENDPOINT_NAME'), { stillFailing: result.failed, awaitingRetry: awaiting, recovered: result.answered + result.queued, delivered: result.delivered }));
  }
  if (delivered === undefined || retried === undefined || awaiting === undefined) throw new Error('A phase of the retry run failed (see the log); the next run tries again.');
  return result;
}
