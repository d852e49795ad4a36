/**
 * The resolved rendering of every pipeline definition: deploy-time values replaced by
 * deterministic, typed placeholders (an account, a region, ARNs and names of the right shape), so
 * that reviewers, the API-shape check, the schema check and the local runner read the same JSON.
 */
import * as fs from 'fs';
import * as path from 'path';
import { reviewsFeatureGroupSchema } from '../lib/feature-store/reviews-features';
import { BERT_PIPELINE_ID, bertSentimentPipeline, modelQualityConstraints, modelQualityConstraintsKey } from './bert-sentiment';
import { DEFAULT_QUALITY_THRESHOLDS, QualityThresholds } from './catalogue';
import { ENDPOINT_MONITOR_ID, endpointMonitorPipeline } from './endpoint-monitor';
import { debuggerRuleImageUri, imageUri, managedImageUri } from './dsl/images';

/** The placeholders, typed as the values they stand for. */
export const PLACEHOLDERS = {
  account: '111122223333',
  region: 'us-east-1',
  stagePrefix: 'pds-dev',
  get lakeBucket() {
    return `${this.stagePrefix}-lake-${this.account}`;
  },
  get roleArn() {
    return `arn:aws:iam::${this.account}:role/${this.stagePrefix}-pipeline-role`;
  },
  get kmsKeyArn() {
    return `arn:aws:kms:${this.region}:${this.account}:key/00000000-0000-4000-8000-000000000000`;
  },
  get codeUri() {
    return `s3://cdk-hnb659fds-assets-${this.account}-${this.region}/pipelines/${BERT_PIPELINE_ID}/code/`;
  },
};

export interface ReviewOptions {
  /** Render with the managed quality services (Debugger) on. */
  readonly managedQualityServices?: boolean;
  /** Render with the optional CheckExplainability gate. */
  readonly explainability?: boolean;
  /** The gates' limits (the defaults otherwise). */
  readonly quality?: QualityThresholds;
}

/** Each pipeline's definition, rendered with placeholders, by pipeline id. */
export function renderForReview(options: ReviewOptions = {}): Record<string, Record<string, unknown>> {
  const ph = PLACEHOLDERS;
  const bert = bertSentimentPipeline({
    executionRoleArn: ph.roleArn,
    lakeBucketName: ph.lakeBucket,
    kmsKeyArn: ph.kmsKeyArn,
    inputDataUri: `s3://${ph.lakeBucket}/raw/womens-clothing-reviews/`,
    transformedReviewsUri: `s3://${ph.lakeBucket}/transformed/reviews/`,
    pretrainedModelUri: `s3://${ph.lakeBucket}/models/roberta-base/`,
    codeUri: ph.codeUri,
    featureGroupName: `${ph.stagePrefix}-reviews`,
    modelPackageGroupName: `${ph.stagePrefix}-bert-sentiment`,
    trainingImageUri: imageUri('huggingFaceTraining', ph.region),
    inferenceImageUri: imageUri('huggingFaceInference', ph.region),
    codeVersion: '0000000000000000000000000000000000000000',
    managedQualityServices: options.managedQualityServices,
    explainability: options.explainability,
    quality: options.quality,
    debuggerRuleImageUri: debuggerRuleImageUri(ph.region),
    managedImages: { clarify: managedImageUri('clarify', ph.region), modelMonitor: managedImageUri('modelMonitor', ph.region) },
  });
  if (options.managedQualityServices) {
    // The managed engine monitors the endpoint with Model Monitor's schedules, not the pipeline.
    return { [BERT_PIPELINE_ID]: bert.render() };
  }
  const endpointName = `${ph.stagePrefix}-bert-sentiment`;
  const monitor = endpointMonitorPipeline({
    executionRoleArn: ph.roleArn,
    lakeBucketName: ph.lakeBucket,
    kmsKeyArn: ph.kmsKeyArn,
    codeUri: `s3://${ph.lakeBucket}/pipelines/${ENDPOINT_MONITOR_ID}/code/`,
    imageUri: imageUri('huggingFaceTraining', ph.region),
    endpointName,
    variants: ['VariantA', 'VariantB'].map((variantName, i) => ({
      variantName,
      modelPackageArn: `arn:aws:sagemaker:${ph.region}:${ph.account}:model-package/${ph.stagePrefix}-bert-sentiment/${i + 1}`,
    })),
    captureUri: `s3://${ph.lakeBucket}/data-capture/${endpointName}/`,
    groundTruthUri: `s3://${ph.lakeBucket}/ground-truth/${endpointName}/`,
  });
  return { [BERT_PIPELINE_ID]: bert.render(), [ENDPOINT_MONITOR_ID]: monitor.render() };
}

/** How the local runner lays out a pipeline's inputs: what it puts at which S3 URI, and the feature groups. */
export function localRunSettings(): Record<string, unknown> {
  const ph = PLACEHOLDERS;
  const reviews = reviewsFeatureGroupSchema(`${ph.stagePrefix}-reviews`);
  return {
    [BERT_PIPELINE_ID]: {
      // The tiny stand-in for roberta-base learns only at a larger rate; --param still overrides.
      parameters: { LearningRate: '0.005' },
      seeds: [
        { uri: `s3://${ph.lakeBucket}/raw/womens-clothing-reviews/`, path: 'data/sample/reviews', textColumn: 'Review Text' },
        { uri: ph.codeUri, path: 'pipeline-definitions/bert_sentiment/code' },
        // The release ships the model-quality minimums beside the code (the managed engine's baseline).
        { uri: `${ph.codeUri}${modelQualityConstraintsKey(DEFAULT_QUALITY_THRESHOLDS)}`, content: modelQualityConstraints(DEFAULT_QUALITY_THRESHOLDS) },
        { uri: `s3://${ph.lakeBucket}/models/roberta-base/`, tinyModel: true },
      ],
      featureGroups: {
        [reviews.featureGroupName]: {
          featureGroupName: reviews.featureGroupName,
          recordIdentifier: reviews.recordIdentifier,
          eventTime: reviews.eventTime,
          features: reviews.features.map((f) => ({ name: f.name, type: f.type })),
        },
      },
    },
  };
}

/**
 * Writes each rendering as pretty JSON into a folder: `<id>.json` with the open quality engine
 * (the default), `<id>.managed.json` with the managed services on, and `<id>.local.json`, the
 * local runner's settings. Returns the files.
 */
export function writeReviewRenderings(directory: string): string[] {
  fs.mkdirSync(directory, { recursive: true });
  const variants: [string, ReviewOptions][] = [
    ['', {}],
    ['.managed', { managedQualityServices: true, explainability: true }],
  ];
  const write = (name: string, content: unknown): string => {
    const file = path.join(directory, name);
    fs.writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
    return file;
  };
  return [
    ...variants.flatMap(([suffix, options]) =>
      Object.entries(renderForReview(options)).map(([id, definition]) => write(`${id}${suffix}.json`, definition)),
    ),
    ...Object.entries(localRunSettings()).map(([id, settings]) => write(`${id}.local.json`, settings)),
  ];
}

if (require.main === module) {
  const directory = process.argv[2] ?? path.join(__dirname, '..', 'build', 'pipeline-definitions');
  for (const file of writeReviewRenderings(directory)) {
    process.stdout.write(`${file}\n`);
  }
}
