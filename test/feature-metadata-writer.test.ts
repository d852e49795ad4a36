import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { DataLakeStorage } from '../lib/constructs/data-lake-storage';
import { FeatureMetadataWriter, FeatureMetadataWriterProps } from '../lib/constructs/feature-metadata-writer';
import { nagFindings, templateOf, testStack } from './helpers';

const LOG_GROUP = '/pds-test/feature-store/describe-features';

/** A stand-in feature group for the writer to describe. */
function featureGroup(stack: Stack, id: string, name: string): sagemaker.CfnFeatureGroup {
  return new sagemaker.CfnFeatureGroup(stack, id, {
    featureGroupName: name,
    recordIdentifierFeatureName: 'review_id',
    eventTimeFeatureName: 'event_time',
    featureDefinitions: [
      { featureName: 'review_id', featureType: 'String' },
      { featureName: 'event_time', featureType: 'String' },
    ],
  });
}

/** A writer with its log group encrypted with the lake key, describing the given groups. */
function writerStack(groups: string[] = ['pds-test-reviews'], props: Partial<FeatureMetadataWriterProps> = {}, lakeKey = true) {
  const stack = testStack();
  let logKey;
  if (lakeKey) {
    const storage = new DataLakeStorage(stack, 'Lake', {});
    storage.allowLogGroupEncryption('/pds-test/*');
    logKey = storage.key;
  }
  const writer = new FeatureMetadataWriter(stack, 'FeatureMetadataWriter', { logGroupName: LOG_GROUP, logKey, ...props });
  const resources = groups.map((name, i) => {
    const group = featureGroup(stack, `Group${i}`, name);
    return writer.describe(stack, `Metadata${i}`, {
      featureGroupName: name,
      featureGroupArn: stack.formatArn({ service: 'sagemaker', resource: 'feature-group', resourceName: name }),
      descriptions: { review_id: 'Review id', event_time: 'When the review was written' },
    }, group);
  });
  return { stack, writer, resources };
}

const groupArn = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:feature-group/${name}`]],
});

describe('FeatureMetadataWriter', () => {
  test('one function for the stack, with its own role and its named log group, encrypted with the key given', () => {
    const template = templateOf(writerStack(['pds-test-reviews', 'pds-test-customers']).stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: LOG_GROUP,
      RetentionInDays: 30,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: Match.stringLikeRegexp('^python3\\.'),
      Timeout: 300,
      MemorySize: 256,
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FeatureMetadataWriterRole'), 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FeatureMetadataWriterLogs') } },
    });
  });

  test('without a key the log group has CloudWatch Logs\' own encryption', () => {
    const template = templateOf(writerStack(['pds-test-reviews'], {}, false).stack);
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: LOG_GROUP, KmsKeyId: Match.absent() });
  });

  test('the role: no AWS managed policies; its own log group and UpdateFeatureMetadata on the groups it describes, nothing else', () => {
    const template = templateOf(writerStack(['pds-test-reviews', 'pds-test-customers']).stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^FeatureMetadataWriterRole') }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'WriteOwnLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FeatureMetadataWriterLogs'), 'Arn'] },
          },
          {
            Sid: 'DescribeFeatures',
            Effect: 'Allow',
            Action: 'sagemaker:UpdateFeatureMetadata',
            Resource: Match.anyValue(),
          },
        ],
      },
    });
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    const groups = policy.Properties.PolicyDocument.Statement[1].Resource;
    expect(groups).toHaveLength(2);
    expect(groups).toEqual(expect.arrayContaining([groupArn('pds-test-reviews'), groupArn('pds-test-customers')]));
  });

  test('the function waits only for its role\'s policy', () => {
    const template = templateOf(writerStack().stack);
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function')) as any[];
    expect(fn.DependsOn).toEqual([expect.stringMatching(/^FeatureMetadataWriterRoleDefaultPolicy/)]);
  });

  test('describe: one Custom::FeatureMetadata per group with every description, after the group', () => {
    const { stack, resources } = writerStack(['pds-test-reviews', 'pds-test-customers']);
    expect(resources).toHaveLength(2);
    const template = templateOf(stack);
    template.resourceCountIs('Custom::FeatureMetadata', 2);
    template.hasResource('Custom::FeatureMetadata', {
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FeatureMetadataWriterFunction'), 'Arn'] },
        FeatureGroupName: 'pds-test-reviews',
        Descriptions: { review_id: 'Review id', event_time: 'When the review was written' },
      },
      DependsOn: ['Group0'],
    });
    template.hasResource('Custom::FeatureMetadata', {
      Properties: Match.objectLike({ FeatureGroupName: 'pds-test-customers' }),
      DependsOn: ['Group1'],
    });
  });

  test('a writer that describes no feature group is an error at synthesis', () => {
    const { stack } = writerStack([]);
    expect(() => templateOf(stack)).toThrow('FeatureMetadataWriter: it describes no feature group; leave it out.');
  });

  test('passes the cdk-nag AwsSolutions checks', () => {
    expect(nagFindings(writerStack(['pds-test-reviews', 'pds-test-customers']).stack)).toEqual([]);
  });
});
