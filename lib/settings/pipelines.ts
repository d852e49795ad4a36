/** Settings of the training pipelines: variants, code version, storage, schedules, notifications, VPC. */
import { LakePrefix } from '../lake-layout';
import {
  bool,
  ConfigError,
  ConfigOf,
  EMAIL_PATTERN,
  everyStage,
  isObject,
  jsonValue,
  listOf,
  matching,
  NotAllowed,
  oneOf,
  schedule,
  SCHEDULE_ALLOWED,
  setting,
  SHORT_NAME,
} from './setting';

/** A variant of the BERT pipeline as the `bertPipelineVariants` setting declares it. */
export interface BertPipelineVariantSetting {
  /** Lake prefix of the variant's raw CSV files, under `raw/`. */
  readonly inputPrefix: string;
}

/** `bertPipelineVariants`: names and raw-data prefixes. */
function pipelineVariants(raw: unknown): Readonly<Record<string, BertPipelineVariantSetting>> | undefined {
  const value = jsonValue(raw);
  if (!isObject(value)) return undefined;
  const ok = Object.entries(value).every(
    ([name, variant]) =>
      SHORT_NAME.test(name) &&
      isObject(variant) &&
      Object.keys(variant).every((key) => key === 'inputPrefix') &&
      typeof variant.inputPrefix === 'string' &&
      /^raw\/([a-z0-9][a-z0-9_-]*\/)+$/.test(variant.inputPrefix),
  );
  if (!ok) return undefined;
  const variants = value as Record<string, BertPipelineVariantSetting>;
  const overlap = overlappingPrefixes([['the BERT pipeline', LakePrefix.rawReviews], ...Object.entries(variants).map(([name, v]) => [name, v.inputPrefix] as const)]);
  if (overlap) throw new NotAllowed(overlap);
  return variants;
}

/**
 * Two pipelines whose raw prefixes are the same or one inside the other would train on the same
 * data (and start together on a delivery): what says so, or undefined.
 */
function overlappingPrefixes(prefixes: readonly (readonly [string, string])[]): string | undefined {
  for (const [i, [a, prefixA]] of prefixes.entries()) {
    for (const [b, prefixB] of prefixes.slice(i + 1)) {
      if (prefixA.startsWith(prefixB) || prefixB.startsWith(prefixA)) {
        const how = prefixA === prefixB ? `both read ${prefixA}` : `${prefixA} and ${prefixB} overlap`;
        return `${a === 'the BERT pipeline' ? a : `variant ${a}`} and variant ${b}: ${how}`;
      }
    }
  }
  return undefined;
}

export const PIPELINE_SETTINGS = {
  bertPipelineVariants: setting({
    type: 'json',
    doc:
      'More BERT pipelines, by name: each reads its own raw prefix and registers into its own model package group, in stack <prefix>-bert-pipeline-<name>, ' +
      'e.g. {"dresses":{"inputPrefix":"raw/dresses/"}}.',
    allowed:
      'a JSON object of name (lowercase letters, digits and hyphens, starting with a letter, at most 24 characters) to {"inputPrefix": "raw/<folder>/"} ' +
      '(folders of lowercase letters, digits, hyphens and underscores, starting with a letter or digit), ' +
      `each prefix its own: neither ${LakePrefix.rawReviews} (the BERT pipeline's) nor another variant's, nor inside or around one`,
    parse: pipelineVariants,
  }),
  codeVersion: setting({
    type: 'string',
    doc: 'Version recorded with every registered model, e.g. -c codeVersion=$(git rev-parse HEAD); unset uses the hash of the step code.',
    allowed: '1 to 128 letters, digits, dots, hyphens and underscores',
    parse: matching(/^[A-Za-z0-9._-]{1,128}$/),
  }),
  pipelineDefinitionStorage: setting({
    type: 'string',
    doc: 'Where CloudFormation reads pipeline definitions: inline in the template, s3 (a file in the lake), or auto (s3 for large ones).',
    allowed: 'one of auto, inline, s3',
    parse: oneOf(['auto', 'inline', 's3'] as const),
    defaults: everyStage('auto'),
  }),
  spotTraining: setting({
    type: 'boolean',
    doc: 'Train on managed spot instances (cheaper, may wait up to a day longer), resuming from checkpoints in the lake.',
    allowed: 'true or false',
    parse: bool,
    defaults: everyStage(false),
  }),
  pipelineSchedule: setting({
    type: 'string',
    doc: 'EventBridge schedule that starts the training pipeline; unset starts it on demand only.',
    allowed: `${SCHEDULE_ALLOWED}, e.g. rate(7 days) or cron(0 3 ? * MON *)`,
    parse: schedule('rate or cron'),
  }),
  pipelineStartOnNewData: setting({
    type: 'boolean',
    doc: 'Start the training pipeline once per delivery of new raw reviews: when the delivery\'s _SUCCESS marker, written after its files, lands under the raw prefix (see Delivering data).',
    allowed: 'true or false',
    parse: bool,
    defaults: everyStage(false),
  }),
  pipelineNotificationEmail: setting({
    type: 'string',
    doc: 'E-mail address told when a pipeline execution fails (the SNS topic exists either way).',
    allowed: 'an e-mail address',
    parse: matching(EMAIL_PATTERN),
  }),
  pipelineSubnetIds: setting({
    type: 'list',
    doc: 'Subnets (comma-separated) for the pipeline jobs that are not network-isolated; with pipelineSecurityGroupIds.',
    allowed: 'subnet IDs such as subnet-0abc1234, separated by commas',
    parse: listOf(/^subnet-[0-9a-f]{8,17}$/),
  }),
  pipelineSecurityGroupIds: setting({
    type: 'list',
    doc: 'Security groups (comma-separated) of those jobs; with pipelineSubnetIds.',
    allowed: 'security group IDs such as sg-0abc1234, separated by commas',
    parse: listOf(/^sg-[0-9a-f]{8,17}$/),
  }),
};

export type PipelineConfig = ConfigOf<typeof PIPELINE_SETTINGS>;

export function checkPipelines(config: PipelineConfig): void {
  if ((config.pipelineSubnetIds === undefined) !== (config.pipelineSecurityGroupIds === undefined)) {
    const missing = config.pipelineSubnetIds === undefined ? 'pipelineSubnetIds' : 'pipelineSecurityGroupIds';
    throw new ConfigError(
      `Incomplete VPC settings: '${missing}' is not set; expected both pipelineSubnetIds and pipelineSecurityGroupIds, or neither.`,
    );
  }
}
