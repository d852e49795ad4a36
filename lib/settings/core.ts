/**
 * Settings of the platform as a whole: the stage, the names, where the stacks deploy, what happens
 * to state on removal, and how strictly the app reads its settings.
 */
import { bool, ConfigError, ConfigOf, everyStage, matching, oneOf, setting, STAGES } from './setting';

/** The longest resource-name prefix: every name derived from it must fit its service's limit. */
export const MAX_NAME_PREFIX_LENGTH = 20;

const NAME_PREFIX_PATTERN = new RegExp(`^(?=.{3,${MAX_NAME_PREFIX_LENGTH}}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$`);

export const CORE_SETTINGS = {
  stage: setting({
    type: 'string',
    doc: 'Stage whose defaults apply.',
    allowed: `one of ${STAGES.join(', ')}`,
    parse: oneOf(STAGES),
    defaults: { dev: 'dev', prod: 'prod' },
  }),
  namePrefix: setting({
    type: 'string',
    doc: 'Prefix of every physical resource name.',
    allowed: `3 to ${MAX_NAME_PREFIX_LENGTH} lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen`,
    parse: matching(NAME_PREFIX_PATTERN),
    defaults: { dev: 'pds-dev', prod: 'pds-prod' },
  }),
  account: setting({
    type: 'string',
    doc: 'AWS account ID to pin the stacks to (environment-agnostic when unset).',
    allowed: 'a 12-digit AWS account ID',
    parse: matching(/^\d{12}$/),
  }),
  region: setting({
    type: 'string',
    doc: 'AWS region to pin the stacks to (environment-agnostic when unset).',
    allowed: 'an AWS region name such as us-east-1',
    parse: matching(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/),
  }),
  destroyOnRemoval: setting({
    type: 'boolean',
    doc: 'Delete lake buckets (emptying them) and keys with their stack. Only in dev.',
    allowed: 'true or false (true only with stage dev)',
    parse: bool,
    defaults: everyStage(false),
  }),
  strictSettings: setting({
    type: 'boolean',
    doc:
      'Fail the synth on a context key that is no setting, or on a setting that the other settings leave without effect (onlineStoreTtlDays without the online store, ' +
      'servingVariants with the serverless profile …); CI synthesizes with true. Otherwise each is named on standard error (an unknown key with the closest setting).',
    allowed: 'true or false',
    parse: bool,
    defaults: everyStage(false),
    synthOnly: true,
  }),
};

export type CoreConfig = ConfigOf<typeof CORE_SETTINGS>;

export function checkCore(config: CoreConfig): void {
  if (config.destroyOnRemoval && config.stage !== 'dev') {
    throw new ConfigError(
      `Invalid context value 'destroyOnRemoval': true is not allowed with stage '${config.stage}'; ` +
        'expected false (only dev may delete its lake with the stack).',
    );
  }
}
