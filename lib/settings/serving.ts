/**
 * Settings of serving: which model packages the endpoint serves, its variants, autoscaling,
 * rollout, serverless profile, data capture and monitoring.
 */
import { DEPLOY_INSTANCE_TYPES } from '../../pipeline-definitions/catalogue';
import { hasLocalNvmeStorage } from '../../pipeline-definitions/dsl/instance-types';
import { MODEL_PACKAGE_ARN_PATTERN, SERVERLESS_MAX_CONCURRENCY, SERVERLESS_MEMORY_SIZES } from '../service-limits';
import { MODEL_MONITOR_SCHEDULES, toModelMonitorSchedule } from '../schedules';
import { deployerChoice, ServingPlan, servingPlan } from '../serving-plan';
import {
  bool,
  ConfigError,
  ConfigOf,
  EMAIL_PATTERN,
  everyStage,
  FieldCheck,
  IgnoredSetting,
  integer,
  isInteger,
  listOf,
  isNumberIn,
  isObject,
  jsonValue,
  matching,
  NotAllowed,
  objectOf,
  oneOf,
  schedule,
  SCHEDULE_ALLOWED,
  setting,
} from './setting';

/** The endpoint's variants: VariantA serves the champion, VariantB the challenger. */
export const SERVING_VARIANTS = ['VariantA', 'VariantB'] as const;
export type ServingVariantName = (typeof SERVING_VARIANTS)[number];

/** A production variant as the `servingVariants` setting declares it. */
export interface ServingVariantSetting {
  /** Hosting instance type, one the registered model packages support. */
  readonly instanceType: string;
  /** Instances at creation (autoscaling moves between its minimum and maximum). */
  readonly initialInstanceCount: number;
  /** Relative share of the traffic. */
  readonly weight: number;
}

/** The `servingAutoscaling` setting. */
export interface ServingAutoscalingSetting {
  readonly enabled: boolean;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Target of SageMakerVariantInvocationsPerInstance (invocations per instance per minute). */
  readonly targetInvocationsPerInstance: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
}

/** The `servingRollout` setting. */
export interface ServingRolloutSetting {
  /** Share of the new fleet's capacity that takes traffic first, in percent. */
  readonly canaryPercent: number;
  /** Baking time after the canary step and after the full shift, in seconds. */
  readonly waitSeconds: number;
  /** Average model latency (milliseconds) over a minute that rolls an update back. */
  readonly maxModelLatencyMs: number;
}

/** The `servingServerless` setting. */
export interface ServingServerlessSetting {
  readonly memorySizeInMb: number;
  readonly maxConcurrency: number;
}

/** Hosting instance types the endpoint accepts: those the registered packages support. */
function isHostingInstanceType(value: unknown): boolean {
  if (typeof value === 'string' && hasLocalNvmeStorage(value)) {
    throw new NotAllowed(
      `instanceType '${value}' has local NVMe storage, for which SageMaker rejects the endpoint's volume KMS key; expected an EBS-backed type`,
    );
  }
  return (DEPLOY_INSTANCE_TYPES as readonly unknown[]).includes(value);
}

/** The course's A/B test: ml.m5.large, one instance each, half the traffic each. */
export const DEFAULT_SERVING_VARIANT: ServingVariantSetting = { instanceType: 'ml.m5.large', initialInstanceCount: 1, weight: 1 };
const SERVING_VARIANT_CHECKS: { readonly [K in keyof ServingVariantSetting]: FieldCheck } = {
  instanceType: [isHostingInstanceType, `one of ${DEPLOY_INSTANCE_TYPES.join(', ')} (the types the registered packages support)`],
  initialInstanceCount: [isInteger(1, 100), 'an integer from 1 to 100'],
  weight: [isNumberIn(0, 1_000_000), 'a number from 0 to 1000000'],
};

function servingVariants(raw: unknown): Readonly<Record<ServingVariantName, ServingVariantSetting>> | undefined {
  const value = jsonValue(raw);
  if (!isObject(value)) return undefined;
  const result = Object.fromEntries(SERVING_VARIANTS.map((name) => [name, DEFAULT_SERVING_VARIANT])) as Record<ServingVariantName, ServingVariantSetting>;
  for (const [name, variant] of Object.entries(value)) {
    if (!(SERVING_VARIANTS as readonly string[]).includes(name)) {
      throw new NotAllowed(`unknown variant '${name}'; expected ${SERVING_VARIANTS.join(', ')}`);
    }
    const parsed = objectOf(DEFAULT_SERVING_VARIANT, SERVING_VARIANT_CHECKS, `${name}.`)(variant);
    if (!parsed) throw new NotAllowed(`${name} is not an object`);
    result[name as ServingVariantName] = parsed;
  }
  return result;
}

/** The course's autoscaling: 1 to 2 instances, 2 invocations per instance per minute, 60 s out, 300 s in. */
export const DEFAULT_SERVING_AUTOSCALING: ServingAutoscalingSetting = {
  enabled: true,
  minCapacity: 1,
  maxCapacity: 2,
  targetInvocationsPerInstance: 2.0,
  scaleOutCooldownSeconds: 60,
  scaleInCooldownSeconds: 300,
};
const servingAutoscaling = objectOf(DEFAULT_SERVING_AUTOSCALING, {
  enabled: [(v) => typeof v === 'boolean', 'true or false'],
  minCapacity: [isInteger(1, 100), 'an integer from 1 to 100'],
  maxCapacity: [isInteger(1, 100), 'an integer from 1 to 100'],
  targetInvocationsPerInstance: [(v) => typeof v === 'number' && v > 0 && v <= 1_000_000, 'a positive number up to 1000000'],
  scaleOutCooldownSeconds: [isInteger(0, 86_400), 'an integer from 0 to 86400'],
  scaleInCooldownSeconds: [isInteger(0, 86_400), 'an integer from 0 to 86400'],
});

export const DEFAULT_SERVING_ROLLOUT: ServingRolloutSetting = { canaryPercent: 25, waitSeconds: 300, maxModelLatencyMs: 1000 };
const servingRollout = objectOf(DEFAULT_SERVING_ROLLOUT, {
  canaryPercent: [isInteger(1, 99), 'an integer from 1 to 99'],
  waitSeconds: [isInteger(0, 3600), 'an integer from 0 to 3600 (SageMaker\'s limit)'],
  maxModelLatencyMs: [(v) => typeof v === 'number' && v > 0 && v <= 600_000, 'a positive number of milliseconds up to 600000'],
});

export const DEFAULT_SERVING_SERVERLESS: ServingServerlessSetting = { memorySizeInMb: 3072, maxConcurrency: 5 };
const servingServerless = objectOf(DEFAULT_SERVING_SERVERLESS, {
  memorySizeInMb: [(v) => (SERVERLESS_MEMORY_SIZES as readonly unknown[]).includes(v), `one of ${SERVERLESS_MEMORY_SIZES.join(', ')}`],
  maxConcurrency: [isInteger(1, SERVERLESS_MAX_CONCURRENCY), `an integer from 1 to ${SERVERLESS_MAX_CONCURRENCY}`],
});


export const SERVING_SETTINGS = {
  serving: setting({
    type: 'boolean',
    doc: 'Add the serving stack (<prefix>-serving), serving the model packages in the champion and challenger SSM parameters, read at deploy time. The approval flow writes them.',
    allowed: 'true or false',
    parse: bool,
    defaults: everyStage(false),
  }),
  modelPackageArn: setting({
    type: 'string',
    doc: 'Serve this model package of the first family as VariantA instead of the champion parameter\'s (adds the serving stack).',
    allowed: 'a versioned model package ARN, e.g. arn:aws:sagemaker:us-east-1:111122223333:model-package/<group>/3',
    parse: matching(MODEL_PACKAGE_ARN_PATTERN),
  }),
  challengerModelPackageArn: setting({
    type: 'string',
    doc: 'Serve this model package as VariantB (the challenger of an A/B test); needs modelPackageArn or serving.',
    allowed: 'a versioned model package ARN',
    parse: matching(MODEL_PACKAGE_ARN_PATTERN),
  }),
  servingFamilies: setting({
    type: 'list',
    doc:
      "Model families served besides the first (which serving=true serves): each gets endpoint <prefix>-<family> in stack <prefix>-serving-<family>, " +
      'serving the packages its approvals record in /<prefix>/serving/<family>/… in SSM. ' +
      'Every served family takes the same serving settings (profile, variants, autoscaling, rollout, capture); modelPackageArn and challengerModelPackageArn are the first family\'s alone. ' +
      'List a family here before its first approval, so that later deploys of the app keep its endpoint.',
    allowed: "family ids (lowercase letters, digits and single hyphens), separated by commas; each one of the app's families",
    parse: listOf(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/),
  }),
  servingPromotion: setting({
    type: 'string',
    doc: 'What approving a model package does: replace serves it alone; challenger makes it the champion (VariantA) and the previous champion the challenger (VariantB).',
    allowed: 'one of replace, challenger',
    parse: oneOf(['replace', 'challenger'] as const),
    defaults: everyStage('replace'),
  }),
  servingProfile: setting({
    type: 'string',
    doc: 'instance: provisioned instances, A/B variants, autoscaling, capture and monitoring; serverless: one serverless variant without network isolation, data capture, a challenger or monitoring.',
    allowed: 'one of instance, serverless',
    parse: oneOf(['instance', 'serverless'] as const),
    defaults: everyStage('instance'),
  }),
  servingVariants: setting({
    type: 'json',
    doc: 'Instance type, initial instance count and traffic weight of VariantA (champion) and VariantB (challenger); keys left out keep their defaults, e.g. {"VariantB":{"weight":0}}.',
    allowed: `a JSON object of VariantA and/or VariantB to {"instanceType": one of ${DEPLOY_INSTANCE_TYPES.join(', ')}, "initialInstanceCount": 1 to 100, "weight": 0 to 1000000}; the served variants' weights may not all be 0`,
    parse: servingVariants,
    defaults: everyStage({ VariantA: DEFAULT_SERVING_VARIANT, VariantB: DEFAULT_SERVING_VARIANT }),
  }),
  servingAutoscaling: setting({
    type: 'json',
    doc: 'Target tracking of each instance variant on SageMakerVariantInvocationsPerInstance; keys left out keep their defaults.',
    allowed: 'a JSON object with enabled (boolean), minCapacity and maxCapacity (1 to 100, min <= max), targetInvocationsPerInstance (positive, at most 1000000), scaleOutCooldownSeconds and scaleInCooldownSeconds (0 to 86400)',
    parse: servingAutoscaling,
    defaults: everyStage(DEFAULT_SERVING_AUTOSCALING),
  }),
  servingRollout: setting({
    type: 'json',
    doc: 'Blue/green update of the endpoint: the canary\'s share of capacity, the baking time, and the model latency that, with any 5XX error, rolls the update back.',
    allowed: 'a JSON object with canaryPercent (1 to 99), waitSeconds (0 to 3600) and maxModelLatencyMs (positive, at most 600000)',
    parse: servingRollout,
    defaults: everyStage(DEFAULT_SERVING_ROLLOUT),
  }),
  servingServerless: setting({
    type: 'json',
    doc: 'Memory and maximum concurrency of the serverless profile.',
    allowed: `a JSON object with memorySizeInMb (one of ${SERVERLESS_MEMORY_SIZES.join(', ')}) and maxConcurrency (1 to ${SERVERLESS_MAX_CONCURRENCY})`,
    parse: servingServerless,
    defaults: everyStage(DEFAULT_SERVING_SERVERLESS),
  }),
  dataCaptureSamplingPercentage: setting({
    type: 'integer',
    doc: 'Percent of requests whose request and response the endpoint captures to the lake (instance profile).',
    allowed: 'an integer from 1 to 100',
    parse: integer(1, 100),
    defaults: everyStage(100),
  }),
  monitoringSchedule: setting({
    type: 'string',
    doc: 'EventBridge schedule of the monitoring pipeline (data drift and model quality against the served package\'s baselines).',
    allowed: `${SCHEDULE_ALLOWED}, e.g. rate(1 hour); with qualityEngine=managed, ${MODEL_MONITOR_SCHEDULES}`,
    parse: schedule('rate or cron'),
    defaults: everyStage('rate(1 hour)'),
  }),
  servingNotificationEmail: setting({
    type: 'string',
    doc: 'E-mail address told of serving alarms and failed deployments (the SNS topic exists either way).',
    allowed: 'an e-mail address',
    parse: matching(EMAIL_PATTERN),
  }),
};

export type ServingConfig = ConfigOf<typeof SERVING_SETTINGS>;

/** Serving settings that the chosen profile leaves without effect. */
export const SERVING_IGNORED: readonly IgnoredSetting<ServingConfig>[] = [
  ...(['servingVariants', 'servingAutoscaling', 'dataCaptureSamplingPercentage'] as const).map((key) => ({
    key,
    because: (c: ServingConfig) =>
      c.servingProfile === 'serverless'
        ? 'servingProfile is serverless: one serverless variant (sized by servingServerless) without instances, autoscaling or data capture; expected servingProfile=instance'
        : undefined,
  })),
  {
    key: 'servingServerless',
    because: (c) => (c.servingProfile === 'instance' ? 'servingProfile is instance: the variants run on instances (servingVariants); expected servingProfile=serverless' : undefined),
  },
];

/** The region of a model package ARN. */
const arnRegion = (arn: string) => arn.split(':')[3];

/** What checkServing reads beside the serving settings. */
export interface ServingContext {
  /** The quality engine: the managed one monitors on Model Monitor's schedules. */
  readonly qualityEngine: string;
  /** The stacks' region, when pinned. */
  readonly region?: string;
}

export function checkServing(config: ServingConfig & ServingContext): void {
  if (config.qualityEngine === 'managed') {
    const converted = toModelMonitorSchedule(config.monitoringSchedule);
    if ('problem' in converted) {
      throw new ConfigError(
        `Invalid context value 'monitoringSchedule': '${config.monitoringSchedule}' is not allowed with qualityEngine=managed (${converted.problem}); expected ${MODEL_MONITOR_SCHEDULES}.`,
      );
    }
  }
  for (const key of ['modelPackageArn', 'challengerModelPackageArn'] as const) {
    const arn = config[key];
    const region = config.region ?? (key === 'challengerModelPackageArn' && config.modelPackageArn ? arnRegion(config.modelPackageArn) : undefined);
    if (arn !== undefined && region !== undefined && arnRegion(arn) !== region) {
      const whose = config.region !== undefined ? `the stacks' region ${region} (region)` : `the champion's region ${region} (modelPackageArn)`;
      throw new ConfigError(
        `Invalid context value '${key}': '${arn}' is in region ${arnRegion(arn)}, not ${whose}; expected a model package of region ${region} (an endpoint serves packages of its own region).`,
      );
    }
  }
  if (config.challengerModelPackageArn !== undefined && !config.serving && config.modelPackageArn === undefined) {
    throw new ConfigError(
      "Incomplete serving settings: 'challengerModelPackageArn' is set without a champion; expected modelPackageArn or serving=true as well.",
    );
  }
  const { minCapacity, maxCapacity } = config.servingAutoscaling;
  if (minCapacity > maxCapacity) {
    throw new ConfigError(
      `Invalid context value 'servingAutoscaling': minCapacity ${minCapacity} is above maxCapacity ${maxCapacity}; expected minCapacity <= maxCapacity.`,
    );
  }
  // What this synth serves, and what the approval deployer's synth (serving=true, ARNs from SSM)
  // will serve: both must hold, or an approval would fail to deploy.
  for (const plan of [servingPlan(config), servingPlan(deployerChoice(config))]) {
    if (plan) checkServingPlan(config, plan);
  }
}

function checkServingPlan(config: ServingConfig, plan: ServingPlan): void {
  if (config.servingProfile === 'serverless' && plan.challenger) {
    const cause = config.challengerModelPackageArn !== undefined ? "'challengerModelPackageArn' is set" : "'servingPromotion' is challenger";
    throw new ConfigError(
      `Invalid serving settings: ${cause}, but the serverless profile serves one variant; expected servingProfile=instance for an A/B test, or no challenger.`,
    );
  }
  const served: ServingVariantName[] = plan.challenger ? ['VariantA', 'VariantB'] : ['VariantA'];
  if (config.servingProfile === 'instance' && served.every((name) => config.servingVariants[name].weight === 0)) {
    throw new ConfigError(
      `Invalid context value 'servingVariants': the weights of ${served.join(' and ')} are all 0; expected at least one positive weight.`,
    );
  }
}
