/**
 * The review queue's promises, on a local DynamoDB (dynalite) through the real handlers: a task
 * goes to one reviewer at a time, returns to the queue when the claim expires, and a label under
 * an expired claim is refused; a label sent twice is written once.
 */
import { LocalStack, localToken, startLocalStack } from '../../scripts/human-review/local-stack';

let stack: LocalStack;
let now = Date.parse('2026-12-07T10:00:00Z');
const CLAIM_SECONDS = 60;

beforeAll(async () => {
  stack = await startLocalStack({ threshold: 1, failEvery: 0, claimSeconds: CLAIM_SECONDS, clock: () => now });
  // Two predictions a second apart: the older is the first task.
  for (const review of [{ text: 'Runs small', id: 'q-1' }, { text: 'Lovely colour', id: 'q-2' }]) {
    const response = await fetch(new URL('predictions', stack.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reviews: [review] }) });
    expect(response.status).toBe(200);
    now += 1000;
  }
});

afterAll(() => stack?.stop());

async function call(reviewer: string, method: string, path: string, body?: object) {
  const response = await fetch(new URL(`api/${path}`, stack.url), {
    method,
    headers: { authorization: localToken(reviewer, ['reviewers'], now), 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

test('a task is claimed by one reviewer at a time (and given back to them after a reload), goes back to the queue when the claim expires, and a late label is refused', async () => {
  const first = await call('alex', 'GET', 'tasks/next');
  expect(first.body.task).toMatchObject({ inferenceId: 'q-1', claimExpiresAt: new Date(now + CLAIM_SECONDS * 1000).toISOString() });
  // alex reloads the app: the same task under the same claim.
  expect((await call('alex', 'GET', 'tasks/next')).body.task).toEqual(first.body.task);
  // Another reviewer, a second later, gets the next task, not alex's.
  now += 1000;
  const second = await call('kim', 'GET', 'tasks/next');
  expect(second.body.task.inferenceId).toBe('q-2');
  expect((await call('sam', 'GET', 'tasks/next')).body).toEqual({ task: null });

  // alex's claim expires (kim's not yet): the task is sam's now, and alex's label is refused.
  now += CLAIM_SECONDS * 1000 - 500;
  const reclaimed = await call('sam', 'GET', 'tasks/next');
  expect(reclaimed.body.task.inferenceId).toBe('q-1');
  const late = await call('alex', 'POST', 'tasks/q-1/label', { label: 1, claimToken: first.body.task.claimToken });
  expect(late.status).toBe(409);

  const labelled = await call('sam', 'POST', 'tasks/q-1/label', { label: -1, claimToken: reclaimed.body.task.claimToken });
  expect(labelled).toMatchObject({ status: 200, body: { inferenceId: 'q-1', humanLabel: -1, delivered: true } });
  const again = await call('sam', 'POST', 'tasks/q-1/label', { label: -1, claimToken: reclaimed.body.task.claimToken });
  expect(again).toMatchObject({ status: 200, body: { inferenceId: 'q-1', delivered: true } });
  expect(stack.lakeKeys().filter((key) => key.includes('q-1')).sort()).toEqual([
    'ground-truth/pds-local-bert-sentiment/2026/12/07/10/q-1.jsonl',
    'human-review/pds-local-bert-sentiment/2026/12/07/q-1.jsonl',
  ]);
  const item = (await stack.items()).find((i) => i.inferenceId === 'q-1');
  expect(item).toMatchObject({ status: 'reviewed', reviewer: 'sam', humanLabel: -1 });
  expect(item?.work).toBeUndefined();
});
