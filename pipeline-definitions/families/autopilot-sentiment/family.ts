/**
 * The Autopilot family: SageMaker Autopilot's AutoML job trained on the course's reviews (Course 1's
 * first model), its best candidate registered and served as a serial inference pipeline of three
 * containers (request adapter, the candidate, response adapter), so a caller gets the platform's
 * response from it as from every family.
 */
import { LakePrefix } from '../../../lib/lake-layout';
import type { ModelFamily } from '../../../lib/model-family';
import { projectPath } from '../../../lib/project-paths';
import type { PlatformConfig } from '../../../lib/settings';
import { JSON_LINES } from '../../contract';
import type { FamilyPackage } from '../family-package';
import { autopilotSentimentLocalRun } from './local';
import { AUTOPILOT_GATES, AUTOPILOT_PIPELINE_ID, autopilotSentimentPipeline } from './pipeline';
import { AUTOPILOT_SENTIMENT_SETTINGS, AutopilotSetting } from './settings';

/** The family's own step scripts, shipped to the lake beside the step-code library. */
export const AUTOPILOT_CODE_DIR = projectPath('pipeline-definitions', 'families', 'autopilot-sentiment', 'code');

/** The family, its AutoML job searching as the configuration allows. */
export function autopilotSentimentFamily(autopilot: AutopilotSetting): ModelFamily {
  return {
    id: AUTOPILOT_PIPELINE_ID,
    description: 'Autopilot review-sentiment classifiers (-1, 0, 1), the best candidate served behind the platform\'s adapters',
    tags: { pipeline: AUTOPILOT_PIPELINE_ID, model: 'autopilot-ensemble', task: 'text-classification' },
    pipelines: [
      {
        id: AUTOPILOT_PIPELINE_ID,
        stackSuffix: 'autopilot-pipeline',
        description: 'Autopilot review-sentiment training pipeline',
        pipelineDescription: 'Autopilot: preparation, adapters, AutoML job, three-container batch transform of the best candidate, evaluation, accuracy gate, registration',
        codeDir: AUTOPILOT_CODE_DIR,
        jobKinds: ['processing-job', 'automl-job', 'training-job', 'transform-job', 'model'],
        // The scripts' image, the adapters' framework image, and the images Autopilot chooses at
        // run time: AutoGluon's training (its jobs run as this role) and inference (the candidate).
        images: ['sklearn', 'huggingFaceInference', 'autopilotTraining', 'autopilotCandidate'],
        gates: AUTOPILOT_GATES,
        // The course's raw reviews, read beside the BERT pipeline: the families train on the same data.
        lake: { rawPrefix: LakePrefix.rawReviews },
        definition: (build) => autopilotSentimentPipeline(build, { inputDataUri: build.s3Uri(LakePrefix.rawReviews), autopilot }),
      },
    ],
    artifactsPrefixes: [`${LakePrefix.pipelineArtifacts}${AUTOPILOT_PIPELINE_ID}/`],
    serving: {
      // The containers in order: the adapters on the framework image, around the candidate's.
      inferenceImages: ['huggingFaceInference', 'autopilotCandidate', 'huggingFaceInference'],
      contentType: JSON_LINES,
      monitoring: { image: 'sklearn' },
    },
  };
}

/** The package: one family, its search from `autopilot`. */
export const autopilotSentiment: FamilyPackage<typeof AUTOPILOT_SENTIMENT_SETTINGS> = {
  settings: AUTOPILOT_SENTIMENT_SETTINGS,
  families: (config: PlatformConfig) => [autopilotSentimentFamily(config.autopilot)],
  localRuns: { [AUTOPILOT_PIPELINE_ID]: autopilotSentimentLocalRun },
};
