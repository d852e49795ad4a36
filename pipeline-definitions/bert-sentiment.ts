import * as crypto from 'crypto';

/**
 * The course's BERT review-sentiment pipeline: feature engineering → training → evaluation →
 * accuracy gate → (model, batch transform of the test split, registration) or Fail.
 *
 * The definition is a function of the deploy-time values it needs ({@link BertPipelineProps}); the
 * stack passes CDK tokens, and {@link renderBertPipelineForReview} passes typed placeholders, so
 * the reviewed JSON, the checks and the stack all come from this one source.
 */
import {
  CheckStep,
  Condition,
  ConditionStep,
  CreateModelStep,
  ExecutionVariable,
  FailStep,
  JobVpc,
  networkConfig,
  Join,
  Parameter,
  ParameterBoolean,
  ParameterFloat,
  ParameterInteger,
  ParameterString,
  PipelineDefinition,
  PROCESSING_ROOT,
  processingInput,
  processingOutput,
  ProcessingStep,
  PropertyFile,
  RegisterModelStep,
  TrainingStep,
  TransformStep,
  Value,
} from './lib';
import { DEFAULT_QUALITY_THRESHOLDS, DEPLOY_INSTANCE_TYPES, QualityThresholds } from './catalogue';
import { checkInstanceTypes } from './lib/instance-types';

/** Name of the pipeline within a stage (the stage's prefix goes in front). */
export const BERT_PIPELINE_ID = 'bert-sentiment';

/** What the training script prints and the metric definitions read. */
export const BERT_METRIC_DEFINITIONS = [
  { Name: 'validation:loss', Regex: 'val_loss: ([0-9.]+)' },
  { Name: 'validation:accuracy', Regex: 'val_acc: ([0-9.]+)' },
] as const;

/** Training instance types the pipeline offers: EBS-only, since the volumes are KMS-encrypted. */
export const TRAIN_INSTANCE_TYPES = ['ml.c5.9xlarge', 'ml.c5.4xlarge', 'ml.m5.4xlarge', 'ml.m5.2xlarge', 'ml.p3.2xlarge'] as const;
/** Processing instance types the pipeline offers. */
export const PROCESSING_INSTANCE_TYPES = ['ml.c5.2xlarge', 'ml.c5.4xlarge', 'ml.m5.xlarge', 'ml.m5.2xlarge', 'ml.m5.large'] as const;

export { JSON_LINES } from './contract';
import { JSON_LINES } from './contract';

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
}


/** What a gate's reports hold (ModelMetrics and DriftCheckBaselines take them). */
type GateFile = 'report' | 'statistics' | 'constraints' | 'driftStatistics' | 'driftConstraints';

/** A quality gate as the registration sees it: its step and where its reports are. */
interface Gate {
  readonly step: ProcessingStep | CheckStep;
  file(kind: GateFile): Value;
}

/**
 * Where the release keeps the model-quality minimums for the managed engine (under the code
 * prefix), named by their content so that a change of thresholds is a new file.
 */
export function modelQualityConstraintsKey(thresholds: QualityThresholds): string {
  const digest = crypto.createHash('sha256').update(JSON.stringify(modelQualityConstraints(thresholds))).digest('hex').slice(0, 16);
  return `quality/model_quality_constraints-${digest}.json`;
}

/** The configured model-quality minimums in Model Monitor's constraints format. */
export function modelQualityConstraints(thresholds: QualityThresholds): Record<string, unknown> {
  return {
    version: 0.0,
    multiclass_classification_constraints: Object.fromEntries(
      Object.entries(thresholds.modelQuality).map(([metric, minimum]) => [metric, { threshold: minimum, comparison_operator: 'LessThanThreshold' }]),
    ),
  };
}

/** The gates, by step name. */
export const QUALITY_GATES = ['CheckDataBias', 'CheckDataQuality', 'CheckTrainingHealth', 'CheckModelQuality', 'CheckModelBias'] as const;

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
    skipDataBias: new ParameterBoolean('SkipCheckDataBias', false),
    skipDataQuality: new ParameterBoolean('SkipCheckDataQuality', false),
    skipTrainingHealth: new ParameterBoolean('SkipCheckTrainingHealth', false),
    skipModelQuality: new ParameterBoolean('SkipCheckModelQuality', false),
    skipModelBias: new ParameterBoolean('SkipCheckModelBias', false),
    skipExplainability: new ParameterBoolean('SkipCheckExplainability', false),
    newBaselineDataQuality: new ParameterBoolean('RegisterNewBaselineCheckDataQuality', false),
    ...(props.managedQualityServices
      ? {
          newBaselineDataBias: new ParameterBoolean('RegisterNewBaselineCheckDataBias', false),
          newBaselineModelBias: new ParameterBoolean('RegisterNewBaselineCheckModelBias', false),
          newBaselineExplainability: new ParameterBoolean('RegisterNewBaselineCheckExplainability', false),
        }
      : {}),
    newBaselineModelQuality: new ParameterBoolean('RegisterNewBaselineCheckModelQuality', false),
  };
  const quality = props.quality ?? DEFAULT_QUALITY_THRESHOLDS;
  const managed = props.managedQualityServices === true;
  const pipelineId = props.pipelineId ?? BERT_PIPELINE_ID;
  const text = (parameter: Parameter): Join => new Join('', [parameter.ref]);
  const executionPrefix = (...parts: string[]): Join =>
    new Join('/', [`s3://${props.lakeBucketName}/pipelines/${pipelineId}`, new ExecutionVariable('PipelineExecutionId'), ...parts]);
  const network = (isolated: boolean) => networkConfig(isolated, props.vpc);
  /** A CreateProcessingJob request that runs one of the step scripts (shipped in the code input). */
  const scriptJob = (script: string, args: Value[], inputs: Value[], outputs: Value[], isolated: boolean): Record<string, Value> => ({
    RoleArn: props.executionRoleArn,
    ProcessingResources: {
      // One instance: the step scripts split, balance and score the whole dataset at once.
      ClusterConfig: { InstanceType: p.processingInstanceType.ref, InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: props.kmsKeyArn },
    },
    AppSpecification: {
      ImageUri: props.trainingImageUri,
      ContainerEntrypoint: ['python3', `${PROCESSING_ROOT}/input/code/${script}`],
      ContainerArguments: args,
    },
    ProcessingInputs: [...inputs, processingInput('code', props.codeUri, `${PROCESSING_ROOT}/input/code`)],
    ProcessingOutputConfig: { KmsKeyId: props.kmsKeyArn, Outputs: outputs },
    Environment: { PYTHONUNBUFFERED: '1' },
    NetworkConfig: network(isolated),
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
  });

  const prepare = new ProcessingStep('Processing', {
    description: 'Ratings to sentiment labels, cleaning, balancing, stratified split, RoBERTa tokenization, Feature Store ingestion',
    request: scriptJob(
      'prepare_data.py',
      [
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
        // The managed checks compare with baselines: the configured limits are written as such.
        ...(managed
          ? ['--managed-baselines', JSON.stringify({ data_bias: quality.dataBias, model_bias: quality.modelBias, min_group_size: quality.biasMinGroupSize })]
          : []),
      ],
      [
        processingInput('raw-input-data', p.inputData.ref, `${PROCESSING_ROOT}/input/data`),
        processingInput('pretrained-model', p.pretrainedModel.ref, `${PROCESSING_ROOT}/input/model`),
      ],
      [
        ...['train', 'validation', 'test'].map((split) =>
          processingOutput(`sentiment-${split}`, executionPrefix('processing', split), `${PROCESSING_ROOT}/output/sentiment/${split}`),
        ),
        processingOutput('reviews', props.transformedReviewsUri, `${PROCESSING_ROOT}/output/reviews`),
        ...(managed
          ? [
              processingOutput('managed-bias-baselines', executionPrefix('processing', 'managed-baselines', 'bias'), `${PROCESSING_ROOT}/output/managed-baselines/bias`),
              processingOutput('managed-data-quality', executionPrefix('processing', 'managed-baselines', 'data-quality'), `${PROCESSING_ROOT}/output/managed-baselines/data-quality`),
            ]
          : []),
      ],
      false, // it calls the Feature Store API
    ),
  });

  /** A gate: quality_gate.py on plain Processing, network-isolated, reports in the managed services' formats. */
  // The gates that compare with the latest approved model read the registry and S3: not isolated.
  const gateStep = (name: string, gate: string, args: Value[], inputs: Value[], skip: Parameter, isolated = true): ProcessingStep =>
    new ProcessingStep(name, {
      description: `Quality gate (open engine): ${gate}`,
      request: scriptJob(
        'quality_gate.py',
        [gate, '--output-dir', `${PROCESSING_ROOT}/output/report`, '--skip', text(skip), ...args],
        inputs,
        [processingOutput('report', executionPrefix('quality', name), `${PROCESSING_ROOT}/output/report`)],
        isolated,
      ),
    });
  const input = (name: string, uri: Value) => processingInput(name, uri, `${PROCESSING_ROOT}/input/${name}`);
  const lookup = ['--baseline-from-model-package-group', props.modelPackageGroupName];
  /** An open gate's report files, by what they hold (drift baselines: as the gate used them, else as calculated). */
  const openGate = (step: ProcessingStep, files: Partial<Record<GateFile, string>>): Gate => ({
    step,
    file: (kind) => new Join('/', [step.outputUri('report'), files[kind] ?? files[kind === 'driftStatistics' ? 'statistics' : 'constraints']!]),
  });
  /** A managed check (Clarify or Model Monitor) under the gate's name, on the service's own container. */
  const managedCheck = (
    name: string,
    type: 'ClarifyCheck' | 'QualityCheck',
    checkType: string,
    inputs: Value[],
    environment: Record<string, string>,
    skip: Parameter,
    newBaseline: Parameter,
    extra: { modelName?: Value; suppliedBaselineConstraints?: Value } = {},
  ): Gate => {
    const image = type === 'ClarifyCheck' ? props.managedImages?.clarify : props.managedImages?.modelMonitor;
    if (!image) {
      throw new Error(`bertSentimentPipeline: the managed quality engine needs the ${type === 'ClarifyCheck' ? 'Clarify' : 'Model Monitor'} image (managedImages).`);
    }
    const step = new CheckStep(name, type, {
      description: `Quality gate (managed engine): ${type} ${checkType}`,
      checkType,
      skipCheck: skip.ref,
      registerNewBaseline: newBaseline.ref,
      modelPackageGroupName: props.modelPackageGroupName,
      ...extra,
      request: {
        RoleArn: props.executionRoleArn,
        ProcessingResources: {
          ClusterConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: props.kmsKeyArn },
        },
        AppSpecification: { ImageUri: image },
        ProcessingInputs: inputs,
        ProcessingOutputConfig: {
          KmsKeyId: props.kmsKeyArn,
          Outputs: [processingOutput(type === 'ClarifyCheck' ? 'analysis_result' : 'monitoring_output', executionPrefix('quality', name), `${PROCESSING_ROOT}/output`)],
        },
        ...(Object.keys(environment).length ? { Environment: environment } : {}),
        // Clarify serves a model on a shadow endpoint through the SageMaker API: not isolated then.
        NetworkConfig: network(extra.modelName === undefined),
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      },
    });
    return {
      step,
      file: (kind) =>
        kind === 'statistics'
          ? step.calculatedStatistics()
          : kind === 'driftStatistics'
            ? step.driftCheckStatistics()
            : kind === 'driftConstraints'
              ? step.driftCheckConstraints()
              : step.calculatedConstraints(),
    };
  };
  const clarifyConfig = (check: string) => processingInput('analysis_config', `${props.codeUri}clarify/${check}/`, `${PROCESSING_ROOT}/input/config`);
  const monitorEnvironment = (dataset: string, extra: Record<string, string> = {}) => ({
    dataset_format: JSON.stringify({ json: { lines: true } }),
    dataset_source: `${PROCESSING_ROOT}/input/${dataset}`,
    output_path: `${PROCESSING_ROOT}/output`,
    publish_cloudwatch_metrics: 'Disabled',
    ...extra,
  });
  const dataBiasGate: Gate = managed
    ? managedCheck(
        'CheckDataBias',
        'ClarifyCheck',
        'DATA_BIAS',
        [processingInput('dataset', prepare.outputUri('sentiment-train'), `${PROCESSING_ROOT}/input/data`), clarifyConfig('data_bias')],
        {},
        p.skipDataBias,
        p.newBaselineDataBias!,
        // The configured limits per facet value, which Clarify compares as the baseline.
        { suppliedBaselineConstraints: new Join('/', [prepare.outputUri('managed-bias-baselines'), 'pre_training_constraints.json']) },
      )
    : openGate(checkDataBiasOpen(), { report: 'analysis.json', constraints: 'analysis.json' });
  const dataQualityGate: Gate = managed
    ? managedCheck(
        'CheckDataQuality',
        'QualityCheck',
        'DATA_QUALITY',
        // The profiled columns (the open gate's), not the token ids.
        [input('baseline_dataset_input', prepare.outputUri('managed-data-quality'))],
        monitorEnvironment('baseline_dataset_input'),
        p.skipDataQuality,
        p.newBaselineDataQuality,
      )
    : openGate(checkDataQualityOpen(), {
        statistics: 'statistics.json',
        constraints: 'constraints.json',
        driftStatistics: 'drift_statistics.json',
        driftConstraints: 'drift_constraints.json',
      });
  const checkDataBias = dataBiasGate.step;
  const checkDataQuality = dataQualityGate.step;

  function checkDataBiasOpen(): ProcessingStep {
    return gateStep(
    'CheckDataBias',
    'data-bias',
    ['--data-dir', `${PROCESSING_ROOT}/input/data`, '--thresholds', JSON.stringify(quality.dataBias), '--min-group-size', String(quality.biasMinGroupSize)],
    [input('data', prepare.outputUri('sentiment-train'))],
    p.skipDataBias,
  );
  }
  function checkDataQualityOpen(): ProcessingStep {
    return gateStep(
    'CheckDataQuality',
    'data-quality',
    [
      '--data-dir', `${PROCESSING_ROOT}/input/data`,
      '--distribution-threshold', String(quality.dataQualityDistributionThreshold),
      '--register-new-baseline', text(p.newBaselineDataQuality),
      ...lookup,
    ],
    [input('data', prepare.outputUri('sentiment-train'))],
    p.skipDataQuality,
    false,
  );
  }

  const debugger_ = props.managedQualityServices ? debuggerSettings(props, executionPrefix) : {};
  const train = new TrainingStep('Train', {
    description: 'Fine-tunes RoBERTa for 3-class review sentiment; writes the training-health report with the model',
    cacheExpireAfter: 'PT1H',
    dependsOn: [checkDataBias, checkDataQuality],
    request: {
      RoleArn: props.executionRoleArn,
      AlgorithmSpecification: {
        TrainingImage: props.trainingImageUri,
        TrainingInputMode: 'File',
        MetricDefinitions: BERT_METRIC_DEFINITIONS.map((m) => ({ ...m })),
        EnableSageMakerMetricsTimeSeries: true,
      },
      HyperParameters: {
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
      InputDataConfig: [
        channel('train', prepare.outputUri('sentiment-train')),
        channel('validation', prepare.outputUri('sentiment-validation')),
        channel('pretrained', p.pretrainedModel.ref),
        channel('code', props.codeUri),
      ],
      OutputDataConfig: { S3OutputPath: executionPrefix('training'), KmsKeyId: props.kmsKeyArn },
      ResourceConfig: { InstanceType: p.trainInstanceType.ref, InstanceCount: p.trainInstanceCount.ref, VolumeSizeInGB: p.trainVolumeSize.ref, VolumeKmsKeyId: props.kmsKeyArn },
      StoppingCondition: props.spotTraining ? { MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 172800 } : { MaxRuntimeInSeconds: 86400 },
      ...(props.spotTraining ? { EnableManagedSpotTraining: true } : {}),
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
      // Per execution, so a (spot) restart resumes its own run and never another's.
      CheckpointConfig: { S3Uri: executionPrefix('checkpoints') },
      ...debugger_,
    },
  });

  const checkTrainingHealth = gateStep(
    'CheckTrainingHealth',
    'training-health',
    ['--model-dir', `${PROCESSING_ROOT}/input/model`],
    [input('model', train.modelArtifacts())],
    p.skipTrainingHealth,
  );

  const evaluationReport = new PropertyFile('EvaluationReport', 'metrics', 'evaluation.json');
  const evaluate = new ProcessingStep('EvaluateModel', {
    description: 'Scores the model on the test split: accuracy, per-class precision/recall/F1, confusion matrix',
    propertyFiles: [evaluationReport],
    dependsOn: [checkTrainingHealth],
    request: scriptJob(
      'evaluate.py',
      ['--model-dir', `${PROCESSING_ROOT}/input/model`, '--test-dir', `${PROCESSING_ROOT}/input/data`, '--output-dir', `${PROCESSING_ROOT}/output/metrics`],
      [
        processingInput('model', train.modelArtifacts(), `${PROCESSING_ROOT}/input/model`),
        processingInput('test-data', prepare.outputUri('sentiment-test'), `${PROCESSING_ROOT}/input/data`),
      ],
      [processingOutput('metrics', executionPrefix('evaluation'), `${PROCESSING_ROOT}/output/metrics`)],
      true,
    ),
  });
  const accuracy = evaluate.jsonGet(evaluationReport, 'metrics.accuracy.value');

  const model = new CreateModelStep('CreateModel', {
    description: 'The SageMaker model for batch transform (inference code inside model.tar.gz)',
    request: {
      ExecutionRoleArn: props.executionRoleArn,
      PrimaryContainer: {
        Image: props.inferenceImageUri,
        ModelDataUrl: train.modelArtifacts(),
        Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' },
      },
      EnableNetworkIsolation: true,
    },
  });
  const transform = new TransformStep('Transform', {
    description: 'Predicts the test split; the output keeps each input line for the model-quality checks',
    request: {
      ModelName: model.modelName(),
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: prepare.outputUri('sentiment-test') } },
        ContentType: JSON_LINES,
        SplitType: 'Line',
        CompressionType: 'None',
      },
      TransformOutput: { S3OutputPath: executionPrefix('transform'), Accept: JSON_LINES, AssembleWith: 'Line', KmsKeyId: props.kmsKeyArn },
      TransformResources: { InstanceType: p.deployInstanceType.ref, InstanceCount: p.deployInstanceCount.ref, VolumeKmsKeyId: props.kmsKeyArn },
      DataProcessing: { InputFilter: '$', JoinSource: 'Input', OutputFilter: '$' },
      BatchStrategy: 'MultiRecord',
      MaxPayloadInMB: 6,
    },
  });
  const modelQualityGate: Gate = managed
    ? managedCheck(
        'CheckModelQuality',
        'QualityCheck',
        'MODEL_QUALITY',
        [input('baseline_dataset_input', transform.outputPath())],
        monitorEnvironment('baseline_dataset_input', {
          analysis_type: 'MODEL_QUALITY',
          problem_type: 'MulticlassClassification',
          inference_attribute: 'SageMakerOutput.predicted_label',
          ground_truth_attribute: 'sentiment',
        }),
        p.skipModelQuality,
        p.newBaselineModelQuality,
        // The configured minimums, in Model Monitor's constraints format (shipped with the code).
        { suppliedBaselineConstraints: `${props.codeUri}${modelQualityConstraintsKey(quality)}` },
      )
    : openGate(checkModelQualityOpen(), {
        statistics: 'statistics.json',
        constraints: 'constraints.json',
        driftStatistics: 'drift_statistics.json',
        driftConstraints: 'drift_constraints.json',
      });
  const modelBiasGate: Gate = managed
    ? managedCheck(
        'CheckModelBias',
        'ClarifyCheck',
        'MODEL_BIAS',
        [processingInput('dataset', transform.outputPath(), `${PROCESSING_ROOT}/input/data`), clarifyConfig('model_bias')],
        {},
        p.skipModelBias,
        p.newBaselineModelBias!,
        { suppliedBaselineConstraints: new Join('/', [prepare.outputUri('managed-bias-baselines'), 'post_training_constraints.json']) },
      )
    : openGate(checkModelBiasOpen(), { report: 'analysis.json', constraints: 'analysis.json' });
  const checkModelQuality = modelQualityGate.step;
  const checkModelBias = modelBiasGate.step;

  function checkModelQualityOpen(): ProcessingStep {
    return gateStep(
    'CheckModelQuality',
    'model-quality',
    [
      '--predictions-dir', `${PROCESSING_ROOT}/input/predictions`,
      '--thresholds', JSON.stringify(quality.modelQuality),
      '--tolerance', String(quality.modelQualityTolerance),
      '--register-new-baseline', text(p.newBaselineModelQuality),
      ...lookup,
    ],
    [input('predictions', transform.outputPath())],
    p.skipModelQuality,
    false,
  );
  }
  function checkModelBiasOpen(): ProcessingStep {
    return gateStep(
    'CheckModelBias',
    'model-bias',
    [
      '--predictions-dir', `${PROCESSING_ROOT}/input/predictions`,
      '--thresholds', JSON.stringify(quality.modelBias),
      '--min-group-size', String(quality.biasMinGroupSize),
    ],
    [input('predictions', transform.outputPath())],
    p.skipModelBias,
  );
  }
  const explainabilityGate: Gate | undefined = !props.explainability
    ? undefined
    : managed
      ? managedCheck(
          'CheckExplainability',
          'ClarifyCheck',
          'MODEL_EXPLAINABILITY',
          [processingInput('dataset', prepare.outputUri('sentiment-test'), `${PROCESSING_ROOT}/input/data`), clarifyConfig('explainability')],
          {},
          p.skipExplainability,
          p.newBaselineExplainability!,
          { modelName: model.modelName() },
        )
      : openGate(checkExplainabilityOpen()!, { report: 'explanations.json', constraints: 'explanations.json' });
  const checkExplainability = explainabilityGate?.step;
  function checkExplainabilityOpen() {
    return props.explainability
    ? gateStep(
        'CheckExplainability',
        'explainability',
        ['--model-dir', `${PROCESSING_ROOT}/input/model`, '--data-dir', `${PROCESSING_ROOT}/input/data`, '--samples', '10'],
        [input('model', train.modelArtifacts()), input('data', prepare.outputUri('sentiment-test'))],
        p.skipExplainability,
      )
    : undefined;
  }
  const json = (gate: Gate, kind: GateFile) => ({ ContentType: 'application/json', S3Uri: gate.file(kind) });

  const register = new RegisterModelStep('RegisterModel', {
    description: 'Registers the model version with its evaluation and gate reports, pending approval by default',
    dependsOn: [transform, checkModelQuality, checkModelBias, ...(checkExplainability ? [checkExplainability] : [])],
    request: {
      ModelPackageGroupName: props.modelPackageGroupName,
      ModelPackageDescription: 'RoBERTa review-sentiment classifier (-1, 0, 1) trained by the BERT pipeline',
      ModelApprovalStatus: p.approvalStatus.ref,
      InferenceSpecification: {
        Containers: [{ Image: props.inferenceImageUri, ModelDataUrl: train.modelArtifacts(), Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' } }],
        SupportedContentTypes: [JSON_LINES],
        SupportedResponseMIMETypes: [JSON_LINES],
        SupportedRealtimeInferenceInstanceTypes: [...DEPLOY_INSTANCE_TYPES],
        SupportedTransformInstanceTypes: [...DEPLOY_INSTANCE_TYPES],
      },
      ModelMetrics: {
        ModelQuality: {
          Statistics: { ContentType: 'application/json', S3Uri: new Join('/', [evaluate.outputUri('metrics'), 'evaluation.json']) },
          Constraints: json(modelQualityGate, 'constraints'),
        },
        ModelDataQuality: { Statistics: json(dataQualityGate, 'statistics'), Constraints: json(dataQualityGate, 'constraints') },
        Bias: { PreTrainingReport: json(dataBiasGate, 'report'), PostTrainingReport: json(modelBiasGate, 'report') },
        ...(explainabilityGate ? { Explainability: { Report: json(explainabilityGate, 'report') } } : {}),
      },
      DriftCheckBaselines: {
        Bias: {
          PreTrainingConstraints: json(dataBiasGate, 'driftConstraints'),
          PostTrainingConstraints: json(modelBiasGate, 'driftConstraints'),
          ...(managed ? { ConfigFile: { ContentType: 'application/json', S3Uri: `${props.codeUri}clarify/data_bias/analysis_config.json` } } : {}),
        },
        ...(explainabilityGate
          ? {
              Explainability: {
                Constraints: json(explainabilityGate, 'driftConstraints'),
                ...(managed ? { ConfigFile: { ContentType: 'application/json', S3Uri: `${props.codeUri}clarify/explainability/analysis_config.json` } } : {}),
              },
            }
          : {}),
        ModelDataQuality: { Statistics: json(dataQualityGate, 'driftStatistics'), Constraints: json(dataQualityGate, 'driftConstraints') },
        ModelQuality: { Statistics: json(modelQualityGate, 'driftStatistics'), Constraints: json(modelQualityGate, 'driftConstraints') },
      },
      CustomerMetadataProperties: {
        code_version: props.codeVersion,
        input_data: p.inputData.ref,
        pipeline_execution: new ExecutionVariable('PipelineExecutionArn'),
      },
      Domain: 'NATURAL_LANGUAGE_PROCESSING',
      Task: 'CLASSIFICATION',
    },
  });
  const fail = new FailStep('AccuracyTooLow', {
    errorMessage: new Join(' ', ['Model accuracy', accuracy, 'is below MinAccuracyValue', p.minAccuracy.ref, '- the model was not registered.']),
  });
  const gate = new ConditionStep('AccuracyCondition', {
    description: 'Registers the model only if its test accuracy reaches MinAccuracyValue',
    conditions: [Condition.greaterThanOrEqualTo(accuracy, p.minAccuracy.ref)],
    ifSteps: [model, transform, checkModelQuality, checkModelBias, ...(checkExplainability ? [checkExplainability] : []), register],
    elseSteps: [fail],
  });

  return new PipelineDefinition({
    parameters: Object.values(p),
    steps: [prepare, checkDataBias, checkDataQuality, train, checkTrainingHealth, evaluate, gate],
    metadata: { pipeline: pipelineId, codeVersion: props.codeVersion },
  });
}

function channel(name: string, uri: Value): Value {
  return {
    ChannelName: name,
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: uri, S3DataDistributionType: 'FullyReplicated' } },
    InputMode: 'File',
    CompressionType: 'None',
  };
}

/** Debugger's built-in rules and the profiler report, for accounts that still have Debugger. */
function debuggerSettings(props: BertPipelineProps, executionPrefix: (...parts: string[]) => Join): Record<string, Value> {
  const ruleImage = props.debuggerRuleImageUri;
  if (!ruleImage) {
    throw new Error('bertSentimentPipeline: managedQualityServices needs debuggerRuleImageUri (Debugger has no image in this region).');
  }
  const rule = (name: string, ruleName: string) => ({
    RuleConfigurationName: name,
    RuleEvaluatorImage: ruleImage,
    RuleParameters: { rule_to_invoke: ruleName },
    VolumeSizeInGB: 0,
  });
  return {
    DebugHookConfig: { S3OutputPath: executionPrefix('debugger') },
    DebugRuleConfigurations: [
      rule('VanishingGradient', 'VanishingGradient'),
      rule('ExplodingTensor', 'ExplodingTensor'),
      rule('PoorWeightInitialization', 'PoorWeightInitialization'),
      rule('LossNotDecreasing', 'LossNotDecreasing'),
      rule('Overtraining', 'Overtraining'),
    ],
    ProfilerConfig: { S3OutputPath: executionPrefix('profiler'), ProfilingIntervalInMilliseconds: 500 },
    ProfilerRuleConfigurations: [{ RuleConfigurationName: 'ProfilerReport', RuleEvaluatorImage: ruleImage, RuleParameters: { rule_to_invoke: 'ProfilerReport' } }],
  };
}
