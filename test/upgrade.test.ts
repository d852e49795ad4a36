/**
 * Upgrades lose nothing: the logical ids of the stateful resources (buckets, keys, feature groups,
 * model package groups, Glue and Athena resources) and the names of the SSM parameters stay as a
 * deployed platform has them, so CloudFormation updates them in place. A change here must be
 * deliberate: a new logical id replaces (or, retained, orphans) the resource.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from './helpers';

const STATEFUL = ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SageMaker::FeatureGroup', 'AWS::SageMaker::ModelPackageGroup', 'AWS::Glue::Database', 'AWS::Glue::Table', 'AWS::Athena::WorkGroup'];

function statefulIds(template: Template): Record<string, string[]> {
  return Object.fromEntries(STATEFUL.map((type) => [type, Object.keys(template.findResources(type)).sort()]).filter(([, ids]) => ids.length > 0));
}

/** The model package groups' logical ids (sorted), as the registry has made them from the start. */
const GROUP_IDS: Record<string, string[]> = {
  dev: ['ModelRegistrypdsdevautopilotsentiment1BBDFFF7', 'ModelRegistrypdsdevbertsentimentB5DEDBD7', 'ModelRegistrypdsdevbertsentimentdresses501FB367', 'ModelRegistrypdsdevblazingtextsentiment4D760394'],
  prod: ['ModelRegistrypdsprodautopilotsentimentE050A92E', 'ModelRegistrypdsprodbertsentimentE8CBE909', 'ModelRegistrypdsprodbertsentimentdresses66A477A4', 'ModelRegistrypdsprodblazingtextsentiment593B008C'],
};

describe.each(['dev', 'prod'])('the %s platform', (stage) => {
  const { platform } = buildApp({ stage, bertPipelineVariants: '{"dresses":{"inputPrefix":"raw/dresses/"}}', serving: 'true' });

  test('the data lake keeps its stateful logical ids', () => {
    expect(statefulIds(Template.fromStack(platform.dataLake))).toEqual({
      'AWS::S3::Bucket': ['StorageAccessLogs96FB524C', 'StorageBucket5CB7C8EA'],
      'AWS::KMS::Key': ['StorageKeyBAA9457B'],
      'AWS::Glue::Database': ['CatalogDatabaseE63956BB'],
      'AWS::Glue::Table': ['CatalogReviewsTableEED3DD87'],
      'AWS::Athena::WorkGroup': ['AthenaBC8BA882'],
    });
  });

  test('the registry keeps its stateful logical ids: the feature group and one model package group per family', () => {
    expect(statefulIds(Template.fromStack(platform.mlRegistry))).toEqual({
      'AWS::SageMaker::FeatureGroup': ['ReviewsFeatureGroupCEAD769F'],
      'AWS::SageMaker::ModelPackageGroup': GROUP_IDS[stage],
    });
  });

  test('the serving parameters keep their names; the variant\'s are its own', () => {
    const prefix = `pds-${stage}`;
    expect(platform.modelDeploy.championParameterName).toBe(`/${prefix}/serving/champion-model-package-arn`);
    expect(platform.modelDeploy.challengerParameterName).toBe(`/${prefix}/serving/challenger-model-package-arn`);
    const policies = JSON.stringify(Template.fromStack(platform.modelDeploy).findResources('AWS::IAM::Policy'));
    expect(policies).toContain(`parameter/${prefix}/serving/bert-sentiment-dresses/champion-model-package-arn`);
    expect(platform.serving?.stackName).toBe(`${prefix}-serving`);
  });
});
