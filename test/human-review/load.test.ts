/**
 * The load harness of `npm run human-review:load`, smaller: 200 predictions from 16 concurrent
 * callers on the local stack, the stand-in endpoint failing a third of its calls. No review is lost:
 * each ends answered or queued for a reviewer, those the endpoint failed once the retries ran.
 */
import { loadTest } from '../../scripts/human-review/load';

test('200 predictions from 16 callers, a third of the endpoint calls failing: every review ends answered or queued', async () => {
  const report = await loadTest({ predictions: 200, callers: 16 });
  expect(report.lost).toEqual([]);
  expect((report.final.answered ?? 0) + (report.final.queued ?? 0)).toBe(200);
  expect(report.final.failed).toBeUndefined();
  expect(report.final.pending).toBeUndefined();
  // The failures happened, and the callers were told (503), and the retries answered them.
  expect(report.endpointCalls.failed).toBe(Math.floor(report.endpointCalls.total / 3));
  expect(report.keptAsFailed).toBeGreaterThan(0);
  expect(report.statusCodes['503']).toBeGreaterThan(0);
  expect(report.retryRuns).toBeGreaterThan(0);
  // Each review was sent to the endpoint once, and once more per retry: requests sent again were answered from the table.
  expect(report.endpointCalls.total).toBe(report.predictions + report.retryCalls);
  expect(report.resent).toBeGreaterThan(0);
  expect(Object.keys(report.statusCodes).sort()).toEqual(['200', '503']);
});
