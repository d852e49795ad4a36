import {
  DEFAULT_QUALITY_THRESHOLDS,
  DEPLOY_INSTANCE_TYPES,
  MODEL_QUALITY_METRICS,
  POST_TRAINING_BIAS_METRICS,
  PRE_TRAINING_BIAS_METRICS,
} from '../pipeline-definitions/bert-sentiment';
import { S3_MIN_INFREQUENT_ACCESS_DAYS } from './constructs/data-lake-storage';
import { ATHENA_MIN_BYTES_SCANNED_CUTOFF } from './constructs/lake-athena';
import { SERVERLESS_MAX_CONCURRENCY, SERVERLESS_MEMORY_SIZES } from './constructs/model-endpoint';
import { GLUE_CRON_PATTERN } from './constructs/lake-catalog';
import { FeatureType } from './feature-store/feature-schema';
import { hasLocalNvmeStorage } from '../pipeline-definitions/lib/instance-types';
import { JobVpc } from '../pipeline-definitions/lib/processing';

/**
 * Typed, validated configuration of the platform.
 *
 * Every setting the app reads is a field of {@link PlatformConfig} and is declared exactly once in
 * {@link SETTINGS}: its type, its documentation, how a context value is parsed and what is allowed.
 * The context key of a setting is the field's name, so `cdk synth -c athenaBytesScannedCutoff=...`
 * overrides `athenaBytesScannedCutoff` of the chosen stage. The stage itself is the `stage` key
 * (default `dev`); the stage supplies every other default ({@link STAGE_DEFAULTS}).
 *
 * Values arrive as strings from `-c key=value` and as JSON values from `cdk.json`; both are
 * accepted. A value that fails validation throws a {@link ConfigError} that names the key, the bad
 * value and what is allowed, before any construct is created.
 */

/** The deployment stages the app knows. */
export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

/** The longest resource-name prefix: every name derived from it must fit its service's limit. */
export const MAX_NAME_PREFIX_LENGTH = 20;


export interface PlatformConfig {
  /** The stage whose defaults apply. */
  readonly stage: StageName;
  /**
   * Prefix of every physical resource name (Glue database, crawler, Athena workgroup, KMS alias,
   * later feature groups, pipelines, endpoints). Lowercase letters, digits and single hyphens.
   */
  readonly namePrefix: string;
  /** AWS account to pin the stacks to; environment-agnostic when absent. */
  readonly account?: string;
  /** AWS region to pin the stacks to; environment-agnostic when absent. */
  readonly region?: string;
  /**
   * Delete the lake's buckets (with their objects) and keys when the stacks are destroyed.
   * Allowed only in `dev`; otherwise they are retained.
   */
  readonly destroyOnRemoval: boolean;
  /** Upload the synthetic sample of the reviews dataset to the lake's raw prefix. */
  readonly deploySampleData: boolean;
  /** Schedule of the raw-data crawler as a Glue cron expression; none runs it on demand only. */
  readonly crawlerSchedule?: string;
  /** Athena stops a query of the lake workgroup once it has scanned this many bytes. */
  readonly athenaBytesScannedCutoff: number;
  /** Days after which Athena query results expire. */
  readonly athenaResultsExpirationDays: number;
  /** Days after which captured endpoint requests and responses expire. */
  readonly dataCaptureExpirationDays: number;
  /** Days after which raw data moves to the Infrequent Access storage class. */
  readonly rawDataInfrequentAccessDays: number;
  /** Days after which noncurrent object versions in the lake expire. */
  readonly noncurrentVersionExpirationDays: number;
  /** Days after which S3 server access logs expire. */
  readonly accessLogsExpirationDays: number;
  /** Give the feature groups an online store (KMS-encrypted) for low-latency reads. */
  readonly onlineStoreEnabled: boolean;
  /** Days after which records expire from the online store; none keeps them. */
  readonly onlineStoreTtlDays?: number;
  /** Table format of the feature groups' offline stores; fixed once a group exists. */
  readonly offlineStoreTableFormat: 'Glue' | 'Iceberg';
  /** Feature groups beside the course's reviews group, each named `<prefix>-<name>`. */
  readonly featureGroups?: readonly FeatureGroupSetting[];
  /**
   * More instances of the BERT pipeline, by name: each trains on its own raw-data prefix and
   * registers into its own model package group, in a stack of its own.
   */
  readonly bertPipelineVariants?: Readonly<Record<string, BertPipelineVariantSetting>>;
  /**
   * Engine of the quality gates: `open` runs the project's own checks on plain SageMaker jobs
   * (any account); `managed` also uses Clarify, Debugger and Model Monitor (accounts that still
   * have them).
   */
  readonly qualityEngine: 'open' | 'managed';
  /** Version of the code recorded with every registered model (e.g. the git commit). */
  readonly codeVersion?: string;
  /** Add the CheckExplainability gate (word attributions on a sample). */
  readonly explainability: boolean;
  /** Largest absolute value of each pre-training bias metric (CheckDataBias). */
  readonly dataBiasThresholds: Readonly<Record<string, number>>;
  /** Largest absolute value of each post-training bias metric (CheckModelBias). */
  readonly modelBiasThresholds: Readonly<Record<string, number>>;
  /** Smallest value of each multiclass metric (CheckModelQuality). */
  readonly modelQualityThresholds: Readonly<Record<string, number>>;
  /** How far accuracy and weighted F1 may fall below the last approved model's (CheckModelQuality). */
  readonly modelQualityTolerance: number;
  /** Facet values with fewer records are reported but not gated (the bias checks). */
  readonly biasMinGroupSize: number;
  /** Largest distribution distance CheckDataQuality accepts between the data and the baseline. */
  readonly dataQualityDistributionThreshold: number;
  /**
   * Where CloudFormation reads pipeline definitions from: `inline` in the template, `s3` (a file in
   * the lake, for definitions that would make the template too large), or `auto` (s3 above
   * {@link INLINE_DEFINITION_LIMIT} characters).
   */
  readonly pipelineDefinitionStorage: 'auto' | 'inline' | 's3';
  /** Train on managed spot instances, resuming from checkpoints in the lake. */
  readonly spotTraining: boolean;
  /** EventBridge schedule that starts the training pipeline; none starts it on demand only. */
  readonly pipelineSchedule?: string;
  /** Start the training pipeline when new raw reviews land in the lake. */
  readonly pipelineStartOnNewData: boolean;
  /** Address that receives a message when a pipeline execution fails. */
  readonly pipelineNotificationEmail?: string;
  /** Subnets for the pipeline jobs that are not network-isolated (with the security groups). */
  readonly pipelineSubnetIds?: readonly string[];
  /** Security groups for those jobs (with the subnets). */
  readonly pipelineSecurityGroupIds?: readonly string[];
  /**
   * Add the serving stack, serving the model packages named by the champion (and challenger)
   * parameters in SSM, resolved at deploy time.
   */
  readonly serving: boolean;
  /** Serve this model package as VariantA (adds the serving stack; overrides the champion parameter). */
  readonly modelPackageArn?: string;
  /** Serve this model package as VariantB (overrides the challenger parameter). */
  readonly challengerModelPackageArn?: string;
  /**
   * What approving a model package does: `replace` serves it alone; `challenger` serves it as the
   * champion (VariantA) and keeps the previous champion as the challenger (VariantB).
   */
  readonly servingPromotion: 'replace' | 'challenger';
  /** `instance`: provisioned instances with A/B variants; `serverless`: one serverless variant. */
  readonly servingProfile: 'instance' | 'serverless';
  /** Instance settings and traffic weight of each variant. */
  readonly servingVariants: Readonly<Record<ServingVariantName, ServingVariantSetting>>;
  /** Target tracking on invocations per instance, per variant. */
  readonly servingAutoscaling: ServingAutoscalingSetting;
  /** Blue/green canary rollout of endpoint updates and the alarms that roll them back. */
  readonly servingRollout: ServingRolloutSetting;
  /** Memory and concurrency of the serverless profile. */
  readonly servingServerless: ServingServerlessSetting;
  /** Share of requests (and their responses) captured to the lake, in percent. */
  readonly dataCaptureSamplingPercentage: number;
  /** Schedule of the monitoring pipeline (drift and model quality). */
  readonly monitoringSchedule: string;
  /** Address told of the serving alarms and deployments (the SNS topic exists either way). */
  readonly servingNotificationEmail?: string;
  /** Monthly cost budget in USD; with `budgetEmail`, adds the cost-guard stack. */
  readonly budgetMonthlyLimitUsd?: number;
  /** Address that receives the budget's alerts. */
  readonly budgetEmail?: string;
}

/** A feature group as the `featureGroups` setting declares it. */
export interface FeatureGroupSetting {
  /** Short name: the group is `<prefix>-<name>`. */
  readonly name: string;
  readonly description: string;
  readonly recordIdentifier: string;
  readonly eventTime: string;
  readonly features: readonly { readonly name: string; readonly type: FeatureType; readonly description: string }[];
}

/** A variant of the BERT pipeline as the `bertPipelineVariants` setting declares it. */
export interface BertPipelineVariantSetting {
  /** Lake prefix of the variant's raw CSV files, under `raw/`. */
  readonly inputPrefix: string;
}

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

/** Short names of added feature groups and pipeline variants. */
const SHORT_NAME = /^[a-z][a-z0-9-]{0,23}$/;

/** Thrown for a configuration value that is not allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** One declared setting: documentation, type and the parser that validates a raw value. */
export interface Setting<T> {
  /** Type as shown in the README's configuration reference. */
  readonly type: string;
  /** What the setting does. */
  readonly doc: string;
  /** What is allowed, as said in errors and in the README. */
  readonly allowed: string;
  /** Parses a raw context or stage value; returns undefined to mean "not allowed". */
  readonly parse: (raw: unknown) => T | undefined;
}

type Settings = { readonly [K in keyof PlatformConfig]-?: Setting<Exclude<PlatformConfig[K], undefined>> };

function oneOf<T extends string>(values: readonly T[]): Setting<T>['parse'] {
  return (raw) => (typeof raw === 'string' && (values as readonly string[]).includes(raw) ? (raw as T) : undefined);
}

function bool(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return undefined;
}

function integer(min: number, max = Number.MAX_SAFE_INTEGER): Setting<number>['parse'] {
  return (raw) => {
    const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
  };
}

function positiveNumber(raw: unknown): number | undefined {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function listOf(pattern: RegExp): Setting<readonly string[]>['parse'] {
  return (raw) => {
    const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((x) => x.trim()) : undefined;
    return items && items.length > 0 && items.every((x) => typeof x === 'string' && pattern.test(x)) ? (items as string[]) : undefined;
  };
}

function jsonValue(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

function thresholds(names: readonly string[], max: number): Setting<Readonly<Record<string, number>>>['parse'] {
  return (raw) => {
    const value = jsonValue(raw);
    if (!isObject(value)) return undefined;
    const entries = Object.entries(value);
    const ok = entries.every(([name, limit]) => names.includes(name) && typeof limit === 'number' && limit >= 0 && limit <= max);
    return ok ? (value as Record<string, number>) : undefined;
  };
}

/** `featureGroups`: the shape here; Feature Store's own rules when the groups are built. */
function featureGroupList(raw: unknown): readonly FeatureGroupSetting[] | undefined {
  const value = jsonValue(raw);
  if (!Array.isArray(value)) return undefined;
  const names = value.map((group) => (isObject(group) ? group.name : undefined));
  const shaped = value.every(
    (group) =>
      isObject(group) &&
      typeof group.name === 'string' &&
      SHORT_NAME.test(group.name) &&
      group.name !== 'reviews' &&
      isText(group.description) &&
      isText(group.recordIdentifier) &&
      isText(group.eventTime) &&
      Array.isArray(group.features) &&
      group.features.length > 0 &&
      group.features.every(
        (f: unknown) => isObject(f) && isText(f.name) && isText(f.description) && (Object.values(FeatureType) as unknown[]).includes(f.type),
      ),
  );
  return shaped && new Set(names).size === names.length ? (value as FeatureGroupSetting[]) : undefined;
}

/** `bertPipelineVariants`: names and raw-data prefixes. */
function pipelineVariants(raw: unknown): Readonly<Record<string, BertPipelineVariantSetting>> | undefined {
  const value = jsonValue(raw);
  if (!isObject(value)) return undefined;
  const ok = Object.entries(value).every(
    ([name, variant]) =>
      SHORT_NAME.test(name) && isObject(variant) && typeof variant.inputPrefix === 'string' && /^raw\/([a-z0-9][a-z0-9_-]*\/)+$/.test(variant.inputPrefix),
  );
  return ok ? (value as Record<string, BertPipelineVariantSetting>) : undefined;
}

/** Thrown by a parser to say what exactly is wrong with a value (named in the error). */
class NotAllowed extends Error {}

/** A check of one field of a JSON object setting and what it allows. */
type FieldCheck = readonly [(value: unknown) => boolean, string];

const isInteger = (min: number, max: number) => (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isNumberIn = (min: number, max: number) => (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

/**
 * A JSON object setting whose keys are all optional: the given keys replace the defaults, unknown
 * keys and bad values are named in the error.
 */
function objectOf<T extends object>(defaults: T, checks: { readonly [K in keyof T]: FieldCheck }, where = ''): (raw: unknown) => T | undefined {
  return (raw) => {
    const value = jsonValue(raw);
    if (!isObject(value)) return undefined;
    for (const [key, field] of Object.entries(value)) {
      const check = (checks as Record<string, FieldCheck>)[key];
      if (!check) throw new NotAllowed(`unknown key '${where}${key}'; expected ${Object.keys(checks).join(', ')}`);
      let ok: boolean;
      try {
        ok = check[0](field);
      } catch (error) {
        throw error instanceof NotAllowed ? new NotAllowed(`${where}${error.message}`) : error;
      }
      if (!ok) throw new NotAllowed(`${where}${key} ${describe(field)} is not ${check[1]}`);
    }
    return { ...defaults, ...value } as T;
  };
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
  targetInvocationsPerInstance: [(v) => typeof v === 'number' && v > 0 && v <= 1_000_000, 'a positive number'],
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

/** A versioned model package: `arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>`. */
export const MODEL_PACKAGE_ARN_PATTERN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/[a-z0-9](-*[a-z0-9]){0,62}\/\d+$/;

function fraction(raw: unknown): number | undefined {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof value === 'number' && value >= 0 && value <= 1 ? value : undefined;
}

function matching(pattern: RegExp): Setting<string>['parse'] {
  return (raw) => (typeof raw === 'string' && pattern.test(raw) ? raw : undefined);
}

const SCHEDULE_PATTERN = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\s*\S+(\s+\S+){5}\s*\))$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const NAME_PREFIX_PATTERN = new RegExp(`^(?=.{3,${MAX_NAME_PREFIX_LENGTH}}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$`);

/** The registry: every setting the app reads, with its context key (the field name). */
export const SETTINGS: Settings = {
  stage: {
    type: 'string',
    doc: 'Stage whose defaults apply.',
    allowed: `one of ${STAGES.join(', ')}`,
    parse: oneOf(STAGES),
  },
  namePrefix: {
    type: 'string',
    doc: 'Prefix of every physical resource name.',
    allowed: `3 to ${MAX_NAME_PREFIX_LENGTH} lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen`,
    parse: matching(NAME_PREFIX_PATTERN),
  },
  account: {
    type: 'string',
    doc: 'AWS account ID to pin the stacks to (environment-agnostic when unset).',
    allowed: 'a 12-digit AWS account ID',
    parse: matching(/^\d{12}$/),
  },
  region: {
    type: 'string',
    doc: 'AWS region to pin the stacks to (environment-agnostic when unset).',
    allowed: 'an AWS region name such as us-east-1',
    parse: matching(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/),
  },
  destroyOnRemoval: {
    type: 'boolean',
    doc: 'Delete lake buckets (emptying them) and keys with their stack. Only in dev.',
    allowed: 'true or false (true only with stage dev)',
    parse: bool,
  },
  deploySampleData: {
    type: 'boolean',
    doc: 'Upload the synthetic reviews sample to the raw prefix of the lake.',
    allowed: 'true or false',
    parse: bool,
  },
  crawlerSchedule: {
    type: 'string',
    doc: 'Glue cron schedule of the raw-data crawler; unset runs it on demand only.',
    allowed: 'a Glue cron expression with six fields, e.g. cron(0 3 * * ? *)',
    parse: matching(GLUE_CRON_PATTERN),
  },
  athenaBytesScannedCutoff: {
    type: 'integer',
    doc: 'Bytes a query in the lake workgroup may scan before Athena cancels it.',
    allowed: `an integer of at least ${ATHENA_MIN_BYTES_SCANNED_CUTOFF} (Athena's minimum)`,
    parse: integer(ATHENA_MIN_BYTES_SCANNED_CUTOFF),
  },
  athenaResultsExpirationDays: {
    type: 'integer',
    doc: 'Days after which Athena query results in the lake expire.',
    allowed: 'an integer from 1 to 3650',
    parse: integer(1, 3650),
  },
  dataCaptureExpirationDays: {
    type: 'integer',
    doc: 'Days after which captured endpoint requests and responses expire.',
    allowed: 'an integer from 1 to 3650',
    parse: integer(1, 3650),
  },
  rawDataInfrequentAccessDays: {
    type: 'integer',
    doc: 'Days after which raw data moves to S3 Standard-Infrequent Access.',
    allowed: `an integer from ${S3_MIN_INFREQUENT_ACCESS_DAYS} to 3650 (S3's minimum for Standard-IA)`,
    parse: integer(S3_MIN_INFREQUENT_ACCESS_DAYS, 3650),
  },
  noncurrentVersionExpirationDays: {
    type: 'integer',
    doc: 'Days after which noncurrent object versions in the lake expire.',
    allowed: 'an integer from 1 to 3650',
    parse: integer(1, 3650),
  },
  accessLogsExpirationDays: {
    type: 'integer',
    doc: 'Days after which S3 server access logs expire.',
    allowed: 'an integer from 1 to 3650',
    parse: integer(1, 3650),
  },
  onlineStoreEnabled: {
    type: 'boolean',
    doc: 'Give the feature groups a KMS-encrypted online store for low-latency reads.',
    allowed: 'true or false',
    parse: bool,
  },
  onlineStoreTtlDays: {
    type: 'integer',
    doc: 'Days after which records expire from the online store; unset keeps them.',
    allowed: 'an integer from 1 to 3650',
    parse: integer(1, 3650),
  },
  offlineStoreTableFormat: {
    type: 'string',
    doc: 'Table format of the feature groups\' offline stores. Changing it means new feature groups.',
    allowed: 'one of Glue, Iceberg',
    parse: oneOf(['Glue', 'Iceberg'] as const),
  },
  featureGroups: {
    type: 'json',
    doc:
      'Feature groups beside the reviews group, each named <prefix>-<name>, with its offline store in the lake, e.g. ' +
      '[{"name":"customers","description":"Customer profiles","recordIdentifier":"customer_id","eventTime":"event_time",' +
      '"features":[{"name":"customer_id","type":"String","description":"Customer id"},{"name":"event_time","type":"String","description":"When"}]}].',
    allowed:
      'a JSON array of objects with name (lowercase letters, digits and hyphens, starting with a letter, at most 24 characters; unique; not reviews), ' +
      'description, recordIdentifier, eventTime and features (objects with name, type String, Integral or Fractional, and description); ' +
      'Feature Store\'s own rules are checked for each group',
    parse: featureGroupList,
  },
  bertPipelineVariants: {
    type: 'json',
    doc:
      'More BERT pipelines, by name: each reads its own raw prefix and registers into its own model package group, in stack <prefix>-bert-pipeline-<name>, ' +
      'e.g. {"dresses":{"inputPrefix":"raw/dresses/"}}.',
    allowed: 'a JSON object of name (lowercase letters, digits and hyphens, starting with a letter, at most 24 characters) to {"inputPrefix": "raw/<folder>/"}',
    parse: pipelineVariants,
  },
  qualityEngine: {
    type: 'string',
    doc: 'Engine of the quality gates: open (the project\'s own checks, any account) or managed (Clarify, Debugger, Model Monitor; accounts that still have them).',
    allowed: 'one of open, managed',
    parse: oneOf(['open', 'managed'] as const),
  },
  codeVersion: {
    type: 'string',
    doc: 'Version recorded with every registered model, e.g. -c codeVersion=$(git rev-parse HEAD); unset uses the hash of the step code.',
    allowed: '1 to 128 letters, digits, dots, hyphens and underscores',
    parse: matching(/^[A-Za-z0-9._-]{1,128}$/),
  },
  explainability: {
    type: 'boolean',
    doc: 'Add the CheckExplainability gate: Shapley attributions of words on a small sample of the test split, registered with the model.',
    allowed: 'true or false',
    parse: bool,
  },
  dataBiasThresholds: {
    type: 'json',
    doc: 'Largest absolute value of each pre-training bias metric that CheckDataBias accepts, per product category (either engine).',
    allowed: `a JSON object of metric to limit (0 to 10), metrics among ${PRE_TRAINING_BIAS_METRICS.join(', ')}`,
    parse: thresholds(PRE_TRAINING_BIAS_METRICS, 10),
  },
  modelBiasThresholds: {
    type: 'json',
    doc: 'Largest distance from fair of each post-training bias metric that CheckModelBias accepts, per product category: |value|, and |1 - DI| for DI (either engine).',
    allowed: `a JSON object of metric to limit (0 to 10), metrics among ${POST_TRAINING_BIAS_METRICS.join(', ')}`,
    parse: thresholds(POST_TRAINING_BIAS_METRICS, 10),
  },
  modelQualityThresholds: {
    type: 'json',
    doc: 'Smallest value of each multiclass metric that CheckModelQuality accepts.',
    allowed: `a JSON object of metric to minimum (0 to 1), metrics among ${MODEL_QUALITY_METRICS.join(', ')}`,
    parse: thresholds(MODEL_QUALITY_METRICS, 1),
  },
  modelQualityTolerance: {
    type: 'number',
    doc: 'How far accuracy and weighted F1 may fall below the last approved model\'s before CheckModelQuality fails.',
    allowed: 'a number from 0 to 1',
    parse: fraction,
  },
  biasMinGroupSize: {
    type: 'integer',
    doc: 'Facet values with fewer records are reported by the bias checks but not gated.',
    allowed: 'an integer from 1 to 1000000',
    parse: integer(1, 1_000_000),
  },
  dataQualityDistributionThreshold: {
    type: 'number',
    doc: 'Largest distribution distance (L-infinity over categories) CheckDataQuality accepts between the data and the baseline. Open engine; the managed engine uses the threshold in the registered baseline\'s constraints.',
    allowed: 'a number from 0 to 1',
    parse: fraction,
  },
  pipelineDefinitionStorage: {
    type: 'string',
    doc: 'Where CloudFormation reads pipeline definitions: inline in the template, s3 (a file in the lake), or auto (s3 for large ones).',
    allowed: 'one of auto, inline, s3',
    parse: oneOf(['auto', 'inline', 's3'] as const),
  },
  spotTraining: {
    type: 'boolean',
    doc: 'Train on managed spot instances (cheaper, may wait up to a day longer), resuming from checkpoints in the lake.',
    allowed: 'true or false',
    parse: bool,
  },
  pipelineSchedule: {
    type: 'string',
    doc: 'EventBridge schedule that starts the training pipeline; unset starts it on demand only.',
    allowed: 'an EventBridge schedule expression, e.g. rate(7 days) or cron(0 3 ? * MON *)',
    parse: matching(SCHEDULE_PATTERN),
  },
  pipelineStartOnNewData: {
    type: 'boolean',
    doc: 'Start the training pipeline when new raw reviews land in the lake.',
    allowed: 'true or false',
    parse: bool,
  },
  pipelineNotificationEmail: {
    type: 'string',
    doc: 'E-mail address told when a pipeline execution fails (the SNS topic exists either way).',
    allowed: 'an e-mail address',
    parse: matching(EMAIL_PATTERN),
  },
  pipelineSubnetIds: {
    type: 'list',
    doc: 'Subnets (comma-separated) for the pipeline jobs that are not network-isolated; with pipelineSecurityGroupIds.',
    allowed: 'subnet IDs such as subnet-0abc1234, separated by commas',
    parse: listOf(/^subnet-[0-9a-f]{8,17}$/),
  },
  pipelineSecurityGroupIds: {
    type: 'list',
    doc: 'Security groups (comma-separated) of those jobs; with pipelineSubnetIds.',
    allowed: 'security group IDs such as sg-0abc1234, separated by commas',
    parse: listOf(/^sg-[0-9a-f]{8,17}$/),
  },
  serving: {
    type: 'boolean',
    doc: 'Add the serving stack (<prefix>-serving), serving the model packages in the champion and challenger SSM parameters, read at deploy time. The approval flow writes them.',
    allowed: 'true or false',
    parse: bool,
  },
  modelPackageArn: {
    type: 'string',
    doc: 'Serve this model package as VariantA instead of the champion parameter\'s (adds the serving stack).',
    allowed: 'a versioned model package ARN, e.g. arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-dev-bert-sentiment/3',
    parse: matching(MODEL_PACKAGE_ARN_PATTERN),
  },
  challengerModelPackageArn: {
    type: 'string',
    doc: 'Serve this model package as VariantB (the challenger of an A/B test); needs modelPackageArn or serving.',
    allowed: 'a versioned model package ARN',
    parse: matching(MODEL_PACKAGE_ARN_PATTERN),
  },
  servingPromotion: {
    type: 'string',
    doc: 'What approving a model package does: replace serves it alone; challenger makes it the champion (VariantA) and the previous champion the challenger (VariantB).',
    allowed: 'one of replace, challenger',
    parse: oneOf(['replace', 'challenger'] as const),
  },
  servingProfile: {
    type: 'string',
    doc: 'instance: provisioned instances, A/B variants, autoscaling, capture and monitoring; serverless: one serverless variant without network isolation, data capture, a challenger or monitoring.',
    allowed: 'one of instance, serverless',
    parse: oneOf(['instance', 'serverless'] as const),
  },
  servingVariants: {
    type: 'json',
    doc: 'Instance type, initial instance count and traffic weight of VariantA (champion) and VariantB (challenger); keys left out keep their defaults, e.g. {"VariantB":{"weight":0}}.',
    allowed: `a JSON object of VariantA and/or VariantB to {"instanceType": one of ${DEPLOY_INSTANCE_TYPES.join(', ')}, "initialInstanceCount": 1 to 100, "weight": 0 or more}; the served variants' weights may not all be 0`,
    parse: servingVariants,
  },
  servingAutoscaling: {
    type: 'json',
    doc: 'Target tracking of each instance variant on SageMakerVariantInvocationsPerInstance; keys left out keep their defaults.',
    allowed: 'a JSON object with enabled (boolean), minCapacity and maxCapacity (1 to 100, min <= max), targetInvocationsPerInstance (positive), scaleOutCooldownSeconds and scaleInCooldownSeconds (0 to 86400)',
    parse: servingAutoscaling,
  },
  servingRollout: {
    type: 'json',
    doc: 'Blue/green update of the endpoint: the canary\'s share of capacity, the baking time, and the model latency that, with any 5XX error, rolls the update back.',
    allowed: 'a JSON object with canaryPercent (1 to 99), waitSeconds (0 to 3600) and maxModelLatencyMs (positive, at most 600000)',
    parse: servingRollout,
  },
  servingServerless: {
    type: 'json',
    doc: 'Memory and maximum concurrency of the serverless profile.',
    allowed: `a JSON object with memorySizeInMb (one of ${SERVERLESS_MEMORY_SIZES.join(', ')}) and maxConcurrency (1 to ${SERVERLESS_MAX_CONCURRENCY})`,
    parse: servingServerless,
  },
  dataCaptureSamplingPercentage: {
    type: 'integer',
    doc: 'Percent of requests whose request and response the endpoint captures to the lake (instance profile).',
    allowed: 'an integer from 1 to 100',
    parse: integer(1, 100),
  },
  monitoringSchedule: {
    type: 'string',
    doc: 'EventBridge schedule of the monitoring pipeline (data drift and model quality against the served package\'s baselines).',
    allowed: 'an EventBridge schedule expression, e.g. rate(1 hour) or cron(0 * ? * * *); with qualityEngine=managed, rate(N hours) with N dividing 24, rate(1 day) or a cron Model Monitor accepts',
    parse: matching(SCHEDULE_PATTERN),
  },
  servingNotificationEmail: {
    type: 'string',
    doc: 'E-mail address told of serving alarms and failed deployments (the SNS topic exists either way).',
    allowed: 'an e-mail address',
    parse: matching(EMAIL_PATTERN),
  },
  budgetMonthlyLimitUsd: {
    type: 'number',
    doc: 'Monthly cost budget in USD; together with budgetEmail it adds the cost-guard stack.',
    allowed: 'a positive number',
    parse: positiveNumber,
  },
  budgetEmail: {
    type: 'string',
    doc: 'E-mail address that receives the budget alerts (80% actual, 100% forecast).',
    allowed: 'an e-mail address',
    parse: matching(EMAIL_PATTERN),
  },
};

type StageDefaults = Omit<PlatformConfig, 'stage'>;

const DEFAULT_QUALITY_THRESHOLDS_CONFIG = {
  dataBiasThresholds: DEFAULT_QUALITY_THRESHOLDS.dataBias,
  modelBiasThresholds: DEFAULT_QUALITY_THRESHOLDS.modelBias,
  modelQualityThresholds: DEFAULT_QUALITY_THRESHOLDS.modelQuality,
  modelQualityTolerance: DEFAULT_QUALITY_THRESHOLDS.modelQualityTolerance,
  biasMinGroupSize: DEFAULT_QUALITY_THRESHOLDS.biasMinGroupSize,
  dataQualityDistributionThreshold: DEFAULT_QUALITY_THRESHOLDS.dataQualityDistributionThreshold,
};

/** Serving is off until enabled; when on, the course's A/B test, autoscaling and hourly monitoring. */
const SERVING_DEFAULTS_CONFIG = {
  serving: false,
  servingPromotion: 'replace',
  servingProfile: 'instance',
  servingVariants: { VariantA: DEFAULT_SERVING_VARIANT, VariantB: DEFAULT_SERVING_VARIANT },
  servingAutoscaling: DEFAULT_SERVING_AUTOSCALING,
  servingRollout: DEFAULT_SERVING_ROLLOUT,
  servingServerless: DEFAULT_SERVING_SERVERLESS,
  dataCaptureSamplingPercentage: 100,
  monitoringSchedule: 'rate(1 hour)',
} as const;

/** The defaults of each stage. A context value overrides any of them. */
export const STAGE_DEFAULTS: { readonly [S in StageName]: StageDefaults } = {
  dev: {
    namePrefix: 'pds-dev',
    destroyOnRemoval: false,
    deploySampleData: true,
    athenaBytesScannedCutoff: 1_000_000_000,
    athenaResultsExpirationDays: 7,
    dataCaptureExpirationDays: 30,
    rawDataInfrequentAccessDays: 90,
    noncurrentVersionExpirationDays: 7,
    accessLogsExpirationDays: 90,
    onlineStoreEnabled: false,
    offlineStoreTableFormat: 'Glue',
    qualityEngine: 'open',
    explainability: false,
    ...DEFAULT_QUALITY_THRESHOLDS_CONFIG,
    pipelineDefinitionStorage: 'auto',
    spotTraining: false,
    pipelineStartOnNewData: false,
    ...SERVING_DEFAULTS_CONFIG,
  },
  prod: {
    namePrefix: 'pds-prod',
    destroyOnRemoval: false,
    deploySampleData: false,
    athenaBytesScannedCutoff: 10_000_000_000,
    athenaResultsExpirationDays: 30,
    dataCaptureExpirationDays: 180,
    rawDataInfrequentAccessDays: 90,
    noncurrentVersionExpirationDays: 90,
    accessLogsExpirationDays: 365,
    onlineStoreEnabled: true,
    offlineStoreTableFormat: 'Glue',
    qualityEngine: 'open',
    explainability: true,
    ...DEFAULT_QUALITY_THRESHOLDS_CONFIG,
    pipelineDefinitionStorage: 'auto',
    spotTraining: false,
    pipelineStartOnNewData: false,
    ...SERVING_DEFAULTS_CONFIG,
  },
};

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

function parseSetting<K extends keyof PlatformConfig>(key: K, raw: unknown, source: string): PlatformConfig[K] {
  const setting = SETTINGS[key] as unknown as Setting<PlatformConfig[K]>;
  let value: PlatformConfig[K] | undefined;
  let reason = '';
  try {
    value = setting.parse(raw);
  } catch (error) {
    if (!(error instanceof NotAllowed)) throw error;
    reason = ` (${error.message})`;
  }
  if (value === undefined) {
    throw new ConfigError(`Invalid ${source} '${key}': ${describe(raw)} is not allowed${reason}; expected ${setting.allowed}.`);
  }
  return value;
}

/**
 * Builds the configuration of a stage from context values.
 *
 * @param context reads one context key (e.g. `key => app.node.tryGetContext(key)`)
 * @throws ConfigError naming the key, the value and what is allowed
 */
export function loadConfig(context: (key: string) => unknown): PlatformConfig {
  const rawStage = context('stage') ?? 'dev';
  const stage = parseSetting('stage', rawStage, 'context value');
  const values: Record<string, unknown> = { ...STAGE_DEFAULTS[stage], stage };
  for (const key of Object.keys(SETTINGS) as (keyof PlatformConfig)[]) {
    if (key === 'stage') continue;
    const raw = context(key);
    if (raw !== undefined && raw !== null && raw !== '') {
      values[key] = parseSetting(key, raw, 'context value');
    } else if (values[key] !== undefined) {
      // Stage defaults go through the same validation as context values.
      values[key] = parseSetting(key, values[key], `default of stage ${stage} for`);
    }
  }
  const config = values as unknown as PlatformConfig;
  checkCombinations(config);
  return config;
}

function checkCombinations(config: PlatformConfig): void {
  if (config.destroyOnRemoval && config.stage !== 'dev') {
    throw new ConfigError(
      `Invalid context value 'destroyOnRemoval': true is not allowed with stage '${config.stage}'; ` +
        'expected false (only dev may delete its lake with the stack).',
    );
  }
  if ((config.pipelineSubnetIds === undefined) !== (config.pipelineSecurityGroupIds === undefined)) {
    const missing = config.pipelineSubnetIds === undefined ? 'pipelineSubnetIds' : 'pipelineSecurityGroupIds';
    throw new ConfigError(
      `Incomplete VPC settings: '${missing}' is not set; expected both pipelineSubnetIds and pipelineSecurityGroupIds, or neither.`,
    );
  }
  checkServing(config);
  const budgetKeys = [config.budgetMonthlyLimitUsd, config.budgetEmail].filter((v) => v !== undefined);
  if (budgetKeys.length === 1) {
    const missing = config.budgetEmail === undefined ? 'budgetEmail' : 'budgetMonthlyLimitUsd';
    throw new ConfigError(
      `Incomplete budget: '${missing}' is not set; expected both budgetMonthlyLimitUsd and budgetEmail, or neither.`,
    );
  }
}

/** The subnets and security groups of the pipeline jobs that are not isolated, when configured. */
export function pipelineVpc(config: PlatformConfig): JobVpc | undefined {
  return config.pipelineSubnetIds && config.pipelineSecurityGroupIds
    ? { subnetIds: config.pipelineSubnetIds, securityGroupIds: config.pipelineSecurityGroupIds }
    : undefined;
}

/**
 * A physical name made of the prefix and a suffix, checked against the service's length limit
 * (so a long prefix fails at synth, not in CloudFormation).
 */
export function resourceName(prefix: string, suffix: string, maxLength: number, separator = '-'): string {
  const name = `${prefix}${separator}${suffix}`;
  if (name.length > maxLength) {
    throw new ConfigError(
      `Resource name '${name}' (from 'namePrefix' ${describe(prefix)}) is ${name.length} characters; ` +
        `expected at most ${maxLength}. Use a shorter namePrefix.`,
    );
  }
  return name;
}

/** Where the serving stack takes a model package ARN from. */
export type ModelPackageSource = { readonly arn: string } | { readonly parameter: 'champion' | 'challenger' };

/** What the endpoint serves, decided from the configuration (no AWS calls). */
export interface ServingPlan {
  /** VariantA's model package. */
  readonly champion: ModelPackageSource;
  /** VariantB's model package, when the endpoint has a challenger. */
  readonly challenger?: ModelPackageSource;
}

/**
 * The serving plan of a configuration, or undefined when the app has no serving stack. The
 * champion is `modelPackageArn`, else the champion parameter (with `serving`); the challenger is
 * `challengerModelPackageArn`, else, when the champion comes from its parameter and promotion
 * keeps challengers, the challenger parameter.
 */
export function servingPlan(config: PlatformConfig): ServingPlan | undefined {
  if (!config.serving && config.modelPackageArn === undefined) return undefined;
  const champion: ModelPackageSource = config.modelPackageArn !== undefined ? { arn: config.modelPackageArn } : { parameter: 'champion' };
  const challenger: ModelPackageSource | undefined =
    config.challengerModelPackageArn !== undefined
      ? { arn: config.challengerModelPackageArn }
      : 'parameter' in champion && config.servingPromotion === 'challenger'
        ? { parameter: 'challenger' }
        : undefined;
  return { champion, challenger };
}

function checkServing(config: PlatformConfig): void {
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
  const deployer: PlatformConfig = { ...config, serving: true, modelPackageArn: undefined, challengerModelPackageArn: undefined };
  for (const plan of [servingPlan(config), servingPlan(deployer)]) {
    if (plan) checkServingPlan(config, plan);
  }
}

function checkServingPlan(config: PlatformConfig, plan: ServingPlan): void {
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
