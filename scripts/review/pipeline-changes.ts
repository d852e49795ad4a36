/**
 * What changed in each SageMaker pipeline between two synths, step by step and parameter by
 * parameter, from the definitions as the templates deploy them.
 */
import { DeployedPipeline } from './assembly';
import { formatChange, formatValue, leafChanges } from './leaf-changes';

export interface StepChange {
  readonly name: string;
  readonly type: string;
  /** `label before → after`, one per changed value. */
  readonly changes: readonly string[];
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
}

type Json = Record<string, unknown>;

/** The pipelines of two synths paired by name, with what changed in each. */
export function pipelineChanges(base: readonly DeployedPipeline[], head: readonly DeployedPipeline[]): PipelineChange[] {
  // Paired by name; a renamed pipeline (a new name prefix, say) by its stack and logical id.
  const where = (p: DeployedPipeline) => `${p.stack}/${p.logicalId}`;
  const headNames = new Set(head.map((p) => p.name));
  const none = { stepsAdded: [], stepsRemoved: [], stepsChanged: [], parameters: [], other: [] };
  const changes: PipelineChange[] = [];
  const paired = new Set<DeployedPipeline>();
  for (const after of head) {
    const before = base.find((b) => b.name === after.name) ?? base.find((b) => !headNames.has(b.name) && where(b) === where(after));
    if (before) paired.add(before);
    if (after.error || before?.error) {
      changes.push({ ...none, name: after.name, stack: after.stack, status: 'unreadable', error: after.error ?? `base: ${before!.error}` });
    } else if (!before) {
      changes.push({ ...none, name: after.name, stack: after.stack, status: 'added', stepsAdded: stepList(after.definition!).map(describeStep) });
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
  for (const step of afterSteps) {
    const old = beforeSteps.get(String(step.Name));
    if (!old) {
      stepsAdded.push(describeStep(step));
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
    return `${name}: ${field === 'DefaultValue' ? 'default' : field} ${formatValue(c.before)} → ${formatValue(c.after)}`;
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
