import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IDependable } from 'constructs';
import { SENTIMENTS } from '../human-review/runtime/contract';
import { predictionRequestSchema, predictionRequestShape } from '../human-review/runtime/requests';

/** The stage of both APIs. */
export const REVIEW_API_STAGE = 'v1';

interface SecureRestApiProps {
  readonly restApiName: string;
  readonly description: string;
  readonly accessLogGroupName: string;
  readonly logKey: kms.IKey;
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly defaultMethodOptions: apigw.MethodOptions;
  /** What a valid body is, in words, for the answer to one that is not. */
  readonly bodyShape: string;
  /**
   * Set the account's API Gateway CloudWatch role (AWS::ApiGateway::Account, retained), without
   * which API Gateway writes no logs. One API of a stack sets it; the others wait for it.
   */
  readonly setAccountLogRole: boolean;
}

/**
 * A regional REST API with JSON access logs in an encrypted log group, error-level execution logs
 * (no request or response bodies), stage throttling, metrics, a request validator for bodies and
 * parameters, and a refused body answered with what a valid one is.
 */
function secureRestApi(scope: Construct, props: SecureRestApiProps): { api: apigw.RestApi; validator: apigw.RequestValidator; logGroup: logs.LogGroup } {
  const logGroup = new logs.LogGroup(scope, 'AccessLogs', {
    logGroupName: props.accessLogGroupName,
    retention: logs.RetentionDays.THREE_MONTHS,
    encryptionKey: props.logKey,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const api = new apigw.RestApi(scope, 'Resource', {
    restApiName: props.restApiName,
    description: props.description,
    endpointTypes: [apigw.EndpointType.REGIONAL],
    cloudWatchRole: props.setAccountLogRole,
    cloudWatchRoleRemovalPolicy: props.setAccountLogRole ? RemovalPolicy.RETAIN : undefined,
    deployOptions: {
      stageName: REVIEW_API_STAGE,
      throttlingRateLimit: props.rateLimit,
      throttlingBurstLimit: props.burstLimit,
      metricsEnabled: true,
      loggingLevel: apigw.MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      accessLogDestination: new apigw.LogGroupLogDestination(logGroup),
      accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
    },
    defaultMethodOptions: props.defaultMethodOptions,
  });
  const validator = api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
  // API Gateway's own answer to a body its validator refuses says only "Invalid request body",
  // and a gateway response cannot quote the validator's detail as JSON (no escaping): this one
  // says what the body must be.
  api.addGatewayResponse('BadBody', {
    type: apigw.ResponseType.BAD_REQUEST_BODY,
    statusCode: '400',
    templates: { 'application/json': JSON.stringify({ message: `The request body does not match the API's schema; expected ${props.bodyShape}.` }) },
  });
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG3',
    reason: 'Every method needs authorization (IAM or the Cognito authorizer) and the stage is throttled; a WAF web ACL, billed per rule and request, is left to accounts that put one on all their APIs.',
  });
  if (props.setAccountLogRole) {
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "The account's API Gateway CloudWatch role uses AmazonAPIGatewayPushToCloudWatchLogs, the policy API Gateway documents for it; only API Gateway assumes the role.",
    });
  }
  return { api, validator, logGroup };
}

const jsonSchema = (schema: Record<string, unknown>) => ({ schema: apigw.JsonSchemaVersion.DRAFT4, ...schema }) as apigw.JsonSchema;

export interface PredictionApiProps {
  readonly restApiName: string;
  /** The prediction function (POST /predictions, GET /predictions/{inferenceId}). */
  readonly handler: lambda.IFunction;
  readonly accessLogGroupName: string;
  readonly logKey: kms.IKey;
  /** Steady requests per second of the stage. */
  readonly rateLimit: number;
  /** Requests at once above the steady rate. */
  readonly burstLimit: number;
}

/**
 * The prediction API: callers sign their requests (IAM authorization on every method); API Gateway
 * checks the body against the same limits the function does before it runs. It sets the account's
 * API Gateway CloudWatch role, which API Gateway needs to write any API's logs.
 */
export class PredictionApi extends Construct {
  public readonly api: apigw.RestApi;
  public readonly logGroup: logs.LogGroup;
  /** The account's API Gateway CloudWatch role setting: other APIs' stages wait for it. */
  public readonly accountLogRole: IDependable;

  constructor(scope: Construct, id: string, props: PredictionApiProps) {
    super(scope, id);
    const { api, validator, logGroup } = secureRestApi(this, {
      restApiName: props.restApiName,
      description: 'Predictions with human review: reviews in, labels and confidences out; low-confidence predictions go to reviewers',
      accessLogGroupName: props.accessLogGroupName,
      logKey: props.logKey,
      rateLimit: props.rateLimit,
      burstLimit: props.burstLimit,
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      setAccountLogRole: true,
      bodyShape: predictionRequestShape(),
    });
    this.api = api;
    this.logGroup = logGroup;
    this.accountLogRole = api.node.findChild('Account');
    const integration = new apigw.LambdaIntegration(props.handler);
    const model = api.addModel('PredictionRequest', {
      contentType: 'application/json',
      modelName: 'PredictionRequest',
      description: 'Reviews to predict',
      schema: jsonSchema(predictionRequestSchema()),
    });
    const predictions = api.root.addResource('predictions');
    predictions.addMethod('POST', integration, { requestValidator: validator, requestModels: { 'application/json': model } });
    predictions.addResource('{inferenceId}').addMethod('GET', integration, {
      requestValidator: validator,
      requestParameters: { 'method.request.path.inferenceId': true },
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'The prediction API is for applications, which sign their requests with IAM (every method has AWS_IAM authorization); reviewers use the review API with Cognito.',
    });
  }

  /** Lets a caller (an application's role) predict and read predictions. */
  public grantPredict(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.api.arnForExecuteApi('POST', '/predictions', REVIEW_API_STAGE), this.api.arnForExecuteApi('GET', '/predictions/*', REVIEW_API_STAGE)],
    });
  }
}

export interface ReviewApiProps {
  readonly restApiName: string;
  /** The review function (GET /api/tasks/next, POST /api/tasks/{inferenceId}/label). */
  readonly handler: lambda.IFunction;
  readonly userPool: cognito.IUserPool;
  readonly accessLogGroupName: string;
  readonly logKey: kms.IKey;
}

/**
 * The review API that the reviewer app calls (under `/api`, which CloudFront serves from the app's
 * own origin): every method needs a Cognito ID token of the reviewers' pool. The authorizer checks
 * the token, not its groups: the function refuses a token without the reviewers group.
 */
export class ReviewApi extends Construct {
  public readonly api: apigw.RestApi;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ReviewApiProps) {
    super(scope, id);
    const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [props.userPool],
      resultsCacheTtl: Duration.minutes(5),
    });
    const { api, validator, logGroup } = secureRestApi(this, {
      restApiName: props.restApiName,
      description: 'The reviewer app\'s API: the next task, and a label',
      accessLogGroupName: props.accessLogGroupName,
      logKey: props.logKey,
      rateLimit: 10,
      burstLimit: 20,
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.COGNITO, authorizer },
      setAccountLogRole: false,
      bodyShape: `{"label": one of ${SENTIMENTS.join(', ')}, "claimToken": the claim token the task came with}`,
    });
    this.api = api;
    this.logGroup = logGroup;
    const integration = new apigw.LambdaIntegration(props.handler);
    const tasks = api.root.addResource('api').addResource('tasks');
    tasks.addResource('next').addMethod('GET', integration);
    const model = api.addModel('LabelRequest', {
      contentType: 'application/json',
      modelName: 'LabelRequest',
      description: "A reviewer's label of a task they hold",
      schema: jsonSchema({
        type: 'object',
        required: ['label', 'claimToken'],
        additionalProperties: false,
        properties: { label: { type: 'integer', enum: [...SENTIMENTS] }, claimToken: { type: 'string', minLength: 1, maxLength: 64 } },
      }),
    });
    tasks.addResource('{inferenceId}').addResource('label').addMethod('POST', integration, {
      requestValidator: validator,
      requestModels: { 'application/json': model },
      requestParameters: { 'method.request.path.inferenceId': true },
    });
  }
}
