/**
 * The metrics the retry function publishes (CloudWatch's embedded metric format, written to its
 * log), which the stack's alarm reads: names written once for both.
 */
export const HUMAN_REVIEW_METRICS = {
  namespace: 'PracticalDataScience/HumanReview',
  /** Reviews the endpoint failed again in a retry run. */
  stillFailing: 'ReviewsStillFailing',
  /** Reviews kept as failed after a run, waiting for a later one. */
  awaitingRetry: 'ReviewsAwaitingRetry',
  /** Reviews a retry run answered or queued. */
  recovered: 'ReviewsRecovered',
  /** Labels a run wrote to the lake after a failed write. */
  delivered: 'LabelsDelivered',
} as const;

/** One log line in the embedded metric format: the run's counts, by endpoint. */
export function metricsLine(endpointName: string, counts: { stillFailing: number; awaitingRetry: number; recovered: number; delivered: number }, now = Date.now()): string {
  const m = HUMAN_REVIEW_METRICS;
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [{ Namespace: m.namespace, Dimensions: [['Endpoint']], Metrics: [m.stillFailing, m.awaitingRetry, m.recovered, m.delivered].map((Name) => ({ Name, Unit: 'Count' })) }],
    },
    Endpoint: endpointName,
    [m.stillFailing]: counts.stillFailing,
    [m.awaitingRetry]: counts.awaitingRetry,
    [m.recovered]: counts.recovered,
    [m.delivered]: counts.delivered,
  });
}
