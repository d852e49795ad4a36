import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import { RAW_REVIEW_COLUMNS } from '../lib/constructs/lake-catalog';
import { SAMPLE_DATA_DIR } from '../lib/constructs/lake-folder-upload';
import { SAMPLE_REVIEWS_FILES } from '../lib/lake-layout';
import { buildApp } from './helpers';

function lakeTemplate(context: Record<string, unknown>): { template: Template; terminationProtection: boolean } {
  const { platform } = buildApp(context);
  return { template: Template.fromStack(platform.dataLake), terminationProtection: platform.dataLake.terminationProtection };
}

describe('DataLakeStack in dev', () => {
  const { template, terminationProtection } = lakeTemplate({ stage: 'dev' });

  test('has no termination protection and retains by default', () => {
    expect(terminationProtection).toBe(false);
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource).toMatchObject({ DeletionPolicy: 'Retain' });
      }
    }
  });

  test('names resources from the dev prefix', () => {
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/pds-dev-lake' });
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: Match.objectLike({ Name: 'pds_dev_lake' }) });
    template.hasResourceProperties('AWS::Glue::Crawler', { Name: 'pds-dev-raw-reviews', DatabaseName: 'pds_dev_lake' });
    template.hasResourceProperties('AWS::Athena::WorkGroup', { Name: 'pds-dev-lake' });
  });

  test('applies the dev retention and scan settings', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'ExpireNoncurrentVersions', NoncurrentVersionExpiration: { NoncurrentDays: 7 } }),
          Match.objectLike({ Id: 'ExpireAthenaResults', ExpirationInDays: 7 }),
          Match.objectLike({ Id: 'ExpireDataCapture', ExpirationInDays: 30 }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 1_000_000_000 }),
    });
  });

  test('lets CloudWatch Logs encrypt the Glue log groups and the platform\'s own with the lake key', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AllowCloudWatchLogsawsglue' }),
          Match.objectLike({
            Sid: 'AllowCloudWatchLogspdsdev',
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', Match.arrayWith([':log-group:/pds-dev/*'])] } } },
          }),
        ]),
      },
    });
  });

  test('every log group the platform encrypts with the lake key is named where the key policy allows', () => {
    const { app } = buildApp({ stage: 'dev' });
    for (const stack of app.node.children.filter((c): c is Stack => Stack.isStack(c))) {
      for (const group of Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'))) {
        if (group.Properties.KmsKeyId) {
          expect(group.Properties.LogGroupName).toMatch(/^\/pds-dev\//);
        }
      }
    }
  });

  test('deploys the sample dataset to the raw reviews prefix, without pruning, kept on delete', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: Match.stringLikeRegexp('^StorageBucket') },
      DestinationBucketKeyPrefix: 'raw/womens-clothing-reviews/',
      Prune: false,
      RetainOnDelete: true,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'] },
      RetentionInDays: 30,
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('no role of the stack uses an AWS managed policy', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('outputs what an operator needs', () => {
    for (const output of ['LakeBucketName', 'LakeKeyArn', 'RawReviewsUri', 'GlueDatabaseName', 'CrawlerName', 'AthenaWorkGroupName']) {
      template.hasOutput(output, Match.anyValue());
    }
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('DataLakeStack in dev with destroyOnRemoval', () => {
  const { template } = lakeTemplate({ stage: 'dev', destroyOnRemoval: 'true' });

  test('deletes buckets (emptied first), key and workgroup with the stack', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Athena::WorkGroup']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource).toMatchObject({ DeletionPolicy: 'Delete' });
      }
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });
});

describe('DataLakeStack in prod', () => {
  const { template, terminationProtection } = lakeTemplate({ stage: 'prod' });

  test('has termination protection', () => {
    expect(terminationProtection).toBe(true);
  });

  test('retains what must survive: buckets, key, workgroup', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Athena::WorkGroup']) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) {
        expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      }
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('deploys no sample data', () => {
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });

  test('names resources from the prod prefix and keeps results longer', () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: Match.objectLike({ Name: 'pds_prod_lake' }) });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'ExpireAthenaResults', ExpirationInDays: 30 })]) },
    });
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('DataLakeStack options', () => {
  test('a crawler schedule from context', () => {
    const { template } = lakeTemplate({ crawlerSchedule: 'cron(15 2 * * ? *)' });
    template.hasResourceProperties('AWS::Glue::Crawler', { Schedule: { ScheduleExpression: 'cron(15 2 * * ? *)' } });
  });

  test('the sample can be turned off in dev', () => {
    const { template } = lakeTemplate({ deploySampleData: 'false' });
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });

  test('the stack uploads the sample files, each with the header the crawler\'s classifier expects', () => {
    expect(fs.readdirSync(SAMPLE_DATA_DIR).sort()).toEqual([...SAMPLE_REVIEWS_FILES].sort());
    for (const file of SAMPLE_REVIEWS_FILES) {
      const header = fs.readFileSync(path.join(SAMPLE_DATA_DIR, file), 'utf-8').split('\n')[0];
      expect(header.split(',')).toEqual([...RAW_REVIEW_COLUMNS]);
    }
  });
});

describe('LakeFolderUpload', () => {
  test('one per stack, since the bucket deployment handler is shared', () => {
    const { LakeFolderUpload } = require('../lib/constructs/lake-folder-upload') as typeof import('../lib/constructs/lake-folder-upload');
    const { DataLakeStorage } = require('../lib/constructs/data-lake-storage') as typeof import('../lib/constructs/data-lake-storage');
    const { testStack } = require('./helpers') as typeof import('./helpers');
    const stack = testStack();
    const storage = new DataLakeStorage(stack, 'Lake');
    const props = { storage, sourceDir: SAMPLE_DATA_DIR, destinationPrefix: 'raw/', description: 'test', logGroupName: '/test/upload' };
    new LakeFolderUpload(stack, 'First', props);
    expect(() => new LakeFolderUpload(stack, 'Second', props)).toThrow('LakeFolderUpload: stack TestStack has one already');
    expect(() => new LakeFolderUpload(testStack(), 'Neither', { storage, destinationPrefix: 'raw/', description: 'x', logGroupName: '/test/x' })).toThrow(
      'LakeFolderUpload: give exactly one of sourceDir and sources.',
    );
  });
});
