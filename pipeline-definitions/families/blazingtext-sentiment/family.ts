/**
 * The BlazingText family: SageMaker's built-in BlazingText trained on the course's reviews, a fast
 * and cheap baseline beside every model the platform trains, registered and served as a serial
 * inference pipeline of three containers (request adapter, BlazingText, response adapter), so a
 * caller gets the platform's response from it as from every family.
 */
import { LakePrefix } from '../../../lib/lake-layout';
import type { ModelFamily } from '../../../lib/model-family';
import { projectPath } from '../../../lib/project-paths';
import type { PlatformConfig } from '../../../lib/settings';
import { JSON_LINES } from '../../contract';
import type { FamilyPackage } from '../family-package';
import { blazingTextSentimentLocalRun } from './local';
import { BLAZINGTEXT_GATES, BLAZINGTEXT_PIPELINE_ID, blazingTextSentimentPipeline } from './pipeline';
import { BLAZINGTEXT_SENTIMENT_SETTINGS, BlazingTextHyperparameters } from './settings';

/** The family's own step scripts, shipped to the lake beside the step-code library. */
export const BLAZINGTEXT_CODE_DIR = projectPath('pipeline-definitions', 'families', 'blazingtext-sentiment', 'code');

/** The family, its pipeline training with the configured hyperparameters. */
export function blazingTextSentimentFamily(hyperparameters: BlazingTextHyperparameters): ModelFamily {
  return {
    id: BLAZINGTEXT_PIPELINE_ID,
    description: 'BlazingText review-sentiment classifiers (-1, 0, 1), served as a three-container inference pipeline',
    tags: { pipeline: BLAZINGTEXT_PIPELINE_ID, model: 'blazingtext', task: 'text-classification' },
    pipelines: [
      {
        id: BLAZINGTEXT_PIPELINE_ID,
        stackSuffix: 'blazingtext-pipeline',
        description: 'BlazingText review-sentiment training pipeline',
        pipelineDescription: 'BlazingText baseline: preparation, adapters, built-in BlazingText training, three-container batch transform, evaluation, accuracy gate, registration',
        codeDir: BLAZINGTEXT_CODE_DIR,
        jobKinds: ['processing-job', 'training-job', 'transform-job', 'model'],
        // The scripts' image, the adapters' framework image and the algorithm's.
        images: ['sklearn', 'huggingFaceInference', 'blazingtext'],
        gates: BLAZINGTEXT_GATES,
        // The course's raw reviews, read beside the BERT pipeline: the baseline trains on the same data.
        lake: { rawPrefix: LakePrefix.rawReviews },
        definition: (build) => blazingTextSentimentPipeline(build, { inputDataUri: build.s3Uri(LakePrefix.rawReviews), hyperparameters }),
      },
    ],
    artifactsPrefixes: [`${LakePrefix.pipelineArtifacts}${BLAZINGTEXT_PIPELINE_ID}/`],
    serving: {
      // The containers in order: the adapters run on the framework image, around the algorithm's.
      inferenceImages: ['huggingFaceInference', 'blazingtext', 'huggingFaceInference'],
      contentType: JSON_LINES,
      monitoring: { image: 'sklearn' },
    },
  };
}

/** The package: one family, its hyperparameters from `blazingTextHyperparameters`. */
export const blazingTextSentiment: FamilyPackage<typeof BLAZINGTEXT_SENTIMENT_SETTINGS> = {
  settings: BLAZINGTEXT_SENTIMENT_SETTINGS,
  families: (config: PlatformConfig) => [blazingTextSentimentFamily(config.blazingTextHyperparameters)],
  localRuns: { [BLAZINGTEXT_PIPELINE_ID]: blazingTextSentimentLocalRun },
};
