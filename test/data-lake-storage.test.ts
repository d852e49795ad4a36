import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataLakeStorage } from '../lib/constructs/data-lake-storage';
import { LakePrefix } from '../lib/lake-layout';
import { nagFindings, templateOf, testStack } from './helpers';

function lake(props: ConstructorParameters<typeof DataLakeStorage>[2] = {}): { stack: Stack; storage: DataLakeStorage } {
  const stack = testStack();
  return { stack, storage: new DataLakeStorage(stack, 'Lake', props) };
}

function lakeBucket(template: ReturnType<typeof templateOf>): Record<string, any> {
  const buckets = template.findResources('AWS::S3::Bucket', {
    Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } },
  });
  expect(Object.keys(buckets)).toHaveLength(1);
  return Object.values(buckets)[0];
}

describe('DataLakeStorage', () => {
  test('a customer-managed key with rotation and an alias', () => {
    const template = templateOf(lake({ keyAlias: 'pds-test-lake' }).stack);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/pds-test-lake' });
  });

  test('the lake bucket: SSE-KMS with a bucket key, versioned, no public access, owner-enforced, logged', () => {
    const template = templateOf(lake().stack);
    const bucket = lakeBucket(template);
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^LakeKey/), 'Arn'] } },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^LakeAccessLogs/) }, LogFilePrefix: 'lake/' },
    });
  });

  test('the lake bucket policy denies plain HTTP and TLS below 1.2', () => {
    const template = templateOf(lake().stack);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^LakeBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  test('lifecycle: uploads aborted, old versions, Athena results and captured data expire, raw data moves to IA', () => {
    const template = templateOf(
      lake({
        retention: {
          athenaResultsExpirationDays: 3,
          dataCaptureExpirationDays: 45,
          rawDataInfrequentAccessDays: 60,
          noncurrentVersionExpirationDays: 5,
        },
      }).stack,
    );
    expect(lakeBucket(template).Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'AbortIncompleteMultipartUploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' },
      { Id: 'ExpireNoncurrentVersions', NoncurrentVersionExpiration: { NoncurrentDays: 5 }, Status: 'Enabled' },
      { Id: 'ExpireAthenaResults', Prefix: LakePrefix.athenaResults, ExpirationInDays: 3, Status: 'Enabled' },
      { Id: 'ExpireDataCapture', Prefix: LakePrefix.dataCapture, ExpirationInDays: 45, Status: 'Enabled' },
      {
        Id: 'RawDataToInfrequentAccess',
        Prefix: LakePrefix.raw,
        Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 60 }],
        Status: 'Enabled',
      },
    ]);
  });

  test('the access-logs bucket: SSE-S3 (log delivery cannot use KMS), TLS only, expiring logs, log delivery by policy', () => {
    const template = templateOf(lake({ retention: { accessLogsExpirationDays: 30 } }).stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'ExpireAccessLogs', ExpirationInDays: 30 })]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^LakeAccessLogs') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' }),
        ]),
      },
    });
  });

  test('retains buckets and key by default', () => {
    const template = templateOf(lake().stack);
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      const resources = template.findResources(type);
      expect(Object.keys(resources).length).toBeGreaterThan(0);
      for (const resource of Object.values(resources)) {
        expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      }
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('DESTROY deletes buckets (emptied first) and the key', () => {
    const template = templateOf(lake({ removalPolicy: RemovalPolicy.DESTROY }).stack);
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource).toMatchObject({ DeletionPolicy: 'Delete' });
      }
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    template.hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: 7 });
  });

  test('SNAPSHOT is not the default: any policy other than DESTROY retains', () => {
    const template = templateOf(lake({ removalPolicy: RemovalPolicy.SNAPSHOT }).stack);
    for (const resource of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(resource).toMatchObject({ DeletionPolicy: 'Retain' });
    }
  });

  test('raw data cannot move to Standard-IA before 30 days', () => {
    expect(() => lake({ retention: { rawDataInfrequentAccessDays: 10 } })).toThrow(
      'DataLakeStorage: retention.rawDataInfrequentAccessDays is 10; expected at least 30',
    );
  });

  test('grantReadPrefix: list and read one prefix, decrypt with the key', () => {
    const { stack, storage } = lake();
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    storage.grantReadPrefix(role, LakePrefix.transformed);
    templateOf(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['transformed/*'] } } }),
          Match.objectLike({ Action: 's3:GetBucketLocation', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeBucket'), 'Arn'] } }),
          Match.objectLike({ Action: 'kms:Decrypt' }),
          Match.objectLike({
            Action: ['s3:GetObject', 's3:GetObjectVersion'],
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeBucket'), 'Arn'] }, '/transformed/*']] },
          }),
        ]),
      },
    });
  });

  test('grantReadWritePrefix: also put and delete, and generate data keys', () => {
    const { stack, storage } = lake();
    const role = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    storage.grantReadWritePrefix(role, LakePrefix.pipelineArtifacts);
    templateOf(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'] }),
          Match.objectLike({
            Action: Match.arrayWith(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']),
            Resource: { 'Fn::Join': ['', [Match.anyValue(), '/pipelines/*']] },
          }),
        ]),
      },
    });
  });

  test('grantWritePrefix: put under the prefix with data keys, no read, list or delete', () => {
    const { stack, storage } = lake();
    const role = new iam.Role(stack, 'Capture', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    storage.grantWritePrefix(role, `${LakePrefix.dataCapture}endpoint-a/`);
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: ['kms:Encrypt', 'kms:GenerateDataKey'] }),
          Match.objectLike({
            Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
            Resource: { 'Fn::Join': ['', [Match.anyValue(), '/data-capture/endpoint-a/*']] },
          }),
        ],
      },
    });
    const actions = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(actions).not.toMatch(/s3:GetObject|s3:ListBucket|s3:DeleteObject|kms:Decrypt/);
  });

  test('allowLogGroupEncryption lets CloudWatch Logs use the key for matching log groups only', () => {
    const { stack, storage } = lake();
    storage.allowLogGroupEncryption('/aws-glue/*');
    templateOf(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Action: Match.arrayWith(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']),
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': ['', Match.arrayWith([':log-group:/aws-glue/*'])],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  test('s3Uri names a prefix of the lake bucket', () => {
    const { stack, storage } = lake();
    expect(stack.resolve(storage.s3Uri(LakePrefix.raw))).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^LakeBucket/) }, '/raw/']],
    });
  });
});

test('DataLakeStorage passes the cdk-nag AwsSolutions checks', () => {
  expect(nagFindings(lake({ keyAlias: 'pds-test-lake' }).stack)).toEqual([]);
});
