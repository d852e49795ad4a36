import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ILakeStorage } from './constructs/data-lake-storage';
import { ReviewerPool } from './constructs/reviewer-pool';
import { PredictionApi, ReviewApi } from './constructs/review-apis';
import { ReviewFunction } from './constructs/review-function';
import { ReviewQueueTable } from './constructs/review-queue-table';
import { ReviewWebApp } from './constructs/review-web-app';
import { logGroupName } from './data-lake-stack';
import { LakePrefix } from './lake-layout';
import { resourceName } from './naming';
import { HumanReviewThrottlingSetting } from './settings';
import { HUMAN_REVIEW_METRICS } from './human-review/runtime/metrics';

/** How often the retry function runs; a run may take 4 minutes, so runs do not overlap. */
export const RETRY_SCHEDULE = Duration.minutes(5);
const RETRY_TIMEOUT = Duration.minutes(4);

export interface HumanReviewStackProps extends StackProps {
  readonly namePrefix: string;
  /** The lake: ground truth and the reviewers' labels are written there. */
  readonly storage: ILakeStorage;
  /** The endpoint whose predictions are reviewed, by name (it may be deployed later, or elsewhere). */
  readonly endpointName: string;
  /** Predictions below it go to a reviewer (0 to 1). */
  readonly threshold: number;
  /** How long a reviewer holds a task. */
  readonly claimDuration: Duration;
  readonly throttling: HumanReviewThrottlingSetting;
  readonly reviewers: ReviewerPool;
  readonly queue: ReviewQueueTable;
  /**
   * Told when the retry function fails, or reviews keep failing (the serving alarms' topic).
   * @default - the alarms notify no one
   */
  readonly notificationTopic?: sns.ITopic;
}

/**
 * Human review (stateless): the prediction API (IAM) and its function, which calls the endpoint
 * once per review with the review's own inference id and queues predictions below the threshold;
 * the review API (Cognito) and the reviewer web app on CloudFront; the scheduled function that
 * retries what the endpoint failed and delivers labels the lake did not take. A label becomes
 * ground truth under `ground-truth/<endpoint>/` and a record of the `human_review` table.
 */
export class HumanReviewStack extends Stack {
  public readonly predictionApi: PredictionApi;
  public readonly reviewApi: ReviewApi;
  public readonly webApp: ReviewWebApp;
  public readonly functions: { readonly prediction: ReviewFunction; readonly review: ReviewFunction; readonly retry: ReviewFunction };

  constructor(scope: Construct, id: string, props: HumanReviewStackProps) {
    super(scope, id, { description: 'Human review: the prediction and review APIs, their functions and the reviewer web app', ...props });
    const { storage, namePrefix, queue } = props;
    if (!(props.threshold >= 0 && props.threshold <= 1)) throw new Error(`HumanReviewStack: threshold ${props.threshold} is not allowed; expected a probability from 0 to 1.`);
    const groundTruthPrefix = `${LakePrefix.groundTruth}${props.endpointName}/`;
    const humanReviewPrefix = `${LakePrefix.humanReview}${props.endpointName}/`;
    const lake = { LAKE_BUCKET: storage.bucket.bucketName, GROUND_TRUTH_PREFIX: groundTruthPrefix, HUMAN_REVIEW_PREFIX: humanReviewPrefix };
    const endpoint = { ENDPOINT_NAME: props.endpointName, THRESHOLD: String(props.threshold) };
    const table = { TABLE_NAME: queue.table.tableName };
    const fn = (id: string, handler: string, description: string, environment: Record<string, string>, options: { timeout?: Duration; retryAttempts?: number } = {}) =>
      new ReviewFunction(this, id, { handler, description, environment, ...options, logGroupName: logGroupName(namePrefix, `human-review/${handler}`), logKey: storage.key });
    this.functions = {
      prediction: fn('PredictionFunction', 'prediction', 'Predicts reviews with the endpoint and queues the unsure ones for reviewers', { ...table, ...endpoint }),
      review: fn('ReviewFunction', 'review', "Gives reviewers tasks and writes their labels to the lake", {
        ...table,
        ...lake,
        CLAIM_SECONDS: String(props.claimDuration.toSeconds()),
        REVIEWERS_GROUP: props.reviewers.reviewersGroupName,
      }),
      // The schedule runs it again: Lambda's own retries would overlap the next run.
      retry: fn('RetryFunction', 'retry', 'Retries the reviews the endpoint failed and delivers labels the lake did not take', { ...table, ...endpoint, ...lake }, { timeout: RETRY_TIMEOUT, retryAttempts: 0 }),
    };
    const endpointArn = Stack.of(this).formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: props.endpointName.toLowerCase() });
    for (const f of [this.functions.prediction, this.functions.retry]) {
      f.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'InvokeTheEndpoint', actions: ['sagemaker:InvokeEndpoint'], resources: [endpointArn] }));
    }
    queue.grant(this.functions.prediction.role, 'predict');
    queue.grant(this.functions.review.role, 'review');
    queue.grant(this.functions.retry.role, 'retry');
    for (const f of [this.functions.review, this.functions.retry]) {
      storage.grantWritePrefix(f.role, groundTruthPrefix);
      storage.grantWritePrefix(f.role, humanReviewPrefix);
    }

    new events.Rule(this, 'RetrySchedule', {
      description: 'Retries what the endpoint failed and delivers labels the lake did not take',
      schedule: events.Schedule.rate(RETRY_SCHEDULE),
      targets: [new targets.LambdaFunction(this.functions.retry.function, { retryAttempts: 0 })],
    });
    const notify = props.notificationTopic && new actions.SnsAction(props.notificationTopic);
    // Two of three five-minute periods: a run that lands on a boundary leaves one period empty.
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string) => {
      const created = new cloudwatch.Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      if (notify) created.addAlarmAction(notify);
      return created;
    };
    alarm('RetryErrors', this.functions.retry.function.metricErrors({ period: RETRY_SCHEDULE, statistic: 'Sum' }), 'The human-review retry function failed in two of the last three runs: failed reviews and undelivered labels wait');
    alarm(
      'ReviewsAwaitingRetry',
      new cloudwatch.Metric({ namespace: HUMAN_REVIEW_METRICS.namespace, metricName: HUMAN_REVIEW_METRICS.awaitingRetry, dimensionsMap: { Endpoint: props.endpointName }, period: RETRY_SCHEDULE, statistic: 'Minimum' }),
      `Reviews the endpoint ${props.endpointName} failed have waited for a retry for ten minutes or more: is it deployed and healthy?`,
    );

    this.predictionApi = new PredictionApi(this, 'PredictionApi', {
      restApiName: resourceName(namePrefix, 'predictions', 128),
      handler: this.functions.prediction.function,
      accessLogGroupName: logGroupName(namePrefix, 'human-review/prediction-api'),
      logKey: storage.key,
      rateLimit: props.throttling.rateLimit,
      burstLimit: props.throttling.burstLimit,
    });
    const reviewApi = new ReviewApi(this, 'ReviewApi', {
      restApiName: resourceName(namePrefix, 'review', 128),
      handler: this.functions.review.function,
      userPool: props.reviewers.userPool,
      accessLogGroupName: logGroupName(namePrefix, 'human-review/review-api'),
      logKey: storage.key,
    });
    // API Gateway writes the review API's logs once the account's log role is set.
    reviewApi.api.deploymentStage.node.addDependency(this.predictionApi.accountLogRole);
    this.reviewApi = reviewApi;
    this.webApp = new ReviewWebApp(this, 'WebApp', {
      userPool: props.reviewers.userPool,
      signInUrl: props.reviewers.signInUrl,
      reviewApi: this.reviewApi.api,
      uploadLogGroupName: logGroupName(namePrefix, 'human-review/web-upload'),
      logKey: storage.key,
    });

    new CfnOutput(this, 'PredictionApiUrl', { value: `${this.predictionApi.api.url}predictions`, description: 'POST {"reviews": [{"text": "..."}]} signed with SigV4 (execute-api)' });
    new CfnOutput(this, 'ReviewerAppUrl', { value: this.webApp.url, description: 'The reviewer web app' });
  }
}
