import { App, Duration, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { QualityThresholds } from '../pipeline-definitions/catalogue';
import { JobVpc } from '../pipeline-definitions/dsl';
import { OfflineTableFormat } from './constructs/feature-group';
import { CostGuardStack } from './cost-guard-stack';
import { DataLakeStack } from './data-lake-stack';
import { MlRegistryStack } from './ml-registry-stack';
import { deployerContext, ModelDeployStack } from './model-deploy-stack';
import { platformFamilies } from '../pipeline-definitions/families';
import { FAMILY_ID_PATTERN, familyEndpointName, familyServingNames, ModelFamily, TrainingPipelineOptions } from './model-family';
import { HumanReviewStack } from './human-review-stack';
import { HumanReviewStateStack } from './human-review-state-stack';
import { TrainingPipelineStack } from './training-pipeline-stack';
import { resourceName } from './naming';
import { ServingStack } from './serving-stack';
import { ServingPlan, servingPlan } from './serving-plan';
import { ConfigError, contextValues, PlatformConfig } from './settings';

/** A family's stacks. */
export interface FamilyStacks {
  readonly family: ModelFamily;
  /** Its pipeline stacks, in the order the family declares them. */
  readonly pipelines: readonly TrainingPipelineStack[];
  /** Its endpoint, when the settings serve the family. */
  readonly serving?: ServingStack;
}

/** The stacks of the platform, as later stacks and the tests reach them. */
export interface Platform {
  readonly dataLake: DataLakeStack;
  readonly mlRegistry: MlRegistryStack;
  /** Every family's stacks, by family id. */
  readonly families: Readonly<Record<string, FamilyStacks>>;
  /** Every family's training pipelines, by pipeline id. */
  readonly pipelines: Readonly<Record<string, TrainingPipelineStack>>;
  /** Approval → deploy, for every family: always in the app. */
  readonly modelDeploy: ModelDeployStack;
  /** The first family's endpoint, when serving is enabled or a model package is given. */
  readonly serving?: ServingStack;
  readonly costGuard?: CostGuardStack;
  /** Human review, with `humanReview`: its state and its APIs and app. */
  readonly humanReview?: { readonly family: ModelFamily; readonly state: HumanReviewStateStack; readonly stack: HumanReviewStack };
}

export interface PlatformOptions {
  /**
   * The model families; the first keeps the names the platform had before there were families.
   * The approval deployer synthesizes `bin/app.ts`, which takes {@link platformFamilies}: a family
   * that is deployed must be listed there (this option is for tests of families as such).
   * @default - the configuration's ({@link platformFamilies})
   */
  readonly families?: readonly ModelFamily[];
}

/** The subnets and security groups of the pipeline jobs that are not isolated, when configured. */
export function pipelineVpc(config: PlatformConfig): JobVpc | undefined {
  return config.pipelineSubnetIds && config.pipelineSecurityGroupIds
    ? { subnetIds: config.pipelineSubnetIds, securityGroupIds: config.pipelineSecurityGroupIds }
    : undefined;
}

/** The quality gates' limits as the definitions take them. */
export function qualityThresholds(config: PlatformConfig): QualityThresholds {
  return {
    dataBias: config.dataBiasThresholds,
    modelBias: config.modelBiasThresholds,
    modelQuality: config.modelQualityThresholds,
    modelQualityTolerance: config.modelQualityTolerance,
    biasMinGroupSize: config.biasMinGroupSize,
    dataQualityDistributionThreshold: config.dataQualityDistributionThreshold,
    maxErrorRecordShare: config.maxErrorRecordShare,
  };
}

/**
 * Builds every stack of the platform for a configuration into an app, with the cdk-nag
 * AwsSolutions checks (synth fails on any unacknowledged finding). This is the one place where
 * the configuration becomes the stacks' typed props: no stack reads the configuration itself.
 */
export function buildPlatform(app: App, config: PlatformConfig, options: PlatformOptions = {}): Platform {
  const families = options.families ?? platformFamilies(config);
  const env = config.account || config.region ? { account: config.account, region: config.region } : undefined;
  const stackName = (suffix: string) => `${config.namePrefix}-${suffix}`;
  const namePrefix = config.namePrefix;
  const stateful = {
    env,
    namePrefix,
    removalPolicy: config.destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    terminationProtection: config.stage === 'prod',
  };
  const vpc = pipelineVpc(config);
  // Decided (and checked) before any stack is made.
  checkFirstFamily(families);
  const plans = servingPlans(config, families);
  checkPipelineIds(families, namePrefix);
  const reviewed = config.humanReview ? humanReviewFamily(config, families) : undefined;

  const dataLake = new DataLakeStack(app, stackName('data-lake'), {
    ...stateful,
    retention: {
      athenaResultsExpirationDays: config.athenaResultsExpirationDays,
      dataCaptureExpirationDays: config.dataCaptureExpirationDays,
      rawDataInfrequentAccessDays: config.rawDataInfrequentAccessDays,
      noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays,
      accessLogsExpirationDays: config.accessLogsExpirationDays,
    },
    eventBridgeNotifications: config.pipelineStartOnNewData,
    crawlerSchedule: config.crawlerSchedule,
    athenaBytesScannedCutoff: config.athenaBytesScannedCutoff,
    deploySampleData: config.deploySampleData,
  });
  const groupName = (family: ModelFamily) => resourceName(namePrefix, family.id, 63);
  const mlRegistry = new MlRegistryStack(app, stackName('ml-registry'), {
    ...stateful,
    storage: dataLake.storage,
    databaseName: dataLake.catalog.databaseName,
    workGroupName: dataLake.athena.workGroupName,
    offlineTableFormat: config.offlineStoreTableFormat === 'Iceberg' ? OfflineTableFormat.ICEBERG : OfflineTableFormat.GLUE,
    onlineStore: config.onlineStoreEnabled
      ? { ttl: config.onlineStoreTtlDays !== undefined ? Duration.days(config.onlineStoreTtlDays) : undefined }
      : undefined,
    featureGroups: config.featureGroups,
    modelPackageGroups: families.map((family) => ({ name: groupName(family), description: family.description, tags: family.tags, outputId: family.groupOutputId })),
  });
  const training: TrainingPipelineOptions = {
    quality: qualityThresholds(config),
    managedQualityServices: config.qualityEngine === 'managed',
    explainability: config.explainability,
    codeVersion: config.codeVersion,
    spotTraining: config.spotTraining,
    definitionStorage: config.pipelineDefinitionStorage,
    schedule: config.pipelineSchedule,
    startOnNewData: config.pipelineStartOnNewData,
    notificationEmail: config.pipelineNotificationEmail,
    vpc,
  };
  // Each pipeline in a stack of its own: the stacks stay the same size however many there are.
  const pipelines = families.map((family) =>
    family.pipelines.map((pipeline) =>
      new TrainingPipelineStack(app, stackName(pipeline.stackSuffix), {
        ...training,
        env,
        namePrefix,
        storage: dataLake.storage,
        reviewsFeatureGroup: mlRegistry.reviewsFeatureGroup,
        modelPackageGroup: mlRegistry.modelRegistry.group(groupName(family)),
        pipeline,
      }),
    ),
  );

  const names = families.map((family) => familyServingNames(namePrefix, family));
  const modelDeploy = new ModelDeployStack(app, stackName('model-deploy'), {
    env,
    namePrefix,
    storage: dataLake.storage,
    families: families.map((family, i) => ({ id: family.id, modelPackageGroup: mlRegistry.modelRegistry.group(groupName(family)), names: names[i] })),
    deployerContext: deployerContext(contextValues(config)),
    promotion: config.servingPromotion,
    notificationEmail: config.servingNotificationEmail,
  });
  const servingStacks = families.map((family, i) => {
    const plan = plans[i];
    if (!plan) return undefined;
    return new ServingStack(app, names[i].stackName, {
      env,
      namePrefix,
      storage: dataLake.storage,
      names: names[i],
      family: family.serving,
      artifactsPrefixes: family.artifactsPrefixes,
      notificationTopic: modelDeploy.importedTopic,
      plan,
      profile: config.servingProfile,
      variants: config.servingVariants,
      autoscaling: config.servingAutoscaling,
      rollout: config.servingRollout,
      serverless: config.servingServerless,
      dataCaptureSamplingPercentage: config.dataCaptureSamplingPercentage,
      monitoring: {
        engine: config.qualityEngine,
        schedule: config.monitoringSchedule,
        driftThreshold: config.dataQualityDistributionThreshold,
        minAccuracy: config.modelQualityThresholds.accuracy,
      },
      vpc,
    });
  });

  const costGuard =
    config.budgetMonthlyLimitUsd !== undefined && config.budgetEmail !== undefined
      ? new CostGuardStack(app, stackName('cost-guard'), {
          env,
          namePrefix,
          monthlyLimitUsd: config.budgetMonthlyLimitUsd,
          email: config.budgetEmail,
        })
      : undefined;

  const humanReview =
    reviewed && buildHumanReview(app, config, reviewed, { env, stateful, storage: dataLake.storage, databaseName: dataLake.catalog.databaseName, modelDeploy });

  Tags.of(app).add('project', 'practical-data-science');
  Tags.of(app).add('stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const familyStacks: Record<string, FamilyStacks> = Object.fromEntries(
    families.map((family, i) => [family.id, { family, pipelines: pipelines[i], serving: servingStacks[i] }]),
  );
  return {
    dataLake,
    mlRegistry,
    families: familyStacks,
    pipelines: Object.fromEntries(pipelines.flat().map((stack) => [stack.pipelineId, stack])),
    modelDeploy,
    serving: servingStacks[0],
    costGuard,
    humanReview,
  };
}

/**
 * The family whose endpoint human review serves: `humanReviewFamily`, else the first.
 * @throws ConfigError naming the setting, the value and the app's families
 */
export function humanReviewFamily(config: PlatformConfig, families: readonly ModelFamily[]): ModelFamily {
  if (config.humanReviewFamily === undefined) return families[0];
  const family = families.find((f) => f.id === config.humanReviewFamily);
  if (!family) {
    throw new ConfigError(
      `Invalid context value 'humanReviewFamily': '${config.humanReviewFamily}' is not a model family of the app; expected one of ${families.map((f) => f.id).join(', ')}.`,
    );
  }
  return family;
}

/** Human review's two stacks: the state (reviewers, queue, catalog) and the APIs, functions and app. */
function buildHumanReview(
  app: App,
  config: PlatformConfig,
  family: ModelFamily,
  shared: {
    env?: { account?: string; region?: string };
    stateful: { namePrefix: string; removalPolicy: RemovalPolicy; terminationProtection: boolean };
    storage: DataLakeStack['storage'];
    databaseName: string;
    /** Its serving topic hears human review's alarms. */
    modelDeploy: ModelDeployStack;
  },
): NonNullable<Platform['humanReview']> {
  const endpointName = familyEndpointName(config.namePrefix, familyServingNames(config.namePrefix, family));
  const state = new HumanReviewStateStack(app, `${config.namePrefix}-human-review-state`, {
    ...shared.stateful,
    env: shared.env,
    storage: shared.storage,
    databaseName: shared.databaseName,
    endpointName,
    mfa: config.humanReviewMfa,
    threatProtection: config.humanReviewThreatProtection,
  });
  const stack = new HumanReviewStack(app, `${config.namePrefix}-human-review`, {
    env: shared.env,
    namePrefix: config.namePrefix,
    storage: shared.storage,
    endpointName,
    threshold: config.humanReviewThreshold,
    claimDuration: Duration.minutes(config.humanReviewClaimMinutes),
    throttling: config.humanReviewThrottling,
    reviewers: state.reviewers,
    queue: state.queue,
    notificationTopic: shared.modelDeploy.importedTopic,
  });
  // The topic is imported by its export: the model-deploy stack must be there first.
  stack.addStackDependency(shared.modelDeploy, 'its alarms notify the serving topic, imported by its export');
  return { family, state, stack };
}

/**
 * Every pipeline of the app has an id of its own: it names the pipeline, its stack's lake prefix
 * and its rendering.
 * @throws ConfigError naming the id and the families that declare it twice
 */
export function checkPipelineIds(families: readonly ModelFamily[], namePrefix: string): void {
  /** Claims a name for its owner; a second claim is refused, naming both owners. */
  const claims = (what: string, expected: string) => {
    const owners = new Map<string, string>();
    return (name: string, owner: string) => {
      const first = owners.get(name);
      if (first !== undefined) throw new ConfigError(`${what} '${name}' is declared by ${first} and by ${owner}; expected ${expected}.`);
      owners.set(name, owner);
    };
  };
  const pipelineId = claims('Pipeline id', 'one of each per app');
  const stackSuffix = claims('Pipeline stack suffix', 'one stack per suffix');
  for (const family of families) {
    // A monitoring pipeline shares the lake's `pipelines/<id>/` with the training pipelines.
    pipelineId(familyServingNames(namePrefix, family).monitorId, `the monitoring pipeline of model family '${family.id}'`);
  }
  for (const family of families) {
    for (const pipeline of family.pipelines) {
      pipelineId(pipeline.id, `model family '${family.id}'`);
      stackSuffix(pipeline.stackSuffix, `model family '${family.id}'`);
    }
  }
}

/**
 * The first family keeps the names the platform had before there were families, and is the one
 * `serving`, `modelPackageArn` and `challengerModelPackageArn` serve: exactly it may keep them.
 * @throws ConfigError naming the families when the first does not keep them or another does
 */
export function checkFirstFamily(families: readonly ModelFamily[]): void {
  if (families.length === 0) throw new ConfigError('The app has no model family; expected at least one in pipeline-definitions/families/index.ts.');
  const keepers = families.filter((f) => f.keepsFirstNames);
  if (!families[0].keepsFirstNames || keepers.length !== 1) {
    throw new ConfigError(
      `Model family '${families[0].id}' comes first but ${families[0].keepsFirstNames ? 'is not alone in keeping' : 'does not keep'} the first names (families that keep them: ${keepers.map((f) => f.id).join(', ') || 'none'}); expected the first family alone to keep them (list new family packages after the first).`,
    );
  }
}

/**
 * What each family's endpoint serves, or undefined when it is not served: the first family
 * as `serving`, `modelPackageArn` and `challengerModelPackageArn` say; the others of
 * `servingFamilies` from their own SSM parameters.
 * @throws ConfigError when a served family is not one of the app's, or the families clash
 */
export function servingPlans(config: PlatformConfig, families: readonly ModelFamily[]): (ServingPlan | undefined)[] {
  const ids = families.map((f) => f.id);
  for (const id of ids) {
    if (!FAMILY_ID_PATTERN.test(id)) throw new ConfigError(`Model family id '${id}' is not allowed; expected lowercase letters, digits and single hyphens.`);
  }
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new ConfigError(`Model family '${twice}' is declared twice; expected unique family ids (a variant a family makes from the settings may clash with another family).`);
  // A family's monitoring pipeline is named and stored as `<id>-monitor`: no family may take that id.
  for (const family of families) {
    const monitorId = familyServingNames(config.namePrefix, family).monitorId;
    const clash = families.find((other) => other.id === monitorId);
    if (clash) {
      throw new ConfigError(
        `Model family '${clash.id}' clashes with the monitoring pipeline of family '${family.id}' (named ${monitorId}); expected a family id that does not end in '-monitor' (rename the family, or the settings' variant that makes it).`,
      );
    }
  }
  const unknown = (config.servingFamilies ?? []).filter((id) => !ids.includes(id));
  if (unknown.length > 0) {
    throw new ConfigError(`Invalid context value 'servingFamilies': ${unknown.map((u) => `'${u}'`).join(', ')} is not a model family of the app; expected some of ${ids.join(', ')}.`);
  }
  const plans = families.map((family, i) => {
    const served = (config.servingFamilies ?? []).includes(family.id);
    if (i === 0) return servingPlan({ ...config, serving: config.serving || served });
    return served ? servingPlan({ serving: true, servingPromotion: config.servingPromotion }) : undefined;
  });
  // Serverless Inference hosts one container: a serial inference pipeline needs instances.
  const pipelines = families.filter((family, i) => plans[i] !== undefined && family.serving.inferenceImages.length > 1);
  if (config.servingProfile === 'serverless' && pipelines.length > 0) {
    throw new ConfigError(
      `Invalid context value 'servingProfile': serverless cannot serve ${pipelines.map((f) => `'${f.id}' (a serial inference pipeline of ${f.serving.inferenceImages.length} containers)`).join(', ')}; ` +
        'Serverless Inference hosts one container. Expected instance, or a servingFamilies without it.',
    );
  }
  return plans;
}
