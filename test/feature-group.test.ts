import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DataLakeStorage } from '../lib/constructs/data-lake-storage';
import { FeatureGroup, FeatureGroupProps, OfflineTableFormat } from '../lib/constructs/feature-group';
import { LakeAthena } from '../lib/constructs/lake-athena';
import { reviewsFeatureGroupSchema } from '../lib/feature-store/reviews-features';
import { nagFindings, templateOf, testStack } from './helpers';

function featureGroup(props: Partial<FeatureGroupProps> = {}): { stack: Stack; group: FeatureGroup; storage: DataLakeStorage } {
  const stack = testStack();
  const storage = new DataLakeStorage(stack, 'Lake');
  const group = new FeatureGroup(stack, 'Reviews', {
    schema: reviewsFeatureGroupSchema('pds-test-reviews'),
    storage,
    databaseName: 'pds_test_lake',
    ...props,
  });
  return { stack, group, storage };
}

const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeKey'), 'Arn'] };

describe('FeatureGroup', () => {
  const { stack } = featureGroup();
  const template = templateOf(stack);

  test('the schema becomes the group definition', () => {
    template.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      FeatureGroupName: 'pds-test-reviews',
      RecordIdentifierFeatureName: 'review_id',
      EventTimeFeatureName: 'date',
      FeatureDefinitions: Match.arrayWith([
        { FeatureName: 'review_id', FeatureType: 'String' },
        { FeatureName: 'sentiment', FeatureType: 'Integral' },
      ]),
      Description: Match.stringLikeRegexp('RoBERTa'),
    });
  });

  test('the offline store: in the lake feature-store prefix, encrypted with the lake key, table in the lake database', () => {
    template.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      OfflineStoreConfig: {
        S3StorageConfig: {
          S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^LakeBucket') }, '/feature-store/']] },
          KmsKeyId: keyArn,
        },
        DisableGlueTableCreation: false,
        DataCatalogConfig: { Catalog: 'AwsDataCatalog', Database: 'pds_test_lake', TableName: 'pds_test_reviews' },
        TableFormat: 'Glue',
      },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReviewsOfflineStoreRole'), 'Arn'] },
    });
  });

  test('no online store unless asked for', () => {
    template.hasResourceProperties('AWS::SageMaker::FeatureGroup', { OnlineStoreConfig: { EnableOnlineStore: false } });
  });

  test('retained by default and created after its role policy', () => {
    const [resource] = Object.values(template.findResources('AWS::SageMaker::FeatureGroup'));
    expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(resource.DependsOn).toEqual([expect.stringMatching(/^ReviewsOfflineStoreRoleDefaultPolicy/)]);
  });

  test('the offline-store role: SageMaker only, no managed policies, the feature-store prefix, the key and its own table', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    const [policy] = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ReviewsOfflineStoreRole') }] } }),
    );
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    const resources = JSON.stringify(statements.map((s) => s.Resource));
    expect(resources).toContain('/feature-store/*');
    expect(resources).not.toMatch(/"\/\*"|\/raw\//);
    const table = statements.find((s) => s.Sid === 'OfflineStoreTable');
    expect(table.Action).toEqual(expect.arrayContaining(['glue:CreateTable', 'glue:UpdateTable', 'glue:GetTable']));
    expect(JSON.stringify(table.Resource)).toContain(':table/pds_test_lake/pds_test_reviews');
    expect(statements.find((s) => [s.Action].flat().includes('kms:GenerateDataKey')).Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^LakeKey/), 'Arn'],
    });
  });

  test('writes every feature description to Feature Store after the group exists, with one resource', () => {
    const described = template.findResources('Custom::FeatureMetadata');
    expect(Object.keys(described)).toHaveLength(1);
    const [resource] = Object.values(described);
    expect(resource.Properties).toMatchObject({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^FeatureMetadataWriterFunction/), 'Arn'] },
      FeatureGroupName: 'pds-test-reviews',
      Descriptions: expect.objectContaining({ product_category: expect.stringMatching(/facet/) }),
    });
    expect(Object.keys(resource.Properties.Descriptions)).toHaveLength(8);
    expect(resource.DependsOn).toEqual([expect.stringMatching(/^Reviews[0-9A-F]{8}$/)]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DescribeFeatures',
            Action: 'sagemaker:UpdateFeatureMetadata',
            Resource: { 'Fn::Join': ['', Match.arrayWith([':feature-group/pds-test-reviews'])] },
          }),
        ]),
      },
    });
  });

  test('the groups of a stack share one writer, allowed to describe exactly them', () => {
    const { stack, storage } = featureGroup();
    new FeatureGroup(stack, 'Customers', { schema: reviewsFeatureGroupSchema('pds-test-customers'), storage, databaseName: 'pds_test_lake' });
    const shared = templateOf(stack);
    shared.resourceCountIs('AWS::Lambda::Function', 1);
    shared.resourceCountIs('Custom::FeatureMetadata', 2);
    shared.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: Match.stringLikeRegexp('^python3\\.') });
    shared.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/feature-store/describe-features', KmsKeyId: keyArn });
    const policy = Object.values(shared.findResources('AWS::IAM::Policy')).find((p: any) =>
      p.Properties.PolicyDocument.Statement.some((s: any) => s.Sid === 'DescribeFeatures'),
    ) as any;
    const statement = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'DescribeFeatures');
    const groups = statement.Resource.map((arn: any) => arn['Fn::Join'][1].at(-1));
    expect(groups.sort()).toEqual([':feature-group/pds-test-customers', ':feature-group/pds-test-reviews']);
  });

  test('descriptions can be left out', () => {
    templateOf(featureGroup({ describeFeatures: false }).stack).resourceCountIs('Custom::FeatureMetadata', 0);
  });

  test('an Iceberg offline store', () => {
    templateOf(featureGroup({ tableFormat: OfflineTableFormat.ICEBERG }).stack).hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      OfflineStoreConfig: Match.objectLike({ TableFormat: 'Iceberg' }),
    });
  });

  test('an online store: KMS-encrypted with the lake key by default, with a TTL', () => {
    templateOf(featureGroup({ onlineStore: { ttl: Duration.days(30) } }).stack).hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      OnlineStoreConfig: {
        EnableOnlineStore: true,
        StorageType: 'Standard',
        SecurityConfig: { KmsKeyId: keyArn },
        TtlDuration: { Unit: 'Days', Value: 30 },
      },
    });
  });

  test.each([
    [Duration.minutes(90), { Unit: 'Minutes', Value: 90 }],
    [Duration.hours(5), { Unit: 'Hours', Value: 5 }],
    [Duration.days(14), { Unit: 'Weeks', Value: 2 }],
  ])('TTL %p is written in the largest whole unit', (ttl, expected) => {
    templateOf(featureGroup({ onlineStore: { ttl } }).stack).hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      OnlineStoreConfig: Match.objectLike({ TtlDuration: expected }),
    });
  });

  test('an online store with its own key', () => {
    const stack = testStack();
    const storage = new DataLakeStorage(stack, 'Lake');
    const key = new kms.Key(stack, 'OnlineKey', { enableKeyRotation: true });
    new FeatureGroup(stack, 'Reviews', {
      schema: reviewsFeatureGroupSchema('pds-test-reviews'),
      storage,
      databaseName: 'pds_test_lake',
      onlineStore: { key },
    });
    templateOf(stack).hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      OnlineStoreConfig: Match.objectLike({ SecurityConfig: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OnlineKey'), 'Arn'] } } }),
    });
  });

  test('a TTL under a minute is refused', () => {
    expect(() => featureGroup({ onlineStore: { ttl: Duration.seconds(30) } })).toThrow(
      "FeatureGroup 'pds-test-reviews': onlineStore.ttl 30 seconds is not allowed; expected whole minutes, at least 1.",
    );
  });

  test('DESTROY deletes the group with the stack', () => {
    const destroyed = templateOf(featureGroup({ removalPolicy: RemovalPolicy.DESTROY }).stack);
    expect(Object.values(destroyed.findResources('AWS::SageMaker::FeatureGroup'))[0]).toMatchObject({ DeletionPolicy: 'Delete' });
  });

  test('a schema that did not pass validation is refused', () => {
    const schema = { ...reviewsFeatureGroupSchema('pds-test-reviews'), validated: false as unknown as true };
    expect(() => featureGroup({ schema })).toThrow('FeatureGroup: schema must come from validateFeatureGroupSchema().');
  });

  test('grantIngest and grantRead name the group and only the record actions', () => {
    const { stack, group } = featureGroup({ describeFeatures: false });
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    group.grantIngest(writer);
    group.grantRead(reader);
    const t = templateOf(stack);
    const statementsOf = (prefix: string) =>
      Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${prefix}`) }] } })).flatMap(
        (p: any) => p.Properties.PolicyDocument.Statement,
      );
    expect(statementsOf('Writer')).toEqual([
      expect.objectContaining({
        Action: ['sagemaker:DeleteRecord', 'sagemaker:DescribeFeatureGroup', 'sagemaker:PutRecord'],
        Resource: { 'Fn::Join': ['', expect.arrayContaining([':feature-group/pds-test-reviews'])] },
      }),
    ]);
    expect(statementsOf('Reader')).toEqual([
      expect.objectContaining({ Action: ['sagemaker:BatchGetRecord', 'sagemaker:DescribeFeatureGroup', 'sagemaker:GetRecord'] }),
    ]);
  });

  test('grantOfflineQuery lets the grantee query the offline store in a workgroup', () => {
    const { stack, group, storage } = featureGroup({ describeFeatures: false });
    const workGroup = new LakeAthena(stack, 'Athena', {
      storage,
      workGroupName: 'pds-test-lake',
      databaseName: 'pds_test_lake',
      bytesScannedCutoffPerQuery: 10_000_000,
    });
    const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    group.grantOfflineQuery(analyst, workGroup);
    const rendered = JSON.stringify(
      Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Analyst') }] } }),
    );
    expect(rendered).toContain('athena:StartQueryExecution');
    expect(rendered).toContain('/feature-store/*');
    expect(rendered).toContain('/athena-results/*');
  });

  test('latestRecordsSql keeps the latest, not deleted version of each record', () => {
    const { group } = featureGroup({ describeFeatures: false });
    expect(group.latestRecordsSql("split_type = 'train'")).toBe(
      [
        'SELECT "review_id", "date", "sentiment", "label_id", "input_ids", "review_body", "product_category", "split_type"',
        'FROM (',
        '  SELECT *, ROW_NUMBER() OVER (PARTITION BY "review_id"',
        '    ORDER BY "date" DESC, api_invocation_time DESC, write_time DESC) AS row_number',
        '  FROM "pds_test_lake"."pds_test_reviews"',
        ')',
        "WHERE row_number = 1 AND NOT is_deleted AND split_type = 'train'",
      ].join('\n'),
    );
    expect(group.latestRecordsSql()).toMatch(/WHERE row_number = 1 AND NOT is_deleted$/);
  });
});

test('FeatureGroup passes the cdk-nag AwsSolutions checks (with an online store)', () => {
  expect(nagFindings(featureGroup({ onlineStore: { ttl: Duration.days(30) } }).stack)).toEqual([]);
});
