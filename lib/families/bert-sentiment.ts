/**
 * The course's BERT review-sentiment family, and one more family per variant of its pipeline
 * (`bertPipelineVariants`): each trains on its own raw prefix and registers into its own model
 * package group.
 */
import { BERT_PIPELINE_ID } from '../../pipeline-definitions/bert-sentiment';
import { JSON_LINES } from '../../pipeline-definitions/contract';
import { BERT_CODE_DIR, BertPipelineStack, PRETRAINED_MODEL_PREFIX } from '../bert-pipeline-stack';
import { LakePrefix } from '../lake-layout';
import { BertPipelineVariantSetting } from '../settings';
import { ModelFamily, PretrainedModel } from './model-family';

const DESCRIPTION = 'RoBERTa review-sentiment classifiers (-1, 0, 1) registered by the BERT pipeline after its quality gates';
const TAGS = { pipeline: BERT_PIPELINE_ID, model: 'roberta-base', task: 'text-classification' };

/** roberta-base as the pipelines read it: config, weights and tokenizer at a pinned commit of the hub repository. */
const ROBERTA_BASE: PretrainedModel = {
  repository: 'FacebookAI/roberta-base',
  revision: 'e2da8e2f811d1448a5b465c236feacd80ffbac7b',
  files: ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt', 'tokenizer.json'],
  lakePrefix: PRETRAINED_MODEL_PREFIX,
};

/** The BERT family, or the family of one variant of its pipeline. */
export function bertSentimentFamily(variant?: { readonly name: string } & BertPipelineVariantSetting): ModelFamily {
  const id = variant ? `${BERT_PIPELINE_ID}-${variant.name}` : BERT_PIPELINE_ID;
  return {
    id,
    description: variant ? `${DESCRIPTION} (variant ${variant.name})` : DESCRIPTION,
    tags: variant ? { ...TAGS, pipeline: id } : TAGS,
    pipelines: [
      {
        stackSuffix: variant ? `bert-pipeline-${variant.name}` : 'bert-pipeline',
        build: (scope, stackName, context) => new BertPipelineStack(scope, stackName, { ...context, variant }),
      },
    ],
    // The training jobs write the model artifacts, the gates their reports (the packages' baselines).
    artifactsPrefixes: [`${LakePrefix.pipelineArtifacts}${id}/`],
    serving: {
      inferenceImages: ['huggingFaceInference'],
      contentType: JSON_LINES,
      monitoring: { codeDir: BERT_CODE_DIR, image: 'huggingFaceTraining' },
    },
    keepsFirstNames: variant === undefined,
    pretrainedModel: ROBERTA_BASE,
  };
}
