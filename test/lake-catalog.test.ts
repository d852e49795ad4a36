import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DataLakeStorage } from '../lib/constructs/data-lake-storage';
import { CRAWLER_TABLE_PREFIX, LakeCatalog, LakeCatalogProps, RAW_REVIEW_COLUMNS } from '../lib/constructs/lake-catalog';
import { nagFindings, templateOf, testStack } from './helpers';

function catalog(props: Partial<LakeCatalogProps> = {}): { stack: Stack; template: () => Template } {
  const stack = testStack();
  const storage = new DataLakeStorage(stack, 'Lake');
  new LakeCatalog(stack, 'Catalog', {
    storage,
    databaseName: 'pds_test_lake',
    securityConfigurationName: 'pds-test-lake',
    crawlerName: 'pds-test-raw-reviews',
    ...props,
  });
  return { stack, template: () => templateOf(stack) };
}

describe('LakeCatalog', () => {
  const template = catalog({ crawlerSchedule: 'cron(0 3 * * ? *)' }).template();

  test('a database in the account catalog', () => {
    template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseInput: { Name: 'pds_test_lake', Description: Match.stringLikeRegexp('.+') },
    });
  });

  test('a security configuration: SSE-KMS for S3 and CloudWatch, CSE-KMS for job bookmarks, all with the lake key', () => {
    const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeKey'), 'Arn'] };
    template.hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      Name: 'pds-test-lake',
      EncryptionConfiguration: {
        S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: keyArn }],
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: keyArn },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: keyArn },
      },
    });
  });

  test('a CSV classifier for the dataset: header present, comma, double quotes, its columns', () => {
    template.hasResourceProperties('AWS::Glue::Classifier', {
      CsvClassifier: {
        Name: 'pds-test-raw-reviews',
        ContainsHeader: 'PRESENT',
        Delimiter: ',',
        QuoteSymbol: '"',
        Header: [...RAW_REVIEW_COLUMNS],
      },
    });
  });

  test('a crawler over the raw reviews with the security configuration, classifier, schedule and policies', () => {
    template.hasResourceProperties('AWS::Glue::Crawler', {
      Name: 'pds-test-raw-reviews',
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CatalogCrawlerRole'), 'Arn'] },
      DatabaseName: 'pds_test_lake',
      TablePrefix: CRAWLER_TABLE_PREFIX,
      Classifiers: ['pds-test-raw-reviews'],
      CrawlerSecurityConfiguration: 'pds-test-lake',
      Targets: {
        S3Targets: [{ Path: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^LakeBucket') }, '/raw/womens-clothing-reviews/']] } }],
      },
      Schedule: { ScheduleExpression: 'cron(0 3 * * ? *)' },
      SchemaChangePolicy: { UpdateBehavior: 'UPDATE_IN_DATABASE', DeleteBehavior: 'DEPRECATE_IN_DATABASE' },
      RecrawlPolicy: { RecrawlBehavior: 'CRAWL_EVERYTHING' },
      Configuration: Match.serializedJson({
        Version: 1,
        CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
        Grouping: { TableGroupingPolicy: 'CombineCompatibleSchemas' },
      }),
    });
  });

  test('the crawler waits for its database, classifier, security configuration and role policy', () => {
    const crawler = Object.values(template.findResources('AWS::Glue::Crawler'))[0];
    expect(crawler.DependsOn).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CatalogDatabase/),
        expect.stringMatching(/^CatalogCsvClassifier/),
        expect.stringMatching(/^CatalogSecurityConfiguration/),
        expect.stringMatching(/^CatalogCrawlerRoleDefaultPolicy/),
      ]),
    );
  });

  test('without a schedule the crawler runs on demand', () => {
    const onDemand = catalog().template();
    onDemand.hasResourceProperties('AWS::Glue::Crawler', { Schedule: Match.absent() });
  });

  test('the crawler role has no AWS managed policies and only what the crawler needs', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'glue.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^CatalogCrawlerRole') }] },
    });
    const statements: any[] = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.every((a: string) => !a.endsWith('*'))).toBe(true);
    expect(actions).toEqual(
      expect.arrayContaining(['glue:CreateTable', 'glue:UpdateTable', 'logs:AssociateKmsKey', 's3:GetObject', 'kms:Decrypt']),
    );
    expect(actions).not.toContain('s3:PutObject');
    const glue = statements.find((s) => s.Sid === 'CatalogTablesOfTheCrawler');
    expect(JSON.stringify(glue.Resource)).toContain(`:table/pds_test_lake/${CRAWLER_TABLE_PREFIX}*`);
    const logs = statements.find((s) => s.Sid === 'EncryptedCrawlerLogs');
    expect(JSON.stringify(logs.Resource)).toContain(':log-group:/aws-glue/crawlers*');
    const read = statements.find((s) => [s.Action].flat().includes('s3:GetObject'));
    expect(JSON.stringify(read.Resource)).toContain('/raw/womens-clothing-reviews/*');
  });

  test('the explicit reviews table: Parquet over the transformed prefix with the course columns', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseName: 'pds_test_lake',
      TableInput: {
        Name: 'reviews',
        TableType: 'EXTERNAL_TABLE',
        Parameters: Match.objectLike({ classification: 'parquet' }),
        StorageDescriptor: {
          Columns: [
            Match.objectLike({ Name: 'sentiment', Type: 'int' }),
            Match.objectLike({ Name: 'review_body', Type: 'string' }),
            Match.objectLike({ Name: 'product_category', Type: 'string' }),
          ],
          Location: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^LakeBucket') }, '/transformed/reviews/']] },
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' }),
        },
      },
    });
  });

  test.each([
    [{ databaseName: 'PDS-Lake' }, "databaseName 'PDS-Lake' is not allowed; expected lowercase letters, digits and underscores"],
    [{ crawlerName: 'bad name' }, "crawlerName 'bad name' is not allowed"],
    [{ securityConfigurationName: '' }, "securityConfigurationName '' is not allowed"],
    [{ crawlerSchedule: 'rate(1 day)' }, "crawlerSchedule 'rate(1 day)' is not allowed; expected a Glue cron expression"],
  ])('bad props fail with the prop, the value and what is allowed: %p', (props, message) => {
    expect(() => catalog(props)).toThrow(`LakeCatalog: ${message}`);
  });
});

test('LakeCatalog passes the cdk-nag AwsSolutions checks (with a crawler schedule)', () => {
  expect(nagFindings(catalog({ crawlerSchedule: 'cron(0 3 * * ? *)' }).stack)).toEqual([]);
});
