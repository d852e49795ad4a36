/**
 * Human review on this machine: the reviewer app and both APIs served by one local server, running
 * the functions' own handlers and services against
 * - dynalite, a local DynamoDB, holding the review table as the stack declares it;
 * - a stand-in endpoint that answers the serving contract and fails a share of its calls;
 * - a stand-in lake that keeps what S3 would get under a folder;
 * - a sign-in stand-in for Cognito's hosted sign-in (authorization code with PKCE): anyone may
 *   sign in under any name, with or without the reviewers group. It signs no tokens: local only.
 *
 * The SDK clients are the real ones, pointed at the stand-ins. `npm run human-review:local` starts
 * it for a person; the browser test and the load test start it for themselves.
 */
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ApiHandler, predictionApi, reviewApi } from '../../lib/human-review/runtime/http';
import { deliverDue, PredictionService } from '../../lib/human-review/runtime/prediction';
import { REVIEW_TABLE_KEYS, ReviewItem } from '../../lib/human-review/runtime/review-store';
import { ClientOptions, lakeOf, predictionServiceOf, reviewServiceOf, storeOf } from '../../lib/human-review/runtime/services';
import { contentSecurityPolicy, REVIEW_WEB_DIR, SECURITY_HEADERS } from '../../lib/human-review/web-security';
// dynalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: object) => http.Server;

/** The reviewers' group, as the stateful stack names it. */
export const LOCAL_REVIEWERS_GROUP = 'reviewers';
const ENDPOINT_NAME = 'pds-local-bert-sentiment';
const BUCKET = 'pds-local-lake';
const CLIENT_ID = 'local-reviewer-app';
/** What a function may run on AWS (the stack's timeout), which each local request gets too. */
const FUNCTION_TIME_MS = 28_000;

export interface LocalStackOptions {
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Every `failEvery`-th endpoint call fails (3: a third). @default 3 */
  readonly failEvery?: number;
  /** @default 0.9 */
  readonly threshold?: number;
  /** @default 600 */
  readonly claimSeconds?: number;
  /** The stand-in lake's folder. @default a new temporary folder */
  readonly lakeDir?: string;
  /** Milliseconds since the epoch, for every service. @default Date.now */
  readonly clock?: () => number;
}

export interface LocalStack {
  /** The app's address, e.g. http://127.0.0.1:8787/ */
  readonly url: string;
  readonly lakeDir: string;
  /** Endpoint calls so far, and how many failed. */
  readonly endpointCalls: { total: number; failed: number };
  /** One run of the scheduled function: retries and deliveries. */
  retry(): Promise<{ answered: number; queued: number; failed: number; delivered: number }>;
  /** Every review in the table. */
  items(): Promise<ReviewItem[]>;
  /** The files the stand-in lake holds, relative to the bucket. */
  lakeKeys(): string[];
  stop(): Promise<void>;
}

const listen = (server: http.Server, port = 0) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
const close = (server: http.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** A payload S3 receives in `aws-chunked` encoding, decoded. */
function unchunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const end = body.indexOf('\r\n', at);
    if (end < 0) break;
    const size = parseInt(body.subarray(at, end).toString().split(';')[0], 16);
    if (!size) break;
    parts.push(body.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** A stand-in endpoint: the contract's answer for each request line; every `failEvery`-th call fails. */
function standInEndpoint(failEvery: number, calls: { total: number; failed: number }): http.Server {
  return http.createServer(async (request, response) => {
    const body = (await readBody(request)).toString('utf-8');
    calls.total += 1;
    if (failEvery > 0 && calls.total % failEvery === 0) {
      calls.failed += 1;
      response.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' });
      response.end(JSON.stringify({ message: 'The stand-in endpoint fails this call on purpose.' }));
      return;
    }
    const text = String(JSON.parse(body.split('\n')[0]).review_body ?? '');
    const label = /\b(love|great|perfect|beautiful|comfortable)\b/i.test(text) ? 1 : /\b(return|poor|cheap|disappoint\w*|small)\b/i.test(text) ? -1 : 0;
    const confidence = 0.8 + (createHash('sha256').update(text).digest()[0] % 20) / 100;
    const rest = (1 - confidence) / 2;
    const probabilities = Object.fromEntries([-1, 0, 1].map((l) => [String(l), l === label ? confidence : rest]));
    response.writeHead(200, { 'content-type': 'application/jsonlines', 'x-amzn-invoked-production-variant': 'VariantA' });
    response.end(`${JSON.stringify({ predicted_label: label, confidence, probabilities })}\n`);
  });
}

/** A stand-in lake: S3's PutObject (path style) writes the object under the folder. */
function standInLake(lakeDir: string): http.Server {
  return http.createServer(async (request, response) => {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://lake');
    if (request.method !== 'PUT') {
      response.writeHead(501).end();
      return;
    }
    const key = decodeURIComponent(url.pathname.slice(1));
    const file = path.join(lakeDir, key);
    if (!file.startsWith(lakeDir + path.sep)) {
      response.writeHead(400).end();
      return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const encoded = String(request.headers['content-encoding'] ?? '').includes('aws-chunked');
    const data = encoded ? unchunk(body) : body;
    fs.writeFileSync(file, data);
    response.writeHead(200, { etag: `"${createHash('md5').update(data).digest('hex')}"` });
    response.end();
  });
}

const base64Url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/** An unsigned token in the shape of a Cognito ID token: the local API reads its claims. */
export function localToken(username: string, groups: string[], now: number): string {
  const claims = { sub: username, 'cognito:username': username, 'cognito:groups': groups, token_use: 'id', aud: CLIENT_ID, exp: Math.floor(now / 1000) + 3600 };
  return `${base64Url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64Url(JSON.stringify(claims))}.`;
}

/** The claims API Gateway's Cognito authorizer would pass (strings; groups as one text), or undefined when the token is not valid. */
function authorizerClaims(authorization: string | undefined, now: number): Record<string, string> | undefined {
  try {
    const claims = JSON.parse(Buffer.from(String(authorization).split('.')[1], 'base64url').toString('utf-8'));
    if (!(claims.exp * 1000 > now)) return undefined;
    return { ...claims, exp: String(claims.exp), 'cognito:groups': (claims['cognito:groups'] ?? []).join(',') };
  } catch {
    return undefined;
  }
}

const SIGN_IN_PAGE = (query: URLSearchParams) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local sign-in</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/app.css"></head>
<body><main><h1>Local sign-in stand-in</h1>
<p>On AWS this is Cognito's hosted sign-in. Here anyone may sign in under any name.</p>
<form method="post" action="/oauth2/authorize?${query.toString().replace(/&/g, '&amp;')}">
<p><label for="username">User name</label> <input id="username" name="username" value="reviewer" required></p>
<p><input type="checkbox" id="reviewers" name="reviewers" value="yes" checked> <label for="reviewers">In the ${LOCAL_REVIEWERS_GROUP} group</label></p>
<p><button type="submit" id="local-sign-in">Sign in</button></p>
</form></main></body></html>`;

const STATIC: Record<string, string> = { '/': 'index.html', '/index.html': 'index.html', '/app.js': 'app.js', '/app.css': 'app.css' };
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** API Gateway's resources of the two APIs, matched as its proxy event names them. */
const ROUTES: { method: string; pattern: RegExp; resource: string; api: 'prediction' | 'review' }[] = [
  { method: 'POST', pattern: /^\/predictions$/, resource: '/predictions', api: 'prediction' },
  { method: 'GET', pattern: /^\/predictions\/(?<inferenceId>[^/]+)$/, resource: '/predictions/{inferenceId}', api: 'prediction' },
  { method: 'GET', pattern: /^\/api\/tasks\/next$/, resource: '/api/tasks/next', api: 'review' },
  { method: 'POST', pattern: /^\/api\/tasks\/(?<inferenceId>[^/]+)\/label$/, resource: '/api/tasks/{inferenceId}/label', api: 'review' },
];

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const clock = options.clock ?? Date.now;
  const lakeRoot = options.lakeDir ?? fs.mkdtempSync(path.join(require('os').tmpdir(), 'human-review-lake-'));
  const calls = { total: 0, failed: 0 };
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = standInEndpoint(options.failEvery ?? 3, calls);
  const lake = standInLake(path.resolve(lakeRoot));
  const [dynamoPort, endpointPort, lakePort] = await Promise.all([listen(dynamo), listen(endpoint), listen(lake)]);
  const clients: ClientOptions = {
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
    sageMakerEndpoint: `http://127.0.0.1:${endpointPort}`,
    s3Endpoint: `http://127.0.0.1:${lakePort}`,
  };
  const env = {
    TABLE_NAME: 'pds-local-human-review',
    ENDPOINT_NAME,
    THRESHOLD: String(options.threshold ?? 0.9),
    CLAIM_SECONDS: String(options.claimSeconds ?? 600),
    LAKE_BUCKET: BUCKET,
    GROUND_TRUTH_PREFIX: `ground-truth/${ENDPOINT_NAME}/`,
    HUMAN_REVIEW_PREFIX: `human-review/${ENDPOINT_NAME}/`,
  };
  const keys = REVIEW_TABLE_KEYS;
  const raw = new DynamoDBClient({ region: clients.region, endpoint: clients.dynamoEndpoint, credentials: clients.credentials });
  await raw.send(
    new CreateTableCommand({
      TableName: env.TABLE_NAME,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: keys.partitionKey, AttributeType: 'S' },
        { AttributeName: keys.workIndex.partitionKey, AttributeType: 'S' },
        { AttributeName: keys.workIndex.sortKey, AttributeType: 'N' },
      ],
      KeySchema: [{ AttributeName: keys.partitionKey, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: keys.workIndex.name,
          KeySchema: [
            { AttributeName: keys.workIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: keys.workIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  const store = storeOf(env, clients);
  const predictions: PredictionService = predictionServiceOf(env, clients, clock, store);
  const handlers: Record<'prediction' | 'review', ApiHandler> = {
    prediction: predictionApi(predictions, clock),
    review: reviewApi(reviewServiceOf(env, clients, clock), LOCAL_REVIEWERS_GROUP),
  };
  const lakeWriter = lakeOf(env, clients);
  const codes = new Map<string, { username: string; groups: string[]; challenge: string; redirectUri: string }>();

  const app = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://local');
    const origin = `http://${request.headers.host}`;
    const headers = { ...SECURITY_HEADERS, 'content-security-policy': contentSecurityPolicy(origin) };
    const send = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
      response.writeHead(status, { ...headers, 'content-type': type, 'cache-control': 'no-store', ...extra });
      response.end(body);
    };
    try {
      const body = await readBody(request);
      const file = STATIC[url.pathname];
      if (request.method === 'GET' && file) {
        send(200, TYPES[path.extname(file)], fs.readFileSync(path.join(REVIEW_WEB_DIR, file)));
      } else if (request.method === 'GET' && url.pathname === '/config.json') {
        send(200, 'application/json', JSON.stringify({ auth: { domain: origin, clientId: CLIENT_ID }, apiBase: '/api' }));
      } else if (url.pathname === '/oauth2/authorize' && request.method === 'GET') {
        send(200, TYPES['.html'], SIGN_IN_PAGE(url.searchParams));
      } else if (url.pathname === '/oauth2/authorize' && request.method === 'POST') {
        const form = new URLSearchParams(body.toString('utf-8'));
        const code = randomUUID();
        const redirectUri = url.searchParams.get('redirect_uri') ?? '/';
        codes.set(code, {
          username: form.get('username') || 'reviewer',
          groups: form.get('reviewers') ? [LOCAL_REVIEWERS_GROUP] : [],
          challenge: url.searchParams.get('code_challenge') ?? '',
          redirectUri,
        });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        send(302, 'text/plain', '', { location: back.toString() });
      } else if (url.pathname === '/oauth2/token' && request.method === 'POST') {
        const form = new URLSearchParams(body.toString('utf-8'));
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verified = grant && createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') === grant.challenge && form.get('redirect_uri') === grant.redirectUri;
        if (!grant || !verified) {
          send(400, 'application/json', JSON.stringify({ error: 'invalid_grant' }));
        } else {
          const token = localToken(grant.username, grant.groups, clock());
          send(200, 'application/json', JSON.stringify({ id_token: token, access_token: token, token_type: 'Bearer', expires_in: 3600 }));
        }
      } else if (url.pathname === '/logout') {
        send(302, 'text/plain', '', { location: url.searchParams.get('logout_uri') ?? '/' });
      } else {
        const route = ROUTES.find((r) => r.method === request.method && r.pattern.test(url.pathname));
        if (!route) {
          send(404, 'application/json', JSON.stringify({ message: 'Not found' }));
          return;
        }
        const claims = route.api === 'review' ? authorizerClaims(request.headers.authorization, clock()) : undefined;
        if (route.api === 'review' && !claims) {
          send(401, 'application/json', JSON.stringify({ message: 'Unauthorized' }));
          return;
        }
        const pathParameters = route.pattern.exec(url.pathname)?.groups;
        const event = {
          httpMethod: request.method,
          resource: route.resource,
          path: url.pathname,
          pathParameters: pathParameters ? Object.fromEntries(Object.entries(pathParameters).map(([k, v]) => [k, decodeURIComponent(v)])) : null,
          headers: request.headers,
          body: body.length > 0 ? body.toString('utf-8') : null,
          isBase64Encoded: false,
          requestContext: { authorizer: claims ? { claims } : undefined, identity: { userArn: 'arn:aws:iam::000000000000:user/local-caller' } },
        } as unknown as APIGatewayProxyEvent;
        const started = Date.now();
        const result = await handlers[route.api](event, { getRemainingTimeInMillis: () => FUNCTION_TIME_MS - (Date.now() - started) });
        send(result.statusCode, String(result.headers?.['content-type'] ?? 'application/json'), result.body);
      }
    } catch (error) {
      send(500, 'application/json', JSON.stringify({ message: String(error) }));
    }
  });
  const port = await listen(app, options.port);
  const documents = DynamoDBDocumentClient.from(raw);

  return {
    url: `http://127.0.0.1:${port}/`,
    lakeDir: path.resolve(lakeRoot),
    endpointCalls: calls,
    async retry() {
      // As the scheduled function runs: deliveries first, then the retries.
      const delivered = await deliverDue(store, lakeWriter, clock(), 200);
      const retried = await predictions.retryDue(200, clock() + FUNCTION_TIME_MS);
      return { ...retried, delivered };
    },
    async items() {
      const items: ReviewItem[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(new ScanCommand({ TableName: env.TABLE_NAME, ExclusiveStartKey: start }));
        items.push(...((page.Items ?? []) as ReviewItem[]));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    lakeKeys() {
      const root = path.join(path.resolve(lakeRoot), BUCKET);
      if (!fs.existsSync(root)) return [];
      return (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile()).map((f) => f.split(path.sep).join('/'));
    },
    async stop() {
      app.closeAllConnections();
      await Promise.all([close(app), close(endpoint), close(lake), close(dynamo)]);
    },
  };
}
