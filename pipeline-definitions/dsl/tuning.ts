/**
 * The Tuning step (CreateHyperParameterTuningJob): a training job definition run several times
 * with hyperparameters drawn from ranges by a strategy, the best job by an objective metric.
 *
 * The tuning is declared typed ({@link Tuning}) and checked against what the API accepts before
 * anything is rendered ({@link tuningProblems}); the step reads the best job as the API reports it
 * (`TrainingJobSummaries[0]`, the API has no top-k list), and its model where that job wrote it.
 */
import { Join, Value } from './expressions';
import { PipelineDefinitionError, RequestStep, StepOptions } from './steps';

/** How the tuner searches a range (the API's ScalingType). */
export const SCALING_TYPES = ['Auto', 'Linear', 'Logarithmic', 'ReverseLogarithmic'] as const;
export type ScalingType = (typeof SCALING_TYPES)[number];

/** The search strategies a pipeline's Tuning step takes (the pipeline-definition schema's). */
export const TUNING_STRATEGIES = ['Bayesian', 'Random'] as const;
export type TuningStrategy = (typeof TUNING_STRATEGIES)[number];

export const EARLY_STOPPING_TYPES = ['Off', 'Auto'] as const;
export type EarlyStoppingType = (typeof EARLY_STOPPING_TYPES)[number];

/** A range of numbers (continuous: any real number; integer: whole numbers). */
export interface NumericRange {
  readonly kind: 'continuous' | 'integer';
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** @default 'Auto' */
  readonly scaling?: ScalingType;
}

/** A choice among values (sent as text). */
export interface CategoricalRange {
  readonly kind: 'categorical';
  readonly name: string;
  readonly values: readonly (string | number)[];
}

export type HyperparameterRange = NumericRange | CategoricalRange;

/** What to tune and how. */
export interface Tuning {
  readonly strategy: TuningStrategy;
  /** The metric (one of the training definition's MetricDefinitions) and its direction. */
  readonly objective: { readonly metric: string; readonly type: 'Maximize' | 'Minimize' };
  readonly ranges: readonly HyperparameterRange[];
  readonly maxJobs: number;
  readonly maxParallelJobs: number;
  /** @default 'Off' */
  readonly earlyStopping?: EarlyStoppingType;
}

/** CreateHyperParameterTuningJob's limits. */
const MAX_RANGES = 30;
const MAX_CATEGORICAL_VALUES = 30;

/**
 * What the API would refuse in a tuning, each naming the item, the value and what is allowed
 * (empty when none): an empty range, min not below max, a scaling the range cannot use, parallel
 * jobs above total jobs, an unknown strategy or early-stopping type, an objective metric the
 * training job does not report.
 */
export function tuningProblems(tuning: Tuning, metricNames: readonly string[]): string[] {
  const problems: string[] = [];
  if (!(TUNING_STRATEGIES as readonly string[]).includes(tuning.strategy)) {
    problems.push(`strategy '${tuning.strategy}' is not allowed; expected one of ${TUNING_STRATEGIES.join(', ')}`);
  }
  const earlyStopping = tuning.earlyStopping ?? 'Off';
  if (!(EARLY_STOPPING_TYPES as readonly string[]).includes(earlyStopping)) {
    problems.push(`earlyStopping '${earlyStopping}' is not allowed; expected one of ${EARLY_STOPPING_TYPES.join(', ')}`);
  }
  if (!metricNames.includes(tuning.objective.metric)) {
    problems.push(`objective metric '${tuning.objective.metric}' is not one the training job reports; expected one of ${metricNames.join(', ') || '(none: the job defines no metrics)'}`);
  }
  if (!['Maximize', 'Minimize'].includes(tuning.objective.type)) {
    problems.push(`objective type '${tuning.objective.type}' is not allowed; expected Maximize or Minimize`);
  }
  for (const [name, value] of [['maxJobs', tuning.maxJobs], ['maxParallelJobs', tuning.maxParallelJobs]] as const) {
    if (!Number.isInteger(value) || value < 1) problems.push(`${name} ${value} is not allowed; expected a whole number of at least 1`);
  }
  if (tuning.maxParallelJobs > tuning.maxJobs) {
    problems.push(`maxParallelJobs ${tuning.maxParallelJobs} is above maxJobs ${tuning.maxJobs}; expected at most as many parallel jobs as jobs`);
  }
  if (tuning.ranges.length === 0 || tuning.ranges.length > MAX_RANGES) {
    problems.push(`${tuning.ranges.length} ranges; expected 1 to ${MAX_RANGES}`);
  }
  const names = tuning.ranges.map((r) => r.name);
  names.filter((n, i) => names.indexOf(n) !== i).forEach((n) => problems.push(`range ${n} is declared twice; expected one range per hyperparameter`));
  for (const range of tuning.ranges) problems.push(...rangeProblems(range).map((p) => `range ${range.name}: ${p}`));
  return problems;
}

function rangeProblems(range: HyperparameterRange): string[] {
  if (range.kind === 'categorical') {
    if (range.values.length === 0 || range.values.length > MAX_CATEGORICAL_VALUES) {
      return [`${range.values.length} values; expected 1 to ${MAX_CATEGORICAL_VALUES}`];
    }
    const texts = range.values.map(String);
    return texts.some((t, i) => texts.indexOf(t) !== i) ? [`values ${JSON.stringify(range.values)} repeat; expected distinct values`] : [];
  }
  const scaling = range.scaling ?? 'Auto';
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max)) return [`min ${range.min} and max ${range.max} must be numbers`];
  if (range.kind === 'integer' && (!Number.isInteger(range.min) || !Number.isInteger(range.max))) {
    return [`min ${range.min} and max ${range.max} must be whole numbers (an integer range)`];
  }
  if (range.min >= range.max) return [`min ${range.min} is not below max ${range.max}; expected min < max`];
  if (!(SCALING_TYPES as readonly string[]).includes(scaling)) return [`scaling '${scaling}' is not allowed; expected one of ${SCALING_TYPES.join(', ')}`];
  if (scaling === 'Logarithmic' && range.min <= 0) return [`Logarithmic scaling needs min above 0; min is ${range.min}`];
  if (scaling === 'ReverseLogarithmic') {
    if (range.kind === 'integer') return ['ReverseLogarithmic scaling is for continuous ranges only; use Linear, Logarithmic or Auto'];
    if (range.min < 0 || range.max >= 1) return [`ReverseLogarithmic scaling needs 0 <= min < max < 1; the range is ${range.min} to ${range.max}`];
  }
  return [];
}

/** The ranges as the API's ParameterRanges. */
function parameterRanges(ranges: readonly HyperparameterRange[]): Record<string, Value> {
  const numeric = (kind: NumericRange['kind']) =>
    ranges
      .filter((r): r is NumericRange => r.kind === kind)
      .map((r) => ({ Name: r.name, MinValue: String(r.min), MaxValue: String(r.max), ScalingType: r.scaling ?? 'Auto' }));
  const categorical = ranges.filter((r): r is CategoricalRange => r.kind === 'categorical').map((r) => ({ Name: r.name, Values: r.values.map(String) }));
  const all: Record<string, Value[]> = {
    ContinuousParameterRanges: numeric('continuous'),
    IntegerParameterRanges: numeric('integer'),
    CategoricalParameterRanges: categorical,
  };
  return Object.fromEntries(Object.entries(all).filter(([, list]) => list.length > 0));
}

export interface TuningStepProps extends StepOptions {
  readonly tuning: Tuning;
  /**
   * The training job definition (HyperParameterTrainingJobDefinition): a CreateTrainingJob request
   * without the job name, with `StaticHyperParameters` for the hyperparameters that are not tuned.
   */
  readonly trainingJobDefinition: Readonly<Record<string, Value | undefined>>;
}

/** A Tuning step (CreateHyperParameterTuningJob). */
export class TuningStep extends RequestStep {
  public readonly type = 'Tuning' as const;
  protected readonly propertyPatterns = [
    /^HyperParameterTuningJobName$/,
    /^HyperParameterTuningJobArn$/,
    /^HyperParameterTuningJobStatus$/,
    /^BestTrainingJob\.(TrainingJobName|TrainingJobArn|FinalHyperParameterTuningJobObjectiveMetric\.Value)$/,
    /^TrainingJobSummaries\[\d+\]\.(TrainingJobName|TrainingJobArn)$/,
  ];
  public readonly tuning: Tuning;

  constructor(name: string, props: TuningStepProps) {
    const definition = props.trainingJobDefinition;
    const algorithm = (definition.AlgorithmSpecification ?? {}) as { MetricDefinitions?: { Name: string }[] };
    const problems = tuningProblems(props.tuning, (algorithm.MetricDefinitions ?? []).map((m) => m.Name));
    if (problems.length > 0) throw new PipelineDefinitionError(`Step '${name}': the tuning is not allowed: ${problems.join('; ')}.`);
    const tuned = props.tuning.ranges.map((r) => r.name);
    const fixed = Object.keys((definition.StaticHyperParameters ?? {}) as object).filter((key) => tuned.includes(key));
    if (fixed.length > 0) {
      throw new PipelineDefinitionError(`Step '${name}': ${fixed.join(', ')} both tuned and static; expected each hyperparameter in the ranges or in StaticHyperParameters, not both.`);
    }
    const t = props.tuning;
    super(name, {
      ...props,
      request: {
        HyperParameterTuningJobConfig: {
          Strategy: t.strategy,
          HyperParameterTuningJobObjective: { Type: t.objective.type, MetricName: t.objective.metric },
          ResourceLimits: { MaxNumberOfTrainingJobs: t.maxJobs, MaxParallelTrainingJobs: t.maxParallelJobs },
          ParameterRanges: parameterRanges(t.ranges),
          TrainingJobEarlyStoppingType: t.earlyStopping ?? 'Off',
        },
        TrainingJobDefinition: { ...definition },
      },
    });
    this.tuning = t;
  }

  /** The best training job's name (the API lists the best first). */
  public bestTrainingJobName(): Value {
    return this.property('TrainingJobSummaries[0].TrainingJobName');
  }

  /**
   * The best job's model: `<output path>/<training job name>/output/model.tar.gz`, where each
   * training job of the tuning writes it.
   */
  public bestModelArtifacts(): Join {
    const output = (this.request.TrainingJobDefinition as { OutputDataConfig?: { S3OutputPath?: Value } }).OutputDataConfig?.S3OutputPath;
    if (output === undefined) throw new PipelineDefinitionError(`Step '${this.name}': the training job definition has no OutputDataConfig.S3OutputPath.`);
    // A Join's values may not be Joins: a path joined on '/' is spread into this one.
    const prefix = output instanceof Join && output.on === '/' ? output.values : [output];
    return new Join('/', [...prefix, this.bestTrainingJobName(), 'output', 'model.tar.gz']);
  }
}
