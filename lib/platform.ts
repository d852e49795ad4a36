import { App, Duration, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { QualityThresholds } from '../pipeline-definitions/catalogue';
import { JobVpc } from '../pipeline-definitions/lib';
import { BertPipelineStack, BertPipelineStackProps } from './bert-pipeline-stack';
import { OfflineTableFormat } from './constructs/feature-group';
import { CostGuardStack } from './cost-guard-stack';
import { DataLakeStack } from './data-lake-stack';
import { MlRegistryStack } from './ml-registry-stack';
import { deployerContext, ModelDeployStack } from './model-deploy-stack';
import { ServingStack } from './serving-stack';
import { servingPlan } from './serving-plan';
import { contextValues, PlatformConfig } from './settings';

/** The stacks of the platform, as later stacks and the tests reach them. */
export interface Platform {
  readonly dataLake: DataLakeStack;
  readonly mlRegistry: MlRegistryStack;
  readonly bertPipeline: BertPipelineStack;
  /** The stacks of the `bertPipelineVariants` setting, by variant name. */
  readonly bertPipelineVariants: Readonly<Record<string, BertPipelineStack>>;
  /** Approval → deploy: always in the app. */
  readonly modelDeploy: ModelDeployStack;
  /** The endpoint, when serving is enabled or a model package is given. */
  readonly serving?: ServingStack;
  readonly costGuard?: CostGuardStack;
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
  };
}

/**
 * Builds every stack of the platform for a configuration into an app, with the cdk-nag
 * AwsSolutions checks (synth fails on any unacknowledged finding). This is the one place where
 * the configuration becomes the stacks' typed props: no stack reads the configuration itself.
 */
export function buildPlatform(app: App, config: PlatformConfig): Platform {
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
  // Decided (and checked, with the deployer's plan) before any stack is made.
  const plan = servingPlan(config);

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
  const mlRegistry = new MlRegistryStack(app, stackName('ml-registry'), {
    ...stateful,
    lake: dataLake,
    offlineTableFormat: config.offlineStoreTableFormat === 'Iceberg' ? OfflineTableFormat.ICEBERG : OfflineTableFormat.GLUE,
    onlineStore: config.onlineStoreEnabled
      ? { ttl: config.onlineStoreTtlDays !== undefined ? Duration.days(config.onlineStoreTtlDays) : undefined }
      : undefined,
    featureGroups: config.featureGroups,
    bertPipelineVariants: Object.keys(config.bertPipelineVariants ?? {}),
  });
  const pipelineProps: BertPipelineStackProps = {
    env,
    namePrefix,
    lake: dataLake,
    registry: mlRegistry,
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
  const bertPipeline = new BertPipelineStack(app, stackName('bert-pipeline'), pipelineProps);
  // Each variant in a stack of its own: the stacks stay the same size however many there are.
  const bertPipelineVariants = Object.fromEntries(
    Object.entries(config.bertPipelineVariants ?? {}).map(([name, variant]) => [
      name,
      new BertPipelineStack(app, stackName(`bert-pipeline-${name}`), { ...pipelineProps, variant: { name, ...variant } }),
    ]),
  );

  const servingStackName = stackName('serving');
  const modelDeploy = new ModelDeployStack(app, stackName('model-deploy'), {
    env,
    namePrefix,
    lake: dataLake,
    modelPackageGroup: mlRegistry.bertModelPackageGroup,
    servingStackName,
    deployerContext: deployerContext(contextValues(config)),
    promotion: config.servingPromotion,
    notificationEmail: config.servingNotificationEmail,
  });
  const serving = plan
    ? new ServingStack(app, servingStackName, {
        env,
        namePrefix,
        lake: dataLake,
        deploy: modelDeploy,
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
      })
    : undefined;

  const costGuard =
    config.budgetMonthlyLimitUsd !== undefined && config.budgetEmail !== undefined
      ? new CostGuardStack(app, stackName('cost-guard'), {
          env,
          namePrefix,
          monthlyLimitUsd: config.budgetMonthlyLimitUsd,
          email: config.budgetEmail,
        })
      : undefined;

  Tags.of(app).add('project', 'practical-data-science');
  Tags.of(app).add('stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { dataLake, mlRegistry, bertPipeline, bertPipelineVariants, modelDeploy, serving, costGuard };
}
