/**
 * Lambda entry of the scheduled retry: the reviews the endpoint failed (or that were never
 * answered) are tried again, and labels whose lake records could not be written are written.
 */
import { deliverDue } from '../prediction';
import { REPLY_MARGIN_MS, TimeLeft } from '../http';
import { lakeOf, predictionServiceOf, storeOf } from '../services';

/** Reviews taken per run; the schedule's next run takes the rest. */
export const RETRY_BATCH = 200;

const predictions = predictionServiceOf(process.env);
const store = storeOf(process.env);
const lake = lakeOf(process.env);

export async function handler(_event: unknown, context: TimeLeft) {
  const retried = await predictions.retryDue(RETRY_BATCH, Date.now() + context.getRemainingTimeInMillis() - REPLY_MARGIN_MS);
  const delivered = await deliverDue(store, lake, Date.now(), RETRY_BATCH);
  console.log(JSON.stringify({ message: 'retry run', ...retried, delivered }));
  return { ...retried, delivered };
}
