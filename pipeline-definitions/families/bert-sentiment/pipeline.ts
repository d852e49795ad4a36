/**
 * The course's BERT review-sentiment pipeline: feature engineering → data gates → training →
 * training-health gate → evaluation → accuracy condition → (model, batch transform of the test
 * split, model gates, registration) or Fail.
 *
 * The definition is a function of the deploy-time values it needs ({@link BertPipelineProps}); the
 * stack passes CDK tokens. It composes the shared parts (`parts/`) with the gates of the engine the
 * configuration chooses (`gates/`); what it adds is the BERT scripts' arguments and parameters.
 */
import {
  ExecutionVariable,
  JobVpc,
  ParameterBoolean,
  ParameterFloat,
  ParameterInteger,
  ParameterString,
  PipelineDefinition,
  PROCESSING_ROOT,
  processingInput,
  processingOutput,
  Tuning,
  TuningStep,
} from '../../dsl';
import { DEFAULT_QUALITY_THRESHOLDS, DEPLOY_INSTANCE_TYPES, PROCESSING_INSTANCE_TYPES, QualityThresholds } from '../../catalogue';
import { gateEngine, Gate, GateName } from '../../gates';
import { checkInstanceTypes } from '../../dsl/instance-types';
import { PipelineJobs, text } from '../../parts/jobs';
import { accuracyCondition, channel, evaluateStep, tuneStep, inferenceContainer, modelStep, prepareStep, registerStep, trainStep, TransformSizing, transformStep } from '../../parts/steps';


/** Name of the pipeline within a stage (the stage's prefix goes in front). */
export const BERT_PIPELINE_ID = 'bert-sentiment';

/** The tuned BERT pipeline's definition name (`Metadata.definition`: what its local run is declared under). */
export const BERT_TUNING_DEFINITION = 'bert-sentiment-tuning';

/** The pipeline parameter of each hyperparameter the tuning may draw (the tuned pipeline leaves it out). */
const HYPERPARAMETER_PARAMETERS: Readonly<Record<string, string>> = {
  learning_rate: 'LearningRate',
  train_batch_size: 'TrainBatchSize',
  epochs: 'Epochs',
  freeze_bert_layer: 'FreezeBertLayer',
};

/** The quality gates BERT runs: every one (CheckExplainability only when the settings ask for it). */
export const BERT_GATES: readonly GateName[] = ['CheckDataBias', 'CheckDataQuality', 'CheckTrainingHealth', 'CheckModelQuality', 'CheckModelBias', 'CheckExplainability'];

/**
 * Batch transform of the BERT model, sized from measured figures: a prepared test record (token
 * ids at MaxSeqLength 128 and the review text) is about 1.1 KB of JSON, and a model of
 * roberta-base's size scores about 6 sequences a second per model-server worker with one torch
 * thread, two workers side by side on 2 CPUs (`ml.m5.large`).
 */
export const BERT_TRANSFORM_SIZING: TransformSizing = {
  recordBytes: 1100,
  secondsPerRecord: 1 / 6,
  maxPayloadInMB: 1,
  timeoutSeconds: 600,
  invocationsMaxRetries: 1,
  concurrentRequests: 2,
  threadsPerWorker: 1,
};

/** What the training script prints and the metric definitions read. */
export const BERT_METRIC_DEFINITIONS = [
  { Name: 'validation:loss', Regex: 'val_loss: ([0-9.]+)' },
  { Name: 'validation:accuracy', Regex: 'val_acc: ([0-9.]+)' },
] as const;

/** Training instance types the pipeline offers: EBS-only, since the volumes are KMS-encrypted. */
export const TRAIN_INSTANCE_TYPES = ['ml.c5.9xlarge', 'ml.c5.4xlarge', 'ml.m5.4xlarge', 'ml.m5.2xlarge', 'ml.p3.2xlarge'] as const;


export interface BertPipelineProps {
  /**
   * The pipeline's id, naming its artifacts prefix `pipelines/<id>/` and recorded in the metadata.
   * @default BERT_PIPELINE_ID
   */
  readonly pipelineId?: string;
  /** Role the jobs run as. */
  readonly executionRoleArn: string;
  /** The lake bucket (artifacts under `pipelines/<pipeline id>/`). */
  readonly lakeBucketName: string;
  /** Key of volumes and outputs (the lake key). */
  readonly kmsKeyArn: string;
  /** Where the raw reviews are (default of InputData). */
  readonly inputDataUri: string;
  /** Where the transformed `reviews` table lives (the processing step writes Parquet there). */
  readonly transformedReviewsUri: string;
  /** Where the pre-trained model and tokenizer are (default of PretrainedModelUri). */
  readonly pretrainedModelUri: string;
  /** S3 prefix that holds the step scripts (the code asset, unpacked). */
  readonly codeUri: string;
  /** The reviews feature group. */
  readonly featureGroupName: string;
  /** The model package group the model registers into. */
  readonly modelPackageGroupName: string;
  /** Image URIs. */
  readonly trainingImageUri: string;
  readonly inferenceImageUri: string;
  /** Version of the project's code, recorded with every registered model. */
  readonly codeVersion: string;
  /** Subnets and security groups for the jobs that are not network-isolated. */
  readonly vpc?: JobVpc;
  /** Add CheckExplainability: word attributions on a small sample of the test split. */
  readonly explainability?: boolean;
  /** Thresholds of the quality gates (see {@link QualityThresholds}). */
  readonly quality?: QualityThresholds;
  /** Train on managed spot instances (resuming from the checkpoints in the lake). */
  readonly spotTraining?: boolean;
  /** Turn on Debugger rules and the profiler report (accounts that still have Debugger). */
  readonly managedQualityServices?: boolean;
  /** The managed services' images (Clarify, Model Monitor); required with `managedQualityServices`. */
  readonly managedImages?: { readonly clarify?: string; readonly modelMonitor?: string };
  /** Debugger's rule evaluator image; required with `managedQualityServices`. */
  readonly debuggerRuleImageUri?: string;
  /**
   * The gates it runs, as its pipeline declares them.
   * @default BERT_GATES
   */
  readonly gates?: readonly GateName[];
  /**
   * Tune the training (the tuned BERT pipeline): a Tuning step in place of the Training step, the
   * best job's model evaluated, gated and registered.
   * @default - one training job
   */
  readonly tuning?: Tuning;
}


/** The BERT pipeline's definition. */
export function bertSentimentPipeline(props: BertPipelineProps): PipelineDefinition {
  checkInstanceTypes('TrainInstanceType', TRAIN_INSTANCE_TYPES, true);
  checkInstanceTypes('ProcessingInstanceType', PROCESSING_INSTANCE_TYPES, true);
  checkInstanceTypes('DeployInstanceType', DEPLOY_INSTANCE_TYPES, true);

  const p = {
    inputData: new ParameterString('InputData', props.inputDataUri),
    pretrainedModel: new ParameterString('PretrainedModelUri', props.pretrainedModelUri),
    featureGroupName: new ParameterString('FeatureGroupName', props.featureGroupName),
    processingInstanceType: new ParameterString('ProcessingInstanceType', 'ml.c5.2xlarge', PROCESSING_INSTANCE_TYPES),
    processingInstanceCount: new ParameterInteger('ProcessingInstanceCount', 1),
    ingestInFlight: new ParameterInteger('FeatureIngestInFlight', 16),
    trainSplit: new ParameterFloat('TrainSplitPercentage', 0.9),
    validationSplit: new ParameterFloat('ValidationSplitPercentage', 0.05),
    testSplit: new ParameterFloat('TestSplitPercentage', 0.05),
    balanceDataset: new ParameterBoolean('BalanceDataset', true),
    maxSeqLength: new ParameterInteger('MaxSeqLength', 128),
    epochs: new ParameterInteger('Epochs', 3),
    learningRate: new ParameterFloat('LearningRate', 0.00001),
    trainBatchSize: new ParameterInteger('TrainBatchSize', 64),
    trainStepsPerEpoch: new ParameterInteger('TrainStepsPerEpoch', 50),
    validationBatchSize: new ParameterInteger('ValidationBatchSize', 64),
    validationStepsPerEpoch: new ParameterInteger('ValidationStepsPerEpoch', 50),
    seed: new ParameterInteger('Seed', 42),
    freezeBertLayer: new ParameterBoolean('FreezeBertLayer', false),
    runValidation: new ParameterBoolean('RunValidation', true),
    trainInstanceType: new ParameterString('TrainInstanceType', 'ml.c5.9xlarge', TRAIN_INSTANCE_TYPES),
    trainInstanceCount: new ParameterInteger('TrainInstanceCount', 1),
    trainVolumeSize: new ParameterInteger('TrainVolumeSizeInGB', 256),
    minAccuracy: new ParameterFloat('MinAccuracyValue', 0.33),
    approvalStatus: new ParameterString('ModelApprovalStatus', 'PendingManualApproval', ['PendingManualApproval', 'Approved', 'Rejected']),
    deployInstanceType: new ParameterString('DeployInstanceType', 'ml.m5.large', DEPLOY_INSTANCE_TYPES),
    deployInstanceCount: new ParameterInteger('DeployInstanceCount', 1),
  };
  const jobs = new PipelineJobs({
    pipelineId: props.pipelineId ?? BERT_PIPELINE_ID,
    executionRoleArn: props.executionRoleArn,
    lakeBucketName: props.lakeBucketName,
    kmsKeyArn: props.kmsKeyArn,
    codeUri: props.codeUri,
    scriptImageUri: props.trainingImageUri,
    scriptInstanceType: p.processingInstanceType.ref,
    vpc: props.vpc,
  });
  const engine = gateEngine(props.managedQualityServices === true, {
    jobs,
    quality: props.quality ?? DEFAULT_QUALITY_THRESHOLDS,
    modelPackageGroupName: props.modelPackageGroupName,
    gates: props.gates ?? BERT_GATES,
    clarifyImageUri: props.managedImages?.clarify,
    modelMonitorImageUri: props.managedImages?.modelMonitor,
    debuggerRuleImageUri: props.debuggerRuleImageUri,
  });

  const prepare = prepareStep(jobs, {
    script: 'prepare_data.py',
    description: 'Ratings to sentiment labels, cleaning, balancing, a split by review id, RoBERTa tokenization, Feature Store ingestion; sharded over ProcessingInstanceCount instances',
    arguments: [
      '--input-dir', `${PROCESSING_ROOT}/input/data`,
      '--tokenizer-dir', `${PROCESSING_ROOT}/input/model`,
      '--output-dir', `${PROCESSING_ROOT}/output`,
      '--train-split-percentage', text(p.trainSplit),
      '--validation-split-percentage', text(p.validationSplit),
      '--test-split-percentage', text(p.testSplit),
      '--balance-dataset', text(p.balanceDataset),
      '--max-seq-length', text(p.maxSeqLength),
      '--seed', text(p.seed),
      '--feature-group-name', p.featureGroupName.ref,
      // One event time for every instance's records: the execution's start.
      '--event-time', new ExecutionVariable('StartDateTime'),
      // The first instance deletes what an earlier execution left in the table (its files are uploaded after the start).
      '--table-uri', props.transformedReviewsUri,
      '--ingest-in-flight', text(p.ingestInFlight),
      '--failures-dir', `${PROCESSING_ROOT}/output/ingest-failures`,
    ],
    inputs: [
      // Each instance gets a share of the raw CSV files (the data must arrive as several files).
      processingInput('raw-input-data', p.inputData.ref, `${PROCESSING_ROOT}/input/data`, 'ShardedByS3Key'),
      processingInput('pretrained-model', p.pretrainedModel.ref, `${PROCESSING_ROOT}/input/model`),
    ],
    splits: ['train', 'validation', 'test'],
    outputs: [
      processingOutput('reviews', props.transformedReviewsUri, `${PROCESSING_ROOT}/output/reviews`),
      // Uploaded as written: the records that could not be ingested stay in the lake when the step fails on them.
      processingOutput('ingest-failures', jobs.executionPrefix('processing', 'ingest-failures'), `${PROCESSING_ROOT}/output/ingest-failures`, 'Continuous'),
    ],
    instanceCount: p.processingInstanceCount.ref,
    engine,
  });
  const trainingData = prepare.outputUri('sentiment-train');
  const testData = prepare.outputUri('sentiment-test');
  const dataBias = engine.gate('CheckDataBias', { trainingData, preparation: prepare });
  const dataQuality = engine.gate('CheckDataQuality', { trainingData, preparation: prepare });

  const training = {
    description: props.tuning
      ? 'Fine-tunes RoBERTa once per set of tuned hyperparameters; each job writes its training-health report with its model'
      : 'Fine-tunes RoBERTa for 3-class review sentiment; writes the training-health report with the model',
    imageUri: props.trainingImageUri,
    metricDefinitions: BERT_METRIC_DEFINITIONS,
    hyperParameters: {
      sagemaker_program: 'train.py',
      sagemaker_submit_directory: '/opt/ml/input/data/code',
      epochs: text(p.epochs),
      learning_rate: text(p.learningRate),
      train_batch_size: text(p.trainBatchSize),
      train_steps_per_epoch: text(p.trainStepsPerEpoch),
      validation_batch_size: text(p.validationBatchSize),
      validation_steps_per_epoch: text(p.validationStepsPerEpoch),
      seed: text(p.seed),
      freeze_bert_layer: text(p.freezeBertLayer),
      run_validation: text(p.runValidation),
    },
    channels: [
      channel('train', trainingData),
      channel('validation', prepare.outputUri('sentiment-validation')),
      channel('pretrained', p.pretrainedModel.ref),
      channel('code', props.codeUri),
    ],
    instanceType: p.trainInstanceType.ref,
    instanceCount: p.trainInstanceCount.ref,
    volumeSizeInGB: p.trainVolumeSize.ref,
    spot: props.spotTraining,
    dependsOn: [dataBias.step, dataQuality.step],
    engine,
  };
  // Tuned: the best job's model (its own training-health report inside it).
  const train = props.tuning ? tuneStep(jobs, { ...training, tuning: props.tuning }) : trainStep(jobs, training);
  const modelArtifacts = train instanceof TuningStep ? train.bestModelArtifacts() : train.modelArtifacts();
  const trainingHealth = engine.gate('CheckTrainingHealth', { modelArtifacts });

  const evaluation = evaluateStep(jobs, {
    description: 'Scores the model on the test split: accuracy, per-class precision/recall/F1, confusion matrix',
    script: 'evaluate.py',
    model: modelArtifacts,
    testData,
    dependsOn: [trainingHealth.step],
  });

  const container = inferenceContainer(props.inferenceImageUri, modelArtifacts, BERT_TRANSFORM_SIZING);
  const model = modelStep(jobs, container);
  const transform = transformStep(jobs, { model, input: testData, instanceType: p.deployInstanceType.ref, instanceCount: p.deployInstanceCount.ref, sizing: BERT_TRANSFORM_SIZING });
  const predictions = transform.outputPath();
  const modelQuality = engine.gate('CheckModelQuality', { predictions });
  const modelBias = engine.gate('CheckModelBias', { predictions, preparation: prepare });
  const explainability: Gate | undefined = props.explainability
    ? engine.gate('CheckExplainability', { modelArtifacts, testData, modelName: model.modelName() })
    : undefined;
  const modelGates = [modelQuality.step, modelBias.step, ...(explainability ? [explainability.step] : [])];

  const register = registerStep({
    modelPackageGroupName: props.modelPackageGroupName,
    description: 'RoBERTa review-sentiment classifier (-1, 0, 1) trained by the BERT pipeline',
    approvalStatus: p.approvalStatus.ref,
    containers: [container],
    gates: { CheckDataBias: dataBias, CheckDataQuality: dataQuality, CheckModelQuality: modelQuality, CheckModelBias: modelBias, CheckExplainability: explainability },
    engine,
    evaluation,
    codeVersion: props.codeVersion,
    inputData: p.inputData.ref,
    domain: 'NATURAL_LANGUAGE_PROCESSING',
    task: 'CLASSIFICATION',
    dependsOn: [transform, ...modelGates],
  });
  const accuracyGate = accuracyCondition(evaluation, p.minAccuracy, [model, transform, ...modelGates, register]);

  // A tuned hyperparameter's parameter has no effect: left out.
  const tunedParameters = (props.tuning?.ranges ?? []).map((r) => HYPERPARAMETER_PARAMETERS[r.name]).filter((name) => name !== undefined);
  return new PipelineDefinition({
    parameters: [...Object.values(p).filter((parameter) => !tunedParameters.includes(parameter.name)), ...engine.parameters],
    steps: [prepare, dataBias.step, dataQuality.step, train, trainingHealth.step, evaluation.step, accuracyGate],
    metadata: { pipeline: jobs.props.pipelineId, definition: props.tuning ? BERT_TUNING_DEFINITION : BERT_PIPELINE_ID, codeVersion: props.codeVersion },
  });
}
