import { Parameter } from './parameters';
import { PipelineDefinitionError, Step } from './steps';

/** The definition format version SageMaker Pipelines reads. */
export const DEFINITION_VERSION = '2020-12-01';

export interface PipelineDefinitionProps {
  readonly parameters: readonly Parameter[];
  /** Top-level steps; steps in a Condition's branches are found through it. */
  readonly steps: readonly Step[];
  /** Free-form metadata kept in the definition. */
  readonly metadata?: Record<string, string>;
}

/**
 * A SageMaker Pipeline definition whose every reference is checked when it is made: step names
 * valid and unique, every referenced step and parameter present, no cycle among data and explicit
 * dependencies. {@link render} gives the JSON the service reads.
 */
export class PipelineDefinition {
  public readonly parameters: readonly Parameter[];
  public readonly steps: readonly Step[];
  /** Every step, including those in Condition branches, in definition order. */
  public readonly allSteps: readonly Step[];

  constructor(private readonly props: PipelineDefinitionProps) {
    this.parameters = props.parameters;
    this.steps = props.steps;
    this.allSteps = flatten(props.steps);
    this.validate();
  }

  private validate(): void {
    const parameterNames = new Set<string>();
    for (const p of this.parameters) {
      if (parameterNames.has(p.name)) throw new PipelineDefinitionError(`Parameter '${p.name}' is declared twice.`);
      parameterNames.add(p.name);
    }
    const byName = new Map<string, Step>();
    for (const step of this.allSteps) {
      const other = byName.get(step.name);
      if (other !== undefined) {
        throw new PipelineDefinitionError(
          other === step
            ? `Step '${step.name}' appears twice in the pipeline; list it once (steps in a Condition's branches are not listed at the top).`
            : `Step name '${step.name}' is used by two steps; expected unique step names.`,
        );
      }
      byName.set(step.name, step);
    }
    const edges = new Map<Step, Step[]>();
    const parentOf = conditionParents(this.steps);
    for (const step of this.allSteps) {
      const { steps, parameters } = step.references();
      for (const name of parameters) {
        if (!parameterNames.has(name)) {
          throw new PipelineDefinitionError(
            `Step '${step.name}' reads parameter '${name}', which the pipeline does not declare; expected one of ${[...parameterNames].join(', ') || 'none'}.`,
          );
        }
      }
      const targets: Step[] = [];
      for (const ref of [...steps, ...step.dependsOn]) {
        const target = byName.get(ref.name);
        if (target === undefined || target !== ref) {
          throw new PipelineDefinitionError(`Step '${step.name}' refers to step '${ref.name}', which is not in the pipeline.`);
        }
        if (target === step) throw new PipelineDefinitionError(`Step '${step.name}' refers to itself.`);
        targets.push(target);
      }
      const parent = parentOf.get(step);
      if (parent) targets.push(parent);
      edges.set(step, targets);
    }
    const cycle = findCycle(this.allSteps, edges);
    if (cycle) {
      throw new PipelineDefinitionError(`Steps depend on each other in a cycle: ${cycle.map((s) => s.name).join(' -> ')}.`);
    }
  }

  /** The definition as the service reads it. */
  public render(): Record<string, unknown> {
    return {
      Version: DEFINITION_VERSION,
      Metadata: { ...(this.props.metadata ?? {}) },
      Parameters: this.parameters.map((p) => p.render()),
      Steps: this.steps.map((s) => s.render()),
    };
  }

  /** A parameter by name. */
  public parameter(name: string): Parameter {
    const found = this.parameters.find((p) => p.name === name);
    if (!found) throw new PipelineDefinitionError(`The pipeline has no parameter '${name}'.`);
    return found;
  }
}

function flatten(steps: readonly Step[]): Step[] {
  return steps.flatMap((s) => [s, ...flatten(s.nestedSteps)]);
}

function conditionParents(steps: readonly Step[]): Map<Step, Step> {
  const parents = new Map<Step, Step>();
  const visit = (step: Step) => {
    for (const child of step.nestedSteps) {
      parents.set(child, step);
      visit(child);
    }
  };
  steps.forEach(visit);
  return parents;
}

/** A cycle among the steps, as the path that closes it, or undefined. */
function findCycle(steps: readonly Step[], edges: Map<Step, Step[]>): Step[] | undefined {
  const state = new Map<Step, 'visiting' | 'done'>();
  const path: Step[] = [];
  const visit = (step: Step): Step[] | undefined => {
    if (state.get(step) === 'done') return undefined;
    if (state.get(step) === 'visiting') return [...path.slice(path.indexOf(step)), step];
    state.set(step, 'visiting');
    path.push(step);
    for (const next of edges.get(step) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(step, 'done');
    return undefined;
  };
  for (const step of steps) {
    const cycle = visit(step);
    if (cycle) return cycle;
  }
  return undefined;
}
