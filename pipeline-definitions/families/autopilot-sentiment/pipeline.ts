/**
 * The Autopilot family's pipeline: prepare Autopilot's input from the raw reviews (the library's
 * cleaning rules, balance and split by review id) → package the adapters' code → Autopilot's
 * AutoML job (ENSEMBLING) → the best candidate as a serial inference pipeline of three containers
 * (request adapter, the candidate, response adapter) → batch transform of the test split through
 * it → evaluation of those predictions → accuracy condition → (the data- and model-quality gates,
 * registration of the three-container package with Autopilot's reports) or Fail.
 */
import { AutoMLStep, PipelineDefinition, PROCESSING_ROOT, processingOutput, Value } from '../../dsl';
import { LABEL_FEATURE } from '../../contract';
import { GateName } from '../../gates';
import { reviewPipelineJobs, reviewPipelineParameters, reviewPreparation, reviewRecordOutputs, servedEvaluationAndRegistration } from '../../parts/family-pipeline';
import { codePackageStep, inferenceContainer, prepareStep, TransformSizing } from '../../parts/steps';
import type { FamilyPipelineBuild } from '../../../lib/model-family';
import type { AutopilotSetting } from './settings';

export const AUTOPILOT_PIPELINE_ID = 'autopilot-sentiment';

/**
 * The gates it runs: data quality (the train split's records, whose profile is the baseline the
 * endpoint's monitoring compares its capture with) and model quality (the predictions of the three
 * containers). The bias gates need facet baselines and the explainability gate a model a processing
 * job can load, and the training-health gate Debugger's report, which Autopilot's jobs do not give.
 */
export const AUTOPILOT_GATES: readonly GateName[] = ['CheckDataQuality', 'CheckModelQuality'];

/** What the model asks the candidate for: every label's probability, not `predicted_label` alone. */
export const AUTOPILOT_INFERENCE_OUTPUT = 'predicted_label,probability,probabilities,labels';

/** The candidate's content type, in and out. */
const CSV = 'text/csv';

/**
 * An AutoGluon ensemble scores hundreds of short reviews a second on the smallest instance, behind
 * two JSON adapters; a prepared record is about 0.6 KB.
 */
export const AUTOPILOT_TRANSFORM_SIZING: TransformSizing = {
  recordBytes: 600,
  secondsPerRecord: 1 / 200,
  maxPayloadInMB: 1,
  timeoutSeconds: 60,
  invocationsMaxRetries: 1,
  concurrentRequests: 2,
  threadsPerWorker: 1,
};

/** What the pipeline is made from, besides what the platform gives every family's pipeline. */
export interface AutopilotPipelineOptions {
  readonly inputDataUri: string;
  readonly autopilot: AutopilotSetting;
}

/**
 * The serving containers, in order: the request adapter (the platform's request → CSV), the best
 * candidate (its image, model and environment as Autopilot reports them, asked for every label's
 * probability and to answer CSV), the response adapter (its CSV → the platform's response).
 */
export function autopilotContainers(adapterImageUri: string, adaptersArchive: Value, automl: AutoMLStep): Record<string, Value>[] {
  const candidate = automl.bestContainer();
  return [
    inferenceContainer(adapterImageUri, adaptersArchive, AUTOPILOT_TRANSFORM_SIZING, { program: 'request_adapter.py', answers: CSV }),
    { ...candidate, Environment: { ...candidate.Environment, SAGEMAKER_INFERENCE_OUTPUT: AUTOPILOT_INFERENCE_OUTPUT, SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: CSV } },
    inferenceContainer(adapterImageUri, adaptersArchive, AUTOPILOT_TRANSFORM_SIZING, { program: 'response_adapter.py' }),
  ];
}

/** The pipeline's definition, from what the platform gives a family's pipeline. */
export function autopilotSentimentPipeline(build: FamilyPipelineBuild, options: AutopilotPipelineOptions): PipelineDefinition {
  const scriptImage = build.image('sklearn');
  const adapterImage = build.image('huggingFaceInference');
  const p = reviewPipelineParameters(options.inputDataUri);
  const { jobs, engine } = reviewPipelineJobs(build, scriptImage, p);

  const prepare = prepareStep(jobs, {
    script: 'prepare.py',
    description: 'The reviews cleaned, balanced and split by review id (the step-code library\'s rules, as the BERT pipeline\'s): Autopilot\'s CSV, and the test split as JSON Lines',
    ...reviewPreparation(p),
    splits: [],
    outputs: [
      processingOutput('automl-input', jobs.executionPrefix('processing', 'automl'), `${PROCESSING_ROOT}/output/automl`),
      ...reviewRecordOutputs(jobs),
    ],
    engine,
    networkIsolation: true,
  });

  const adapters = codePackageStep(jobs, {
    name: 'PackageAdapters',
    description: 'The request and response adapters\' code in a model.tar.gz: the adapter containers run without network access',
    files: ['request_adapter.py', 'response_adapter.py'],
  });

  const automl = new AutoMLStep('AutoML', {
    description: 'Autopilot explores candidate models on the reviews (ENSEMBLING) and keeps the best by accuracy',
    job: {
      target: LABEL_FEATURE,
      problemType: 'MulticlassClassification',
      objective: 'Accuracy',
      maxCandidates: options.autopilot.maxCandidates,
      maxRuntimeSeconds: options.autopilot.maxRuntimeSeconds,
    },
    roleArn: build.executionRoleArn,
    inputDataUri: prepare.outputUri('automl-input'),
    outputPath: jobs.executionPrefix('automl'),
    kmsKeyArn: build.kmsKeyArn,
    vpcConfig: build.options.vpc ? { SecurityGroupIds: [...build.options.vpc.securityGroupIds], Subnets: [...build.options.vpc.subnetIds] } : undefined,
  });

  const containers = autopilotContainers(adapterImage, adapters.archive, automl);
  const { model, transform, evaluation, condition } = servedEvaluationAndRegistration({
    build,
    jobs,
    engine,
    p,
    containers,
    preparation: prepare,
    sizing: AUTOPILOT_TRANSFORM_SIZING,
    description: 'Autopilot review-sentiment classifier (-1, 0, 1), served as a serial inference pipeline: request adapter, the best candidate, response adapter',
    reports: {
      explainability: automl.bestCandidateReport('Explainability'),
      // The model-insights report's path may exceed the 256 characters of a metadata value: the
      // job's name leads to it (DescribeAutoMLJob's BestCandidateProperties).
      metadata: { automl_job: automl.property('AutoMLJobName'), automl_best_candidate: automl.property('BestCandidate.CandidateName') },
    },
  });
  return new PipelineDefinition({
    parameters: [...Object.values(p), ...engine.parameters],
    steps: [prepare, adapters.step, automl, model, transform, evaluation.step, condition],
    metadata: { pipeline: build.pipelineId, definition: AUTOPILOT_PIPELINE_ID, codeVersion: build.codeVersion },
  });
}
