/**
 * Human review's two stacks, synthesized alone beside a lake (the app's cdk-nag checks run: an
 * unacknowledged finding fails the synth), and how the platform adds them (or not).
 */
import { App, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DataLakeStorage } from '../../lib/constructs/data-lake-storage';
import { reviewerDomainPrefix } from '../../lib/constructs/reviewer-pool';
import { HumanReviewStack } from '../../lib/human-review-stack';
import { HumanReviewStateStack } from '../../lib/human-review-state-stack';
import { contentSecurityPolicy } from '../../lib/human-review/web-security';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CDK_JSON_CONTEXT, buildApp, configErrorOf, nagFindings, roleStatements } from '../helpers';

const ENDPOINT = 'pds-test-bert-sentiment';

interface Built {
  readonly app: App;
  readonly state: Template;
  readonly stack: Template;
}

/** The lake stand-in, the state stack and the stateless stack, as the platform wires them. */
function build(options: { prod?: boolean; mfa?: 'required' | 'optional' | 'off'; threatProtection?: 'off' | 'audit' | 'enforced' } = {}): Built {
  const app = new App({ context: CDK_JSON_CONTEXT });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const lake = new Stack(app, 'Lake');
  const storage = new DataLakeStorage(lake, 'Storage', {});
  const topic = new sns.Topic(lake, 'Topic', { enforceSSL: true, masterKey: storage.key });
  storage.allowLogGroupEncryption('/pds-test/*');
  const state = new HumanReviewStateStack(app, 'State', {
    namePrefix: 'pds-test',
    removalPolicy: options.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    terminationProtection: options.prod ?? false,
    storage,
    databaseName: 'pds_test_lake',
    endpointName: ENDPOINT,
    mfa: options.mfa ?? 'optional',
    threatProtection: options.threatProtection ?? 'off',
  });
  const stack = new HumanReviewStack(app, 'Review', {
    namePrefix: 'pds-test',
    storage,
    endpointName: ENDPOINT,
    threshold: 0.9,
    claimDuration: Duration.minutes(10),
    throttling: { rateLimit: 20, burstLimit: 40 },
    reviewers: state.reviewers,
    queue: state.queue,
    notificationTopic: topic,
  });
  return { app, state: Template.fromStack(state), stack: Template.fromStack(stack) };
}

let dev: Built;
beforeAll(() => {
  dev = build();
});

const only = (template: Template, type: string) => {
  const found = Object.values(template.findResources(type)) as any[];
  expect(found).toHaveLength(1);
  return found[0];
};

describe('state: reviewers, queue, catalog', () => {
  test('the user pool: no self sign-up, strong passwords, authenticator-app MFA from the setting, e-mail recovery, Essentials without threat protection', () => {
    dev.state.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolName: 'pds-test-reviewers',
      AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 3, PasswordHistorySize: 5 } },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      UserPoolTier: 'ESSENTIALS',
      UserPoolAddOns: Match.absent(),
    });
    dev.state.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'reviewers' });
  });

  test('the sign-in domain prefix is the name prefix and the account id', () => {
    dev.state.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: { 'Fn::Join': ['', ['pds-test-review-', { Ref: 'AWS::AccountId' }]] } });
    expect(reviewerDomainPrefix('pds-dev', '111122223333')).toBe('pds-dev-review-111122223333');
    expect(reviewerDomainPrefix('myaws-amazon-cognito', '111122223333')).toBe('mya-ws-a-mazon-c-ognito-review-111122223333');
  });

  test('MFA required and threat protection put the pool on the Plus plan with the mode chosen', () => {
    const built = build({ mfa: 'required', threatProtection: 'enforced' });
    built.state.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', UserPoolTier: 'PLUS', UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } });
  });

  test('the queue: keyed by inference id, its own rotating key, point-in-time recovery, on demand, expiring answered reviews, the work index', () => {
    const table = only(dev.state, 'AWS::DynamoDB::Table');
    expect(table.Properties).toMatchObject({
      TableName: 'pds-test-human-review',
      KeySchema: [{ AttributeName: 'inferenceId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: expect.anything() },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [{ IndexName: 'work', KeySchema: [{ AttributeName: 'work', KeyType: 'HASH' }, { AttributeName: 'workAt', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
    });
    dev.state.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('the human_review table reads the lake records by endpoint and day, with partition projection', () => {
    const table = only(dev.state, 'AWS::Glue::Table').Properties.TableInput;
    expect(table.Name).toBe('human_review');
    expect(table.PartitionKeys.map((k: any) => k.Name)).toEqual(['endpoint', 'day']);
    expect(table.StorageDescriptor.Columns.map((c: any) => c.Name)).toEqual([
      'inference_id', 'reviewer', 'reviewed_at', 'predicted_at', 'review_body', 'product_category', 'model_label', 'model_confidence', 'variant', 'human_label', 'agreement',
    ]);
    expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(table.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.endpoint.values': ENDPOINT, 'projection.day.format': 'yyyy/MM/dd' });
    expect(JSON.stringify(table.Parameters['storage.location.template'])).toContain('/human-review/${endpoint}/${day}/');
  });

  test('in prod the pool, table and key are retained and protected', () => {
    const prod = build({ prod: true, mfa: 'required' });
    for (const type of ['AWS::Cognito::UserPool', 'AWS::DynamoDB::Table', 'AWS::KMS::Key']) {
      prod.state.hasResource(type, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    prod.state.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'ACTIVE' });
    prod.state.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    dev.state.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

describe('stateless: APIs, functions, web app', () => {
  test('two APIs; every method needs authorization: IAM on the prediction API, the Cognito authorizer on the review API', () => {
    const apis = dev.stack.findResources('AWS::ApiGateway::RestApi');
    expect(Object.values(apis).map((a: any) => a.Properties.Name).sort()).toEqual(['pds-test-predictions', 'pds-test-review']);
    const methods = Object.values(dev.stack.findResources('AWS::ApiGateway::Method')) as any[];
    expect(methods.map((m) => `${m.Properties.HttpMethod} ${m.Properties.AuthorizationType}`).sort()).toEqual([
      'GET AWS_IAM',
      'GET COGNITO_USER_POOLS',
      'POST AWS_IAM',
      'POST COGNITO_USER_POOLS',
    ]);
    dev.stack.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS', IdentitySource: 'method.request.header.Authorization' });
  });

  test("the account's API Gateway log role is set once (retained), and both stages wait for it", () => {
    dev.stack.resourceCountIs('AWS::ApiGateway::Account', 1);
    dev.stack.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
    const account = Object.keys(dev.stack.findResources('AWS::ApiGateway::Account'))[0];
    const stages = Object.values(dev.stack.findResources('AWS::ApiGateway::Stage')) as any[];
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(stage.DependsOn).toContain(account);
  });

  test('a body the validator refuses is answered with what is wrong', () => {
    dev.stack.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('^\\{"message":"The request body does not match the API\'s schema; expected \\{\\\\"reviews\\\\": \\[\\.\\.\\.\\]\\} with 1 to 25 reviews') },
    });
    dev.stack.resourceCountIs('AWS::ApiGateway::GatewayResponse', 2);
    // A gateway response is not rendered by VTL: every one is plain JSON.
    for (const response of Object.values(dev.stack.findResources('AWS::ApiGateway::GatewayResponse')) as any[]) {
      expect(() => JSON.parse(response.Properties.ResponseTemplates['application/json'])).not.toThrow();
    }
  });

  test('stages are throttled and write JSON access logs; bodies are validated against the models', () => {
    dev.stack.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40, MetricsEnabled: true, LoggingLevel: 'ERROR', DataTraceEnabled: false })],
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    dev.stack.resourceCountIs('AWS::ApiGateway::RequestValidator', 2);
    dev.stack.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'PredictionRequest',
      Schema: Match.objectLike({ required: ['reviews'], properties: { reviews: Match.objectLike({ minItems: 1, maxItems: 25 }) } }),
    });
    dev.stack.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'AWS_IAM', RequestValidatorId: Match.anyValue(), RequestModels: { 'application/json': Match.anyValue() } });
  });

  test('three functions with their settings, each with its own role', () => {
    const functions = (Object.values(dev.stack.findResources('AWS::Lambda::Function')) as any[]).filter((f) => f.Properties.Environment?.Variables?.TABLE_NAME);
    const env = (fragment: string) => functions.find((f) => f.Properties.Description.includes(fragment))!.Properties.Environment.Variables;
    expect(env('Predicts')).toMatchObject({ ENDPOINT_NAME: ENDPOINT, THRESHOLD: '0.9', TABLE_NAME: expect.anything() });
    expect(env('Gives reviewers')).toMatchObject({ CLAIM_SECONDS: '600', REVIEWERS_GROUP: 'reviewers', GROUND_TRUTH_PREFIX: `ground-truth/${ENDPOINT}/`, HUMAN_REVIEW_PREFIX: `human-review/${ENDPOINT}/` });
    expect(env('Retries')).toMatchObject({ ENDPOINT_NAME: ENDPOINT, GROUND_TRUTH_PREFIX: `ground-truth/${ENDPOINT}/` });
    expect(new Set(functions.map((f) => JSON.stringify(f.Properties.Role))).size).toBe(3);
    expect(functions.map((f) => f.Properties.Timeout).sort()).toEqual([240, 28, 28]);
    dev.stack.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED', Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0 } })] });
    // The schedule runs the retry again; Lambda's own retries would overlap the next run.
    dev.stack.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  test('alarms on the notification topic: the retry function failing, and failed reviews waiting', () => {
    const alarms = Object.values(dev.stack.findResources('AWS::CloudWatch::Alarm')) as any[];
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual(['Errors', 'ReviewsAwaitingRetry']);
    const waiting = alarms.find((a) => a.Properties.MetricName === 'ReviewsAwaitingRetry').Properties;
    expect(waiting).toMatchObject({ Namespace: 'PracticalDataScience/HumanReview', Dimensions: [{ Name: 'Endpoint', Value: ENDPOINT }], EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 1 });
    for (const alarm of alarms) expect(JSON.stringify(alarm.Properties.AlarmActions)).toMatch(/RefTopic/);
  });

  test('the prediction function may invoke the one endpoint and write the queue, and nothing in the lake', () => {
    const statements = roleStatements(dev.stack, 'PredictionFunctionRole');
    const invoke = statements.find((s) => s.Action === 'sagemaker:InvokeEndpoint');
    expect(JSON.stringify(invoke.Resource)).toContain(`:endpoint/${ENDPOINT}`);
    expect(statements.find((s) => [s.Action].flat().includes('dynamodb:PutItem'))).toBeDefined();
    expect(statements.some((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')))).toBe(false);
    const review = roleStatements(dev.stack, 'ReviewFunctionRole');
    expect(review.some((s) => s.Action === 'sagemaker:InvokeEndpoint')).toBe(false);
    expect(JSON.stringify(review)).toContain(`/ground-truth/${ENDPOINT}/*`);
    expect(JSON.stringify(review)).toContain(`/human-review/${ENDPOINT}/*`);
  });

  test('the web app: a private bucket read through origin access control, HTTPS only, security headers, the review API on the same origin, access logs', () => {
    only(dev.stack, 'AWS::CloudFront::OriginAccessControl');
    dev.stack.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'site/' }),
    });
    const distribution = only(dev.stack, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(distribution.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(distribution.CacheBehaviors).toEqual([expect.objectContaining({ PathPattern: '/api/*', ViewerProtocolPolicy: 'https-only' })]);
    expect(distribution.Logging).toMatchObject({ Prefix: 'cloudfront/' });
    // A GET reaches the API with the reviewer's token only when the cache key has it; nothing is cached.
    dev.stack.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ DefaultTTL: 0, MinTTL: 0, MaxTTL: 1, ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({ HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] } }) }),
    });
    const headers = only(dev.stack, 'AWS::CloudFront::ResponseHeadersPolicy').Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers).toMatchObject({
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
    });
    expect(JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy)).toContain("default-src 'none'; script-src 'self'");
    expect(contentSecurityPolicy('https://x.example')).toContain("connect-src 'self' https://x.example");
  });

  test('the app client: authorization code with PKCE, no secret, callbacks to the app only', () => {
    dev.stack.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAppDistribution'), 'DomainName'] }, '/']] }],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
  });

  test('no Augmented AI resource, and every cdk-nag finding acknowledged', () => {
    for (const template of [dev.state, dev.stack]) {
      const types = Object.values(template.toJSON().Resources).map((r: any) => r.Type);
      expect(types.filter((t) => /HumanTaskUi|FlowDefinition|Workteam|Workforce/.test(t))).toEqual([]);
    }
    expect(nagFindings(Stack.of(dev.app.node.findChild('Review') as Stack))).toEqual([]);
  });
});

describe('in the platform', () => {
  test('humanReview adds the two stacks for the first family\'s endpoint; without it there are none', () => {
    const on = buildApp({ humanReview: 'true' });
    expect(on.platform.humanReview?.family.id).toBe('bert-sentiment');
    expect(on.platform.humanReview?.state.stackName).toBe('pds-dev-human-review-state');
    expect(on.platform.humanReview?.stack.stackName).toBe('pds-dev-human-review');
    const off = buildApp();
    expect(off.platform.humanReview).toBeUndefined();
    expect(off.app.node.children.map((c) => c.node.id).filter((id) => id.includes('human-review'))).toEqual([]);
  });

  test('humanReviewFamily picks another family, and an unknown one is refused naming the families', () => {
    expect(buildApp({ humanReview: 'true', humanReviewFamily: 'blazingtext-sentiment' }).platform.humanReview?.family.id).toBe('blazingtext-sentiment');
    expect(() => buildApp({ humanReview: 'true', humanReviewFamily: 'gpt' })).toThrow(
      "Invalid context value 'humanReviewFamily': 'gpt' is not a model family of the app; expected one of bert-sentiment, blazingtext-sentiment, autopilot-sentiment.",
    );
  });

  test('the threshold is a probability', () => {
    expect(configErrorOf({ humanReviewThreshold: '1.2' })).toBe("Invalid context value 'humanReviewThreshold': '1.2' is not allowed; expected a probability from 0 to 1.");
  });
});
