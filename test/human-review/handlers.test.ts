/**
 * The human-review functions' handlers, with their AWS SDK clients mocked (aws-sdk-client-mock):
 * routing above and below the threshold, bad input, endpoint errors (reviews kept and retried),
 * claims, the reviewers group, and the ground-truth records.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { predictionApi, reviewApi } from '../../lib/human-review/runtime/http';
import { metricsLine } from '../../lib/human-review/runtime/metrics';
import { deliverDue, FIRST_RETRY_DELAY_MS, PENDING_GRACE_MS, PredictionService, RETRY_LEASE_MARGIN_MS, retryDelay } from '../../lib/human-review/runtime/prediction';
import { lakeOf, predictionServiceOf, reviewServiceOf, storeOf } from '../../lib/human-review/runtime/services';
import { ReviewItem } from '../../lib/human-review/runtime/review-store';

const dynamo = mockClient(DynamoDBDocumentClient);
const sagemaker = mockClient(SageMakerRuntimeClient);
const s3 = mockClient(S3Client);

const NOW = Date.parse('2026-12-07T14:30:00Z');
const clock = () => NOW;
const ENV = {
  TABLE_NAME: 'reviews',
  ENDPOINT_NAME: 'pds-dev-bert-sentiment',
  THRESHOLD: '0.9',
  CLAIM_SECONDS: '600',
  LAKE_BUCKET: 'lake',
  GROUND_TRUTH_PREFIX: 'ground-truth/pds-dev-bert-sentiment/',
  HUMAN_REVIEW_PREFIX: 'human-review/pds-dev-bert-sentiment/',
};
const REGION = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const TIME = { getRemainingTimeInMillis: () => 28_000 };

const answerBody = (line: object) => new TextEncoder().encode(`${JSON.stringify(line)}\n`) as never;
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function event(method: string, resource: string, options: { body?: unknown; pathParameters?: Record<string, string>; claims?: Record<string, unknown> } = {}) {
  return {
    httpMethod: method,
    resource,
    path: resource,
    body: options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    isBase64Encoded: false,
    pathParameters: options.pathParameters ?? null,
    requestContext: { authorizer: options.claims ? { claims: options.claims } : undefined, identity: { userArn: 'arn:aws:iam::111122223333:role/caller' } },
  } as unknown as APIGatewayProxyEvent;
}

const prediction = () => predictionApi(predictionServiceOf(ENV, REGION, clock), clock);
const review = () => reviewApi(reviewServiceOf(ENV, REGION, clock), 'reviewers');
const REVIEWER = { 'cognito:username': 'alex', 'cognito:groups': 'reviewers' };

/** The Update that recorded the endpoint's outcome of a review. */
const recorded = () => dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);

beforeEach(() => {
  dynamo.reset();
  sagemaker.reset();
  s3.reset();
  dynamo.on(PutCommand).resolves({});
  dynamo.on(UpdateCommand).callsFake((input) => ({ Attributes: { inferenceId: input.Key.inferenceId, text: 't', createdAt: '', attempts: 1, status: input.ExpressionAttributeValues[':status'] } }));
});

describe('prediction API', () => {
  test('a confident prediction is answered; the review is stored first, then recorded answered with an expiry', async () => {
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: answerBody({ predicted_label: 1, confidence: 0.97, probabilities: {} }), InvokedProductionVariant: 'VariantA' });
    const response = await prediction()(event('POST', '/predictions', { body: { reviews: [{ text: 'Love it', productCategory: 'Dresses', id: 'r-1' }] } }), TIME);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ predictions: [{ inferenceId: 'r-1', status: 'answered', humanReview: false }] });
    const put = dynamo.commandCalls(PutCommand)[0].args[0].input;
    expect(put).toMatchObject({
      TableName: 'reviews',
      ConditionExpression: 'attribute_not_exists(inferenceId)',
      Item: { inferenceId: 'r-1', text: 'Love it', productCategory: 'Dresses', status: 'pending', work: 'retry', workAt: NOW + PENDING_GRACE_MS, requestedBy: 'arn:aws:iam::111122223333:role/caller' },
    });
    const invoke = sagemaker.commandCalls(InvokeEndpointCommand)[0].args[0].input;
    expect(invoke).toMatchObject({ EndpointName: 'pds-dev-bert-sentiment', InferenceId: 'r-1', ContentType: 'application/jsonlines', Accept: 'application/jsonlines' });
    expect(new TextDecoder().decode(invoke.Body as Uint8Array)).toBe('{"review_body":"Love it","product_category":"Dresses"}');
    const [update] = recorded();
    expect(update.ConditionExpression).toBe('#status IN (:pending, :failed)');
    expect(update.ExpressionAttributeValues).toMatchObject({ ':status': 'answered', ':label': 1, ':confidence': 0.97, ':variant': 'VariantA', ':expires': Math.floor(NOW / 1000) + 90 * 86_400 });
    expect(update.UpdateExpression).toContain('REMOVE #error, #work, #workAt');
  });

  test('a prediction below the threshold becomes a review task; each review gets its own inference id', async () => {
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: answerBody({ predicted_label: 0, confidence: 0.89 }) });
    const response = await prediction()(event('POST', '/predictions', { body: { reviews: [{ text: 'It is fine' }, { text: 'Okay I guess' }] } }), TIME);
    expect(response.statusCode).toBe(200);
    const ids = sagemaker.commandCalls(InvokeEndpointCommand).map((call) => call.args[0].input.InferenceId);
    expect(new Set(ids).size).toBe(2);
    expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id!))).toBe(true);
    for (const update of recorded()) {
      expect(update.ExpressionAttributeValues).toMatchObject({ ':status': 'queued', ':review': 'review', ':at': NOW });
    }
    expect(JSON.parse(response.body).predictions.map((p: { humanReview: boolean }) => p.humanReview)).toEqual([true, true]);
  });

  test('exactly at the threshold is confident enough (below it goes to a reviewer)', async () => {
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: answerBody({ predicted_label: -1, confidence: 0.9 }) });
    await prediction()(event('POST', '/predictions', { body: { reviews: [{ text: 'Meh' }] } }), TIME);
    expect(recorded()[0].ExpressionAttributeValues![':status']).toBe('answered');
  });

  test.each([
    ['an endpoint error', () => sagemaker.on(InvokeEndpointCommand).rejects(Object.assign(new Error('Received server error (500)'), { name: 'ModelError' })), 'endpoint pds-dev-bert-sentiment failed: ModelError: Received server error (500)'],
    ['an error record', () => sagemaker.on(InvokeEndpointCommand).resolves({ Body: answerBody({ error: 'line 1: no text' }) }), 'the endpoint could not score the review: line 1: no text'],
    ['a label that is no sentiment', () => sagemaker.on(InvokeEndpointCommand).resolves({ Body: answerBody({ predicted_label: 2, confidence: 0.5 }) }), "the endpoint's predicted_label is 2; expected one of -1, 0, 1"],
  ])('%s keeps the review as failed with the error, due for a retry, and answers 503 saying so', async (_what, arrange, error) => {
    arrange();
    const response = await prediction()(event('POST', '/predictions', { body: { reviews: [{ text: 'Nice', id: 'r-2' }] } }), TIME);
    expect(response.statusCode).toBe(503);
    const body = JSON.parse(response.body);
    expect(body.message).toMatch(/^The endpoint did not answer 1 of 1 reviews\. They are kept as failed with the error and retried on a schedule/);
    expect(body.predictions).toEqual([{ inferenceId: 'r-2', status: 'failed', humanReview: false, error: expect.any(String) }]);
    const [update] = recorded();
    expect(update.ExpressionAttributeValues).toMatchObject({ ':status': 'failed', ':error': error, ':retry': 'retry', ':at': NOW + FIRST_RETRY_DELAY_MS });
  });

  test('an endpoint call that does not answer is given up after the per-call limit, not at the deadline, and kept', async () => {
    const scorer = { score: (_review: unknown, _id: string, signal?: AbortSignal) => new Promise<never>((_, reject) => signal!.addEventListener('abort', () => reject(new Error('aborted')))) };
    const service = new PredictionService({ store: storeOf(ENV, REGION), scorer, threshold: 0.9, clock: Date.now, callTimeoutMs: 50 });
    const started = Date.now();
    const [answer] = await service.predict([{ text: 'slow', id: 'r-11' }], Date.now() + 60_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answer).toMatchObject({ inferenceId: 'r-11', status: expect.any(String) });
    expect(recorded()[0].ExpressionAttributeValues).toMatchObject({ ':status': 'failed', ':error': 'aborted' });
  });

  test('a review not tried before the deadline is kept as failed without calling the endpoint', async () => {
    const response = await prediction()(event('POST', '/predictions', { body: { reviews: [{ text: 'Nice' }] } }), { getRemainingTimeInMillis: () => 1_000 });
    expect(response.statusCode).toBe(503);
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
    expect(recorded()[0].ExpressionAttributeValues![':error']).toBe("not tried within the request's time limit; it is retried");
  });

  test('a request sent again with the same id is answered from the table, not predicted twice', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { inferenceId: 'r-3', text: 'x', status: 'queued', label: 0, confidence: 0.6, createdAt: '', attempts: 1 } });
    const response = await prediction()(event('POST', '/predictions', { body: { reviews: [{ text: 'x', id: 'r-3' }] } }), TIME);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).predictions).toEqual([{ inferenceId: 'r-3', status: 'queued', label: 0, confidence: 0.6, humanReview: true }]);
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
  });

  test.each([
    ['no body', null, 400, 'The request has no body; expected {"reviews": [{"text": "..."}]}.'],
    ['not JSON', '{"reviews": [', 400, 'The request body is not JSON; expected {"reviews": [{"text": "..."}]}.'],
    ['no reviews', {}, 400, "'reviews' is undefined; expected a list of 1 to 25 reviews."],
    ['an unknown top-level field', { reviews: [{ text: 'a' }], texts: ['a'] }, 400, "The request has unknown field 'texts'; expected only 'reviews'."],
    ['a body that is no object', '[1]', 400, 'The request body is not a JSON object; expected {"reviews": [{"text": "..."}]}.'],
    ['no review', { reviews: [] }, 400, "'reviews' has 0 reviews; expected 1 to 25 per request."],
    ['26 reviews', { reviews: Array.from({ length: 26 }, () => ({ text: 'a' })) }, 400, "'reviews' has 26 reviews; expected 1 to 25 per request."],
    ['a review that is no object', { reviews: ['a'] }, 400, 'reviews[0] is "a"; expected an object with \'text\'.'],
    ['a blank text', { reviews: [{ text: '   ' }] }, 400, 'reviews[0].text is "   "; expected a non-empty text.'],
    ['a text that is no text', { reviews: [{ text: 'a' }, { text: 7 }] }, 400, 'reviews[1].text is 7; expected a non-empty text.'],
    ['a text too long', { reviews: [{ text: 'a'.repeat(10_001) }] }, 400, 'reviews[0].text has 10001 characters; expected at most 10000.'],
    ['a category that is no text', { reviews: [{ text: 'a', productCategory: 3 }] }, 400, 'reviews[0].productCategory is 3; expected a text of at most 100 characters.'],
    ['an id with a space', { reviews: [{ text: 'a', id: 'has space' }] }, 400, "reviews[0].id is \"has space\"; expected 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit."],
    ['an id twice', { reviews: [{ text: 'a', id: 'x' }, { text: 'b', id: 'x' }] }, 400, "reviews[1].id 'x' is given twice in the request; expected one review per id."],
    ['an unknown field', { reviews: [{ text: 'a', rating: 5 }] }, 400, "reviews[0] has unknown field 'rating'; expected text, productCategory and id."],
    ['a body too large', JSON.stringify({ reviews: [{ text: 'a'.repeat(600_000) }] }), 413, 'The request body is 600025 bytes; expected at most 524288.'],
  ])('%s is refused with %i, and nothing is stored or invoked', async (_what, body, status, message) => {
    const response = await prediction()(event('POST', '/predictions', { body: body ?? undefined }), TIME);
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ message });
    expect(dynamo.calls()).toHaveLength(0);
    expect(sagemaker.calls()).toHaveLength(0);
  });

  test('GET /predictions/{inferenceId} answers a stored review, and 404 names an unknown one', async () => {
    dynamo.on(GetCommand, { Key: { inferenceId: 'r-4' } }).resolves({ Item: { inferenceId: 'r-4', text: 'x', status: 'answered', label: 1, confidence: 0.95, createdAt: '', attempts: 2 } });
    dynamo.on(GetCommand, { Key: { inferenceId: 'nope' } }).resolves({});
    const found = await prediction()(event('GET', '/predictions/{inferenceId}', { pathParameters: { inferenceId: 'r-4' } }), TIME);
    expect(JSON.parse(found.body)).toEqual({ inferenceId: 'r-4', status: 'answered', label: 1, confidence: 0.95, humanReview: false });
    const missing = await prediction()(event('GET', '/predictions/{inferenceId}', { pathParameters: { inferenceId: 'nope' } }), TIME);
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ message: "No review has inference id 'nope'." });
  });

  test('a review the table cannot take is answered not_stored (503), naming its id; the others go on', async () => {
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    dynamo.on(PutCommand).callsFake((input) => {
      if (input.Item.inferenceId === 'r-8') throw new Error('ProvisionedThroughputExceeded at arn:aws:dynamodb:...');
      return {};
    });
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: answerBody({ predicted_label: 1, confidence: 0.97 }) });
    const response = await prediction()(event('POST', '/predictions', { body: { reviews: [{ text: 'a', id: 'r-8' }, { text: 'b', id: 'r-9' }] } }), TIME);
    expect(response.statusCode).toBe(503);
    const body = JSON.parse(response.body);
    expect(body.message).toBe('1 of 2 reviews could not be stored (status not_stored); send them again with the ids given.');
    expect(body.predictions).toEqual([
      { inferenceId: 'r-8', status: 'not_stored', humanReview: false, error: 'the review could not be stored; send it again' },
      { inferenceId: 'r-9', status: 'answered', humanReview: false },
    ]);
    expect(response.body).not.toContain('arn:aws');
    expect(log).toHaveBeenCalledTimes(1);
    log.mockRestore();
  });

  test('a stored review whose outcome cannot be recorded stays pending for the retry (503)', async () => {
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: answerBody({ predicted_label: 1, confidence: 0.97 }) });
    dynamo.on(UpdateCommand).rejects(new Error('InternalServerError'));
    const response = await prediction()(event('POST', '/predictions', { body: { reviews: [{ text: 'a', id: 'r-10' }] } }), TIME);
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body).predictions).toEqual([{ inferenceId: 'r-10', status: 'pending', humanReview: false, error: 'not answered yet; it is retried' }]);
    log.mockRestore();
  });

  test('an id that belongs to another review is a conflict (409), not that review\'s answer', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { inferenceId: '1', text: 'another text', status: 'answered', label: 1, confidence: 0.95, createdAt: '', attempts: 1 } });
    const response = await prediction()(event('POST', '/predictions', { body: { reviews: [{ text: 'my text', id: '1' }] } }), TIME);
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).predictions).toEqual([{ inferenceId: '1', status: 'conflict', humanReview: false, error: "id '1' belongs to another review; ids must be unique across callers" }]);
    expect(sagemaker.calls()).toHaveLength(0);
  });
});

describe('the scheduled retry', () => {
  const failed: ReviewItem = { inferenceId: 'r-5', text: 'Nice', status: 'failed', createdAt: '', attempts: 2, error: 'ModelError', work: 'retry', workAt: NOW - 1 };

  test('leases each failed review that is due, retries it with its own inference id, and records the answer', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [failed] });
    dynamo.on(UpdateCommand, { ConditionExpression: '#work = :retry AND #workAt <= :now' }).resolves({ Attributes: failed });
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: answerBody({ predicted_label: 1, confidence: 0.5 }) });
    const result = await predictionServiceOf(ENV, REGION, clock).retryDue(200, NOW + 60_000);
    expect(result).toEqual({ answered: 0, queued: 1, failed: 0 });
    const query = dynamo.commandCalls(QueryCommand)[0].args[0].input;
    expect(query).toMatchObject({ IndexName: 'work', KeyConditionExpression: '#work = :kind AND #workAt <= :now', ExpressionAttributeValues: { ':kind': 'retry', ':now': NOW } });
    const [lease, outcome] = recorded();
    expect(lease.ExpressionAttributeValues).toEqual({ ':until': NOW + 60_000 + RETRY_LEASE_MARGIN_MS, ':retry': 'retry', ':now': NOW });
    expect(sagemaker.commandCalls(InvokeEndpointCommand)[0].args[0].input.InferenceId).toBe('r-5');
    expect(outcome.ExpressionAttributeValues![':status']).toBe('queued');
  });

  test('a review another run leased first is left to it: no second call', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [failed] });
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    expect(await predictionServiceOf(ENV, REGION, clock).retryDue(200, NOW + 60_000)).toEqual({ answered: 0, queued: 0, failed: 0 });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  test('a review that fails again waits longer each time, up to an hour', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [failed] });
    dynamo.on(UpdateCommand, { ConditionExpression: '#work = :retry AND #workAt <= :now' }).resolves({ Attributes: failed });
    sagemaker.on(InvokeEndpointCommand).rejects(new Error('still down'));
    await predictionServiceOf(ENV, REGION, clock).retryDue(200, NOW + 60_000);
    expect(recorded()[1].ExpressionAttributeValues![':at']).toBe(NOW + retryDelay(3));
    expect([1, 2, 3, 4, 10, 20].map(retryDelay)).toEqual([60_000, 120_000, 240_000, 480_000, 3_600_000, 3_600_000]);
  });

  test('delivers the labels whose lake records were not written', async () => {
    const reviewed: ReviewItem = { ...failed, status: 'reviewed', label: 1, confidence: 0.5, humanLabel: 1, reviewer: 'alex', reviewedAt: '2026-12-07T13:05:00.000Z', work: 'deliver' };
    dynamo.on(QueryCommand).resolves({ Items: [reviewed] });
    s3.on(PutObjectCommand).resolves({});
    expect(await deliverDue(storeOf(ENV, REGION), lakeOf(ENV, REGION), NOW, 200)).toBe(1);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      'ground-truth/pds-dev-bert-sentiment/2026/12/07/13/r-5.jsonl',
      'human-review/pds-dev-bert-sentiment/2026/12/07/r-5.jsonl',
    ]);
    expect(recorded()[0]).toMatchObject({ ConditionExpression: '#work = :deliver', UpdateExpression: 'SET deliveredAt = :at, #expires = :expires REMOVE #work, #workAt' });
  });
});

describe('the scheduled delivery', () => {
  test('a label whose lake write fails again stays due; the others are delivered', async () => {
    const reviewed = (id: string): ReviewItem => ({ inferenceId: id, text: 'x', status: 'reviewed', createdAt: '', attempts: 1, label: 1, confidence: 0.5, humanLabel: 1, reviewer: 'alex', reviewedAt: '2026-12-07T13:05:00.000Z', work: 'deliver', workAt: NOW - 1 });
    dynamo.on(QueryCommand).resolves({ Items: [reviewed('d-1'), reviewed('d-2')] });
    s3.on(PutObjectCommand).callsFake((input) => {
      if (input.Key.includes('d-1')) throw new Error('SlowDown');
      return {};
    });
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await deliverDue(storeOf(ENV, REGION), lakeOf(ENV, REGION), NOW, 200)).toBe(1);
    expect(recorded().map((u) => u.Key)).toEqual([{ inferenceId: 'd-2' }]);
    expect(log).toHaveBeenCalledTimes(1);
    log.mockRestore();
  });
});

describe('review API', () => {
  const queued = (id: string): ReviewItem => ({ inferenceId: id, text: 'Runs small', productCategory: 'Dresses', status: 'queued', label: -1, confidence: 0.7, createdAt: '2026-12-07T14:00:00.000Z', attempts: 1, variant: 'VariantA', work: 'review', workAt: NOW - 5 });

  test.each([
    ['no group', { 'cognito:username': 'sam' }],
    ['other groups', { 'cognito:username': 'sam', 'cognito:groups': 'admins,readers' }],
    ['a group whose name only starts alike', { 'cognito:username': 'sam', 'cognito:groups': '[reviewers-old]' }],
  ])('a token with %s is refused with 403, and the queue is not read', async (_what, claims) => {
    const response = await review()(event('GET', '/api/tasks/next', { claims }), TIME);
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toEqual({ message: "User 'sam' is not in the 'reviewers' group; an administrator adds reviewers to it." });
    expect(dynamo.calls()).toHaveLength(0);
  });

  test('the next task is claimed for the reviewer until the claim expires; a task someone else claimed first is passed over', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [queued('t-1'), queued('t-2')] });
    dynamo.on(QueryCommand, { FilterExpression: 'claimedBy = :reviewer' }).resolves({ Items: [] });
    dynamo.on(UpdateCommand, { Key: { inferenceId: 't-1' } }).rejects(conditionFailed());
    dynamo.on(UpdateCommand, { Key: { inferenceId: 't-2' } }).callsFake((input) => ({ Attributes: { ...queued('t-2'), claimedBy: 'alex', claimToken: input.ExpressionAttributeValues[':token'], workAt: input.ExpressionAttributeValues[':until'] } }));
    const response = await review()(event('GET', '/api/tasks/next', { claims: { ...REVIEWER, 'cognito:groups': 'readers reviewers' } }), TIME);
    expect(response.statusCode).toBe(200);
    const { task } = JSON.parse(response.body);
    expect(task).toEqual({ inferenceId: 't-2', text: 'Runs small', productCategory: 'Dresses', label: -1, confidence: 0.7, claimToken: expect.stringMatching(/^[0-9a-f-]{36}$/), claimExpiresAt: new Date(NOW + 600_000).toISOString() });
    const claim = recorded()[1];
    expect(claim).toMatchObject({ ConditionExpression: '#work = :review AND #workAt <= :now', ExpressionAttributeValues: { ':reviewer': 'alex', ':now': NOW, ':until': NOW + 600_000 } });
  });

  test('a reviewer who holds a task (and reloaded the app) gets it back, claimed as before', async () => {
    const held = { ...queued('t-0'), claimedBy: 'alex', claimToken: 'tok-0', workAt: NOW + 300_000 };
    dynamo.on(QueryCommand, { FilterExpression: 'claimedBy = :reviewer' }).resolves({ Items: [held] });
    dynamo.on(GetCommand).resolves({ Item: held });
    const response = await review()(event('GET', '/api/tasks/next', { claims: REVIEWER }), TIME);
    expect(JSON.parse(response.body).task).toMatchObject({ inferenceId: 't-0', claimToken: 'tok-0', claimExpiresAt: new Date(NOW + 300_000).toISOString() });
    expect(dynamo.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({ KeyConditionExpression: '#work = :review AND #workAt > :now', ExpressionAttributeValues: { ':reviewer': 'alex', ':now': NOW } });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  test('a task the index still shows as held but the table has as labelled is not given again', async () => {
    const stale = { ...queued('t-0'), claimedBy: 'alex', claimToken: 'tok-0', workAt: NOW + 300_000 };
    dynamo.on(QueryCommand).resolves({ Items: [] });
    dynamo.on(QueryCommand, { FilterExpression: 'claimedBy = :reviewer' }).resolves({ Items: [stale] });
    dynamo.on(GetCommand).resolves({ Item: { ...stale, status: 'reviewed', work: 'deliver', humanLabel: 1 } });
    const response = await review()(event('GET', '/api/tasks/next', { claims: REVIEWER }), TIME);
    expect(JSON.parse(response.body)).toEqual({ task: null });
  });

  test('an empty queue answers no task', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    const response = await review()(event('GET', '/api/tasks/next', { claims: REVIEWER }), TIME);
    expect(JSON.parse(response.body)).toEqual({ task: null });
  });

  test('a label under a valid claim is recorded, then written to the lake as ground truth and a human-review record', async () => {
    const reviewedItem = { ...queued('t-3'), status: 'reviewed', humanLabel: 0, reviewer: 'alex', reviewedAt: new Date(NOW).toISOString(), claimToken: 'tok', work: 'deliver' };
    dynamo.on(UpdateCommand).resolves({ Attributes: reviewedItem });
    s3.on(PutObjectCommand).resolves({});
    const response = await review()(event('POST', '/api/tasks/{inferenceId}/label', { claims: REVIEWER, pathParameters: { inferenceId: 't-3' }, body: { label: 0, claimToken: 'tok' } }), TIME);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ inferenceId: 't-3', humanLabel: 0, delivered: true });
    const [label, delivered] = recorded();
    expect(label).toMatchObject({
      ConditionExpression: '#work = :review AND claimToken = :token AND claimedBy = :reviewer AND #workAt > :now',
      ExpressionAttributeValues: { ':label': 0, ':reviewer': 'alex', ':token': 'tok', ':now': NOW, ':deliver': 'deliver' },
    });
    expect(delivered.ConditionExpression).toBe('#work = :deliver');
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.Bucket, p.Key])).toEqual([
      ['lake', 'ground-truth/pds-dev-bert-sentiment/2026/12/07/14/t-3.jsonl'],
      ['lake', 'human-review/pds-dev-bert-sentiment/2026/12/07/t-3.jsonl'],
    ]);
    expect(JSON.parse(String(puts[0].Body))).toEqual({ groundTruthData: { data: '0', encoding: 'CSV' }, eventMetadata: { eventId: 't-3' }, eventVersion: '0' });
    expect(JSON.parse(String(puts[1].Body))).toEqual({
      inference_id: 't-3',
      reviewer: 'alex',
      reviewed_at: '2026-12-07T14:30:00.000Z',
      predicted_at: '2026-12-07T14:00:00.000Z',
      review_body: 'Runs small',
      product_category: 'Dresses',
      model_label: -1,
      model_confidence: 0.7,
      variant: 'VariantA',
      human_label: 0,
      agreement: false,
    });
  });

  test('a label whose claim expired (the task went back to the queue) is refused with 409', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { ...queued('t-4'), claimedBy: 'kim', claimToken: 'other' } });
    const response = await review()(event('POST', '/api/tasks/{inferenceId}/label', { claims: REVIEWER, pathParameters: { inferenceId: 't-4' }, body: { label: 1, claimToken: 'tok' } }), TIME);
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).message).toMatch(/^Your claim on task 't-4' is no longer valid/);
    expect(s3.calls()).toHaveLength(0);
  });

  test('the same label sent twice under the same claim answers the same and writes nothing again', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { ...queued('t-5'), status: 'reviewed', humanLabel: 1, reviewer: 'alex', claimToken: 'tok', work: undefined } });
    const response = await review()(event('POST', '/api/tasks/{inferenceId}/label', { claims: REVIEWER, pathParameters: { inferenceId: 't-5' }, body: { label: 1, claimToken: 'tok' } }), TIME);
    expect(response.statusCode).toBe(200);
    expect(s3.calls()).toHaveLength(0);
  });

  test('another label under the same claim, after the first was recorded, is refused (409)', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { ...queued('t-8'), status: 'reviewed', humanLabel: 1, reviewer: 'alex', claimToken: 'tok', work: undefined } });
    const response = await review()(event('POST', '/api/tasks/{inferenceId}/label', { claims: REVIEWER, pathParameters: { inferenceId: 't-8' }, body: { label: -1, claimToken: 'tok' } }), TIME);
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body)).toEqual({ message: "Task 't-8' was already labelled 1 under your claim; a label is given once." });
  });

  test('when the lake cannot be written the label is kept for the scheduled delivery (202)', async () => {
    dynamo.on(UpdateCommand).resolves({ Attributes: { ...queued('t-6'), status: 'reviewed', humanLabel: 1, reviewer: 'alex', reviewedAt: new Date(NOW).toISOString(), work: 'deliver' } });
    s3.on(PutObjectCommand).rejects(new Error('AccessDenied'));
    const response = await review()(event('POST', '/api/tasks/{inferenceId}/label', { claims: REVIEWER, pathParameters: { inferenceId: 't-6' }, body: { label: 1, claimToken: 'tok' } }), TIME);
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toEqual({ inferenceId: 't-6', humanLabel: 1, delivered: false });
    expect(recorded()).toHaveLength(1);
  });

  test.each([
    [{ label: 2, claimToken: 'tok' }, 400, "'label' is 2; expected one of -1, 0, 1."],
    [{ label: '1', claimToken: 'tok' }, 400, "'label' is \"1\"; expected one of -1, 0, 1."],
    [{ label: 1 }, 400, "'claimToken' is missing; expected the claim token the task came with."],
  ])('a bad label %j is refused with %i', async (body, status, message) => {
    const response = await review()(event('POST', '/api/tasks/{inferenceId}/label', { claims: REVIEWER, pathParameters: { inferenceId: 't-7' }, body }), TIME);
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ message });
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('the retry function', () => {
  /** The Lambda entry, loaded (once) and run with the stack's environment. */
  function retryHandler(): (event: unknown, context: typeof TIME) => Promise<Record<string, number>> {
    const saved = { ...process.env };
    Object.assign(process.env, ENV, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    const { handler } = require('../../lib/human-review/runtime/handlers/retry');
    return async (event, context) => {
      try {
        return await handler(event, context);
      } finally {
        process.env = saved;
      }
    };
  }

  test('a run delivers, retries and publishes its counts in the embedded metric format', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    dynamo.on(QueryCommand, { Select: 'COUNT' }).resolves({ Count: 3 });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const result = await retryHandler()({}, TIME);
    expect(result).toEqual({ answered: 0, queued: 0, failed: 0, delivered: 0, awaitingRetry: 3 });
    const line = JSON.parse(log.mock.calls.map((c) => String(c[0])).find((l) => l.includes('_aws'))!);
    expect(line).toMatchObject({ Endpoint: 'pds-dev-bert-sentiment', ReviewsAwaitingRetry: 3, ReviewsStillFailing: 0 });
    log.mockRestore();
  });

  test('a phase that fails leaves the others their work, and the run fails (the alarm counts it)', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    dynamo.on(QueryCommand).callsFake((input) => {
      if (input.ExpressionAttributeValues?.[':kind'] === 'deliver') throw new Error('deliveries unreadable');
      return input.Select === 'COUNT' ? { Count: 0 } : { Items: [] };
    });
    await expect(retryHandler()({}, TIME)).rejects.toThrow('A phase of the retry run failed (see the log); the next run tries again.');
    const kinds = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input.ExpressionAttributeValues?.[':kind'] ?? c.args[0].input.Select);
    expect(kinds).toEqual(['deliver', 'retry', 'COUNT']);
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringContaining('delivery failed; the next run tries again')]);
    errors.mockRestore();
    log.mockRestore();
  });

  test('the metric line is the embedded metric format: namespace, the Endpoint dimension, four counts', () => {
    expect(JSON.parse(metricsLine('e', { stillFailing: 1, awaitingRetry: 2, recovered: 3, delivered: 4 }, 1_000))).toEqual({
      _aws: {
        Timestamp: 1_000,
        CloudWatchMetrics: [
          {
            Namespace: 'PracticalDataScience/HumanReview',
            Dimensions: [['Endpoint']],
            Metrics: ['ReviewsStillFailing', 'ReviewsAwaitingRetry', 'ReviewsRecovered', 'LabelsDelivered'].map((Name) => ({ Name, Unit: 'Count' })),
          },
        ],
      },
      Endpoint: 'e',
      ReviewsStillFailing: 1,
      ReviewsAwaitingRetry: 2,
      ReviewsRecovered: 3,
      LabelsDelivered: 4,
    });
  });
});
