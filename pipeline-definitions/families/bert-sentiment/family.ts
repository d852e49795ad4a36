/**
 * The course's BERT review-sentiment family, and one more family per variant of its pipeline
 * (`bertPipelineVariants`): each trains on its own raw prefix and registers into its own model
 * package group.
 */
import { BERT_GATES, BERT_PIPELINE_ID, BERT_TUNING_DEFINITION, bertSentimentPipeline } from './pipeline';
import { JSON_LINES } from '../../contract';
import { LakePrefix } from '../../../lib/lake-layout';
import { projectPath } from '../../../lib/project-paths';
import type { PlatformConfig } from '../../../lib/settings';
import type { FamilyPipeline, ModelFamily, PretrainedModel } from '../../../lib/model-family';
import type { FamilyPackage } from '../family-package';
import { bertSentimentLocalRun, bertSentimentTuningLocalRun } from './local';
import { BERT_SENTIMENT_SETTINGS, BertPipelineVariantSetting, TuningSetting, tuningOf } from './settings';

const DESCRIPTION = 'RoBERTa review-sentiment classifiers (-1, 0, 1) registered by the BERT pipeline after its quality gates';
const TAGS = { pipeline: BERT_PIPELINE_ID, model: 'roberta-base', task: 'text-classification' };

/** The BERT pipeline's own step scripts, shipped to the lake beside the step-code library. */
export const BERT_CODE_DIR = projectPath('pipeline-definitions', 'families', 'bert-sentiment', 'code');
/** Where the pipeline expects the pre-trained RoBERTa (config, weights, tokenizer). */
export const PRETRAINED_MODEL_PREFIX = `${LakePrefix.models}roberta-base/`;

/** roberta-base as the pipelines read it: config, weights and tokenizer at a pinned commit of the hub repository. */
const ROBERTA_BASE: PretrainedModel = {
  repository: 'FacebookAI/roberta-base',
  revision: 'e2da8e2f811d1448a5b465c236feacd80ffbac7b',
  files: ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt', 'tokenizer.json'],
  lakePrefix: PRETRAINED_MODEL_PREFIX,
};

/** The tuned BERT pipeline's id within the stage. */
export const BERT_TUNING_PIPELINE_ID = 'bert-sentiment-tuning';

/**
 * The BERT pipeline, the pipeline of one of its variants (own raw prefix, table prefix and group),
 * or, with a tuning, the tuned BERT pipeline (its own table prefix; the same raw data and group).
 */
export function bertSentimentPipelineDeclaration(variant?: { readonly name: string } & BertPipelineVariantSetting, tuning?: TuningSetting): FamilyPipeline {
  const rawPrefix = variant?.inputPrefix ?? LakePrefix.rawReviews;
  const transformedPrefix = variant ? `transformed/reviews-${variant.name}/` : tuning ? 'transformed/reviews-tuning/' : LakePrefix.transformedReviews;
  const id = variant ? `${BERT_PIPELINE_ID}-${variant.name}` : tuning ? BERT_TUNING_PIPELINE_ID : BERT_PIPELINE_ID;
  return {
    id,
    stackSuffix: variant ? `bert-pipeline-${variant.name}` : tuning ? 'bert-tuning-pipeline' : 'bert-pipeline',
    description: `BERT review-sentiment ${tuning ? 'tuning' : 'training'} pipeline${variant ? ` (variant ${variant.name})` : ''}`,
    pipelineDescription: tuning
      ? 'Course BERT pipeline, tuned: features, RoBERTa hyperparameter tuning, evaluation of the best job, accuracy gate, registration'
      : 'Course BERT pipeline: features, RoBERTa training, evaluation, accuracy gate, registration',
    codeDir: BERT_CODE_DIR,
    jobKinds: ['processing-job', tuning ? 'hyper-parameter-tuning-job' : 'training-job', 'transform-job', 'model'],
    images: ['huggingFaceTraining', 'huggingFaceInference'],
    gates: BERT_GATES,
    lake: { rawPrefix, reads: [LakePrefix.models], readsWrites: [transformedPrefix] },
    ingestsReviews: true,
    definition: (build) => {
      const { options } = build;
      const managed = options.managedQualityServices;
      return bertSentimentPipeline({
        pipelineId: build.pipelineId,
        executionRoleArn: build.executionRoleArn,
        lakeBucketName: build.lakeBucketName,
        kmsKeyArn: build.kmsKeyArn,
        inputDataUri: build.s3Uri(rawPrefix),
        transformedReviewsUri: build.s3Uri(transformedPrefix),
        pretrainedModelUri: build.s3Uri(PRETRAINED_MODEL_PREFIX),
        codeUri: build.codeUri,
        featureGroupName: build.featureGroupName,
        modelPackageGroupName: build.modelPackageGroupName,
        trainingImageUri: build.image('huggingFaceTraining'),
        inferenceImageUri: build.image('huggingFaceInference'),
        codeVersion: build.codeVersion,
        vpc: options.vpc,
        quality: options.quality,
        explainability: options.explainability,
        spotTraining: options.spotTraining,
        managedQualityServices: managed,
        debuggerRuleImageUri: managed ? build.managedImage('debugger') : undefined,
        managedImages: managed ? { clarify: build.managedImage('clarify'), modelMonitor: build.managedImage('modelMonitor') } : undefined,
        gates: build.gates,
        tuning: tuning ? tuningOf(tuning) : undefined,
      });
    },
    outputs: tuning ? [] : [
      {
        id: 'PretrainedModelUri',
        prefix: PRETRAINED_MODEL_PREFIX,
        description: 'Upload roberta-base (config, weights, tokenizer) here before the first run: the jobs have no internet access',
      },
    ],
  };
}

/**
 * The BERT family (its pipeline and, with a tuning, the tuned pipeline, both registering into its
 * group), or the family of one variant of its pipeline.
 */
export function bertSentimentFamily(variant?: { readonly name: string } & BertPipelineVariantSetting, tuning?: TuningSetting): ModelFamily {
  const pipelines = [bertSentimentPipelineDeclaration(variant), ...(tuning && !variant ? [bertSentimentPipelineDeclaration(undefined, tuning)] : [])];
  const id = pipelines[0].id;
  return {
    id,
    description: variant ? `${DESCRIPTION} (variant ${variant.name})` : DESCRIPTION,
    tags: variant ? { ...TAGS, pipeline: id } : TAGS,
    pipelines,
    // The training jobs write the model artifacts, the gates their reports (the packages' baselines):
    // each pipeline under its own prefix.
    artifactsPrefixes: pipelines.map((pipeline) => `${LakePrefix.pipelineArtifacts}${pipeline.id}/`),
    serving: {
      inferenceImages: ['huggingFaceInference'],
      contentType: JSON_LINES,
      monitoring: { image: 'huggingFaceTraining' },
    },
    keepsFirstNames: variant === undefined,
    // The registry stack's output of BERT's group, as deployed before there were families.
    groupOutputId: variant ? undefined : 'BertModelPackageGroupName',
    pretrainedModel: ROBERTA_BASE,
  };
}

/** The package: the course's BERT family, then one per entry of `bertPipelineVariants`. */
export const bertSentiment: FamilyPackage<typeof BERT_SENTIMENT_SETTINGS> = {
  settings: BERT_SENTIMENT_SETTINGS,
  families: (config: PlatformConfig) => [
    bertSentimentFamily(undefined, config.bertTuning),
    ...Object.entries(config.bertPipelineVariants ?? {}).map(([name, variant]) => bertSentimentFamily({ name, ...variant })),
  ],
  localRuns: { [BERT_PIPELINE_ID]: bertSentimentLocalRun, [BERT_TUNING_DEFINITION]: bertSentimentTuningLocalRun },
  // The course's pipeline and pipelines - 1 variants, each on a raw prefix of its own.
  growth: (pipelines): Record<string, string> =>
    pipelines > 1
      ? { bertPipelineVariants: JSON.stringify(Object.fromEntries(Array.from({ length: pipelines - 1 }, (_, i) => [`variant-${i + 1}`, { inputPrefix: `raw/variant-${i + 1}/` }]))) }
      : {},
};
