/** Settings of every training pipeline: code version, storage, schedules, notifications, VPC (a family's own are in its package). */
import {
  bool,
  ConfigError,
  ConfigOf,
  EMAIL_PATTERN,
  everyStage,
  listOf,
  matching,
  oneOf,
  schedule,
  SCHEDULE_ALLOWED,
  setting,
} from './setting';

export const PIPELINE_SETTINGS = {
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
