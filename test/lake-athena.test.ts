import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RemovalPolicy } from 'aws-cdk-lib';
import { DataLakeStorage } from '../lib/constructs/data-lake-storage';
import { COURSE_QUERIES, LakeAthena, LakeAthenaProps } from '../lib/constructs/lake-athena';
import { ATHENA_MIN_BYTES_SCANNED_CUTOFF } from '../lib/service-limits';
import { LakePrefix } from '../lib/lake-layout';
import { nagFindings, templateOf, testStack } from './helpers';

function athena(props: Partial<LakeAthenaProps> = {}) {
  const stack = testStack();
  const storage = new DataLakeStorage(stack, 'Lake');
  const construct = new LakeAthena(stack, 'Athena', {
    storage,
    workGroupName: 'pds-test-lake',
    databaseName: 'pds_test_lake',
    bytesScannedCutoffPerQuery: 1_000_000_000,
    ...props,
  });
  return { stack, construct };
}

describe('LakeAthena', () => {
  test('a workgroup on engine v3 with enforced settings, metrics, a scan cutoff and KMS-encrypted results in the lake', () => {
    templateOf(athena().stack).hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'pds-test-lake',
      State: 'ENABLED',
      RecursiveDeleteOption: false,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        RequesterPaysEnabled: false,
        BytesScannedCutoffPerQuery: 1_000_000_000,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^LakeBucket') }, '/athena-results/']] },
          EncryptionConfiguration: {
            EncryptionOption: 'SSE_KMS',
            KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeKey'), 'Arn'] },
          },
          ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
        },
      },
    });
  });

  test('the workgroup is retained unless DESTROY is asked for', () => {
    const retained = templateOf(athena().stack);
    expect(Object.values(retained.findResources('AWS::Athena::WorkGroup'))[0]).toMatchObject({ DeletionPolicy: 'Retain' });
    const destroyed = templateOf(athena({ removalPolicy: RemovalPolicy.DESTROY }).stack);
    expect(Object.values(destroyed.findResources('AWS::Athena::WorkGroup'))[0]).toMatchObject({ DeletionPolicy: 'Delete' });
    destroyed.hasResourceProperties('AWS::Athena::WorkGroup', { RecursiveDeleteOption: true });
  });

  test('the course exploration queries are named queries of the workgroup over the lake database', () => {
    const template = templateOf(athena().stack);
    template.resourceCountIs('AWS::Athena::NamedQuery', COURSE_QUERIES.length);
    for (const name of ['reviews-count-by-category', 'reviews-average-sentiment-by-category', 'reviews-count-by-category-and-sentiment']) {
      template.hasResourceProperties('AWS::Athena::NamedQuery', {
        Name: name,
        Database: 'pds_test_lake',
        WorkGroup: { Ref: Match.stringLikeRegexp('^Athena') },
        QueryString: Match.stringLikeRegexp('FROM reviews'),
      });
    }
    template.hasResourceProperties('AWS::Athena::NamedQuery', {
      Name: 'reviews-average-sentiment-by-category',
      QueryString: Match.stringLikeRegexp('AVG\\(sentiment\\)'),
    });
  });

  test.each([
    [{ bytesScannedCutoffPerQuery: ATHENA_MIN_BYTES_SCANNED_CUTOFF - 1 }, 'bytesScannedCutoffPerQuery 9999999 is not allowed; expected an integer of at least 10000000'],
    [{ workGroupName: 'has space' }, "workGroupName 'has space' is not allowed"],
    [
      { queries: [COURSE_QUERIES[0], COURSE_QUERIES[0]] },
      "query name 'reviews-count-by-category' is used twice",
    ],
  ])('bad props fail clearly: %p', (props, message) => {
    expect(() => athena(props)).toThrow(`LakeAthena: ${message}`);
  });

  test('grantQuery: run queries in this workgroup, read the catalog and the given prefixes, write results', () => {
    const { stack, construct } = athena();
    const role = new iam.Role(stack, 'Analyst', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    construct.grantQuery(role, [LakePrefix.transformed]);
    const template = templateOf(stack);
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))[0] as any;
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    const find = (action: string) => statements.find((s) => [s.Action].flat().includes(action));
    expect(JSON.stringify(find('athena:StartQueryExecution').Resource)).toContain(':workgroup/pds-test-lake');
    expect(JSON.stringify(find('glue:GetTable').Resource)).toContain(':table/pds_test_lake/*');
    expect(JSON.stringify(find('s3:GetObject').Resource)).toContain('/transformed/*');
    expect(JSON.stringify(find('s3:PutObject').Resource)).toContain('/athena-results/*');
  });
});

test('LakeAthena passes the cdk-nag AwsSolutions checks', () => {
  expect(nagFindings(athena().stack)).toEqual([]);
});
