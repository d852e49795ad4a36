import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { DataLakeStorage } from '../lib/constructs/data-lake-storage';
import { LakeFolderUpload, LakeFolderUploadProps } from '../lib/constructs/lake-folder-upload';
import { nagFindings, templateOf, testStack } from './helpers';

const LOG_GROUP = '/pds-test/lake/sample-data-upload';

/** An upload of deploy-time data to the lake of its stack, as the data lake stack makes one. */
function uploadStack(props: Partial<LakeFolderUploadProps> = {}) {
  const stack = testStack();
  const storage = new DataLakeStorage(stack, 'Lake', {});
  storage.allowLogGroupEncryption('/pds-test/*');
  const upload = new LakeFolderUpload(stack, 'SampleData', {
    storage,
    sources: [s3deploy.Source.data('a.txt', 'x')],
    destinationPrefix: 'raw/reviews/',
    description: 'Uploads the synthetic reviews sample to the raw prefix of the lake',
    logGroupName: LOG_GROUP,
    ...props,
  });
  return { stack, storage, upload };
}

describe('LakeFolderUpload', () => {
  test('a bucket deployment into the lake prefix that never prunes and keeps the files when removed', () => {
    const template = templateOf(uploadStack().stack);
    template.resourceCountIs('Custom::CDKBucketDeployment', 1);
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: Match.stringLikeRegexp('^LakeBucket') },
      DestinationBucketKeyPrefix: 'raw/reviews/',
      Prune: false,
      RetainOnDelete: true,
    });
  });

  test('the lake bucket is referenced, not tagged by the deployment (its stateful template stays as it is)', () => {
    const template = templateOf(uploadStack().stack);
    const buckets = JSON.stringify(template.findResources('AWS::S3::Bucket'));
    expect(buckets).not.toContain('aws-cdk:cr-owned');
  });

  test('the handler logs to its named log group, encrypted with the lake key, deleted with the stack', () => {
    const template = templateOf(uploadStack().stack);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: LOG_GROUP,
        RetentionInDays: 30,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeKey'), 'Arn'] },
      },
      DeletionPolicy: 'Delete',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SampleDataRole'), 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^SampleDataLogs') } },
      MemorySize: 256,
    });
  });

  test('a role of its own, with no AWS managed policies, writing its own logs; the handler waits only for its policy', () => {
    const template = templateOf(uploadStack().stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Uploads the synthetic reviews sample to the raw prefix of the lake',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect((role as any).Properties.ManagedPolicyArns).toBeUndefined();
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^SampleDataRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'WriteOwnLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SampleDataLogs'), 'Arn'] },
          },
        ]),
      },
    });
    const handlers = template.findResources('AWS::Lambda::Function', { Properties: { Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SampleDataRole'), 'Arn'] } } });
    expect(Object.values(handlers).map((fn: any) => fn.DependsOn)).toEqual([[expect.stringMatching(/^SampleDataRoleDefaultPolicy/)]]);
  });

  test('a folder: its files as they are, without the excluded ones', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lake-folder-upload-'));
    try {
      fs.writeFileSync(path.join(dir, 'reviews.csv'), 'id,text\n1,good\n');
      fs.writeFileSync(path.join(dir, 'notes.pyc'), 'x');
      const { stack } = uploadStack({ sources: undefined, sourceDir: dir, exclude: ['*.pyc'] });
      const template = templateOf(stack);
      const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment')) as any[];
      expect(deployment.Properties.SourceObjectKeys).toHaveLength(1);
      // Staged as a folder (no archive of the project's making), holding only the files kept.
      const { outdir } = stack.node.root as App;
      const staged = fs.readdirSync(outdir).filter((name) => name.startsWith('asset.') && fs.existsSync(path.join(outdir, name, 'reviews.csv')));
      expect(staged).toHaveLength(1);
      expect(fs.readdirSync(path.join(outdir, staged[0]))).toEqual(['reviews.csv']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('passes the cdk-nag AwsSolutions checks', () => {
    expect(nagFindings(uploadStack().stack)).toEqual([]);
  });

  test('exactly one of sourceDir and sources', () => {
    const message = 'LakeFolderUpload: give exactly one of sourceDir and sources.';
    expect(() => uploadStack({ sources: undefined })).toThrow(message);
    expect(() => uploadStack({ sourceDir: '/tmp' })).toThrow(message);
  });

  test('a second upload in a stack is an error naming the stack', () => {
    const { stack, storage } = uploadStack();
    expect(
      () =>
        new LakeFolderUpload(stack, 'MoreData', {
          storage,
          sources: [s3deploy.Source.data('b.txt', 'y')],
          destinationPrefix: 'raw/more/',
          description: 'More data',
          logGroupName: '/pds-test/lake/more-upload',
        }),
    ).toThrow('LakeFolderUpload: stack TestStack has one already; CDK bucket deployments share one handler per stack, so give that one more sources.');
  });
});
