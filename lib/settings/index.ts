/**
 * The platform's configuration: every setting, declared once in the module of its area, read from
 * the CDK context and validated before any construct is made.
 *
 * The context key of a setting is its name, so `cdk synth -c athenaBytesScannedCutoff=...`
 * overrides `athenaBytesScannedCutoff` of the chosen stage. The stage itself is the `stage` key
 * (default `dev`); the stage supplies every other default. A value that fails validation throws a
 * {@link ConfigError} that names the key, the bad value and what is allowed. A context key that is
 * no setting is named with the closest setting, and fails the synth with `strictSettings`.
 */
import { FAMILY_PACKAGES, familySettings } from '../../pipeline-definitions/families';
import { BUDGET_SETTINGS, checkBudget } from './budget';
import { unknownSettingMessage, unknownSettings } from './context-keys';
import { checkCore, CORE_SETTINGS } from './core';
import { FEATURE_STORE_IGNORED, FEATURE_STORE_SETTINGS } from './feature-store';
import { HUMAN_REVIEW_IGNORED, HUMAN_REVIEW_SETTINGS } from './human-review';
import { LAKE_SETTINGS } from './lake';
import { checkPipelines, PIPELINE_SETTINGS } from './pipelines';
import { QUALITY_GATE_SETTINGS } from './quality-gates';
import { checkServing, SERVING_IGNORED, SERVING_SETTINGS } from './serving';
import { ConfigError, ConfigOf, describe, IgnoredSetting, NotAllowed, Setting, StageName, STAGES } from './setting';

export { ConfigError, STAGES } from './setting';
export type { Setting, StageName } from './setting';
export { MAX_NAME_PREFIX_LENGTH } from './core';
export type { FeatureGroupSetting } from './feature-store';
export {
  DEFAULT_SERVING_AUTOSCALING,
  DEFAULT_SERVING_ROLLOUT,
  DEFAULT_SERVING_SERVERLESS,
  DEFAULT_SERVING_VARIANT,
  SERVING_VARIANTS,
} from './serving';
export { DEFAULT_HUMAN_REVIEW_THROTTLING } from './human-review';
export type { HumanReviewThrottlingSetting } from './human-review';
export type { ServingAutoscalingSetting, ServingRolloutSetting, ServingServerlessSetting, ServingVariantName, ServingVariantSetting } from './serving';

/** The platform's own settings, by context key. */
const PLATFORM_SETTINGS = {
  ...CORE_SETTINGS,
  ...LAKE_SETTINGS,
  ...FEATURE_STORE_SETTINGS,
  ...PIPELINE_SETTINGS,
  ...QUALITY_GATE_SETTINGS,
  ...SERVING_SETTINGS,
  ...HUMAN_REVIEW_SETTINGS,
  ...BUDGET_SETTINGS,
};

/** The family packages' settings (each package's `settings.ts`), by context key: none is a platform setting. */
const FAMILY_SETTINGS = familySettings(FAMILY_PACKAGES, Object.keys(PLATFORM_SETTINGS));

/** The settings of each area, in the order the configuration reference shows them. */
export const SETTING_AREAS = [
  { title: 'Platform', settings: CORE_SETTINGS },
  { title: 'Data lake', settings: LAKE_SETTINGS },
  { title: 'Feature Store', settings: FEATURE_STORE_SETTINGS },
  { title: 'Pipelines', settings: PIPELINE_SETTINGS },
  { title: 'Model families', settings: FAMILY_SETTINGS },
  { title: 'Quality gates', settings: QUALITY_GATE_SETTINGS },
  { title: 'Serving', settings: SERVING_SETTINGS },
  { title: 'Human review', settings: HUMAN_REVIEW_SETTINGS },
  { title: 'Budget', settings: BUDGET_SETTINGS },
] as const;

/** Settings that other settings can leave without effect (warned when given; errors with strictSettings). */
const IGNORED_SETTINGS = [...FEATURE_STORE_IGNORED, ...SERVING_IGNORED, ...HUMAN_REVIEW_IGNORED] as readonly IgnoredSetting<PlatformConfig>[];

/** Every setting the app reads, by context key. */
export const SETTINGS = { ...PLATFORM_SETTINGS, ...FAMILY_SETTINGS };

/** The configuration of the platform: one field per setting, derived from the declarations. */
export type PlatformConfig = ConfigOf<typeof SETTINGS>;

export type SettingKey = keyof PlatformConfig;

/** Each stage's value of every setting that has one (derived from the declarations). */
export const STAGE_DEFAULTS = Object.fromEntries(
  STAGES.map((stage) => [
    stage,
    Object.fromEntries(
      Object.entries(SETTINGS as Record<string, Setting<unknown>>).flatMap(([key, s]) =>
        key !== 'stage' && s.defaults ? [[key, s.defaults[stage]]] : [],
      ),
    ),
  ]),
) as unknown as { readonly [S in StageName]: Omit<PlatformConfig, 'stage'> };

function parseSetting(key: SettingKey, raw: unknown, source: string): unknown {
  const declared = SETTINGS[key] as Setting<unknown>;
  let value: unknown;
  let reason = '';
  try {
    value = declared.parse(raw);
  } catch (error) {
    if (!(error instanceof NotAllowed)) throw error;
    reason = ` (${error.message})`;
  }
  if (value === undefined) {
    throw new ConfigError(`Invalid ${source} '${key}': ${describe(raw)} is not allowed${reason}; expected ${declared.allowed}.`);
  }
  return value;
}

export interface LoadConfigOptions {
  /**
   * Every key of the context, to find those that are no setting.
   * @default - keys are not checked
   */
  readonly contextKeys?: readonly string[];
  /**
   * Told of each unknown key (unless `strictSettings` makes it an error).
   * @default - written to standard error
   */
  readonly warn?: (message: string) => void;
}

/** What the app says of a setting given in the context that the other settings leave without effect. */
export function ignoredSettingMessage(key: string, value: unknown, because: string): string {
  return `Setting '${key}' (${describe(value)}) has no effect: ${because}, or leave ${key} out.`;
}

/**
 * Builds the configuration of a stage from context values.
 *
 * @param context reads one context key (e.g. `key => app.node.tryGetContext(key)`)
 * @throws ConfigError naming the key, the value and what is allowed
 */
export function loadConfig(context: (key: string) => unknown, options: LoadConfigOptions = {}): PlatformConfig {
  const stage = parseSetting('stage', context('stage') ?? 'dev', 'context value') as StageName;
  const values: Record<string, unknown> = { ...STAGE_DEFAULTS[stage], stage };
  const given = new Set<string>();
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    if (key === 'stage') continue;
    const raw = context(key);
    if (raw !== undefined && raw !== null && raw !== '') {
      values[key] = parseSetting(key, raw, 'context value');
      given.add(key);
    } else if (values[key] !== undefined) {
      // Stage defaults go through the same validation as context values.
      values[key] = parseSetting(key, values[key], `default of stage ${stage} for`);
    }
  }
  const config = values as unknown as PlatformConfig;
  checkCore(config);
  checkPipelines(config);
  checkServing(config);
  checkBudget(config);
  const unknown = options.contextKeys ? unknownSettings(options.contextKeys, Object.keys(SETTINGS)).map(unknownSettingMessage) : [];
  const ignored = IGNORED_SETTINGS.flatMap(({ key, because }) => {
    const reason = given.has(key) ? because(config) : undefined;
    return reason ? [ignoredSettingMessage(key, (config as Record<string, unknown>)[key], reason)] : [];
  });
  if (config.strictSettings && unknown.length + ignored.length > 0) {
    const what = [unknown.length > 0 ? 'an unknown setting' : '', ignored.length > 0 ? 'a setting without effect' : ''].filter(Boolean).join(' and ');
    throw new ConfigError(`${[...unknown, ...ignored].join('\n')}\n(strictSettings=true makes ${what} an error.)`);
  }
  const warn = options.warn ?? ((message: string) => process.stderr.write(`Warning: ${message}\n`));
  [...unknown, ...ignored].forEach((message) => warn(message));
  return config;
}

/**
 * A configuration as the context values that give it back (`-c key=value`): the stage, then every
 * setting that differs from the stage's default, by name (so the order does not depend on where a
 * setting is declared), leaving out those about reading settings. Lists of strings are
 * comma-separated; objects and other lists JSON; the rest as text.
 */
export function contextValues(config: PlatformConfig): Record<string, string> {
  const defaults = STAGE_DEFAULTS[config.stage] as Partial<Record<SettingKey, unknown>>;
  const context: Record<string, string> = { stage: config.stage };
  for (const key of (Object.keys(SETTINGS) as SettingKey[]).sort()) {
    const value = config[key];
    if (key === 'stage' || value === undefined || (SETTINGS[key] as Setting<unknown>).synthOnly) continue;
    if (JSON.stringify(value) === JSON.stringify(defaults[key])) continue;
    context[key] = contextValue(value);
  }
  return context;
}

/** One value as `-c` takes it. */
export function contextValue(value: unknown): string {
  const list = Array.isArray(value) && value.every((item) => typeof item === 'string');
  return list ? (value as string[]).join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value);
}
