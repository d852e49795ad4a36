/**
 * The quality gates as a definition sees them: it asks an engine for a gate by name, with what
 * the gate reads, and gets back the step and where its reports are. Two engines build them:
 * the open one (`quality_gate.py` on plain Processing, any account) and the managed one (Clarify,
 * Model Monitor and Debugger, for accounts that still have them). See {@link GateEngine}.
 */
import { CheckStep, Parameter, ProcessingStep, Value } from '../dsl';
import { QualityThresholds } from '../catalogue';

/** The gates, by step name. */
export const QUALITY_GATES = ['CheckDataBias', 'CheckDataQuality', 'CheckTrainingHealth', 'CheckModelQuality', 'CheckModelBias', 'CheckExplainability'] as const;
export type GateName = (typeof QUALITY_GATES)[number];

/** What a gate's reports hold (ModelMetrics and DriftCheckBaselines take them). */
export type GateFile = 'report' | 'statistics' | 'constraints' | 'driftStatistics' | 'driftConstraints';

/** A quality gate: its step and where its reports are. */
export interface Gate {
  readonly name: GateName;
  readonly step: ProcessingStep | CheckStep;
  file(kind: GateFile): Value;
}

/** What the gates read, from the steps before them (each gate takes the sources it needs). */
export interface GateSources {
  /** The training split (CheckDataBias, CheckDataQuality). */
  readonly trainingData?: Value;
  /** The step that prepared the data with the engine's {@link GateEngine.preparation} (the managed checks read its baselines). */
  readonly preparation?: ProcessingStep;
  /** The trained model's artifacts (CheckTrainingHealth, the open CheckExplainability). */
  readonly modelArtifacts?: Value;
  /** Batch transform's output: each input line with its prediction (CheckModelQuality, CheckModelBias). */
  readonly predictions?: Value;
  /** The test split (CheckExplainability). */
  readonly testData?: Value;
  /** The SageMaker model (the managed CheckExplainability serves it). */
  readonly modelName?: Value;
}

/** What the data-preparation step adds for an engine: arguments and outputs. */
export interface GatePreparation {
  readonly arguments: readonly Value[];
  readonly outputs: readonly Value[];
}

/** Builds the gates of one engine, with the parameters that control them. */
export interface GateEngine {
  readonly kind: 'open' | 'managed';
  /** The gates' parameters (skip a gate, register a new baseline), in the definition's order. */
  readonly parameters: readonly Parameter[];
  /** The limits the gates apply. */
  readonly quality: QualityThresholds;
  /** The gate of this name, reading its sources. */
  gate(name: GateName, sources: GateSources): Gate;
  /** What the preparation step adds for this engine's gates. */
  preparation(): GatePreparation;
  /** Settings the training job adds (the managed engine's Debugger rules). */
  trainingSettings(): Record<string, Value>;
  /** The analysis configuration registered with a Clarify baseline (managed engine only). */
  configFile(check: 'data_bias' | 'explainability'): Value | undefined;
}

/** A gate's source, or an error naming the gate and what it needs. */
export function required<K extends keyof GateSources>(sources: GateSources, key: K, gate: GateName): NonNullable<GateSources[K]> {
  const value = sources[key];
  if (value === undefined) throw new Error(`${gate}: the gate reads ${key}, which the definition does not give it.`);
  return value as NonNullable<GateSources[K]>;
}
