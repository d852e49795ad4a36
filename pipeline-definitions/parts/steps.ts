/**
 * The named parts a training pipeline is composed of: prepare, train, evaluate, create the model,
 * batch-transform, register. Each builds its step from the pipeline's shared job settings
 * ({@link PipelineJobs}) and what the family gives it (scripts, arguments, images, names, content
 * types, sizing), so that every family composes them with its own scripts.
 */
import { DEPLOY_INSTANCE_TYPES } from '../catalogue';
import { JSON_LINES, REPORT_FILES } from '../contract';
import { driftCheckBaselines, GateEngine, modelMetrics, RegisteredGates } from '../gates';
import {
  Condition,
  ConditionStep,
  CreateModelStep,
  ExecutionVariable,
  FailStep,
  Join,
  Parameter,
  PROCESSING_ROOT,
  processingInput,
  processingOutput,
  ProcessingStep,
  PropertyFile,
  RegisterModelStep,
  Step,
  TrainingStep,
  TransformStep,
  Tuning,
  TuningStep,
  Value,
} from '../dsl';
import { PipelineJobs } from './jobs';

/** A Training job channel: an S3 prefix, copied in full. */
export function channel(name: string, uri: Value): Value {
  return {
    ChannelName: name,
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: uri, S3DataDistributionType: 'FullyReplicated' } },
    InputMode: 'File',
    CompressionType: 'None',
  };
}

export interface PrepareOptions {
  /**
   * The step's name.
   * @default 'Processing'
   */
  readonly name?: string;
  readonly script: string;
  readonly description: string;
  readonly arguments: readonly Value[];
  readonly inputs: readonly Value[];
  /**
   * The splits it writes, each to `output/<splitsAs>/<split>` and the execution's
   * `processing/<split>`, as output `<splitsAs>-<split>`.
   */
  readonly splits: readonly string[];
  /**
   * What the split outputs are named after.
   * @default 'sentiment'
   */
  readonly splitsAs?: string;
  /** Further outputs (e.g. a table of the lake). */
  readonly outputs?: readonly Value[];
  /**
   * The gates' engine, when the script writes what the engine's gates read of the preparation
   * (the managed engine's baselines): its preparation arguments and outputs are added.
   * @default - none added
   */
  readonly engine?: GateEngine;
  /** The instances the step runs on, each preparing its share of a sharded input (default 1). */
  readonly instanceCount?: Value;
  /**
   * Isolate the job from the network (a preparation that calls no AWS API).
   * @default false
   */
  readonly networkIsolation?: boolean;
}

/** The preparation step (not isolated by default: a preparation may call the Feature Store API). */
export function prepareStep(jobs: PipelineJobs, options: PrepareOptions): ProcessingStep {
  const forGates = options.engine?.preparation() ?? { arguments: [], outputs: [] };
  const splitsAs = options.splitsAs ?? 'sentiment';
  return new ProcessingStep(options.name ?? 'Processing', {
    description: options.description,
    request: jobs.scriptJob(
      options.script,
      [...options.arguments, ...forGates.arguments],
      [...options.inputs],
      [
        ...options.splits.map((split) =>
          processingOutput(`${splitsAs}-${split}`, jobs.executionPrefix('processing', split), `${PROCESSING_ROOT}/output/${splitsAs}/${split}`),
        ),
        ...(options.outputs ?? []),
        ...forGates.outputs,
      ],
      options.networkIsolation ?? false,
      options.instanceCount,
    ),
  });
}

export interface TrainOptions {
  readonly description: string;
  readonly imageUri: string;
  readonly metricDefinitions: readonly { readonly Name: string; readonly Regex: string }[];
  readonly hyperParameters: Record<string, Value>;
  readonly channels: readonly Value[];
  readonly instanceType: Value;
  readonly instanceCount: Value;
  readonly volumeSizeInGB: Value;
  /** Train on managed spot instances, resuming from the execution's checkpoints. */
  readonly spot?: boolean;
  readonly dependsOn?: readonly Step[];
  readonly engine: GateEngine;
}

/**
 * The CreateTrainingJob request of a family's training (without the job name): network-isolated,
 * encrypted, checkpointed per execution, with the engine's settings (Debugger's rules with the
 * managed engine's training-health gate).
 */
export function trainingRequest(jobs: PipelineJobs, options: TrainOptions): Record<string, Value> {
  const { executionRoleArn, kmsKeyArn } = jobs.props;
  return {
    RoleArn: executionRoleArn,
    AlgorithmSpecification: {
      TrainingImage: options.imageUri,
      TrainingInputMode: 'File',
      MetricDefinitions: options.metricDefinitions.map((m) => ({ ...m })),
      EnableSageMakerMetricsTimeSeries: true,
    },
    HyperParameters: options.hyperParameters,
    InputDataConfig: [...options.channels],
    OutputDataConfig: { S3OutputPath: jobs.executionPrefix('training'), KmsKeyId: kmsKeyArn },
    ResourceConfig: { InstanceType: options.instanceType, InstanceCount: options.instanceCount, VolumeSizeInGB: options.volumeSizeInGB, VolumeKmsKeyId: kmsKeyArn },
    StoppingCondition: options.spot ? { MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 172800 } : { MaxRuntimeInSeconds: 86400 },
    ...(options.spot ? { EnableManagedSpotTraining: true } : {}),
    EnableNetworkIsolation: true,
    EnableInterContainerTrafficEncryption: true,
    // Per execution, so a (spot) restart resumes its own run and never another's.
    CheckpointConfig: { S3Uri: jobs.executionPrefix('checkpoints') },
    ...options.engine.trainingSettings(),
  };
}

/** The training step ({@link trainingRequest}). */
export function trainStep(jobs: PipelineJobs, options: TrainOptions): TrainingStep {
  return new TrainingStep('Train', {
    description: options.description,
    cacheExpireAfter: 'PT1H',
    dependsOn: options.dependsOn ? [...options.dependsOn] : undefined,
    request: trainingRequest(jobs, options),
  });
}

/** Members of a training request that a tuning's training job definition does not take (Debugger's). */
const NOT_IN_TUNING = ['HyperParameters', 'DebugHookConfig', 'DebugRuleConfigurations', 'ProfilerConfig', 'ProfilerRuleConfigurations'];

/**
 * The tuning step: the family's training run once per set of hyperparameters the tuning draws,
 * the best by its objective. The training job definition is the training request with the tuned
 * hyperparameters left out of its static ones, without Debugger's settings (a tuning job's
 * training definition has none: the training-health gate reads the best job's own report), its
 * models under the execution's `tuning/` prefix.
 */
export function tuneStep(jobs: PipelineJobs, options: TrainOptions & { readonly tuning: Tuning }): TuningStep {
  const request = trainingRequest(jobs, options);
  const tuned = options.tuning.ranges.map((r) => r.name);
  const definition = Object.fromEntries(Object.entries(request).filter(([key]) => !NOT_IN_TUNING.includes(key)));
  // A tuning's algorithm specification has no metrics time series (HyperParameterAlgorithmSpecification).
  const { EnableSageMakerMetricsTimeSeries: _series, ...algorithm } = request.AlgorithmSpecification as Record<string, Value>;
  return new TuningStep('Tune', {
    description: options.description,
    cacheExpireAfter: 'PT1H',
    dependsOn: options.dependsOn ? [...options.dependsOn] : undefined,
    tuning: options.tuning,
    trainingJobDefinition: {
      ...definition,
      AlgorithmSpecification: algorithm,
      StaticHyperParameters: Object.fromEntries(Object.entries(options.hyperParameters).filter(([key]) => !tuned.includes(key))),
      OutputDataConfig: { ...(request.OutputDataConfig as Record<string, Value>), S3OutputPath: jobs.executionPrefix('tuning') },
    },
  });
}

/** The evaluation step and the accuracy it reports. */
export interface Evaluation {
  readonly step: ProcessingStep;
  readonly accuracy: Value;
  /** The evaluation report (Model Monitor's statistics format). */
  readonly statisticsUri: Value;
}

/** `evaluate.py` on the test split: writes the evaluation report the accuracy condition reads. */
export function evaluateStep(jobs: PipelineJobs, options: { readonly description: string; readonly script: string; readonly model: Value; readonly testData: Value; readonly dependsOn?: readonly Step[] }): Evaluation {
  const report = new PropertyFile('EvaluationReport', 'metrics', REPORT_FILES.evaluation);
  const step = new ProcessingStep('EvaluateModel', {
    description: options.description,
    propertyFiles: [report],
    dependsOn: options.dependsOn ? [...options.dependsOn] : undefined,
    request: jobs.scriptJob(
      options.script,
      ['--model-dir', `${PROCESSING_ROOT}/input/model`, '--test-dir', `${PROCESSING_ROOT}/input/data`, '--output-dir', `${PROCESSING_ROOT}/output/metrics`],
      [processingInput('model', options.model, `${PROCESSING_ROOT}/input/model`), processingInput('test-data', options.testData, `${PROCESSING_ROOT}/input/data`)],
      [processingOutput('metrics', jobs.executionPrefix('evaluation'), `${PROCESSING_ROOT}/output/metrics`)],
      true,
    ),
  });
  return { step, accuracy: step.jsonGet(report, 'metrics.accuracy.value'), statisticsUri: new Join('/', [step.outputUri('metrics'), REPORT_FILES.evaluation]) };
}

/**
 * Evaluation of a model that a processing container cannot load (a built-in algorithm's, an AutoML
 * candidate's): `evaluate_predictions.py` scores batch transform's joined output of the test split,
 * which the model's containers answered as an endpoint would; the same report as {@link evaluateStep}.
 */
export function predictionsEvaluateStep(jobs: PipelineJobs, options: { readonly description: string; readonly predictions: Value }): Evaluation {
  const report = new PropertyFile('EvaluationReport', 'metrics', REPORT_FILES.evaluation);
  const step = new ProcessingStep('EvaluateModel', {
    description: options.description,
    propertyFiles: [report],
    request: jobs.scriptJob(
      'evaluate_predictions.py',
      ['--predictions-dir', `${PROCESSING_ROOT}/input/predictions`, '--output-dir', `${PROCESSING_ROOT}/output/metrics`],
      [processingInput('predictions', options.predictions, `${PROCESSING_ROOT}/input/predictions`)],
      [processingOutput('metrics', jobs.executionPrefix('evaluation'), `${PROCESSING_ROOT}/output/metrics`)],
      true,
    ),
  });
  return { step, accuracy: step.jsonGet(report, 'metrics.accuracy.value'), statisticsUri: new Join('/', [step.outputUri('metrics'), REPORT_FILES.evaluation]) };
}

/** A step that packs code for serving containers, and the archive it writes. */
export interface CodePackage {
  readonly step: ProcessingStep;
  /** The `model.tar.gz` (its `code/` the files and the library's serving code). */
  readonly archive: Join;
}

/**
 * `package_code.py`: the family's files (released with the step code) and the library's serving
 * code in a `model.tar.gz`, for serving containers that run the project's code without network
 * access beside a model that carries none (e.g. an inference pipeline's adapters).
 */
export function codePackageStep(jobs: PipelineJobs, options: { readonly name: string; readonly description: string; readonly files: readonly string[] }): CodePackage {
  const folder = `${PROCESSING_ROOT}/output/code-package`;
  const step = new ProcessingStep(options.name, {
    description: options.description,
    request: jobs.scriptJob(
      'package_code.py',
      ['--output-dir', folder, '--files', ...options.files],
      [],
      [processingOutput('code-package', jobs.executionPrefix('code-packages', options.name), folder)],
      true,
    ),
  });
  return { step, archive: new Join('/', [step.outputUri('code-package'), 'model.tar.gz']) };
}

/**
 * The accuracy condition: the steps after evaluation run only when the test accuracy reaches the
 * minimum; else the Fail step `AccuracyTooLow` ends the execution, naming both.
 */
export function accuracyCondition(evaluation: Evaluation, minAccuracy: Parameter, ifSteps: readonly Step[]): ConditionStep {
  const fail = new FailStep('AccuracyTooLow', {
    errorMessage: new Join(' ', ['Model accuracy', evaluation.accuracy, `is below ${minAccuracy.name}`, minAccuracy.ref, '- the model was not registered.']),
  });
  return new ConditionStep('AccuracyCondition', {
    description: `Registers the model only if its test accuracy reaches ${minAccuracy.name}`,
    conditions: [Condition.greaterThanOrEqualTo(evaluation.accuracy, minAccuracy.ref)],
    ifSteps: [...ifSteps],
    elseSteps: [fail],
  });
}

/**
 * Batch transform sized on purpose, from figures a family measures for its model (record size,
 * scoring rate per model-server worker): a mini-batch of `maxPayloadInMB` must finish within half
 * the model server's timeout, so a slow instance or a retry still fits (see
 * {@link transformSizingProblem}).
 */
export interface TransformSizing {
  /** Bytes of JSON per record, measured. */
  readonly recordBytes: number;
  /** Seconds to score one record on the transform instance, measured. */
  readonly secondsPerRecord: number;
  readonly maxPayloadInMB: number;
  /**
   * The request timeout: the model server's (SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS; the older
   * SAGEMAKER_MODEL_SERVER_TIMEOUT is read as minutes by the Hugging Face image's model server)
   * and the invocation timeout of ModelClientConfig.
   */
  readonly timeoutSeconds: number;
  readonly invocationsMaxRetries: number;
  /**
   * Requests in flight per transform instance (MaxConcurrentTransforms): one per model-server
   * worker of the smallest instance type offered (the server starts one worker per vCPU).
   */
  readonly concurrentRequests: number;
  /**
   * Torch threads per model-server worker (OMP_NUM_THREADS): one, so the workers do not contend
   * for the cores (two workers of two threads each scored a fifth slower than two of one).
   */
  readonly threadsPerWorker: number;
}

/** SageMaker's limit on MaxConcurrentTransforms × MaxPayloadInMB. */
const TRANSFORM_PAYLOAD_LIMIT_MB = 100;

/** Why a sizing would time out (a full mini-batch takes more than half the timeout), or undefined. */
export function transformSizingProblem(sizing: TransformSizing): string | undefined {
  if (sizing.concurrentRequests * sizing.maxPayloadInMB > TRANSFORM_PAYLOAD_LIMIT_MB) {
    return `${sizing.concurrentRequests} requests of ${sizing.maxPayloadInMB} MB in flight exceed SageMaker's ${TRANSFORM_PAYLOAD_LIMIT_MB} MB per instance`;
  }
  const records = Math.floor((sizing.maxPayloadInMB * 1024 * 1024) / sizing.recordBytes);
  const seconds = records * sizing.secondsPerRecord;
  return seconds <= sizing.timeoutSeconds / 2
    ? undefined
    : `a ${sizing.maxPayloadInMB} MB mini-batch is about ${records} records, ${Math.round(seconds)} s to score: more than half the ${sizing.timeoutSeconds} s timeout`;
}

/** Which handlers a serving container runs, and what it answers the next container in. */
export interface InferenceContainerOptions {
  /**
   * The handlers' file in the archive's `code/` (SAGEMAKER_PROGRAM).
   * @default 'inference.py'
   */
  readonly program?: string;
  /**
   * The content type it answers in when the request names none (SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT):
   * what a container before the last of a serial inference pipeline answers the next one in.
   * @default - none
   */
  readonly answers?: string;
}

/**
 * The serving container of a trained model (or of code a model does not carry): the image, the
 * artifacts, the handlers' script in them, the model server's timeout and one torch thread per
 * worker.
 */
export function inferenceContainer(imageUri: string, modelData: Value, sizing: TransformSizing, options: InferenceContainerOptions = {}): Record<string, Value> {
  return {
    Image: imageUri,
    ModelDataUrl: modelData,
    Environment: {
      SAGEMAKER_PROGRAM: options.program ?? 'inference.py',
      SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
      SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: String(sizing.timeoutSeconds),
      OMP_NUM_THREADS: String(sizing.threadsPerWorker),
      ...(options.answers ? { SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: options.answers } : {}),
    },
  };
}

/** Containers of a serial inference pipeline (CreateModel's Containers) at most. */
const MAX_SERIAL_CONTAINERS = 15;

/** Content types batch transform joins with their input here and on SageMaker (JoinSource Input). */
const JOINABLE_CONTENT_TYPES: readonly string[] = [JSON_LINES, 'application/json'];

/**
 * The SageMaker model for batch transform, network-isolated: one container, or several in order
 * (a serial inference pipeline).
 */
export function modelStep(jobs: PipelineJobs, containers: Record<string, Value> | readonly Record<string, Value>[]): CreateModelStep {
  const list = Array.isArray(containers) ? [...containers] : [containers as Record<string, Value>];
  if (list.length === 0 || list.length > MAX_SERIAL_CONTAINERS) {
    throw new Error(`modelStep: ${list.length} containers; expected one, or up to ${MAX_SERIAL_CONTAINERS} in order.`);
  }
  // Each container before the last says what it answers the next one in.
  list.slice(0, -1).forEach((container, i) => {
    const environment = (container.Environment ?? {}) as Record<string, Value>;
    if (environment.SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT === undefined) {
      throw new Error(`modelStep: container ${i + 1} of ${list.length} has no SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT; a container before the last must say what it answers the next one in.`);
    }
  });
  const serving = list.length === 1 ? { PrimaryContainer: list[0] } : { Containers: list, InferenceExecutionConfig: { Mode: 'Serial' } };
  return new CreateModelStep('CreateModel', {
    description: 'The SageMaker model for batch transform (inference code inside model.tar.gz)',
    request: { ExecutionRoleArn: jobs.props.executionRoleArn, ...serving, EnableNetworkIsolation: true },
  });
}

export interface TransformOptions {
  readonly model: CreateModelStep;
  readonly input: Value;
  readonly instanceType: Value;
  readonly instanceCount: Value;
  /**
   * The request and response content type (the output joins each input line with its answer).
   * @default JSON_LINES
   */
  readonly contentType?: string;
  /** Mini-batch size, timeouts and requests in flight, measured for the family's model. */
  readonly sizing: TransformSizing;
}

/** Batch transform of JSON lines: the output keeps each input line beside its prediction. */
export function transformStep(jobs: PipelineJobs, options: TransformOptions): TransformStep {
  const { kmsKeyArn } = jobs.props;
  const contentType = options.contentType ?? JSON_LINES;
  const { sizing } = options;
  if (!JOINABLE_CONTENT_TYPES.includes(contentType)) {
    // The model gates read each input line with its answer; the local run joins JSON alone.
    throw new Error(`transformStep: content type ${contentType} cannot be joined with its input here; expected ${JOINABLE_CONTENT_TYPES.join(' or ')} (a family serving another type puts an adapter container first).`);
  }
  const problem = transformSizingProblem(sizing);
  if (problem) throw new Error(`transformStep: the sizing would time out or exceed a limit: ${problem}.`);
  return new TransformStep('Transform', {
    description: 'Predicts the test split; the output keeps each input line for the model-quality checks',
    request: {
      ModelName: options.model.modelName(),
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: options.input } },
        ContentType: contentType,
        SplitType: 'Line',
        CompressionType: 'None',
      },
      TransformOutput: { S3OutputPath: jobs.executionPrefix('transform'), Accept: contentType, AssembleWith: 'Line', KmsKeyId: kmsKeyArn },
      TransformResources: { InstanceType: options.instanceType, InstanceCount: options.instanceCount, VolumeKmsKeyId: kmsKeyArn },
      DataProcessing: { InputFilter: '$', JoinSource: 'Input', OutputFilter: '$' },
      BatchStrategy: 'MultiRecord',
      MaxPayloadInMB: sizing.maxPayloadInMB,
      MaxConcurrentTransforms: sizing.concurrentRequests,
      ModelClientConfig: { InvocationsTimeoutInSeconds: sizing.timeoutSeconds, InvocationsMaxRetries: sizing.invocationsMaxRetries },
    },
  });
}

export interface RegisterOptions {
  readonly modelPackageGroupName: string;
  readonly description: string;
  readonly approvalStatus: Value;
  /** The package's inference containers, in order (several: a serial inference pipeline). */
  readonly containers: readonly Record<string, Value>[];
  /**
   * The request and response content type the package serves.
   * @default JSON_LINES
   */
  readonly contentType?: string;
  /** The reports of the gates the definition ran (registration reads only those). */
  readonly gates: RegisteredGates;
  readonly engine: GateEngine;
  readonly evaluation: Evaluation;
  readonly codeVersion: string;
  readonly inputData: Value;
  readonly domain: string;
  readonly task: string;
  readonly dependsOn: readonly Step[];
  /**
   * Reports the model's own making wrote besides the gates' (e.g. an AutoML job's): an
   * explainability report (ModelMetrics.Explainability, when no gate registers one) and metadata
   * (more CustomerMetadataProperties).
   * @default - none
   */
  readonly reports?: { readonly explainability?: Value; readonly metadata?: Readonly<Record<string, Value>> };
}

/** Registers the model version with its evaluation and gate reports. */
export function registerStep(options: RegisterOptions): RegisterModelStep {
  const contentType = options.contentType ?? JSON_LINES;
  const baselines = driftCheckBaselines(options.gates, options.engine);
  const metrics = modelMetrics(options.gates, options.evaluation.statisticsUri);
  const explainability = options.reports?.explainability;
  if (explainability !== undefined) {
    if (metrics.Explainability !== undefined) throw new Error('registerStep: an explainability report is given and CheckExplainability registers one; expected one of them.');
    metrics.Explainability = { Report: { ContentType: 'application/json', S3Uri: explainability } };
  }
  return new RegisterModelStep('RegisterModel', {
    description: 'Registers the model version with its evaluation and gate reports, pending approval by default',
    dependsOn: [...options.dependsOn],
    request: {
      ModelPackageGroupName: options.modelPackageGroupName,
      ModelPackageDescription: options.description,
      ModelApprovalStatus: options.approvalStatus,
      InferenceSpecification: {
        Containers: [...options.containers],
        SupportedContentTypes: [contentType],
        SupportedResponseMIMETypes: [contentType],
        SupportedRealtimeInferenceInstanceTypes: [...DEPLOY_INSTANCE_TYPES],
        SupportedTransformInstanceTypes: [...DEPLOY_INSTANCE_TYPES],
      },
      ModelMetrics: metrics,
      ...(baselines ? { DriftCheckBaselines: baselines } : {}),
      CustomerMetadataProperties: {
        code_version: options.codeVersion,
        input_data: options.inputData,
        pipeline_execution: new ExecutionVariable('PipelineExecutionArn'),
        ...options.reports?.metadata,
      },
      Domain: options.domain,
      Task: options.task,
    },
  });
}

