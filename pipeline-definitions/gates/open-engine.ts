/**
 * The open engine: every gate is `quality_gate.py <gate>` on a plain Processing job, writing its
 * reports in the managed services' formats (see the script's docstring), so it runs on any
 * account and, here, on the local runner.
 */
import { REPORT_FILES } from '../contract';
import { Join, Parameter, ParameterBoolean, PROCESSING_ROOT, processingOutput, ProcessingStep, Value } from '../dsl';
import { QualityThresholds } from '../catalogue';
import { PipelineJobs, text } from '../parts/jobs';
import { Gate, GateEngine, GateFile, GateName, GatePreparation, GateSources, QUALITY_GATES, required } from './gate';

/**
 * The gates' parameters, for the gates a definition runs: `SkipCheck<gate>` for each, and
 * `RegisterNewBaselineCheck<gate>` for those of them that take a baseline.
 */
export class GateParameters {
  public readonly skip: Readonly<Partial<Record<GateName, ParameterBoolean>>>;
  public readonly newBaseline: Readonly<Partial<Record<GateName, ParameterBoolean>>>;
  public readonly list: readonly Parameter[];

  constructor(baselineGates: readonly GateName[], gates: readonly GateName[] = QUALITY_GATES) {
    const run = QUALITY_GATES.filter((g) => gates.includes(g));
    const baselines = baselineGates.filter((g) => gates.includes(g));
    this.skip = Object.fromEntries(run.map((g) => [g, new ParameterBoolean(`Skip${g}`, false)]));
    this.newBaseline = Object.fromEntries(baselines.map((g) => [g, new ParameterBoolean(`RegisterNewBaseline${g}`, false)]));
    this.list = [...run.map((g) => this.skip[g]!), ...baselines.map((g) => this.newBaseline[g]!)];
  }

  /** The skip parameter of a gate the definition runs. */
  public skipOf(gate: GateName): ParameterBoolean {
    const parameter = this.skip[gate];
    if (!parameter) throw new Error(`${gate}: the definition does not declare this gate.`);
    return parameter;
  }

  /** The register-new-baseline parameter of a gate that has one. */
  public baseline(gate: GateName): ParameterBoolean {
    const parameter = this.newBaseline[gate];
    if (!parameter) throw new Error(`${gate}: the engine takes no new baseline for this gate.`);
    return parameter;
  }
}

export interface OpenGatesProps {
  readonly jobs: PipelineJobs;
  readonly quality: QualityThresholds;
  /** The group whose latest approved model the drift checks compare with. */
  readonly modelPackageGroupName: string;
  /**
   * The gates the definition runs (its family's): the engine makes their parameters, and refuses
   * any other gate.
   * @default - every gate ({@link QUALITY_GATES})
   */
  readonly gates?: readonly GateName[];
}

/** Each open gate's reports, by what they hold (the drift baselines: as the gate used them). */
const OPEN_REPORTS: Record<GateName, Partial<Record<GateFile, string>>> = {
  CheckDataBias: { report: REPORT_FILES.bias, constraints: REPORT_FILES.bias },
  CheckDataQuality: dataQualityReports(),
  CheckTrainingHealth: { report: REPORT_FILES.trainingHealth },
  CheckModelQuality: dataQualityReports(),
  CheckModelBias: { report: REPORT_FILES.bias, constraints: REPORT_FILES.bias },
  CheckExplainability: { report: REPORT_FILES.explainability, constraints: REPORT_FILES.explainability },
};

function dataQualityReports(): Partial<Record<GateFile, string>> {
  return {
    statistics: REPORT_FILES.statistics,
    constraints: REPORT_FILES.constraints,
    driftStatistics: REPORT_FILES.driftStatistics,
    driftConstraints: REPORT_FILES.driftConstraints,
  };
}

export class OpenGates implements GateEngine {
  public readonly kind: 'open' | 'managed' = 'open';
  public readonly quality: QualityThresholds;
  protected readonly jobs: PipelineJobs;
  protected readonly gateParameters: GateParameters;

  constructor(
    protected readonly props: OpenGatesProps,
    baselineGates: readonly GateName[] = ['CheckDataQuality', 'CheckModelQuality'],
  ) {
    this.jobs = props.jobs;
    this.quality = props.quality;
    this.gates = props.gates ?? QUALITY_GATES;
    const unknown = this.gates.filter((g) => !QUALITY_GATES.includes(g));
    if (unknown.length > 0) throw new Error(`Quality gates ${unknown.join(', ')} are not gates; expected some of ${QUALITY_GATES.join(', ')}.`);
    this.gateParameters = new GateParameters(baselineGates, this.gates);
  }

  /** The gates the definition runs. */
  public readonly gates: readonly GateName[];

  /** Refuses a gate the definition does not declare, naming the ones it does. */
  protected declared(name: GateName): void {
    if (!this.gates.includes(name)) {
      throw new Error(`${name}: not a gate this definition declares (${this.gates.join(', ')}); add it to the family's gates to run it.`);
    }
  }

  public get parameters(): readonly Parameter[] {
    return this.gateParameters.list;
  }

  public gate(name: GateName, sources: GateSources): Gate {
    this.declared(name);
    const q = this.quality;
    const lookup = ['--baseline-from-model-package-group', this.props.modelPackageGroupName];
    const data = `${PROCESSING_ROOT}/input/data`;
    const predictions = `${PROCESSING_ROOT}/input/predictions`;
    const model = `${PROCESSING_ROOT}/input/model`;
    const input = (inputName: string, uri: Value) => this.jobs.input(inputName, uri);
    const newBaseline = (gate: GateName) => ['--register-new-baseline', text(this.gateParameters.baseline(gate))];
    switch (name) {
      case 'CheckDataBias':
        return this.openGate(name, 'data-bias',
          ['--data-dir', data, '--thresholds', JSON.stringify(q.dataBias), '--min-group-size', String(q.biasMinGroupSize)],
          [input('data', required(sources, 'trainingData', name))]);
      case 'CheckDataQuality':
        // The drift checks read the registry and the approved model's baselines in S3: not isolated.
        return this.openGate(name, 'data-quality',
          ['--data-dir', data, '--distribution-threshold', String(q.dataQualityDistributionThreshold), ...newBaseline(name), ...lookup],
          [input('data', required(sources, 'trainingData', name))], false);
      case 'CheckTrainingHealth':
        return this.openGate(name, 'training-health', ['--model-dir', model], [input('model', required(sources, 'modelArtifacts', name))]);
      case 'CheckModelQuality':
        return this.openGate(name, 'model-quality',
          ['--predictions-dir', predictions, '--thresholds', JSON.stringify(q.modelQuality), '--tolerance', String(q.modelQualityTolerance),
            '--max-error-share', String(q.maxErrorRecordShare), ...newBaseline(name), ...lookup],
          [input('predictions', required(sources, 'predictions', name))], false);
      case 'CheckModelBias':
        return this.openGate(name, 'model-bias',
          ['--predictions-dir', predictions, '--thresholds', JSON.stringify(q.modelBias), '--min-group-size', String(q.biasMinGroupSize),
            '--max-error-share', String(q.maxErrorRecordShare)],
          [input('predictions', required(sources, 'predictions', name))]);
      case 'CheckExplainability':
        return this.openGate(name, 'explainability', ['--model-dir', model, '--data-dir', data, '--samples', '10'],
          [input('model', required(sources, 'modelArtifacts', name)), input('data', required(sources, 'testData', name))]);
    }
  }

  public preparation(): GatePreparation {
    return { arguments: [], outputs: [] };
  }

  public trainingSettings(): Record<string, Value> {
    return {};
  }

  public configFile(_check: 'data_bias' | 'explainability'): Value | undefined {
    return undefined;
  }

  /** `quality_gate.py <command>` as the gate's step, network-isolated unless it reads the registry. */
  private openGate(name: GateName, command: string, args: Value[], inputs: Value[], isolated = true): Gate {
    const reportDir = `${PROCESSING_ROOT}/output/report`;
    const step = new ProcessingStep(name, {
      description: `Quality gate (open engine): ${command}`,
      request: this.jobs.scriptJob(
        'quality_gate.py',
        [command, '--output-dir', reportDir, '--skip', text(this.gateParameters.skipOf(name)), ...args],
        inputs,
        [processingOutput('report', this.jobs.executionPrefix('quality', name), reportDir)],
        isolated,
      ),
    });
    const files = OPEN_REPORTS[name];
    return {
      name,
      step,
      file: (kind) => {
        const file = files[kind] ?? files[kind === 'driftStatistics' ? 'statistics' : 'constraints'];
        if (!file) throw new Error(`${name}: the open gate writes no ${kind} report.`);
        return new Join('/', [step.outputUri('report'), file]);
      },
    };
  }
}
