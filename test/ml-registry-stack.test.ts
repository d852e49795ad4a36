import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from './helpers';

function registryTemplate(context: Record<string, unknown>) {
  const { platform } = buildApp(context);
  return { template: Template.fromStack(platform.mlRegistry), stack: platform.mlRegistry };
}

/**
 * Feature Store cannot change a group's features, identifier, event time, table format or catalog
 * settings in place. This pins each group's definition: a change here is a new feature group and
 * must be reviewed as one (see FeatureGroup's docs).
 */
describe('pinned feature group definitions', () => {
  test.each(['dev', 'prod'])('the reviews group in %s', (stage) => {
    const { template } = registryTemplate({ stage });
    const [group] = Object.values(template.findResources('AWS::SageMaker::FeatureGroup'));
    const { FeatureGroupName, RecordIdentifierFeatureName, EventTimeFeatureName, FeatureDefinitions, OfflineStoreConfig } = group.Properties;
    expect({
      FeatureGroupName,
      RecordIdentifierFeatureName,
      EventTimeFeatureName,
      FeatureDefinitions,
      TableFormat: OfflineStoreConfig.TableFormat,
      DataCatalogConfig: OfflineStoreConfig.DataCatalogConfig,
      DisableGlueTableCreation: OfflineStoreConfig.DisableGlueTableCreation,
    }).toEqual({
      FeatureGroupName: `pds-${stage}-reviews`,
      RecordIdentifierFeatureName: 'review_id',
      EventTimeFeatureName: 'date',
      FeatureDefinitions: [
        { FeatureName: 'review_id', FeatureType: 'String' },
        { FeatureName: 'date', FeatureType: 'String' },
        { FeatureName: 'sentiment', FeatureType: 'Integral' },
        { FeatureName: 'label_id', FeatureType: 'Integral' },
        { FeatureName: 'input_ids', FeatureType: 'String' },
        { FeatureName: 'review_body', FeatureType: 'String' },
        { FeatureName: 'product_category', FeatureType: 'String' },
        { FeatureName: 'split_type', FeatureType: 'String' },
      ],
      TableFormat: 'Glue',
      DataCatalogConfig: { Catalog: 'AwsDataCatalog', Database: `pds_${stage}_lake`, TableName: `pds_${stage}_reviews` },
      DisableGlueTableCreation: false,
    });
  });
});

describe('MlRegistryStack in dev', () => {
  const { template, stack } = registryTemplate({ stage: 'dev' });

  test('no termination protection; groups retained unless destroyOnRemoval', () => {
    expect(stack.terminationProtection).toBe(false);
    for (const type of ['AWS::SageMaker::FeatureGroup', 'AWS::SageMaker::ModelPackageGroup']) {
      expect(Object.values(template.findResources(type))[0]).toMatchObject({ DeletionPolicy: 'Retain' });
    }
  });

  test('the offline store lives in the lake, encrypted with the lake key (cross-stack)', () => {
    const rendered = JSON.stringify(Object.values(template.findResources('AWS::SageMaker::FeatureGroup'))[0]);
    expect(rendered).toContain('pds-dev-data-lake');
    expect(rendered).toContain('/feature-store/');
    expect(rendered).toMatch(/StorageKey[0-9A-F]{8}Arn/);
  });

  test('the dev stage has no online store', () => {
    template.hasResourceProperties('AWS::SageMaker::FeatureGroup', { OnlineStoreConfig: { EnableOnlineStore: false } });
  });

  test('a model package group for the BERT pipeline, with description and tags', () => {
    template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: 'pds-dev-bert-sentiment',
      ModelPackageGroupDescription: Match.stringLikeRegexp('RoBERTa'),
      Tags: Match.arrayWith([{ Key: 'pipeline', Value: 'bert-sentiment' }]),
    });
  });

  test('a training-set query over the offline store in the lake workgroup', () => {
    template.hasResourceProperties('AWS::Athena::NamedQuery', {
      Name: 'reviews-features-training-set',
      Database: 'pds_dev_lake',
      WorkGroup: 'pds-dev-lake',
      QueryString: Match.stringLikeRegexp(`FROM "pds_dev_lake"\\."pds_dev_reviews"[\\s\\S]*split_type = 'train'`),
    });
  });

  test('exposes what later stacks need as typed properties', () => {
    expect(stack.reviewsFeatureGroup.featureGroupName).toBe('pds-dev-reviews');
    expect(stack.reviewsFeatureGroup.offlineTableName).toBe('pds_dev_reviews');
    expect(stack.modelRegistry.group('pds-dev-bert-sentiment').modelPackageGroupName).toBe('pds-dev-bert-sentiment');
    template.hasOutput('ReviewsFeatureGroupName', { Value: 'pds-dev-reviews' });
    template.hasOutput('BertModelPackageGroupName', { Value: 'pds-dev-bert-sentiment' });
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('MlRegistryStack in prod', () => {
  const { template, stack } = registryTemplate({ stage: 'prod' });

  test('termination protection and Retain on feature and model package groups', () => {
    expect(stack.terminationProtection).toBe(true);
    for (const type of ['AWS::SageMaker::FeatureGroup', 'AWS::SageMaker::ModelPackageGroup']) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  test('an online store encrypted with the lake key', () => {
    const [group] = Object.values(template.findResources('AWS::SageMaker::FeatureGroup'));
    expect(group.Properties.OnlineStoreConfig).toMatchObject({ EnableOnlineStore: true, StorageType: 'Standard' });
    expect(JSON.stringify(group.Properties.OnlineStoreConfig.SecurityConfig)).toMatch(/StorageKey[0-9A-F]{8}Arn/);
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('MlRegistryStack options', () => {
  test('destroyOnRemoval in dev deletes the groups with the stack', () => {
    const { template } = registryTemplate({ destroyOnRemoval: 'true' });
    for (const type of ['AWS::SageMaker::FeatureGroup', 'AWS::SageMaker::ModelPackageGroup']) {
      expect(Object.values(template.findResources(type))[0]).toMatchObject({ DeletionPolicy: 'Delete' });
    }
  });

  test('online store TTL and Iceberg from context', () => {
    const { template } = registryTemplate({ onlineStoreEnabled: 'true', onlineStoreTtlDays: '14', offlineStoreTableFormat: 'Iceberg' });
    template.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      OfflineStoreConfig: Match.objectLike({ TableFormat: 'Iceberg' }),
      OnlineStoreConfig: Match.objectLike({ EnableOnlineStore: true, TtlDuration: { Unit: 'Weeks', Value: 2 } }),
    });
  });
});
