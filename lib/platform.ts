import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlatformConfig, servingPlan } from './config';
import { BertPipelineStack } from './bert-pipeline-stack';
import { CostGuardStack } from './cost-guard-stack';
import { DataLakeStack } from './data-lake-stack';
import { MlRegistryStack } from './ml-registry-stack';
import { ModelDeployStack } from './model-deploy-stack';
import { ServingStack } from './serving-stack';

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

/**
 * Builds every stack of the platform for a configuration into an app, with the cdk-nag
 * AwsSolutions checks (synth fails on any unacknowledged finding).
 */
export function buildPlatform(app: App, config: PlatformConfig): Platform {
  const env = config.account || config.region ? { account: config.account, region: config.region } : undefined;
  const stackName = (suffix: string) => `${config.namePrefix}-${suffix}`;

  const dataLake = new DataLakeStack(app, stackName('data-lake'), { env, config });
  const mlRegistry = new MlRegistryStack(app, stackName('ml-registry'), { env, config, lake: dataLake });
  const bertPipeline = new BertPipelineStack(app, stackName('bert-pipeline'), { env, config, lake: dataLake, registry: mlRegistry });
  // Each variant in a stack of its own: the stacks stay the same size however many there are.
  const bertPipelineVariants = Object.fromEntries(
    Object.entries(config.bertPipelineVariants ?? {}).map(([name, variant]) => [
      name,
      new BertPipelineStack(app, stackName(`bert-pipeline-${name}`), { env, config, lake: dataLake, registry: mlRegistry, variant: { name, ...variant } }),
    ]),
  );

  const servingStackName = stackName('serving');
  const modelDeploy = new ModelDeployStack(app, stackName('model-deploy'), {
    env,
    config,
    lake: dataLake,
    modelPackageGroup: mlRegistry.bertModelPackageGroup,
    servingStackName,
  });
  const plan = servingPlan(config);
  const serving = plan ? new ServingStack(app, servingStackName, { env, config, lake: dataLake, deploy: modelDeploy, plan }) : undefined;

  const costGuard =
    config.budgetMonthlyLimitUsd !== undefined && config.budgetEmail !== undefined
      ? new CostGuardStack(app, stackName('cost-guard'), {
          env,
          namePrefix: config.namePrefix,
          monthlyLimitUsd: config.budgetMonthlyLimitUsd,
          email: config.budgetEmail,
        })
      : undefined;

  Tags.of(app).add('project', 'practical-data-science');
  Tags.of(app).add('stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { dataLake, mlRegistry, bertPipeline, bertPipelineVariants, modelDeploy, serving, costGuard };
}
