/**
 * The managed engine, for accounts that still have the services: the bias and explainability
 * gates as Clarify checks, data and model quality as Model Monitor checks (ClarifyCheck and
 * QualityCheck steps on the services' own containers), Debugger's rules on the training job; the
 * training-health gate stays open (Debugger has no gate step). The configured limits reach the
 * services as supplied baselines: the bias limits per facet value written by the preparation
 * step, the model-quality minimums released with the step code ({@link modelQualityConstraints}).
 */
import * as crypto from 'crypto';
import { ENDPOINT_RESPONSE, LABEL_FEATURE, MODEL_QUALITY_CONSTRAINTS } from '../contract';
import { CheckStep, Join, PROCESSING_ROOT, processingInput, processingOutput, Value } from '../dsl';
import { QualityThresholds } from '../catalogue';
import { Gate, GateName, GatePreparation, GateSources, required } from './gate';
import { OpenGates, OpenGatesProps } from './open-engine';

export interface ManagedGatesProps extends OpenGatesProps {
  /** The Clarify image of the region. */
  readonly clarifyImageUri?: string;
  /** The Model Monitor image of the region. */
  readonly modelMonitorImageUri?: string;
  /** Debugger's rule evaluator image of the region. */
  readonly debuggerRuleImageUri?: string;
}

/** The configured model-quality minimums in Model Monitor's constraints format. */
export function modelQualityConstraints(thresholds: QualityThresholds): Record<string, unknown> {
  return {
    version: 0.0,
    [MODEL_QUALITY_CONSTRAINTS.section]: Object.fromEntries(
      Object.entries(thresholds.modelQuality).map(([metric, minimum]) => [metric, { threshold: minimum, comparison_operator: MODEL_QUALITY_CONSTRAINTS.comparison }]),
    ),
  };
}

/**
 * Where the release keeps the model-quality minimums for the managed engine (under the code
 * prefix), named by their content so that a change of thresholds is a new file.
 */
export function modelQualityConstraintsKey(thresholds: QualityThresholds): string {
  const digest = crypto.createHash('sha256').update(JSON.stringify(modelQualityConstraints(thresholds))).digest('hex').slice(0, 16);
  return `quality/model_quality_constraints-${digest}.json`;
}

/** The Clarify analysis configuration of each Clarify gate, under the pipeline's code prefix. */
const CLARIFY_CONFIGS: Readonly<Partial<Record<GateName, string>>> = {
  CheckDataBias: 'clarify/data_bias/analysis_config.json',
  CheckModelBias: 'clarify/model_bias/analysis_config.json',
  CheckExplainability: 'clarify/explainability/analysis_config.json',
};

/** The files the managed engine reads from a pipeline's code for the gates given, by gate. */
export function managedCodeFiles(gates: readonly GateName[]): Partial<Record<GateName, string>> {
  return Object.fromEntries(gates.flatMap((gate) => (CLARIFY_CONFIGS[gate] ? [[gate, CLARIFY_CONFIGS[gate]]] : [])));
}

/** The preparation step's outputs the managed checks read. */
const BIAS_BASELINES = 'managed-bias-baselines';
const DATA_QUALITY_PROFILE = 'managed-data-quality';
/** The gates that read what the preparation writes for them. */
const PREPARED_GATES: readonly GateName[] = ['CheckDataBias', 'CheckDataQuality', 'CheckModelBias'];

export class ManagedGates extends OpenGates {
  public readonly kind = 'managed' as const;

  constructor(private readonly managed: ManagedGatesProps) {
    super(managed, ['CheckDataQuality', 'CheckDataBias', 'CheckModelBias', 'CheckExplainability', 'CheckModelQuality']);
  }

  public gate(name: GateName, sources: GateSources): Gate {
    this.declared(name);
    const codeUri = this.jobs.props.codeUri;
    const preparation = () => required(sources, 'preparation', name);
    const data = `${PROCESSING_ROOT}/input/data`;
    switch (name) {
      case 'CheckTrainingHealth':
        return super.gate(name, sources);
      case 'CheckDataBias':
        return this.check(name, 'ClarifyCheck', 'DATA_BIAS',
          [processingInput('dataset', required(sources, 'trainingData', name), data), this.clarifyConfig('CheckDataBias')], {},
          // The configured limits per facet value, which Clarify compares as the baseline.
          { suppliedBaselineConstraints: new Join('/', [preparation().outputUri(BIAS_BASELINES), 'pre_training_constraints.json']) });
      case 'CheckDataQuality':
        // The profiled columns (the open gate's), not the token ids.
        return this.check(name, 'QualityCheck', 'DATA_QUALITY',
          [this.jobs.input('baseline_dataset_input', preparation().outputUri(DATA_QUALITY_PROFILE))], this.monitorEnvironment('baseline_dataset_input'));
      case 'CheckModelQuality':
        return this.check(name, 'QualityCheck', 'MODEL_QUALITY',
          [this.jobs.input('baseline_dataset_input', required(sources, 'predictions', name))],
          this.monitorEnvironment('baseline_dataset_input', {
            analysis_type: 'MODEL_QUALITY',
            problem_type: 'MulticlassClassification',
            inference_attribute: `${ENDPOINT_RESPONSE.transformOutputKey}.${ENDPOINT_RESPONSE.label}`,
            ground_truth_attribute: LABEL_FEATURE,
          }),
          // The configured minimums, in Model Monitor's constraints format (released with the code).
          { suppliedBaselineConstraints: `${codeUri}${modelQualityConstraintsKey(this.quality)}` });
      case 'CheckModelBias':
        return this.check(name, 'ClarifyCheck', 'MODEL_BIAS',
          [processingInput('dataset', required(sources, 'predictions', name), data), this.clarifyConfig('CheckModelBias')], {},
          { suppliedBaselineConstraints: new Join('/', [preparation().outputUri(BIAS_BASELINES), 'post_training_constraints.json']) });
      case 'CheckExplainability':
        return this.check(name, 'ClarifyCheck', 'MODEL_EXPLAINABILITY',
          [processingInput('dataset', required(sources, 'testData', name), data), this.clarifyConfig('CheckExplainability')], {},
          { modelName: required(sources, 'modelName', name) });
    }
  }

  /**
   * The managed checks compare with baselines: the preparation writes the configured limits as
   * such, when the definition runs a gate that reads them (the bias gates, data quality).
   */
  public preparation(): GatePreparation {
    if (!PREPARED_GATES.some((g) => this.gates.includes(g))) return super.preparation();
    const q = this.quality;
    const output = (name: string, ...parts: string[]) =>
      processingOutput(name, this.jobs.executionPrefix('processing', 'managed-baselines', ...parts), `${PROCESSING_ROOT}/output/managed-baselines/${parts.join('/')}`);
    return {
      arguments: ['--managed-baselines', JSON.stringify({ data_bias: q.dataBias, model_bias: q.modelBias, min_group_size: q.biasMinGroupSize })],
      outputs: [output(BIAS_BASELINES, 'bias'), output(DATA_QUALITY_PROFILE, 'data-quality')],
    };
  }

  /** Debugger's built-in rules and the profiler report, when the definition runs the training-health gate. */
  public trainingSettings(): Record<string, Value> {
    if (!this.gates.includes('CheckTrainingHealth')) return super.trainingSettings();
    const ruleImage = this.managed.debuggerRuleImageUri;
    if (!ruleImage) {
      throw new Error('qualityEngine=managed: Debugger has no rule image in this region; expected a region of the image map (pipeline-definitions/dsl/images.ts), or qualityEngine=open.');
    }
    const rule = (name: string) => ({ RuleConfigurationName: name, RuleEvaluatorImage: ruleImage, RuleParameters: { rule_to_invoke: name }, VolumeSizeInGB: 0 });
    return {
      DebugHookConfig: { S3OutputPath: this.jobs.executionPrefix('debugger') },
      DebugRuleConfigurations: ['VanishingGradient', 'ExplodingTensor', 'PoorWeightInitialization', 'LossNotDecreasing', 'Overtraining'].map(rule),
      ProfilerConfig: { S3OutputPath: this.jobs.executionPrefix('profiler'), ProfilingIntervalInMilliseconds: 500 },
      ProfilerRuleConfigurations: [{ RuleConfigurationName: 'ProfilerReport', RuleEvaluatorImage: ruleImage, RuleParameters: { rule_to_invoke: 'ProfilerReport' } }],
    };
  }

  public configFile(check: 'data_bias' | 'explainability'): Value {
    return `${this.jobs.props.codeUri}${CLARIFY_CONFIGS[check === 'data_bias' ? 'CheckDataBias' : 'CheckExplainability']}`;
  }

  /** The folder of a Clarify gate's analysis configuration, as the check's config input. */
  private clarifyConfig(gate: 'CheckDataBias' | 'CheckModelBias' | 'CheckExplainability'): Value {
    const folder = CLARIFY_CONFIGS[gate]!.replace(/[^/]+$/, '');
    return processingInput('analysis_config', `${this.jobs.props.codeUri}${folder}`, `${PROCESSING_ROOT}/input/config`);
  }

  private monitorEnvironment(dataset: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      dataset_format: JSON.stringify({ json: { lines: true } }),
      dataset_source: `${PROCESSING_ROOT}/input/${dataset}`,
      output_path: `${PROCESSING_ROOT}/output`,
      publish_cloudwatch_metrics: 'Disabled',
      ...extra,
    };
  }

  /** A managed check (Clarify or Model Monitor) under the gate's name, on the service's own container. */
  private check(
    name: GateName,
    type: 'ClarifyCheck' | 'QualityCheck',
    checkType: string,
    inputs: Value[],
    environment: Record<string, string>,
    extra: { modelName?: Value; suppliedBaselineConstraints?: Value } = {},
  ): Gate {
    const image = type === 'ClarifyCheck' ? this.managed.clarifyImageUri : this.managed.modelMonitorImageUri;
    if (!image) {
      throw new Error(`qualityEngine=managed: ${name} needs the ${type === 'ClarifyCheck' ? 'Clarify' : 'Model Monitor'} image, which this region does not have in the image map (pipeline-definitions/dsl/images.ts); expected such a region, or qualityEngine=open.`);
    }
    const { executionRoleArn, kmsKeyArn } = this.jobs.props;
    const step = new CheckStep(name, type, {
      description: `Quality gate (managed engine): ${type} ${checkType}`,
      checkType,
      skipCheck: this.gateParameters.skipOf(name).ref,
      registerNewBaseline: this.gateParameters.baseline(name).ref,
      modelPackageGroupName: this.props.modelPackageGroupName,
      ...extra,
      request: {
        RoleArn: executionRoleArn,
        ProcessingResources: {
          ClusterConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: kmsKeyArn },
        },
        AppSpecification: { ImageUri: image },
        ProcessingInputs: inputs,
        ProcessingOutputConfig: {
          KmsKeyId: kmsKeyArn,
          Outputs: [processingOutput(type === 'ClarifyCheck' ? 'analysis_result' : 'monitoring_output', this.jobs.executionPrefix('quality', name), `${PROCESSING_ROOT}/output`)],
        },
        ...(Object.keys(environment).length ? { Environment: environment } : {}),
        // Clarify serves a model on a shadow endpoint through the SageMaker API: not isolated then.
        NetworkConfig: this.jobs.network(extra.modelName === undefined),
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      },
    });
    return {
      name,
      step,
      file: (kind) =>
        kind === 'statistics'
          ? step.calculatedStatistics()
          : kind === 'driftStatistics'
            ? step.driftCheckStatistics()
            : kind === 'driftConstraints'
              ? step.driftCheckConstraints()
              : step.calculatedConstraints(),
    };
  }
}

