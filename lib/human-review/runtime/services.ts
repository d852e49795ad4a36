/**
 * The functions' services built from their environment: the AWS clients, the table, the endpoint
 * and the lake. The local stack builds the same services with clients pointed at local stand-ins.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EndpointScorer, Scorer } from './endpoint';
import { LakeDestination, LakeWriter } from './lake-records';
import { ENDPOINT_CALL_TIMEOUT_MS, PredictionService } from './prediction';
import { ReviewStore } from './review-store';
import { ReviewService } from './review';


/** The value of an environment variable the function cannot run without. */
export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Environment variable ${name} is not set; the stack sets it.`);
  return value;
}

function number(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number {
  const value = Number(required(env, name));
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`Environment variable ${name} is '${env[name]}'; expected a number from ${min} to ${max}.`);
  return value;
}

/** Where the services' clients go: AWS, or the local stack's stand-ins. */
export interface ClientOptions {
  readonly region?: string;
  readonly dynamoEndpoint?: string;
  readonly sageMakerEndpoint?: string;
  readonly s3Endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function storeOf(env: NodeJS.ProcessEnv, options: ClientOptions = {}): ReviewStore {
  const client = new DynamoDBClient({ region: options.region, endpoint: options.dynamoEndpoint, credentials: options.credentials });
  return new ReviewStore(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), required(env, 'TABLE_NAME'));
}

export function scorerOf(env: NodeJS.ProcessEnv, options: ClientOptions = {}): Scorer {
  const client = new SageMakerRuntimeClient({
    region: options.region,
    endpoint: options.sageMakerEndpoint,
    credentials: options.credentials,
    // No retry: a second call would capture the review twice under one inference id; the retry
    // function calls again later instead. Each call is aborted after ENDPOINT_CALL_TIMEOUT_MS.
    maxAttempts: 1,
    requestHandler: { requestTimeout: ENDPOINT_CALL_TIMEOUT_MS, throwOnRequestTimeout: true, connectionTimeout: 1_000 },
  });
  return new EndpointScorer(client, required(env, 'ENDPOINT_NAME'));
}

export function lakeOf(env: NodeJS.ProcessEnv, options: ClientOptions = {}): LakeWriter {
  const client = new S3Client({ region: options.region, endpoint: options.s3Endpoint, credentials: options.credentials, forcePathStyle: options.s3Endpoint !== undefined });
  const destination: LakeDestination = {
    bucket: required(env, 'LAKE_BUCKET'),
    groundTruthPrefix: required(env, 'GROUND_TRUTH_PREFIX'),
    humanReviewPrefix: required(env, 'HUMAN_REVIEW_PREFIX'),
  };
  return new LakeWriter(client, destination);
}

export function predictionServiceOf(env: NodeJS.ProcessEnv, options: ClientOptions = {}, clock?: () => number, store = storeOf(env, options)): PredictionService {
  return new PredictionService({ store, scorer: scorerOf(env, options), threshold: number(env, 'THRESHOLD', 0, 1), clock });
}

export function reviewServiceOf(env: NodeJS.ProcessEnv, options: ClientOptions = {}, clock?: () => number): ReviewService {
  return new ReviewService({ store: storeOf(env, options), lake: lakeOf(env, options), claimMs: number(env, 'CLAIM_SECONDS', 1, 86_400) * 1000, clock });
}
