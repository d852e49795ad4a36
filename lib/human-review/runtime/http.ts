/**
 * The APIs' HTTP side: routes of API Gateway's proxy events to the services, and their answers
 * (JSON, never cached). Errors the caller can fix are 4xx naming what is wrong; anything else is a
 * 500 that names no internals.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { PredictionAnswer, PredictionService } from './prediction';
import { BadRequest, parsePredictionRequest } from './requests';
import { groupsOf, ReviewService } from './review';

/** What a handler needs of the Lambda context: the time it has left. */
export interface TimeLeft {
  getRemainingTimeInMillis(): number;
}

/** Time kept back from a function's limit to store what is not answered and to reply. */
export const REPLY_MARGIN_MS = 3_000;

export type ApiHandler = (event: APIGatewayProxyEvent, context: TimeLeft) => Promise<APIGatewayProxyResult>;

export function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

/** Runs a route, turning a {@link BadRequest} into its 4xx and anything else into a 500. */
async function answering(work: () => Promise<APIGatewayProxyResult>): Promise<APIGatewayProxyResult> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BadRequest) return json(error.statusCode, { message: error.message });
    console.error(JSON.stringify({ message: 'unexpected error', error: String((error as Error)?.stack ?? error) }));
    return json(500, { message: 'Internal error. Send the request again: reviews sent with their ids are not predicted twice.' });
  }
}

/**
 * The answer to POST /predictions: 200 when every review is answered or queued; 503 when some are
 * kept for a retry or could not be stored, saying which; 409 when an id belongs to another review.
 */
export function predictionsResponse(predictions: readonly PredictionAnswer[]): APIGatewayProxyResult {
  const count = (...statuses: PredictionAnswer['status'][]) => predictions.filter((p) => statuses.includes(p.status)).length;
  const failed = count('failed');
  const pending = count('pending');
  const notStored = count('not_stored');
  const conflicts = count('conflict');
  const problems = [
    failed > 0 ? `The endpoint did not answer ${failed} of ${predictions.length} reviews. They are kept as failed with the error and retried on a schedule; GET /predictions/{inferenceId} answers them once retried, and sending the same ids again does not predict them twice.` : '',
    pending > 0 ? `${pending} of ${predictions.length} reviews are stored but not yet answered (status pending); the scheduled retry answers them, and GET /predictions/{inferenceId} then gives the answer.` : '',
    notStored > 0 ? `${notStored} of ${predictions.length} reviews could not be stored (status not_stored); send them again with the ids given.` : '',
    conflicts > 0 ? `${conflicts} of ${predictions.length} reviews have an id that belongs to another review (status conflict); ids must be unique across callers.` : '',
  ].filter(Boolean);
  if (problems.length === 0) return json(200, { predictions });
  return json(failed + pending + notStored > 0 ? 503 : 409, { message: problems.join(' '), predictions });
}

const routeOf = (event: APIGatewayProxyEvent) => `${event.httpMethod} ${event.resource}`;

function bodyOf(event: APIGatewayProxyEvent): string | null {
  return event.body !== null && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf-8') : event.body;
}

/** The prediction API: POST /predictions, GET /predictions/{inferenceId} (IAM-authorized callers). */
export function predictionApi(service: PredictionService, clock: () => number = Date.now): ApiHandler {
  return (event, context) =>
    answering(async () => {
      switch (routeOf(event)) {
        case 'POST /predictions': {
          const reviews = parsePredictionRequest(bodyOf(event));
          const deadline = clock() + context.getRemainingTimeInMillis() - REPLY_MARGIN_MS;
          const caller = event.requestContext?.identity?.userArn ?? undefined;
          const predictions = await service.predict(reviews, deadline, caller);
          return predictionsResponse(predictions);
        }
        case 'GET /predictions/{inferenceId}': {
          const id = event.pathParameters?.inferenceId ?? '';
          const answer = await service.answer(id);
          return answer ? json(200, answer) : json(404, { message: `No review has inference id '${id}'.` });
        }
        default:
          return json(404, { message: `No route ${routeOf(event)}.` });
      }
    });
}

/**
 * The review API: GET /api/tasks/next, POST /api/tasks/{inferenceId}/label. API Gateway's Cognito
 * authorizer checks the token, not its groups: a token without the reviewers group is refused here.
 */
export function reviewApi(service: ReviewService, reviewersGroup: string): ApiHandler {
  return (event) =>
    answering(async () => {
      const claims = event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined;
      const reviewer = String(claims?.['cognito:username'] ?? claims?.sub ?? '');
      if (!reviewer) return json(401, { message: 'The request carries no signed-in reviewer.' });
      if (!groupsOf(claims).includes(reviewersGroup)) {
        return json(403, { message: `User '${reviewer}' is not in the '${reviewersGroup}' group; an administrator adds reviewers to it.` });
      }
      switch (routeOf(event)) {
        case 'GET /api/tasks/next': {
          const task = await service.next(reviewer);
          return json(200, { task: task ?? null });
        }
        case 'POST /api/tasks/{inferenceId}/label': {
          let body: { label?: unknown; claimToken?: unknown };
          try {
            body = JSON.parse(bodyOf(event) ?? '');
          } catch {
            throw new BadRequest('The request body is not JSON; expected {"label": -1, 0 or 1, "claimToken": "..."}.');
          }
          const result = await service.label(reviewer, event.pathParameters?.inferenceId ?? '', body?.label, body?.claimToken);
          return json(result.delivered ? 200 : 202, result);
        }
        default:
          return json(404, { message: `No route ${routeOf(event)}.` });
      }
    });
}
