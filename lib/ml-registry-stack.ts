import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import { Construct } from 'constructs';
import { FeatureGroup, OfflineTableFormat } from './constructs/feature-group';
import { FeatureMetadataWriter } from './constructs/feature-metadata-writer';
import { ModelPackageGroupSpec, ModelRegistry } from './constructs/model-registry';
import { ILakeStorage } from './constructs/data-lake-storage';
import { logGroupName } from './data-lake-stack';
import { validateFeatureGroupSchema } from './feature-store/feature-schema';
import { reviewsFeatureGroupSchema } from './feature-store/reviews-features';
import { resourceName } from './naming';
import { FeatureGroupSetting } from './settings';
import { StatefulStack, StatefulStackProps } from './stateful-stack';

export interface MlRegistryStackProps extends StatefulStackProps {
  /** The lake that holds the offline stores (its key encrypts the helper's logs too). */
  readonly storage: ILakeStorage;
  /** The Glue database of the offline stores' tables. */
  readonly databaseName: string;
  /** The Athena workgroup of the saved training-set query. */
  readonly workGroupName: string;
  /**
   * Table format of the feature groups' offline stores.
   * @default OfflineTableFormat.GLUE
   */
  readonly offlineTableFormat?: OfflineTableFormat;
  /**
   * Give every feature group an online store, with this time to live of its records.
   * @default - no online store
   */
  readonly onlineStore?: { readonly ttl?: Duration };
  /**
   * Feature groups beside the reviews group.
   * @default - none
   */
  readonly featureGroups?: readonly FeatureGroupSetting[];
  /** The model package groups: one per model family. */
  readonly modelPackageGroups: readonly RegistryGroup[];
}

/** A model package group of the registry stack. */
export interface RegistryGroup extends ModelPackageGroupSpec {
  /**
   * Also a stack output of this id, whose value is the group's name.
   * @default - no output
   */
  readonly outputId?: string;
}

/**
 * The platform's registries (stateful): SageMaker Feature Store feature groups, with their offline
 * stores in the lake, and the Model Registry's model package groups. Retained, with termination
 * protection, in prod; deleted with the stack only in dev with `destroyOnRemoval`.
 */
export class MlRegistryStack extends StatefulStack {
  /** The course's reviews feature group. */
  public readonly reviewsFeatureGroup: FeatureGroup;
  public readonly modelRegistry: ModelRegistry;
  /** The feature groups of the `featureGroups` setting, by their short names. */
  public readonly featureGroups: Readonly<Record<string, FeatureGroup>>;
  /** The saved Athena query that builds the training set from the offline store. */
  public readonly trainingSetQuery: athena.CfnNamedQuery;

  constructor(scope: Construct, id: string, props: MlRegistryStackProps) {
    super(scope, id, 'Practical Data Science platform: Feature Store feature groups and Model Registry', props);
    const { storage } = props;
    const prefix = this.namePrefix;
    const removalPolicy = this.removalPolicy;

    // One helper writes the feature descriptions of every group in the stack.
    const metadataWriter = new FeatureMetadataWriter(this, 'FeatureMetadataWriter', {
      logGroupName: logGroupName(prefix, 'feature-store/describe-features'),
      logKey: storage.key,
    });
    // Every group of the stack has the same storage settings.
    const groupOptions = {
      storage,
      databaseName: props.databaseName,
      tableFormat: props.offlineTableFormat ?? OfflineTableFormat.GLUE,
      onlineStore: props.onlineStore,
      metadataWriter,
      removalPolicy,
    };
    this.reviewsFeatureGroup = new FeatureGroup(this, 'ReviewsFeatureGroup', {
      schema: reviewsFeatureGroupSchema(resourceName(prefix, 'reviews', 64)),
      ...groupOptions,
    });
    this.featureGroups = Object.fromEntries(
      (props.featureGroups ?? []).map((group) => [
        group.name,
        new FeatureGroup(this, `FeatureGroup-${group.name}`, {
          schema: validateFeatureGroupSchema({
            featureGroupName: resourceName(prefix, group.name, 64),
            description: group.description,
            recordIdentifier: group.recordIdentifier,
            eventTime: group.eventTime,
            features: group.features,
          }),
          ...groupOptions,
        }),
      ]),
    );

    this.modelRegistry = new ModelRegistry(this, 'ModelRegistry', { groups: props.modelPackageGroups, removalPolicy });

    this.trainingSetQuery = new athena.CfnNamedQuery(this, 'TrainingSetQuery', {
      name: 'reviews-features-training-set',
      description: 'Training split from the reviews feature group: the latest version of each review, deleted records left out',
      database: props.databaseName,
      workGroup: props.workGroupName,
      queryString: this.reviewsFeatureGroup.latestRecordsSql("split_type = 'train'"),
    });

    new CfnOutput(this, 'ReviewsFeatureGroupName', { value: this.reviewsFeatureGroup.featureGroupName });
    new CfnOutput(this, 'ReviewsOfflineTable', {
      value: `${this.reviewsFeatureGroup.offlineDatabaseName}.${this.reviewsFeatureGroup.offlineTableName}`,
      description: 'Glue table of the reviews offline store (query it in the lake workgroup)',
    });
    for (const group of props.modelPackageGroups) {
      if (group.outputId) new CfnOutput(this, group.outputId, { value: group.name });
    }
  }
}
