/**
 * What the pipelines offer that settings choose from, in a leaf module that both the settings and
 * the definitions import: the quality gates' metrics and their default limits, and the instance
 * types the registered model packages support for hosting and batch transform.
 */

/** Processing instance types the pipelines offer (preparation, evaluation, the gates, the monitor). */
export const PROCESSING_INSTANCE_TYPES = ['ml.c5.2xlarge', 'ml.c5.4xlarge', 'ml.m5.xlarge', 'ml.m5.2xlarge', 'ml.m5.large'] as const;

/** Batch transform and hosting instance types the pipeline offers (and registers as supported). */
export const DEPLOY_INSTANCE_TYPES = ['ml.m5.large', 'ml.m5.xlarge', 'ml.c5.xlarge', 'ml.c5.2xlarge'] as const;

/** Thresholds of the quality gates; each bias threshold bounds the metric's absolute value. */
export interface QualityThresholds {
  /** Pre-training bias (CheckDataBias), by Clarify metric name. */
  readonly dataBias: Readonly<Record<string, number>>;
  /** Post-training bias (CheckModelBias), by metric name. */
  readonly modelBias: Readonly<Record<string, number>>;
  /** Minimum multiclass metrics (CheckModelQuality), e.g. accuracy, weighted_f1. */
  readonly modelQuality: Readonly<Record<string, number>>;
  /** How far accuracy and weighted F1 may fall below the last approved model's. */
  readonly modelQualityTolerance: number;
  /** Facet values with fewer records are reported, not gated. */
  readonly biasMinGroupSize: number;
  /** Largest distribution distance (L-infinity over categories) CheckDataQuality accepts. */
  readonly dataQualityDistributionThreshold: number;
  /** Largest share of batch-transform answers that may be error records (a line the model could not score) before the model gates fail. */
  readonly maxErrorRecordShare: number;
}

/** The metrics each gate knows. */
export const PRE_TRAINING_BIAS_METRICS = ['CI', 'DPL', 'KL', 'JS', 'LP', 'TVD', 'KS'] as const;
export const POST_TRAINING_BIAS_METRICS = ['DPPL', 'DI', 'AD', 'RD'] as const;
export const MODEL_QUALITY_METRICS = ['accuracy', 'weighted_precision', 'weighted_recall', 'weighted_f1'] as const;

/** The defaults: loose enough for the course's imbalanced categories, tight enough to stop a skewed split. */
export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = {
  dataBias: { DPL: 0.5, KL: 1.0, JS: 0.5, LP: 0.7, TVD: 0.5, KS: 0.5 },
  modelBias: { DPPL: 0.5, AD: 0.5, RD: 0.5 },
  modelQuality: { accuracy: 0.33 },
  modelQualityTolerance: 0.05,
  biasMinGroupSize: 30,
  dataQualityDistributionThreshold: 0.2,
  maxErrorRecordShare: 0,
};
