/**
 * The BERT family's settings: more BERT pipelines (`bertPipelineVariants`), each a family of its
 * own that reads its own raw prefix; and the tuning of the tuned BERT pipeline (`bertTuning`). The platform reads them with every other setting (from the
 * CDK context, validated before any construct is made) and shows them in the configuration
 * reference.
 */
import { LakePrefix } from '../../../lib/lake-layout';
import { everyStage, isObject, jsonValue, NotAllowed, setting, SHORT_NAME } from '../../../lib/settings/setting';
import { HyperparameterRange, SCALING_TYPES, ScalingType, Tuning, tuningProblems } from '../../dsl/tuning';
import { BERT_METRIC_DEFINITIONS } from './pipeline';

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

/** A range of `bertTuning.ranges`: numbers (`integer` for whole numbers) or values. */
export type TuningRangeSetting =
  | { readonly min: number; readonly max: number; readonly scaling?: ScalingType; readonly integer?: boolean }
  | { readonly values: readonly (string | number)[] };

/** `bertTuning` as the configuration has it. */
export interface TuningSetting {
  readonly strategy: Tuning['strategy'];
  readonly objective: Tuning['objective'];
  readonly ranges: Readonly<Record<string, TuningRangeSetting>>;
  readonly maxJobs: number;
  readonly maxParallelJobs: number;
  readonly earlyStopping: NonNullable<Tuning['earlyStopping']>;
}

/** The course's tuning (Course 3): learning rate and batch size, at random, 2 jobs side by side. */
export const COURSE_TUNING: TuningSetting = {
  strategy: 'Random',
  objective: { metric: 'validation:accuracy', type: 'Maximize' },
  ranges: { learning_rate: { min: 0.00001, max: 0.00005, scaling: 'Linear' }, train_batch_size: { values: [128, 256] } },
  maxJobs: 2,
  maxParallelJobs: 2,
  earlyStopping: 'Auto',
};

/** The hyperparameters of train.py the tuning may draw. */
export const TUNABLE_HYPERPARAMETERS = ['learning_rate', 'train_batch_size', 'epochs', 'seed', 'freeze_bert_layer'] as const;

const TUNING_KEYS: readonly string[] = ['strategy', 'objective', 'ranges', 'maxJobs', 'maxParallelJobs', 'earlyStopping'];

/** The tuning a setting declares, as the Tuning step takes it. */
export function tuningOf(setting: TuningSetting): Tuning {
  return {
    strategy: setting.strategy,
    objective: setting.objective,
    ranges: Object.entries(setting.ranges).map(([name, range]): HyperparameterRange =>
      'values' in range
        ? { kind: 'categorical', name, values: range.values }
        : { kind: range.integer ? 'integer' : 'continuous', name, min: range.min, max: range.max, scaling: range.scaling },
    ),
    maxJobs: setting.maxJobs,
    maxParallelJobs: setting.maxParallelJobs,
    earlyStopping: setting.earlyStopping,
  };
}

/** One range's shape, or what is wrong with it. */
function rangeShape(name: string, raw: unknown): string | undefined {
  if (!(TUNABLE_HYPERPARAMETERS as readonly string[]).includes(name)) {
    return `range ${name} is not a hyperparameter of train.py the tuning may draw; expected one of ${TUNABLE_HYPERPARAMETERS.join(', ')}`;
  }
  if (!isObject(raw)) return `range ${name} is not an object`;
  if ('values' in raw) return Array.isArray(raw.values) ? undefined : `range ${name}: values is not a list`;
  if (typeof raw.min !== 'number' || typeof raw.max !== 'number') return `range ${name} needs numbers min and max, or values`;
  return undefined;
}

/** `bertTuning`: the tuning as JSON, checked as the API checks it. */
function tuningSetting(raw: unknown): TuningSetting | undefined {
  const value = jsonValue(raw);
  if (!isObject(value)) return undefined;
  const unknown = Object.keys(value).filter((key) => !TUNING_KEYS.includes(key));
  if (unknown.length > 0) throw new NotAllowed(`${unknown.join(', ')} is not a member; expected ${TUNING_KEYS.join(', ')}`);
  if (!isObject(value.ranges)) throw new NotAllowed('ranges is not an object of hyperparameter to range');
  const shapes = Object.entries(value.ranges).map(([name, range]) => rangeShape(name, range)).filter((p): p is string => p !== undefined);
  if (shapes.length > 0) throw new NotAllowed(shapes.join('; '));
  const objective = isObject(value.objective) ? value.objective : {};
  const setting = {
    strategy: value.strategy ?? COURSE_TUNING.strategy,
    objective: { metric: objective.metric ?? COURSE_TUNING.objective.metric, type: objective.type ?? COURSE_TUNING.objective.type },
    ranges: value.ranges,
    maxJobs: value.maxJobs ?? COURSE_TUNING.maxJobs,
    maxParallelJobs: value.maxParallelJobs ?? COURSE_TUNING.maxParallelJobs,
    earlyStopping: value.earlyStopping ?? 'Off',
  } as TuningSetting;
  const problems = tuningProblems(tuningOf(setting), BERT_METRIC_DEFINITIONS.map((m) => m.Name));
  if (problems.length > 0) throw new NotAllowed(problems.join('; '));
  return setting;
}

export const BERT_SENTIMENT_SETTINGS = {
  bertTuning: setting({
    type: 'json',
    doc:
      'The tuned BERT pipeline\'s tuning: the hyperparameters it draws (ranges), how (strategy), the objective, the training jobs in all and side by side, and early stopping; ' +
      'the course\'s by default: learning_rate 1e-5 to 5e-5 (Linear), train_batch_size 128 or 256, Random, Maximize validation:accuracy, 2 jobs, 2 at a time, early stopping Auto.',
    allowed:
      `a JSON object of strategy (Bayesian or Random), objective {"metric": validation:accuracy or validation:loss, "type": Maximize or Minimize}, ` +
      `ranges {<${TUNABLE_HYPERPARAMETERS.join(' | ')}>: {"min", "max", "scaling": ${SCALING_TYPES.join(' | ')}, "integer": true|false} or {"values": [...]}}, ` +
      'maxJobs and maxParallelJobs (whole numbers, parallel at most maxJobs), earlyStopping (Off or Auto); min below max, Logarithmic scaling with min above 0, ' +
      'ReverseLogarithmic for continuous ranges within [0, 1)',
    parse: tuningSetting,
    defaults: everyStage(COURSE_TUNING),
  }),
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
};
