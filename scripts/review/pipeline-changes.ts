/**
 * What changed in each SageMaker pipeline between two synths, step by step and parameter by
 * parameter, from the definitions as the templates deploy them.
 */
import { DeployedPipeline } from './assembly';
import { formatChange, formatPair, formatValue, leafChanges } from './leaf-changes';

export interface StepChange {
  readonly name: string;
  readonly type: string;
  /** `label before → after`, one per changed value. */
  readonly changes: readonly string[];
}

/** What a step runs and where: its images, instance types and network isolation, as the definition gives them. */
export interface StepRuntime {
  readonly name: string;
  readonly type: string;
  /** The container images (`ImageUri`, `TrainingImage`, `Image`), or `—` for a step that runs none. */
  readonly image: string;
  /** The instance types (`InstanceType`, a package's supported types), or `—`. */
  readonly instanceType: string;
  /** `EnableNetworkIsolation`'s value; `not set (off)` for a job step without it; `—` for a step that is no job. */
  readonly networkIsolation: string;
}

export interface PipelineChange {
  readonly name: string;
  /** The stack that deploys the pipeline (the head's, or the base's when it was removed). */
  readonly stack: string;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged' | 'unreadable';
  /** Why a definition could not be read (status `unreadable`). */
  readonly error?: string;
  readonly stepsAdded: readonly string[];
  readonly stepsRemoved: readonly string[];
  readonly stepsChanged: readonly StepChange[];
  /** Parameters added, removed, or with a changed default, type or allowed values. */
  readonly parameters: readonly string[];
  /** Other changes of the definition (its metadata, its version). */
  readonly other: readonly string[];
  /** The added steps' images, instance types and isolation (every step of a new pipeline). */
  readonly runtimes: readonly StepRuntime[];
}

type Json = Record<string, unknown>;

/** The pipelines of two synths paired by name, with what changed in each. */
export function pipelineChanges(base: readonly DeployedPipeline[], head: readonly DeployedPipeline[]): PipelineChange[] {
  // Paired by name; a renamed pipeline (a new name prefix, say) by its stack and logical id.
  const where = (p: DeployedPipeline) => `${p.stack}/${p.logicalId}`;
  const headNames = new Set(head.map((p) => p.name));
  const none = { stepsAdded: [], stepsRemoved: [], stepsChanged: [], parameters: [], other: [], runtimes: [] };
  const changes: PipelineChange[] = [];
  const paired = new Set<DeployedPipeline>();
  for (const after of head) {
    const before = base.find((b) => b.name === after.name) ?? base.find((b) => !headNames.has(b.name) && where(b) === where(after));
    if (before) paired.add(before);
    if (after.error || before?.error) {
      changes.push({ ...none, name: after.name, stack: after.stack, status: 'unreadable', error: after.error ?? `base: ${before!.error}` });
    } else if (!before) {
      const steps = stepList(after.definition!);
      changes.push({ ...none, name: after.name, stack: after.stack, status: 'added', stepsAdded: steps.map(describeStep), runtimes: steps.map(stepRuntime) });
    } else {
      changes.push(compare(before.definition!, after.definition!, after));
    }
  }
  for (const before of base) {
    if (paired.has(before)) continue;
    const steps = before.definition ? stepList(before.definition).map(describeStep) : [];
    changes.push({ ...none, name: before.name, stack: before.stack, status: 'removed', stepsRemoved: steps });
  }
  return changes;
}

function compare(before: Json, after: Json, pipeline: DeployedPipeline): PipelineChange {
  const beforeSteps = new Map(stepList(before).map((s) => [String(s.Name), s]));
  const afterSteps = stepList(after);
  const afterNames = new Set(afterSteps.map((s) => String(s.Name)));
  const stepsChanged: StepChange[] = [];
  const stepsAdded: string[] = [];
  const runtimes: StepRuntime[] = [];
  for (const step of afterSteps) {
    const old = beforeSteps.get(String(step.Name));
    if (!old) {
      stepsAdded.push(describeStep(step));
      runtimes.push(stepRuntime(step));
      continue;
    }
    const changes = leafChanges(old, step)
      .map((c) => ({ ...c, label: c.label.replace(/^Arguments\./, '') }))
      .map(formatChange);
    if (changes.length > 0) stepsChanged.push({ name: String(step.Name), type: String(step.Type), changes });
  }
  const stepsRemoved = [...beforeSteps.values()].filter((s) => !afterNames.has(String(s.Name))).map(describeStep);
  const parameters = leafChanges(before.Parameters ?? [], after.Parameters ?? [], 'Parameters').map((c) => {
    const match = /^Parameters\[([^\]]+)\](?:\.(.*))?$/.exec(c.label);
    if (!match) return formatChange(c);
    const [, name, field] = match;
    if (field === undefined) return c.before === undefined ? `${name} added (default ${formatValue((c.after as Json).DefaultValue)})` : `${name} removed`;
    const [before, after] = formatPair(c.before, c.after);
    return `${name}: ${field === 'DefaultValue' ? 'default' : field} ${before} → ${after}`;
  });
  const rest = (definition: Json) => Object.fromEntries(Object.entries(definition).filter(([k]) => k !== 'Steps' && k !== 'Parameters'));
  const other = leafChanges(rest(before), rest(after)).map(formatChange);
  const changed = stepsChanged.length + stepsAdded.length + stepsRemoved.length + parameters.length + other.length > 0;
  return {
    name: pipeline.name,
    stack: pipeline.stack,
    status: changed ? 'changed' : 'unchanged',
    stepsAdded,
    stepsRemoved,
    stepsChanged,
    parameters,
    other,
    runtimes,
  };
}

/**
 * Every step of a definition, those inside a Condition's branches included; a Condition step
 * lists its branches by step name, so that a step is compared once, on its own.
 */
export function stepList(definition: Json): Json[] {
  const visit = (steps: unknown): Json[] =>
    (Array.isArray(steps) ? (steps as Json[]) : []).flatMap((step) => {
      const args = (step.Arguments ?? {}) as Json;
      if (step.Type !== 'Condition') return [step];
      const branch = (key: string) => (Array.isArray(args[key]) ? (args[key] as Json[]).map((s) => s.Name) : undefined);
      const own = { ...step, Arguments: { ...args, IfSteps: branch('IfSteps'), ElseSteps: branch('ElseSteps') } };
      return [own, ...visit(args.IfSteps), ...visit(args.ElseSteps)];
    });
  return visit(definition.Steps);
}

function describeStep(step: Json): string {
  return `${String(step.Name)} (${String(step.Type)})`;
}

/** Step types that run a SageMaker job or model, so that an unset isolation means off. */
const JOB_STEP_TYPES = new Set(['Processing', 'Training', 'Tuning', 'Model', 'ClarifyCheck', 'QualityCheck']);
const IMAGE_KEYS = new Set(['ImageUri', 'TrainingImage', 'Image']);
const INSTANCE_TYPE_KEYS = new Set(['InstanceType', 'SupportedRealtimeInferenceInstanceTypes', 'SupportedTransformInstanceTypes']);

/** Every value under the given keys, anywhere in a step's arguments (a Condition's branches left out). */
function valuesOf(value: unknown, keys: ReadonlySet<string>): unknown[] {
  if (Array.isArray(value)) return value.flatMap((item) => valuesOf(item, keys));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Json).flatMap(([key, item]) =>
    keys.has(key) ? (Array.isArray(item) ? item : [item]) : key === 'IfSteps' || key === 'ElseSteps' ? [] : valuesOf(item, keys),
  );
}

/** A step's images, instance types and network isolation, as a reviewer of a new step needs them. */
export function stepRuntime(step: Json): StepRuntime {
  const show = (values: unknown[]) => [...new Set(values.map((v) => formatValue(v)))].join(', ') || '—';
  const isolation = valuesOf(step.Arguments, new Set(['EnableNetworkIsolation']));
  const transformModel = step.Type === 'Transform' ? valuesOf(step.Arguments, new Set(['ModelName'])) : [];
  return {
    name: String(step.Name),
    type: String(step.Type),
    image: transformModel.length > 0 ? `the model's (${show(transformModel)})` : show(valuesOf(step.Arguments, IMAGE_KEYS)),
    instanceType: show(valuesOf(step.Arguments, INSTANCE_TYPE_KEYS)),
    networkIsolation:
      isolation.length > 0 ? show(isolation) : transformModel.length > 0 ? "the model's" : JOB_STEP_TYPES.has(String(step.Type)) ? 'not set (off)' : '—',
  };
}
