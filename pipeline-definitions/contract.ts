/**
 * The contract between the TypeScript side (definitions, stacks, dashboards, alarms) and the step
 * code: every name and format both sides must agree on, defined once here.
 *
 * The step code reads it from `contract.json`, which ships beside the scripts (generated from this
 * module by `npm run contract`; a test fails when the shipped file is stale, and the Python tests
 * check the scripts' behaviour against the file), so neither side restates a value by hand.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FeatureType } from '../lib/feature-store/feature-schema';
import { REVIEWS_EVENT_TIME_FORMAT, reviewsFeatureGroupSchema, SPLIT_TYPES } from '../lib/feature-store/reviews-features';
import { MODEL_QUALITY_METRICS } from './catalogue';

/** The CloudWatch namespace the monitoring checks publish to and the alarms and dashboards read. */
export const MONITOR_METRIC_NAMESPACE = 'PracticalDataScience/ModelMonitoring';

/** The metrics the monitoring checks publish, per check (dimensions Endpoint and Variant). */
export const MONITOR_METRICS = {
  dataDrift: ['feature_baseline_drift_review_words', 'prediction_baseline_drift_sentiment', 'data_quality_violations', 'captured_records'],
  modelQuality: [...MODEL_QUALITY_METRICS, 'model_quality_violations', 'ground_truth_records'],
} as const;

/** A metric the monitoring checks publish: alarms and dashboards can name no other. */
export type MonitorMetricName = (typeof MONITOR_METRICS)[keyof typeof MONITOR_METRICS][number];

/** The content type of requests and responses of every endpoint and batch transform. */
export const JSON_LINES = 'application/jsonlines';

/** The sentiment labels (-1, 0, 1) and the class ids (0, 1, 2) the models are trained on. */
export const SENTIMENT_LABELS = [
  { sentiment: -1, classId: 0 },
  { sentiment: 0, classId: 1 },
  { sentiment: 1, classId: 2 },
] as const;

/** The column of the prepared data that holds the true label (-1, 0, 1): the checks' ground truth. */
export const LABEL_FEATURE = 'sentiment';

/**
 * What every endpoint answers per input line (and what batch transform writes under
 * `SageMakerOutput`): the monitoring pipeline, the model-quality checks and human review read it.
 */
export const ENDPOINT_RESPONSE = {
  contentType: JSON_LINES,
  /** The field that holds the predicted label (-1, 0, 1). */
  label: 'predicted_label',
  /** The probability of the predicted label, 0 to 1 (human review routes on it). */
  confidence: 'confidence',
  /** Each label's probability, keyed by the label as text ("-1", "0", "1"). */
  probabilities: 'probabilities',
  /**
   * The one field of an error record: the answer in place of a line that could not be scored,
   * naming where and what (`{"error": "line 3: ..."}`). The gates count such records.
   */
  error: 'error',
  /** Batch transform's key of the prediction when the input line is joined (`JoinSource: Input`). */
  transformOutputKey: 'SageMakerOutput',
  /** The request fields a line may carry its text in, in the order they are read. */
  requestTextFields: ['features', 'review_body'],
} as const;

/** The report files the gates, evaluation and monitoring write (the managed services' formats). */
export const REPORT_FILES = {
  evaluation: 'evaluation.json',
  gate: 'gate.json',
  bias: 'analysis.json',
  explainability: 'explanations.json',
  trainingHealth: 'training_health.json',
  statistics: 'statistics.json',
  constraints: 'constraints.json',
  violations: 'constraint_violations.json',
  driftStatistics: 'drift_statistics.json',
  driftConstraints: 'drift_constraints.json',
} as const;

/** Model Monitor's model-quality constraints format, as the managed check reads the configured minimums. */
export const MODEL_QUALITY_CONSTRAINTS = {
  section: 'multiclass_classification_constraints',
  comparison: 'LessThanThreshold',
} as const;

/** The contract as the step code reads it (`contract.json`). */
export function stepCodeContract(): Record<string, unknown> {
  const reviews = reviewsFeatureGroupSchema('reviews');
  return {
    metricNamespace: MONITOR_METRIC_NAMESPACE,
    monitorMetrics: MONITOR_METRICS,
    eventTime: { strftime: REVIEWS_EVENT_TIME_FORMAT },
    labels: SENTIMENT_LABELS,
    labelFeature: LABEL_FEATURE,
    splits: SPLIT_TYPES,
    featureGroups: {
      reviews: {
        recordIdentifier: reviews.recordIdentifier,
        eventTime: reviews.eventTime,
        features: Object.fromEntries(reviews.features.map((f) => [f.name, f.type as FeatureType])),
      },
    },
    response: ENDPOINT_RESPONSE,
    reports: REPORT_FILES,
    modelQualityConstraints: MODEL_QUALITY_CONSTRAINTS,
    modelQualityMetrics: MODEL_QUALITY_METRICS,
  };
}

/** Where the step code finds the contract. */
export const CONTRACT_FILE = path.join(__dirname, 'step_library', 'contract.json');

/** The file's text, as `npm run contract` writes it. */
export function contractFileText(): string {
  return `${JSON.stringify(stepCodeContract(), null, 2)}\n`;
}

/**
 * Where a shipped contract differs from this module's: one line per differing key path (empty when
 * they agree).
 */
export function contractDrift(shipped: unknown, expected: unknown = stepCodeContract(), at = ''): string[] {
  if (expected !== null && typeof expected === 'object' && shipped !== null && typeof shipped === 'object' && Array.isArray(expected) === Array.isArray(shipped)) {
    const keys = new Set([...Object.keys(expected as object), ...Object.keys(shipped as object)]);
    return [...keys].flatMap((key) =>
      contractDrift((shipped as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], at ? `${at}.${key}` : key),
    );
  }
  return JSON.stringify(shipped) === JSON.stringify(expected)
    ? []
    : [`${at || '(root)'}: the step code has ${JSON.stringify(shipped)}, the TypeScript side ${JSON.stringify(expected)}`];
}

if (require.main === module) {
  fs.writeFileSync(CONTRACT_FILE, contractFileText());
  process.stdout.write(`${path.relative(process.cwd(), CONTRACT_FILE)}\n`);
}
