/**
 * The BlazingText family's pipeline: prepare the reviews (the library's cleaning rules and split by
 * review id; BlazingText's `__label__` lines for training) → package the adapters' code → train
 * SageMaker's built-in BlazingText (supervised) → the model as a serial inference pipeline of three
 * containers (request adapter, BlazingText, response adapter) → batch transform of the test split
 * through it → evaluation of those predictions → accuracy condition → (the data- and model-quality
 * gates, registration of the three-container package) or Fail.
 */
import { ParameterString, PipelineDefinition, TrainingStep, Value } from '../../dsl';
import { GateName } from '../../gates';
import { reviewPipelineJobs, reviewPipelineParameters, reviewPreparation, reviewRecordOutputs, servedEvaluationAndRegistration } from '../../parts/family-pipeline';
import { channel, codePackageStep, inferenceContainer, prepareStep, TransformSizing } from '../../parts/steps';
import type { FamilyPipelineBuild } from '../../../lib/model-family';
import type { BlazingTextHyperparameters } from './settings';

export const BLAZINGTEXT_PIPELINE_ID = 'blazingtext-sentiment';

/**
 * The gates it runs: data quality (the train split's records, whose profile is the baseline the
 * endpoint's monitoring compares its capture with) and model quality (the predictions of the three
 * containers). The bias gates need facet baselines and the explainability gate a model a processing
 * job can load, and the training-health gate Debugger's report, which BlazingText's jobs do not give.
 */
export const BLAZINGTEXT_GATES: readonly GateName[] = ['CheckDataQuality', 'CheckModelQuality'];

/** BlazingText's content types: JSON into the algorithm and its JSON answer. */
export const BLAZINGTEXT_REQUEST = 'application/json';

/**
 * Training instance types: BlazingText's supervised mode trains on one CPU instance (or one GPU
 * instance, which the sample does not need).
 */
export const BLAZINGTEXT_TRAIN_INSTANCE_TYPES = ['ml.c5.xlarge', 'ml.c5.2xlarge', 'ml.m5.large', 'ml.m5.xlarge'] as const;

/**
 * Three containers score thousands of short reviews a second (fastText's speed, the adapters'
 * JSON); a prepared record is about 0.6 KB.
 */
export const BLAZINGTEXT_TRANSFORM_SIZING: TransformSizing = {
  recordBytes: 600,
  secondsPerRecord: 1 / 1000,
  maxPayloadInMB: 1,
  timeoutSeconds: 60,
  invocationsMaxRetries: 1,
  concurrentRequests: 2,
  threadsPerWorker: 1,
};

/** What the pipeline is made from, besides what the platform gives every family's pipeline. */
export interface BlazingTextPipelineOptions {
  readonly inputDataUri: string;
  readonly hyperparameters: BlazingTextHyperparameters;
}

/** BlazingText's hyperparameters as the training job takes them (strings; early stopping's only with it on). */
export function blazingTextHyperParameters(h: BlazingTextHyperparameters): Record<string, string> {
  return {
    mode: 'supervised',
    epochs: String(h.epochs),
    learning_rate: String(h.learning_rate),
    word_ngrams: String(h.word_ngrams),
    vector_dim: String(h.vector_dim),
    min_count: String(h.min_count),
    ...(h.early_stopping ? { early_stopping: 'True', patience: String(h.patience), min_epochs: String(h.min_epochs) } : {}),
  };
}

/**
 * The serving containers, in order: the request adapter (the platform's request → BlazingText's
 * JSON), BlazingText, the response adapter (its JSON → the platform's response).
 */
export function blazingTextContainers(adapterImageUri: string, adaptersArchive: Value, algorithmImageUri: string, modelArtifacts: Value): Record<string, Value>[] {
  return [
    inferenceContainer(adapterImageUri, adaptersArchive, BLAZINGTEXT_TRANSFORM_SIZING, { program: 'request_adapter.py', answers: BLAZINGTEXT_REQUEST }),
    { Image: algorithmImageUri, ModelDataUrl: modelArtifacts, Environment: { SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: BLAZINGTEXT_REQUEST } },
    inferenceContainer(adapterImageUri, adaptersArchive, BLAZINGTEXT_TRANSFORM_SIZING, { program: 'response_adapter.py' }),
  ];
}

/** The pipeline's definition, from what the platform gives a family's pipeline. */
export function blazingTextSentimentPipeline(build: FamilyPipelineBuild, options: BlazingTextPipelineOptions): PipelineDefinition {
  const scriptImage = build.image('sklearn');
  const adapterImage = build.image('huggingFaceInference');
  const algorithmImage = build.image('blazingtext');
  const p = {
    ...reviewPipelineParameters(options.inputDataUri),
    trainInstanceType: new ParameterString('TrainInstanceType', 'ml.c5.xlarge', BLAZINGTEXT_TRAIN_INSTANCE_TYPES),
  };
  const { jobs, engine } = reviewPipelineJobs(build, scriptImage, p);
  const { hyperparameters } = options;

  const prepare = prepareStep(jobs, {
    script: 'prepare.py',
    description: 'The reviews cleaned, balanced and split by review id (the step-code library\'s rules, as the BERT pipeline\'s): BlazingText\'s labelled lines, and the test split as JSON Lines',
    ...reviewPreparation(p),
    splits: ['train', 'validation'],
    splitsAs: 'blazingtext',
    outputs: reviewRecordOutputs(jobs),
    engine,
    networkIsolation: true,
  });

  const adapters = codePackageStep(jobs, {
    name: 'PackageAdapters',
    description: 'The request and response adapters\' code in a model.tar.gz: the adapter containers run without network access',
    files: ['request_adapter.py', 'response_adapter.py', 'tokens.py'],
  });

  const textChannel = (name: string, uri: Value) => ({ ...(channel(name, uri) as Record<string, Value>), ContentType: 'text/plain' });
  const { kmsKeyArn, executionRoleArn } = jobs.props;
  const spot = build.options.spotTraining;
  const train = new TrainingStep('Train', {
    description: 'SageMaker\'s built-in BlazingText, supervised, on the train split',
    cacheExpireAfter: 'PT1H',
    request: {
      RoleArn: executionRoleArn,
      AlgorithmSpecification: { TrainingImage: algorithmImage, TrainingInputMode: 'File' },
      HyperParameters: blazingTextHyperParameters(hyperparameters),
      InputDataConfig: [
        textChannel('train', prepare.outputUri('blazingtext-train')),
        ...(hyperparameters.early_stopping ? [textChannel('validation', prepare.outputUri('blazingtext-validation'))] : []),
      ],
      OutputDataConfig: { S3OutputPath: jobs.executionPrefix('training'), KmsKeyId: kmsKeyArn },
      ResourceConfig: { InstanceType: p.trainInstanceType.ref, InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: kmsKeyArn },
      StoppingCondition: spot ? { MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 172800 } : { MaxRuntimeInSeconds: 86400 },
      ...(spot ? { EnableManagedSpotTraining: true } : {}),
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
    },
  });

  const containers = blazingTextContainers(adapterImage, adapters.archive, algorithmImage, train.modelArtifacts());
  const { model, transform, evaluation, condition } = servedEvaluationAndRegistration({
    build,
    jobs,
    engine,
    p,
    containers,
    preparation: prepare,
    sizing: BLAZINGTEXT_TRANSFORM_SIZING,
    description: 'BlazingText review-sentiment classifier (-1, 0, 1), served as a serial inference pipeline: request adapter, BlazingText, response adapter',
  });
  return new PipelineDefinition({
    parameters: [...Object.values(p), ...engine.parameters],
    steps: [prepare, adapters.step, train, model, transform, evaluation.step, condition],
    metadata: { pipeline: build.pipelineId, definition: BLAZINGTEXT_PIPELINE_ID, codeVersion: build.codeVersion },
  });
}
