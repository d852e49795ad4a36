import { BERT_METRIC_DEFINITIONS, BERT_TRANSFORM_SIZING, bertSentimentPipeline, TRAIN_INSTANCE_TYPES } from '../pipeline';
import { transformSizingProblem } from '../../../parts/steps';
import { checkInstanceTypes, hasLocalNvmeStorage } from '../../../dsl/instance-types';
import { debuggerRuleImageUri, dlcAccount, imageUri } from '../../../dsl/images';
import { renderedDefinition } from '../../../../test/helpers';

const rendered = renderedDefinition();
const steps = (definition: any): any[] =>
  definition.Steps.flatMap((s: any) => [s, ...(s.Type === 'Condition' ? [...s.Arguments.IfSteps, ...s.Arguments.ElseSteps] : [])]);
const step = (name: string, definition = rendered) => steps(definition).find((s) => s.Name === name);

describe('the BERT pipeline definition', () => {
  test('the graph: Processing -> data gates -> Train -> CheckTrainingHealth -> EvaluateModel -> AccuracyCondition -> (model, transform, model gates, registration) | Fail', () => {
    expect(rendered.Steps.map((s: any) => [s.Name, s.Type])).toEqual([
      ['Processing', 'Processing'],
      ['CheckDataBias', 'Processing'],
      ['CheckDataQuality', 'Processing'],
      ['Train', 'Training'],
      ['CheckTrainingHealth', 'Processing'],
      ['EvaluateModel', 'Processing'],
      ['AccuracyCondition', 'Condition'],
    ]);
    expect(step('Train').DependsOn).toEqual(['CheckDataBias', 'CheckDataQuality']);
    expect(step('EvaluateModel').DependsOn).toEqual(['CheckTrainingHealth']);
    const condition = step('AccuracyCondition').Arguments;
    expect(condition.IfSteps.map((s: any) => [s.Name, s.Type])).toEqual([
      ['CreateModel', 'Model'],
      ['Transform', 'Transform'],
      ['CheckModelQuality', 'Processing'],
      ['CheckModelBias', 'Processing'],
      ['RegisterModel', 'RegisterModel'],
    ]);
    expect(step('RegisterModel').DependsOn).toEqual(['Transform', 'CheckModelQuality', 'CheckModelBias']);
    expect(condition.ElseSteps.map((s: any) => [s.Name, s.Type])).toEqual([['AccuracyTooLow', 'Fail']]);
    expect(condition.Conditions).toEqual([
      {
        Type: 'GreaterThanOrEqualTo',
        LeftValue: { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.EvaluateModel.PropertyFiles.EvaluationReport' }, Path: 'metrics.accuracy.value' } },
        RightValue: { Get: 'Parameters.MinAccuracyValue' },
      },
    ]);
  });

  test('the course parameters with their defaults', () => {
    const defaults = Object.fromEntries(rendered.Parameters.map((p: any) => [p.Name, p.DefaultValue]));
    expect(defaults).toMatchObject({
      ProcessingInstanceType: 'ml.c5.2xlarge',
      TrainSplitPercentage: 0.9,
      ValidationSplitPercentage: 0.05,
      TestSplitPercentage: 0.05,
      BalanceDataset: true,
      MaxSeqLength: 128,
      Epochs: 3,
      LearningRate: 0.00001,
      TrainBatchSize: 64,
      TrainStepsPerEpoch: 50,
      ValidationBatchSize: 64,
      ValidationStepsPerEpoch: 50,
      Seed: 42,
      FreezeBertLayer: false,
      RunValidation: true,
      TrainInstanceType: 'ml.c5.9xlarge',
      TrainInstanceCount: 1,
      TrainVolumeSizeInGB: 256,
      MinAccuracyValue: 0.33,
      ModelApprovalStatus: 'PendingManualApproval',
      DeployInstanceType: 'ml.m5.large',
      DeployInstanceCount: 1,
      FeatureGroupName: 'pds-dev-reviews',
    });
    expect(Object.keys(defaults)).toEqual(expect.arrayContaining(['InputData', 'PretrainedModelUri']));
  });

  test('training: metric regexes, cache, isolation, encryption, code and model through channels', () => {
    const train = step('Train');
    expect(train.CacheConfig).toEqual({ Enabled: true, ExpireAfter: 'PT1H' });
    expect(train.Arguments.AlgorithmSpecification.MetricDefinitions).toEqual([
      { Name: 'validation:loss', Regex: 'val_loss: ([0-9.]+)' },
      { Name: 'validation:accuracy', Regex: 'val_acc: ([0-9.]+)' },
    ]);
    expect(BERT_METRIC_DEFINITIONS.map((m) => m.Regex)).toEqual(['val_loss: ([0-9.]+)', 'val_acc: ([0-9.]+)']);
    expect(train.Arguments).toMatchObject({ EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: true });
    expect(train.Arguments.ResourceConfig.VolumeKmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(train.Arguments.OutputDataConfig.KmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(train.Arguments.InputDataConfig.map((c: any) => c.ChannelName)).toEqual(['train', 'validation', 'pretrained', 'code']);
    expect(train.Arguments.HyperParameters.sagemaker_submit_directory).toBe('/opt/ml/input/data/code');
  });

  test('no Debugger rules or profiler unless the managed quality services are on', () => {
    const train = step('Train').Arguments;
    for (const key of ['DebugHookConfig', 'DebugRuleConfigurations', 'ProfilerConfig', 'ProfilerRuleConfigurations']) {
      expect(train[key]).toBeUndefined();
    }
    const managed = step('Train', renderedDefinition({ qualityEngine: 'managed' })).Arguments;
    expect(managed.DebugRuleConfigurations.map((r: any) => r.RuleParameters.rule_to_invoke)).toEqual([
      'VanishingGradient',
      'ExplodingTensor',
      'PoorWeightInitialization',
      'LossNotDecreasing',
      'Overtraining',
    ]);
    expect(managed.ProfilerConfig.ProfilingIntervalInMilliseconds).toBe(500);
    expect(managed.ProfilerRuleConfigurations[0].RuleParameters).toEqual({ rule_to_invoke: 'ProfilerReport' });
  });

  test('evaluation writes evaluation.json as a property file; registration is jsonlines with model metrics', () => {
    expect(step('EvaluateModel').PropertyFiles).toEqual([{ PropertyFileName: 'EvaluationReport', OutputName: 'metrics', FilePath: 'evaluation.json' }]);
    const register = step('RegisterModel').Arguments;
    expect(register.ModelPackageGroupName).toBe('pds-dev-bert-sentiment');
    expect(register.ModelApprovalStatus).toEqual({ Get: 'Parameters.ModelApprovalStatus' });
    expect(register.InferenceSpecification.SupportedContentTypes).toEqual(['application/jsonlines']);
    expect(register.InferenceSpecification.SupportedResponseMIMETypes).toEqual(['application/jsonlines']);
    expect(register.ModelMetrics.ModelQuality.Statistics.S3Uri['Std:Join'].Values[1]).toBe('evaluation.json');
    expect(Object.keys(register.CustomerMetadataProperties)).toEqual(['code_version', 'input_data', 'pipeline_execution']);
  });

  test('each gate runs quality_gate.py with its thresholds and a skip parameter', () => {
    const gates: Record<string, string> = {
      CheckDataBias: 'data-bias',
      CheckDataQuality: 'data-quality',
      CheckTrainingHealth: 'training-health',
      CheckModelQuality: 'model-quality',
      CheckModelBias: 'model-bias',
    };
    for (const [name, gate] of Object.entries(gates)) {
      const args = step(name).Arguments;
      expect(args.AppSpecification.ContainerEntrypoint[1]).toBe('/opt/ml/processing/input/code/quality_gate.py');
      expect(args.AppSpecification.ContainerArguments[0]).toBe(gate);
      const skip = args.AppSpecification.ContainerArguments.indexOf('--skip');
      expect(args.AppSpecification.ContainerArguments[skip + 1]).toEqual({ 'Std:Join': { On: '', Values: [{ Get: `Parameters.Skip${name}` }] } });
    }
    expect(step('CheckDataBias').Arguments.AppSpecification.ContainerArguments).toContain(JSON.stringify({ DPL: 0.5, KL: 1.0, JS: 0.5, LP: 0.7, TVD: 0.5, KS: 0.5 }));
    // The gates that compare with the approved model's baseline read the registry: not isolated.
    expect(step('CheckDataQuality').Arguments.NetworkConfig.EnableNetworkIsolation).toBe(false);
    expect(step('CheckDataBias').Arguments.NetworkConfig.EnableNetworkIsolation).toBe(true);
    const names = rendered.Parameters.map((p: any) => p.Name);
    expect(names).toEqual(expect.arrayContaining(['RegisterNewBaselineCheckDataQuality', 'RegisterNewBaselineCheckModelQuality']));
  });

  test('the managed engine: Clarify and Model Monitor checks under the same names, registration from their baselines', () => {
    const managed = renderedDefinition({ qualityEngine: 'managed', explainability: 'true' });
    const checks = Object.fromEntries(
      steps(managed)
        .filter((s: any) => s.Name.startsWith('Check'))
        .map((s: any) => [s.Name, [s.Type, s.CheckType ?? null]]),
    );
    expect(checks).toEqual({
      CheckDataBias: ['ClarifyCheck', 'DATA_BIAS'],
      CheckDataQuality: ['QualityCheck', 'DATA_QUALITY'],
      CheckTrainingHealth: ['Processing', null],
      CheckModelQuality: ['QualityCheck', 'MODEL_QUALITY'],
      CheckModelBias: ['ClarifyCheck', 'MODEL_BIAS'],
      CheckExplainability: ['ClarifyCheck', 'MODEL_EXPLAINABILITY'],
    });
    expect(step('CheckExplainability', managed).ModelName).toEqual({ Get: 'Steps.CreateModel.ModelName' });
    // Clarify reaches the SageMaker API for its shadow endpoint: that check is not isolated.
    expect(step('CheckExplainability', managed).Arguments.NetworkConfig.EnableNetworkIsolation).toBe(false);
    expect(step('RegisterModel', managed).Arguments.DriftCheckBaselines.Explainability.Constraints.S3Uri).toEqual({
      Get: 'Steps.CheckExplainability.BaselineUsedForDriftCheckConstraints',
    });
    expect(step('CheckModelQuality', managed).SuppliedBaselineConstraints).toMatch(/\/quality\/model_quality_constraints-[0-9a-f]{16}\.json$/);
    const bias = step('CheckDataBias', managed);
    expect(bias).toMatchObject({
      SkipCheck: { Get: 'Parameters.SkipCheckDataBias' },
      RegisterNewBaseline: { Get: 'Parameters.RegisterNewBaselineCheckDataBias' },
      ModelPackageGroupName: 'pds-dev-bert-sentiment',
    });
    expect(bias.Arguments.AppSpecification.ImageUri).toBe('205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0');
    expect(bias.Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(step('CheckModelQuality', managed).Arguments.Environment).toMatchObject({ analysis_type: 'MODEL_QUALITY', problem_type: 'MulticlassClassification' });
    const register = step('RegisterModel', managed).Arguments;
    expect(register.ModelMetrics.Bias.PreTrainingReport.S3Uri).toEqual({ Get: 'Steps.CheckDataBias.CalculatedBaselineConstraints' });
    expect(register.DriftCheckBaselines.ModelDataQuality.Statistics.S3Uri).toEqual({ Get: 'Steps.CheckDataQuality.BaselineUsedForDriftCheckStatistics' });
  });

  test('the managed engine gates on the configured limits: Processing writes them as the checks\' baselines', () => {
    const managed = renderedDefinition({ qualityEngine: 'managed', dataBiasThresholds: '{"DPL":0.25}', modelBiasThresholds: '{"DI":0.2}', biasMinGroupSize: '12' });
    const prepare = step('Processing', managed).Arguments;
    const args: string[] = prepare.AppSpecification.ContainerArguments;
    expect(JSON.parse(args[args.indexOf('--managed-baselines') + 1])).toEqual({ data_bias: { DPL: 0.25 }, model_bias: { DI: 0.2 }, min_group_size: 12 });
    const output = (name: string) => ({ Get: `Steps.Processing.ProcessingOutputConfig.Outputs['${name}'].S3Output.S3Uri` });
    const join = (name: string, file: string) => ({ 'Std:Join': { On: '/', Values: [output(name), file] } });
    expect(step('CheckDataBias', managed).SuppliedBaselineConstraints).toEqual(join('managed-bias-baselines', 'pre_training_constraints.json'));
    expect(step('CheckModelBias', managed).SuppliedBaselineConstraints).toEqual(join('managed-bias-baselines', 'post_training_constraints.json'));
    // Model Monitor profiles the open gate's columns, not the token ids.
    expect(step('CheckDataQuality', managed).Arguments.ProcessingInputs[0].S3Input.S3Uri).toEqual(output('managed-data-quality'));
    // The open engine passes the limits to its own gates: Processing writes nothing for it.
    expect(step('Processing').Arguments.AppSpecification.ContainerArguments).not.toContain('--managed-baselines');
  });

  test('CheckExplainability is optional: off by default, before registration when on', () => {
    expect(step('CheckExplainability')).toBeUndefined();
    const withIt = renderedDefinition({ explainability: 'true' });
    expect(step('CheckExplainability', withIt).Arguments.AppSpecification.ContainerArguments[0]).toBe('explainability');
    const register = step('RegisterModel', withIt);
    expect(register.DependsOn).toContain('CheckExplainability');
    expect(register.Arguments.ModelMetrics.Explainability.Report.S3Uri['Std:Join'].Values[1]).toBe('explanations.json');
  });

  test('RegisterModel records the gates\' reports as model metrics and drift-check baselines', () => {
    const register = step('RegisterModel').Arguments;
    const uri = (value: any) => value.S3Uri['Std:Join'].Values;
    expect(uri(register.ModelMetrics.Bias.PreTrainingReport)).toEqual([
      { Get: "Steps.CheckDataBias.ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri" },
      'analysis.json',
    ]);
    expect(uri(register.ModelMetrics.Bias.PostTrainingReport)[0].Get).toContain('Steps.CheckModelBias.');
    expect(uri(register.ModelMetrics.ModelDataQuality.Constraints)[1]).toBe('constraints.json');
    expect(uri(register.DriftCheckBaselines.ModelDataQuality.Statistics)[0].Get).toContain('Steps.CheckDataQuality.');
    expect(uri(register.DriftCheckBaselines.ModelQuality.Statistics)[0].Get).toContain('Steps.CheckModelQuality.');
    expect(uri(register.DriftCheckBaselines.Bias.PreTrainingConstraints)).toEqual([
      { Get: "Steps.CheckDataBias.ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri" },
      'analysis.json',
    ]);
  });

  test('the Fail message shows the accuracy and the threshold', () => {
    const values = step('AccuracyTooLow').Arguments.ErrorMessage['Std:Join'].Values;
    expect(values).toContainEqual({ 'Std:JsonGet': expect.objectContaining({ Path: 'metrics.accuracy.value' }) });
    expect(values).toContainEqual({ Get: 'Parameters.MinAccuracyValue' });
  });

  test('batch transform and hosting run the model with network isolation', () => {
    expect(step('CreateModel').Arguments.EnableNetworkIsolation).toBe(true);
    expect(step('CreateModel').Arguments.PrimaryContainer.Environment.SAGEMAKER_PROGRAM).toBe('inference.py');
    expect(step('Transform').Arguments.TransformInput.ContentType).toBe('application/jsonlines');
  });

  test('managed services without their images in the region fail clearly', () => {
    const props = {
      executionRoleArn: 'r',
      lakeBucketName: 'b',
      kmsKeyArn: 'k',
      inputDataUri: 's3://b/raw/',
      transformedReviewsUri: 's3://b/t/',
      pretrainedModelUri: 's3://b/m/',
      codeUri: 's3://b/c/',
      featureGroupName: 'f',
      modelPackageGroupName: 'g',
      trainingImageUri: 'i',
      inferenceImageUri: 'i',
      codeVersion: 'v',
      managedQualityServices: true,
    };
    expect(() => bertSentimentPipeline(props)).toThrow('qualityEngine=managed: CheckDataBias needs the Clarify image, which this region does not have');
    expect(() => bertSentimentPipeline({ ...props, managedImages: { clarify: 'c', modelMonitor: 'm' } })).toThrow(
      'qualityEngine=managed: Debugger has no rule image in this region; expected a region of the image map',
    );
  });
});

describe('instance types and images', () => {
  test.each([
    ['ml.m5d.large', true],
    ['ml.c5d.2xlarge', true],
    ['ml.g4dn.xlarge', true],
    ['ml.p4d.24xlarge', true],
    ['ml.g5.xlarge', true],
    ['ml.c5.9xlarge', false],
    ['ml.m5.large', false],
    ['ml.p3.2xlarge', false],
  ])('%s has local NVMe storage: %p', (type, expected) => {
    expect(hasLocalNvmeStorage(type)).toBe(expected);
  });

  test('an NVMe instance type with a volume key is refused, naming the setting and the type', () => {
    expect(() => checkInstanceTypes('TrainInstanceType', ['ml.c5.9xlarge', 'ml.g4dn.xlarge'], true)).toThrow(
      "TrainInstanceType: 'ml.g4dn.xlarge' has local NVMe storage, for which SageMaker rejects a volume KMS key",
    );
    expect(() => checkInstanceTypes('TrainInstanceType', ['c5.large'], false)).toThrow("TrainInstanceType: 'c5.large' is not an instance type");
    expect(() => checkInstanceTypes('TrainInstanceType', TRAIN_INSTANCE_TYPES, true)).not.toThrow();
  });

  test('image URIs by region', () => {
    expect(dlcAccount('us-east-1')).toBe('763104351884');
    expect(dlcAccount('af-south-1')).toBe('626614931356');
    expect(imageUri('huggingFaceTraining', 'eu-west-1')).toBe(
      '763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04',
    );
    expect(debuggerRuleImageUri('us-east-1')).toBe('503895931360.dkr.ecr.us-east-1.amazonaws.com/sagemaker-debugger-rules:latest');
    expect(debuggerRuleImageUri('il-central-1')).toBeUndefined();
  });
});

describe('feature engineering and training at scale', () => {
  const parameter = (name: string) => rendered.Parameters.find((p: any) => p.Name === name);
  const joined = (name: string) => ({ 'Std:Join': { On: '', Values: [{ Get: `Parameters.${name}` }] } });

  test('the Processing step runs on ProcessingInstanceCount instances, each with a share of the raw files', () => {
    const processing = step('Processing').Arguments;
    expect(parameter('ProcessingInstanceCount')).toEqual({ Name: 'ProcessingInstanceCount', Type: 'Integer', DefaultValue: 1 });
    expect(processing.ProcessingResources.ClusterConfig.InstanceCount).toEqual({ Get: 'Parameters.ProcessingInstanceCount' });
    const distribution = Object.fromEntries(processing.ProcessingInputs.map((i: any) => [i.InputName, i.S3Input.S3DataDistributionType]));
    expect(distribution).toEqual({ 'raw-input-data': 'ShardedByS3Key', 'pretrained-model': 'FullyReplicated', code: 'FullyReplicated' });
    // The other script jobs stay on one instance.
    expect(step('EvaluateModel').Arguments.ProcessingResources.ClusterConfig.InstanceCount).toBe(1);
  });

  test('ingestion: FeatureIngestInFlight calls at a time, and the records that still fail uploaded as written', () => {
    const processing = step('Processing').Arguments;
    const args: any[] = processing.AppSpecification.ContainerArguments;
    expect(parameter('FeatureIngestInFlight')).toEqual({ Name: 'FeatureIngestInFlight', Type: 'Integer', DefaultValue: 16 });
    expect(args[args.indexOf('--ingest-in-flight') + 1]).toEqual(joined('FeatureIngestInFlight'));
    expect(args[args.indexOf('--failures-dir') + 1]).toBe('/opt/ml/processing/output/ingest-failures');
    const failures = processing.ProcessingOutputConfig.Outputs.find((o: any) => o.OutputName === 'ingest-failures').S3Output;
    expect(failures).toMatchObject({ LocalPath: '/opt/ml/processing/output/ingest-failures', S3UploadMode: 'Continuous' });
    expect(JSON.stringify(failures.S3Uri)).toContain('ingest-failures');
    const others = processing.ProcessingOutputConfig.Outputs.filter((o: any) => o.OutputName !== 'ingest-failures');
    expect(new Set(others.map((o: any) => o.S3Output.S3UploadMode))).toEqual(new Set(['EndOfJob']));
  });

  test('training runs on TrainInstanceCount instances (train.py trains data-parallel on several)', () => {
    expect(step('Train').Arguments.ResourceConfig.InstanceCount).toEqual({ Get: 'Parameters.TrainInstanceCount' });
  });
});

describe('batch transform sizing', () => {
  test('the Transform step and its model carry the sized payload limit and timeouts', () => {
    const transform = step('Transform').Arguments;
    expect(transform).toMatchObject({
      BatchStrategy: 'MultiRecord',
      MaxPayloadInMB: BERT_TRANSFORM_SIZING.maxPayloadInMB,
      MaxConcurrentTransforms: 2,
      ModelClientConfig: { InvocationsTimeoutInSeconds: 600, InvocationsMaxRetries: 1 },
    });
    const served = { SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: '600', OMP_NUM_THREADS: '1' };
    expect(step('CreateModel').Arguments.PrimaryContainer.Environment).toMatchObject(served);
    expect(step('RegisterModel').Arguments.InferenceSpecification.Containers[0].Environment).toMatchObject(served);
  });

  test('a full mini-batch finishes within half the timeout at the measured rate, and the old 6 MB would not', () => {
    expect(transformSizingProblem(BERT_TRANSFORM_SIZING)).toBeUndefined();
    expect(transformSizingProblem({ ...BERT_TRANSFORM_SIZING, maxPayloadInMB: 6 })).toBe(
      'a 6 MB mini-batch is about 5719 records, 953 s to score: more than half the 600 s timeout',
    );
    expect(transformSizingProblem({ ...BERT_TRANSFORM_SIZING, maxPayloadInMB: 60 })).toBe("2 requests of 60 MB in flight exceed SageMaker's 100 MB per instance");
  });
});

test('the model gates fail above the configured share of error records (maxErrorRecordShare)', () => {
  const share = (definition: any, gate: string) => {
    const args: string[] = step(gate, definition).Arguments.AppSpecification.ContainerArguments;
    return args[args.indexOf('--max-error-share') + 1];
  };
  expect([share(rendered, 'CheckModelQuality'), share(rendered, 'CheckModelBias')]).toEqual(['0', '0']);
  const configured = renderedDefinition({ maxErrorRecordShare: '0.02' });
  expect([share(configured, 'CheckModelQuality'), share(configured, 'CheckModelBias')]).toEqual(['0.02', '0.02']);
});
