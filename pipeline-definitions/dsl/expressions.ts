/**
 * Values of a SageMaker Pipeline definition: literals, and the pipeline functions that stand in for
 * values at run time (`Get` of parameters, execution variables and step properties, `Std:Join`,
 * `Std:JsonGet`). Expressions know what they refer to, so the definition can check every reference.
 */

/** Any value that may stand in a definition. CDK tokens are plain strings here. */
export type Value = string | number | boolean | Expression | readonly Value[] | { readonly [key: string]: Value | undefined };

/** What an expression refers to: a step (by object), a parameter or a property file. */
export interface StepLike {
  readonly name: string;
}

/** A pipeline function. */
export abstract class Expression {
  /** The JSON the service reads. */
  public abstract render(): unknown;
  /** Steps whose properties this expression reads. */
  public abstract readonly steps: readonly StepLike[];
  /** Parameter names this expression reads. */
  public abstract readonly parameters: readonly string[];
}

/** `{"Get": "Parameters.Name"}`. */
export class ParameterGet extends Expression {
  public readonly steps: readonly StepLike[] = [];
  public readonly parameters: readonly string[];
  constructor(public readonly name: string) {
    super();
    this.parameters = [name];
  }
  public render(): unknown {
    return { Get: `Parameters.${this.name}` };
  }
}

/** The execution variables SageMaker Pipelines provides. */
export const EXECUTION_VARIABLES = [
  'PipelineExecutionId',
  'PipelineExecutionArn',
  'PipelineName',
  'PipelineArn',
  'CurrentDateTime',
  'StartDateTime',
] as const;
export type ExecutionVariableName = (typeof EXECUTION_VARIABLES)[number];

/** `{"Get": "Execution.Name"}`. */
export class ExecutionVariable extends Expression {
  public readonly steps: readonly StepLike[] = [];
  public readonly parameters: readonly string[] = [];
  constructor(public readonly name: ExecutionVariableName) {
    super();
  }
  public render(): unknown {
    return { Get: `Execution.${this.name}` };
  }
}

/** `{"Get": "Steps.Name.Path"}`: a property of a step, checked by the step when made. */
export class StepPropertyGet extends Expression {
  public readonly parameters: readonly string[] = [];
  public readonly steps: readonly StepLike[];
  constructor(
    public readonly step: StepLike,
    public readonly path: string,
  ) {
    super();
    this.steps = [step];
  }
  public render(): unknown {
    return { Get: `Steps.${this.step.name}.${this.path}` };
  }
}

/** `{"Std:Join": {"On": ..., "Values": [...]}}`. */
export class Join extends Expression {
  constructor(
    public readonly on: string,
    public readonly values: readonly Value[],
  ) {
    super();
  }
  public get steps(): readonly StepLike[] {
    return collectReferences(this.values).steps;
  }
  public get parameters(): readonly string[] {
    return collectReferences(this.values).parameters;
  }
  public render(): unknown {
    return { 'Std:Join': { On: this.on, Values: this.values.map(renderValue) } };
  }
}

/** A JSON file that a processing step writes to one of its outputs, readable with `Std:JsonGet`. */
export class PropertyFile {
  constructor(
    /** Name of the property file within the step. */
    public readonly name: string,
    /** The processing output that holds the file. */
    public readonly outputName: string,
    /** The file's path relative to that output. */
    public readonly path: string,
  ) {}
  public render(): unknown {
    return { PropertyFileName: this.name, OutputName: this.outputName, FilePath: this.path };
  }
}

/** `{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.S.PropertyFiles.F"}, "Path": "a.b"}}`. */
export class JsonGet extends Expression {
  public readonly parameters: readonly string[] = [];
  public readonly steps: readonly StepLike[];
  constructor(
    public readonly step: StepLike,
    public readonly propertyFile: PropertyFile,
    public readonly jsonPath: string,
  ) {
    super();
    this.steps = [step];
  }
  public render(): unknown {
    return {
      'Std:JsonGet': {
        PropertyFile: { Get: `Steps.${this.step.name}.PropertyFiles.${this.propertyFile.name}` },
        Path: this.jsonPath,
      },
    };
  }
}

/** A value as the service reads it: expressions rendered, undefined members left out. */
export function renderValue(value: Value | undefined): unknown {
  if (value instanceof Expression) return value.render();
  if (Array.isArray(value)) return value.map(renderValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value as Record<string, Value | undefined>)) {
      if (member !== undefined) out[key] = renderValue(member);
    }
    return out;
  }
  return value;
}

/** Every step and parameter that a value refers to. */
export function collectReferences(value: Value | undefined): { steps: StepLike[]; parameters: string[] } {
  const steps: StepLike[] = [];
  const parameters: string[] = [];
  const visit = (v: Value | undefined): void => {
    if (v instanceof Expression) {
      steps.push(...v.steps);
      parameters.push(...v.parameters);
    } else if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (v !== null && typeof v === 'object') {
      Object.values(v as Record<string, Value | undefined>).forEach(visit);
    }
  };
  visit(value);
  return { steps, parameters };
}
