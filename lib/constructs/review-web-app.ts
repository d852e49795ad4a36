import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeBucketDeployment } from './bucket-deployment-findings';
import { functionRole } from './function-role';
import { contentSecurityPolicy, HSTS_MAX_AGE_SECONDS, REVIEW_WEB_DIR } from '../human-review/web-security';

export interface ReviewWebAppProps {
  /** The reviewers' pool: the app gets its own client of it. */
  readonly userPool: cognito.IUserPool;
  /** The pool's hosted sign-in, `https://<domain>`. */
  readonly signInUrl: string;
  /** The review API, served by the app's distribution under `/api/`. */
  readonly reviewApi: apigw.RestApi;
  /** Name of the log group of the deployment's upload handler. */
  readonly uploadLogGroupName: string;
  readonly logKey: kms.IKey;
  /**
   * Days the distribution's and the bucket's access logs are kept.
   * @default 365
   */
  readonly accessLogsExpirationDays?: number;
}

/**
 * The reviewer web app: its static files in a private bucket that only CloudFront reads (origin
 * access control), served over HTTPS only with security headers (a strict content security policy,
 * HSTS, no framing, no sniffing, no referrer), the review API under `/api/` on the same origin (no
 * CORS), access logs for both, and an app client of the reviewers' pool for the authorization code
 * flow with PKCE (no secret: the app runs in the browser). The deployment writes `config.json`
 * (sign-in domain, client id) beside the files.
 */
export class ReviewWebApp extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly logsBucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly client: cognito.UserPoolClient;
  public readonly deployment: s3deploy.BucketDeployment;
  /** `https://<distribution domain>/` */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ReviewWebAppProps) {
    super(scope, id);
    this.logsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront's standard logs are delivered with ACLs.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(props.accessLogsExpirationDays ?? 365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logsBucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket of the web app and its distribution; logging its own access would log forever.' });
    this.bucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 'site/',
      // The files come from the deployment; a new deploy writes them again.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Security headers of the reviewer app',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.signInUrl), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS), includeSubdomains: true, override: true },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'The reviewer app and its API',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new origins.RestApiOrigin(props.reviewApi),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          // CloudFront forwards a GET's Authorization header only when the cache key has it; the
          // API answers `no-store`, and nothing is kept longer than a second in any case.
          cachePolicy: new cloudfront.CachePolicy(this, 'ApiCache', {
            comment: 'The review API: keyed by the reviewer\'s token, not cached',
            headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Authorization'),
            queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
            cookieBehavior: cloudfront.CacheCookieBehavior.none(),
            minTtl: Duration.seconds(0),
            defaultTtl: Duration.seconds(0),
            maxTtl: Duration.seconds(1),
          }),
          // The body's type for the API's validation; API Gateway's own host name, not the viewer's.
          originRequestPolicy: new cloudfront.OriginRequestPolicy(this, 'ApiRequest', {
            comment: 'The review API: the headers its requests need',
            headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('Content-Type', 'Accept'),
            queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.none(),
            cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
          }),
          responseHeadersPolicy: headers,
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'Reviewers may work from anywhere; sign-in, not geography, limits who reviews.' },
      { id: 'AwsSolutions-CFR2', reason: 'The app is static and its API needs a Cognito token; a WAF web ACL, billed per rule and request, is left to accounts that put one on all their distributions.' },
      {
        id: 'AwsSolutions-CFR4',
        reason: "The distribution uses CloudFront's default certificate (no custom domain), with which CloudFront fixes the viewer TLS policy; TLSv1.2_2021 applies once a custom domain and certificate are added.",
      },
    );
    this.url = `https://${this.distribution.distributionDomainName}/`;

    this.client = new cognito.UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: 'reviewer-app',
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [this.url],
        logoutUrls: [this.url],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    const { role, logGroup } = functionRole(this, { idPrefix: 'Upload', logGroupName: props.uploadLogGroupName, logKey: props.logKey, description: 'Uploads the reviewer app during deployments' });
    this.deployment = new s3deploy.BucketDeployment(this, 'Upload', {
      sources: [
        s3deploy.Source.asset(REVIEW_WEB_DIR),
        s3deploy.Source.jsonData('config.json', { auth: { domain: props.signInUrl, clientId: this.client.userPoolClientId }, apiBase: '/api' }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      role,
      logGroup,
      memoryLimit: 256,
    });
    acknowledgeBucketDeployment(role, {
      purpose: "copies the app's files from the CDK asset bucket into the app's bucket",
      destination: { objects: this.bucket.arnForObjects('*'), reason: 'The bucket holds nothing but the app.' },
      more: [{ resourceMatching: /^\*$/, reason: "CloudFront invalidations have no resource-level permissions; the handler invalidates the app's distribution after an upload." }],
    });
  }
}
