import { Condition } from './conditions';
import { collectReferences, JsonGet, PropertyFile, renderValue, StepLike, StepPropertyGet, Value } from './expressions';

/** Step names: `^[A-Za-z0-9\-_]{1,64}$`. */
export const STEP_NAME_PATTERN = /^[A-Za-z0-9\-_]{1,64}$/;

/** Thrown for a definition that the service would reject, naming the step and what is wrong. */
export class PipelineDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineDefinitionError';
  }
}

export type StepType =
  | 'Processing'
  | 'Training'
  | 'Transform'
  | 'Model'
  | 'RegisterModel'
  | 'Condition'
  | 'Fail'
  | 'Tuning'
  | 'AutoML'
  | 'ClarifyCheck'
  | 'QualityCheck';

/** How a step retries on service faults. */
export interface RetryPolicy {
  /** e.g. `Step.SERVICE_FAULT`, `Step.THROTTLING`, `SageMaker.JOB_INTERNAL_ERROR`. */
  readonly exceptionTypes: readonly string[];
  readonly intervalSeconds?: number;
  readonly backoffRate?: number;
  readonly maxAttempts?: number;
}

export interface StepOptions {
  /** Steps this one waits for, besides those whose properties it reads. */
  readonly dependsOn?: readonly Step[];
  readonly displayName?: string;
  readonly description?: string;
  /** Reuse a previous run's result for this long (ISO-8601 duration, e.g. `PT1H`). */
  readonly cacheExpireAfter?: string;
  readonly retryPolicies?: readonly RetryPolicy[];
}

const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

/** A step of a pipeline. Properties of a step are read with {@link property}, checked against its type. */
export abstract class Step implements StepLike {
  public abstract readonly type: StepType;
  /** Property paths this step type has (a path must match one). */
  protected abstract readonly propertyPatterns: readonly RegExp[];

  protected constructor(
    public readonly name: string,
    protected readonly options: StepOptions = {},
  ) {
    if (!STEP_NAME_PATTERN.test(name)) {
      throw new PipelineDefinitionError(`Step '${name}': the name is not allowed; expected 1 to 64 letters, digits, hyphens and underscores.`);
    }
    if (options.cacheExpireAfter !== undefined && !ISO_DURATION.test(options.cacheExpireAfter)) {
      throw new PipelineDefinitionError(
        `Step '${name}': cacheExpireAfter '${options.cacheExpireAfter}' is not allowed; expected an ISO-8601 duration such as PT1H.`,
      );
    }
  }

  /** A property of this step, e.g. `ModelArtifacts.S3ModelArtifacts`. */
  public property(path: string): StepPropertyGet {
    if (!this.propertyPatterns.some((pattern) => pattern.test(path))) {
      throw new PipelineDefinitionError(
        `Step '${this.name}' (${this.type}) has no property '${path}'; expected a path like ${this.propertyPatterns
          .map((p) => p.source.replace(/^\^|\$$/g, ''))
          .join(', ')}.`,
      );
    }
    return new StepPropertyGet(this, path);
  }

  /** The steps this one waits for: explicit dependencies. */
  public get dependsOn(): readonly Step[] {
    return this.options.dependsOn ?? [];
  }

  /** The step's arguments (for most steps, a SageMaker API request). */
  public abstract get arguments(): Value;

  /** Steps nested in this one (a Condition's branches). */
  public get nestedSteps(): readonly Step[] {
    return [];
  }

  /** Steps and parameters read by this step's arguments. */
  public references(): { steps: StepLike[]; parameters: string[] } {
    return collectReferences(this.arguments);
  }

  public render(): Record<string, unknown> {
    const o = this.options;
    return {
      Name: this.name,
      Type: this.type,
      ...(o.displayName ? { DisplayName: o.displayName } : {}),
      ...(o.description ? { Description: o.description } : {}),
      ...(o.dependsOn?.length ? { DependsOn: o.dependsOn.map((s) => s.name) } : {}),
      Arguments: renderValue(this.arguments),
      ...(o.cacheExpireAfter ? { CacheConfig: { Enabled: true, ExpireAfter: o.cacheExpireAfter } } : {}),
      ...(o.retryPolicies?.length
        ? {
            RetryPolicies: o.retryPolicies.map((r) => ({
              ExceptionType: [...r.exceptionTypes],
              IntervalSeconds: r.intervalSeconds ?? 1,
              BackoffRate: r.backoffRate ?? 2,
              MaxAttempts: r.maxAttempts ?? 5,
            })),
          }
        : {}),
    };
  }
}

/** Arguments of a step that is a SageMaker API request, as that API spells its members. */
export type ApiRequest = { readonly [member: string]: Value | undefined };

/** The options of a step whose Arguments are one SageMaker API request. */
export interface RequestStepProps extends StepOptions {
  /** The request, without the name that the pipeline generates. */
  readonly request: ApiRequest;
}

/** A step whose Arguments are one SageMaker API request (processing, training, model, …). */
export abstract class RequestStep extends Step {
  protected readonly request: ApiRequest;

  protected constructor(name: string, props: RequestStepProps) {
    super(name, props);
    this.request = props.request;
  }

  public get arguments(): Value {
    return this.request as Value;
  }
}

export interface ProcessingStepProps extends RequestStepProps {
  /** JSON files the step writes that later steps read with `Std:JsonGet`. */
  readonly propertyFiles?: readonly PropertyFile[];
}

/** A Processing step (CreateProcessingJob). */
export class ProcessingStep extends RequestStep {
  public readonly type = 'Processing' as const;
  protected readonly propertyPatterns = [
    /^ProcessingJobName$/,
    /^ProcessingJobArn$/,
    /^ProcessingJobStatus$/,
    /^ProcessingOutputConfig\.Outputs\['[^']+'\]\.S3Output\.S3Uri$/,
  ];
  public readonly propertyFiles: readonly PropertyFile[];

  constructor(name: string, props: ProcessingStepProps) {
    super(name, props);
    this.propertyFiles = props.propertyFiles ?? [];
    const outputs = this.outputNames();
    for (const file of this.propertyFiles) {
      if (!outputs.includes(file.outputName)) {
        throw new PipelineDefinitionError(
          `Step '${name}': property file '${file.name}' is on output '${file.outputName}', which the step does not have; expected one of ${outputs.join(', ')}.`,
        );
      }
    }
  }

  /** The names of the step's processing outputs. */
  public outputNames(): string[] {
    const config = this.request.ProcessingOutputConfig as { Outputs?: { OutputName: string }[] } | undefined;
    return (config?.Outputs ?? []).map((o) => o.OutputName);
  }

  /** Where an output lands. */
  public outputUri(outputName: string): StepPropertyGet {
    if (!this.outputNames().includes(outputName)) {
      throw new PipelineDefinitionError(
        `Step '${this.name}' has no output '${outputName}'; expected one of ${this.outputNames().join(', ')}.`,
      );
    }
    return this.property(`ProcessingOutputConfig.Outputs['${outputName}'].S3Output.S3Uri`);
  }

  /** A value from one of the step's property files. */
  public jsonGet(file: PropertyFile, jsonPath: string): JsonGet {
    if (!this.propertyFiles.includes(file)) {
      throw new PipelineDefinitionError(`Step '${this.name}' has no property file '${file.name}'.`);
    }
    return new JsonGet(this, file, jsonPath);
  }

  public render(): Record<string, unknown> {
    const rendered = super.render();
    return this.propertyFiles.length ? { ...rendered, PropertyFiles: this.propertyFiles.map((f) => f.render()) } : rendered;
  }
}

/** A Training step (CreateTrainingJob). */
export class TrainingStep extends RequestStep {
  public readonly type = 'Training' as const;
  protected readonly propertyPatterns = [
    /^TrainingJobName$/,
    /^TrainingJobArn$/,
    /^TrainingJobStatus$/,
    /^ModelArtifacts\.S3ModelArtifacts$/,
    /^OutputDataConfig\.S3OutputPath$/,
    /^FinalMetricDataList\['[^']+'\]\.Value$/,
    /^HyperParameters\['[^']+'\]$/,
  ];
  constructor(name: string, props: RequestStepProps) {
    super(name, props);
  }
  /** The model artifact (model.tar.gz) the job writes. */
  public modelArtifacts(): StepPropertyGet {
    return this.property('ModelArtifacts.S3ModelArtifacts');
  }
}

/** A Model step that creates a SageMaker model (CreateModel). */
export class CreateModelStep extends RequestStep {
  public readonly type = 'Model' as const;
  protected readonly propertyPatterns = [/^ModelName$/, /^ModelArn$/];
  constructor(name: string, props: RequestStepProps) {
    super(name, props);
  }
  public modelName(): StepPropertyGet {
    return this.property('ModelName');
  }
}

/** A Transform step (CreateTransformJob). */
export class TransformStep extends RequestStep {
  public readonly type = 'Transform' as const;
  protected readonly propertyPatterns = [/^TransformJobName$/, /^TransformJobArn$/, /^TransformJobStatus$/, /^TransformOutput\.S3OutputPath$/];
  constructor(name: string, props: RequestStepProps) {
    super(name, props);
  }
  public outputPath(): StepPropertyGet {
    return this.property('TransformOutput.S3OutputPath');
  }
}

/** A RegisterModel step (CreateModelPackage). */
export class RegisterModelStep extends RequestStep {
  public readonly type = 'RegisterModel' as const;
  protected readonly propertyPatterns = [/^ModelPackageArn$/, /^ModelPackageName$/, /^ModelApprovalStatus$/];
  constructor(name: string, props: RequestStepProps) {
    super(name, props);
  }
  public modelPackageArn(): StepPropertyGet {
    return this.property('ModelPackageArn');
  }
}

/** A Fail step: stops the execution with a message. */
export class FailStep extends Step {
  public readonly type = 'Fail' as const;
  protected readonly propertyPatterns: readonly RegExp[] = [];
  constructor(
    name: string,
    private readonly props: StepOptions & { readonly errorMessage: Value },
  ) {
    super(name, props);
  }
  public get arguments(): Value {
    return { ErrorMessage: this.props.errorMessage };
  }
}

export interface ConditionStepProps extends StepOptions {
  /** All must hold for the if-branch to run. */
  readonly conditions: readonly Condition[];
  readonly ifSteps?: readonly Step[];
  readonly elseSteps?: readonly Step[];
}

/** A Condition step: runs one of two branches. */
export class ConditionStep extends Step {
  public readonly type = 'Condition' as const;
  protected readonly propertyPatterns = [/^Outcome$/];
  constructor(
    name: string,
    private readonly props: ConditionStepProps,
  ) {
    super(name, props);
    if (props.conditions.length === 0) {
      throw new PipelineDefinitionError(`Step '${name}': a Condition step needs at least one condition.`);
    }
  }
  public get arguments(): Value {
    return {
      Conditions: this.props.conditions.map((c) => c.render() as Value),
      IfSteps: (this.props.ifSteps ?? []).map((s) => s.render() as Value),
      ElseSteps: (this.props.elseSteps ?? []).map((s) => s.render() as Value),
    };
  }
  public get nestedSteps(): readonly Step[] {
    return [...(this.props.ifSteps ?? []), ...(this.props.elseSteps ?? [])];
  }
  public references(): { steps: StepLike[]; parameters: string[] } {
    const steps: StepLike[] = [];
    const parameters: string[] = [];
    for (const condition of this.props.conditions) {
      const refs = condition.references();
      steps.push(...refs.steps);
      parameters.push(...refs.parameters);
    }
    return { steps, parameters };
  }
}

export interface CheckStepProps extends RequestStepProps {
  /** ClarifyCheck: DATA_BIAS, MODEL_BIAS or MODEL_EXPLAINABILITY; QualityCheck: DATA_QUALITY or MODEL_QUALITY. */
  readonly checkType: string;
  /** Skip the check (it still calculates the baseline). */
  readonly skipCheck: Value;
  /** Register the calculated baseline rather than check against the previous one. */
  readonly registerNewBaseline: Value;
  /** The model package group whose latest approved baseline the check compares with. */
  readonly modelPackageGroupName?: Value;
  /** The model a Clarify check explains or scores through a shadow endpoint (MODEL_EXPLAINABILITY). */
  readonly modelName?: Value;
  /** A baseline to compare with instead of the registered one. */
  readonly suppliedBaselineConstraints?: Value;
  readonly suppliedBaselineStatistics?: Value;
}

const CHECK_TYPES: Record<'ClarifyCheck' | 'QualityCheck', readonly string[]> = {
  ClarifyCheck: ['DATA_BIAS', 'MODEL_BIAS', 'MODEL_EXPLAINABILITY'],
  QualityCheck: ['DATA_QUALITY', 'MODEL_QUALITY'],
};

/** A check step of a managed service: SageMaker Clarify (ClarifyCheck) or Model Monitor (QualityCheck). */
export class CheckStep extends RequestStep {
  protected readonly propertyPatterns = [
    /^CalculatedBaselineConstraints$/,
    /^CalculatedBaselineStatistics$/,
    /^BaselineUsedForDriftCheckConstraints$/,
    /^BaselineUsedForDriftCheckStatistics$/,
  ];

  constructor(
    name: string,
    public readonly type: 'ClarifyCheck' | 'QualityCheck',
    private readonly props: CheckStepProps,
  ) {
    super(name, props);
    if (props.modelName !== undefined && type !== 'ClarifyCheck') {
      throw new PipelineDefinitionError(`Step '${name}': only ClarifyCheck steps take a model.`);
    }
    if (props.checkType === 'MODEL_EXPLAINABILITY' && props.modelName === undefined) {
      throw new PipelineDefinitionError(`Step '${name}': a MODEL_EXPLAINABILITY check needs the model it explains (modelName).`);
    }
    if (!CHECK_TYPES[type].includes(props.checkType)) {
      throw new PipelineDefinitionError(
        `Step '${name}': check type '${props.checkType}' is not one of ${type}'s: ${CHECK_TYPES[type].join(', ')}.`,
      );
    }
  }

  /** Steps and parameters read by the request and the check's own fields. */
  public references(): { steps: StepLike[]; parameters: string[] } {
    return collectReferences([
      this.arguments,
      this.props.skipCheck,
      this.props.registerNewBaseline,
      this.props.modelPackageGroupName ?? '',
      this.props.modelName ?? '',
      this.props.suppliedBaselineConstraints ?? '',
      this.props.suppliedBaselineStatistics ?? '',
    ]);
  }

  /** The baseline the check calculated (Clarify: its analysis report; Model Monitor: constraints). */
  public calculatedConstraints(): StepPropertyGet {
    return this.property('CalculatedBaselineConstraints');
  }

  /** The statistics the check calculated (QualityCheck). */
  public calculatedStatistics(): StepPropertyGet {
    if (this.type !== 'QualityCheck') {
      throw new PipelineDefinitionError(`Step '${this.name}' (${this.type}) calculates no statistics; only QualityCheck steps do.`);
    }
    return this.property('CalculatedBaselineStatistics');
  }

  /** The baseline the check compared with (the registered one, or the new one). */
  public driftCheckConstraints(): StepPropertyGet {
    return this.property('BaselineUsedForDriftCheckConstraints');
  }

  public driftCheckStatistics(): StepPropertyGet {
    if (this.type !== 'QualityCheck') {
      throw new PipelineDefinitionError(`Step '${this.name}' (${this.type}) has no statistics baseline; only QualityCheck steps do.`);
    }
    return this.property('BaselineUsedForDriftCheckStatistics');
  }

  public render(): Record<string, unknown> {
    const { Arguments, ...rest } = super.render();
    const p = this.props;
    return {
      ...rest,
      CheckType: p.checkType,
      SkipCheck: renderValue(p.skipCheck),
      RegisterNewBaseline: renderValue(p.registerNewBaseline),
      ...(p.modelPackageGroupName !== undefined ? { ModelPackageGroupName: renderValue(p.modelPackageGroupName) } : {}),
      ...(p.modelName !== undefined ? { ModelName: renderValue(p.modelName) } : {}),
      ...(p.suppliedBaselineConstraints !== undefined ? { SuppliedBaselineConstraints: renderValue(p.suppliedBaselineConstraints) } : {}),
      ...(p.suppliedBaselineStatistics !== undefined ? { SuppliedBaselineStatistics: renderValue(p.suppliedBaselineStatistics) } : {}),
      Arguments,
    };
  }
}
