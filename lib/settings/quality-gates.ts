/** Settings of the quality gates: the engine, the optional explainability gate, and every limit. */
import {
  DEFAULT_QUALITY_THRESHOLDS,
  MODEL_QUALITY_METRICS,
  POST_TRAINING_BIAS_METRICS,
  PRE_TRAINING_BIAS_METRICS,
} from '../../pipeline-definitions/catalogue';
import { bool, ConfigOf, everyStage, fraction, integer, oneOf, setting, thresholds } from './setting';

export const QUALITY_GATE_SETTINGS = {
  qualityEngine: setting({
    type: 'string',
    doc: 'Engine of the quality gates: open (the project\'s own checks, any account) or managed (Clarify, Debugger, Model Monitor; accounts that still have them).',
    allowed: 'one of open, managed',
    parse: oneOf(['open', 'managed'] as const),
    defaults: everyStage('open'),
  }),
  explainability: setting({
    type: 'boolean',
    doc: 'Add the CheckExplainability gate: Shapley attributions of words on a small sample of the test split, registered with the model.',
    allowed: 'true or false',
    parse: bool,
    defaults: { dev: false, prod: true },
  }),
  dataBiasThresholds: setting({
    type: 'json',
    doc: 'Largest absolute value of each pre-training bias metric that CheckDataBias accepts, per product category (either engine).',
    allowed: `a JSON object of metric to limit (0 to 10), metrics among ${PRE_TRAINING_BIAS_METRICS.join(', ')}`,
    parse: thresholds(PRE_TRAINING_BIAS_METRICS, 10),
    defaults: everyStage(DEFAULT_QUALITY_THRESHOLDS.dataBias),
  }),
  modelBiasThresholds: setting({
    type: 'json',
    doc: 'Largest distance from fair of each post-training bias metric that CheckModelBias accepts, per product category: |value|, and |1 - DI| for DI (either engine).',
    allowed: `a JSON object of metric to limit (0 to 10), metrics among ${POST_TRAINING_BIAS_METRICS.join(', ')}`,
    parse: thresholds(POST_TRAINING_BIAS_METRICS, 10),
    defaults: everyStage(DEFAULT_QUALITY_THRESHOLDS.modelBias),
  }),
  modelQualityThresholds: setting({
    type: 'json',
    doc: 'Smallest value of each multiclass metric that CheckModelQuality accepts.',
    allowed: `a JSON object of metric to minimum (0 to 1), metrics among ${MODEL_QUALITY_METRICS.join(', ')}`,
    parse: thresholds(MODEL_QUALITY_METRICS, 1),
    defaults: everyStage(DEFAULT_QUALITY_THRESHOLDS.modelQuality),
  }),
  modelQualityTolerance: setting({
    type: 'number',
    doc: 'How far accuracy and weighted F1 may fall below the last approved model\'s before CheckModelQuality fails (open engine; the managed engine\'s QualityCheck compares with the approved model\'s registered constraints instead).',
    allowed: 'a number from 0 to 1',
    parse: fraction,
    defaults: everyStage(DEFAULT_QUALITY_THRESHOLDS.modelQualityTolerance),
  }),
  biasMinGroupSize: setting({
    type: 'integer',
    doc: 'Facet values with fewer records are reported by the bias checks but not gated.',
    allowed: 'an integer from 1 to 1000000',
    parse: integer(1, 1_000_000),
    defaults: everyStage(DEFAULT_QUALITY_THRESHOLDS.biasMinGroupSize),
  }),
  dataQualityDistributionThreshold: setting({
    type: 'number',
    doc: 'Largest distribution distance (L-infinity over categories) CheckDataQuality accepts between the data and the baseline. Open engine; the managed engine uses the threshold in the registered baseline\'s constraints.',
    allowed: 'a number from 0 to 1',
    parse: fraction,
    defaults: everyStage(DEFAULT_QUALITY_THRESHOLDS.dataQualityDistributionThreshold),
  }),
  maxErrorRecordShare: setting({
    type: 'number',
    doc: 'Largest share of batch-transform answers that may be error records (lines the model could not score) before CheckModelQuality and CheckModelBias fail; within it they gate on the other records. Open engine.',
    allowed: 'a number from 0 to 1',
    parse: fraction,
    defaults: everyStage(DEFAULT_QUALITY_THRESHOLDS.maxErrorRecordShare),
  }),
};

export type QualityGateConfig = ConfigOf<typeof QUALITY_GATE_SETTINGS>;
