import {
  CheckStep,
  Condition,
  ConditionStep,
  CreateModelStep,
  ExecutionVariable,
  FailStep,
  Join,
  ParameterBoolean,
  ParameterFloat,
  ParameterInteger,
  ParameterString,
  PipelineDefinition,
  PipelineDefinitionError,
  ProcessingStep,
  PropertyFile,
  Step,
  TrainingStep,
} from '../pipeline-definitions/dsl';

const processingRequest = (outputs: string[] = ['train']) => ({
  AppSpecification: { ImageUri: 'image' },
  ProcessingOutputConfig: {
    Outputs: outputs.map((name) => ({ OutputName: name, S3Output: { S3Uri: `s3://b/${name}`, LocalPath: `/opt/ml/processing/${name}`, S3UploadMode: 'EndOfJob' } })),
  },
});

function graph() {
  const instanceType = new ParameterString('InstanceType', 'ml.m5.large', ['ml.m5.large', 'ml.c5.2xlarge']);
  const minAccuracy = new ParameterFloat('MinAccuracyValue', 0.33);
  const evaluation = new PropertyFile('EvaluationReport', 'metrics', 'evaluation.json');
  const prepare = new ProcessingStep('Processing', { request: processingRequest(['train', 'test']) });
  const train = new TrainingStep('Train', {
    request: { InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3Uri: prepare.outputUri('train') } } }], ResourceConfig: { InstanceType: instanceType.ref } },
    cacheExpireAfter: 'PT1H',
  });
  const evaluate = new ProcessingStep('EvaluateModel', {
    request: { ...processingRequest(['metrics']), ProcessingInputs: [{ S3Input: { S3Uri: train.modelArtifacts() } }] },
    propertyFiles: [evaluation],
  });
  const model = new CreateModelStep('CreateModel', { request: { PrimaryContainer: { ModelDataUrl: train.modelArtifacts() } } });
  const fail = new FailStep('AccuracyTooLow', {
    errorMessage: new Join(' ', ['Accuracy', evaluate.jsonGet(evaluation, 'metrics.accuracy.value'), 'is below', minAccuracy.ref]),
  });
  const condition = new ConditionStep('AccuracyCondition', {
    conditions: [Condition.greaterThanOrEqualTo(evaluate.jsonGet(evaluation, 'metrics.accuracy.value'), minAccuracy.ref)],
    ifSteps: [model],
    elseSteps: [fail],
  });
  return { instanceType, minAccuracy, evaluation, prepare, train, evaluate, model, fail, condition };
}

describe('PipelineDefinition', () => {
  test('renders parameters, steps, Get, Std:Join, Std:JsonGet, property files, cache and branches', () => {
    const g = graph();
    const definition = new PipelineDefinition({
      parameters: [g.instanceType, g.minAccuracy, new ParameterInteger('Epochs', 3), new ParameterBoolean('RunValidation', true)],
      steps: [g.prepare, g.train, g.evaluate, g.condition],
    });
    const rendered = definition.render() as any;
    expect(rendered.Version).toBe('2020-12-01');
    expect(rendered.Parameters).toEqual([
      { Name: 'InstanceType', Type: 'String', DefaultValue: 'ml.m5.large', EnumValues: ['ml.m5.large', 'ml.c5.2xlarge'] },
      { Name: 'MinAccuracyValue', Type: 'Float', DefaultValue: 0.33 },
      { Name: 'Epochs', Type: 'Integer', DefaultValue: 3 },
      { Name: 'RunValidation', Type: 'Boolean', DefaultValue: true },
    ]);
    expect(rendered.Steps.map((s: any) => s.Name)).toEqual(['Processing', 'Train', 'EvaluateModel', 'AccuracyCondition']);
    const [, train, evaluate, condition] = rendered.Steps;
    expect(train.CacheConfig).toEqual({ Enabled: true, ExpireAfter: 'PT1H' });
    expect(train.Arguments.InputDataConfig[0].DataSource.S3DataSource.S3Uri).toEqual({
      Get: "Steps.Processing.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri",
    });
    expect(train.Arguments.ResourceConfig.InstanceType).toEqual({ Get: 'Parameters.InstanceType' });
    expect(evaluate.PropertyFiles).toEqual([{ PropertyFileName: 'EvaluationReport', OutputName: 'metrics', FilePath: 'evaluation.json' }]);
    expect(condition.Arguments.Conditions).toEqual([
      {
        Type: 'GreaterThanOrEqualTo',
        LeftValue: { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.EvaluateModel.PropertyFiles.EvaluationReport' }, Path: 'metrics.accuracy.value' } },
        RightValue: { Get: 'Parameters.MinAccuracyValue' },
      },
    ]);
    expect(condition.Arguments.IfSteps.map((s: any) => s.Name)).toEqual(['CreateModel']);
    expect(condition.Arguments.ElseSteps[0].Arguments.ErrorMessage['Std:Join'].Values[1]).toEqual({
      'Std:JsonGet': { PropertyFile: { Get: 'Steps.EvaluateModel.PropertyFiles.EvaluationReport' }, Path: 'metrics.accuracy.value' },
    });
    expect(definition.allSteps.map((s) => s.name)).toEqual(['Processing', 'Train', 'EvaluateModel', 'AccuracyCondition', 'CreateModel', 'AccuracyTooLow']);
  });

  test('a reference to a step that is not in the pipeline names both steps', () => {
    const g = graph();
    expect(() => new PipelineDefinition({ parameters: [g.instanceType, g.minAccuracy], steps: [g.train, g.evaluate, g.condition] })).toThrow(
      new PipelineDefinitionError("Step 'Train' refers to step 'Processing', which is not in the pipeline."),
    );
  });

  test('an undeclared parameter names the step and the parameter', () => {
    const g = graph();
    expect(() => new PipelineDefinition({ parameters: [g.minAccuracy], steps: [g.prepare, g.train, g.evaluate, g.condition] })).toThrow(
      "Step 'Train' reads parameter 'InstanceType', which the pipeline does not declare; expected one of MinAccuracyValue.",
    );
  });

  test('a cycle names its steps', () => {
    const later: Step[] = [];
    const a = new ProcessingStep('A', { request: processingRequest(), dependsOn: later });
    const b = new ProcessingStep('B', { request: processingRequest(), dependsOn: [a] });
    later.push(b);
    expect(() => new PipelineDefinition({ parameters: [], steps: [a, b] })).toThrow('Steps depend on each other in a cycle: A -> B -> A.');
  });

  test('duplicate step names and a step listed twice are refused', () => {
    const a = new ProcessingStep('Same', { request: processingRequest() });
    const b = new ProcessingStep('Same', { request: processingRequest() });
    expect(() => new PipelineDefinition({ parameters: [], steps: [a, b] })).toThrow("Step name 'Same' is used by two steps");
    expect(() => new PipelineDefinition({ parameters: [], steps: [a, a] })).toThrow("Step 'Same' appears twice in the pipeline");
    const g = graph();
    expect(
      () => new PipelineDefinition({ parameters: [g.instanceType, g.minAccuracy], steps: [g.prepare, g.train, g.evaluate, g.condition, g.model] }),
    ).toThrow("Step 'CreateModel' appears twice");
  });

  test.each(['has space', '', 'x'.repeat(65), 'dot.ted'])('the step name %p is refused', (name) => {
    expect(() => new ProcessingStep(name, { request: processingRequest() })).toThrow(
      `Step '${name}': the name is not allowed; expected 1 to 64 letters, digits, hyphens and underscores.`,
    );
  });

  test('a property the step type does not have is refused, naming step, type and path', () => {
    const g = graph();
    expect(() => g.train.property('ProcessingOutputConfig.Outputs')).toThrow(
      "Step 'Train' (Training) has no property 'ProcessingOutputConfig.Outputs'; expected a path like",
    );
    expect(() => g.prepare.outputUri('validation')).toThrow("Step 'Processing' has no output 'validation'; expected one of train, test.");
    expect(() => g.fail.property('Anything')).toThrow("Step 'AccuracyTooLow' (Fail) has no property 'Anything'");
    expect(g.train.property("FinalMetricDataList['validation:accuracy'].Value").render()).toEqual({
      Get: "Steps.Train.FinalMetricDataList['validation:accuracy'].Value",
    });
  });

  test('a property file must sit on an output of its step', () => {
    expect(() => new ProcessingStep('Eval', { request: processingRequest(['metrics']), propertyFiles: [new PropertyFile('R', 'nope', 'e.json')] })).toThrow(
      "Step 'Eval': property file 'R' is on output 'nope', which the step does not have; expected one of metrics.",
    );
    const g = graph();
    expect(() => g.prepare.jsonGet(g.evaluation, 'x')).toThrow("Step 'Processing' has no property file 'EvaluationReport'.");
  });

  test('bad cache durations, empty conditions and parameters are refused', () => {
    expect(() => new ProcessingStep('S', { request: processingRequest(), cacheExpireAfter: '1 hour' })).toThrow(
      "Step 'S': cacheExpireAfter '1 hour' is not allowed; expected an ISO-8601 duration such as PT1H.",
    );
    expect(() => new ConditionStep('C', { conditions: [] })).toThrow("Step 'C': a Condition step needs at least one condition.");
    expect(() => new ParameterString('Bad Name', 'x')).toThrow("Parameter 'Bad Name': the name is not allowed");
    expect(() => new ParameterString('P', 'z', ['a', 'b'])).toThrow(`Parameter 'P': the default "z" is not one of ["a","b"].`);
    expect(() => new ParameterInteger('N', 1.5)).toThrow("Parameter 'N': the default 1.5 is not an integer.");
    const p = new ParameterString('A', 'x');
    expect(() => new PipelineDefinition({ parameters: [p, new ParameterString('A', 'y')], steps: [] })).toThrow("Parameter 'A' is declared twice.");
  });

  test('parameters parse text by type', () => {
    expect(new ParameterInteger('N', 1).parse('42')).toBe(42);
    expect(new ParameterFloat('F', 1).parse('0.5')).toBe(0.5);
    expect(new ParameterBoolean('B', true).parse('false')).toBe(false);
    expect(new ParameterString('S', 'a', ['a', 'b']).parse('b')).toBe('b');
    expect(() => new ParameterInteger('N', 1).parse('1.5')).toThrow("Parameter 'N' (Integer): '1.5' is not allowed; expected an integer.");
    expect(() => new ParameterBoolean('B', true).parse('yes')).toThrow('expected true or false');
    expect(() => new ParameterString('S', 'a', ['a', 'b']).parse('c')).toThrow('expected one of a, b');
  });

  test('check steps: check types by service, their baseline properties', () => {
    const request = processingRequest(['out']);
    expect(() => new CheckStep('C', 'QualityCheck', { checkType: 'DATA_BIAS', request, skipCheck: false, registerNewBaseline: false })).toThrow(
      "Step 'C': check type 'DATA_BIAS' is not one of QualityCheck's: DATA_QUALITY, MODEL_QUALITY.",
    );
    const clarify = new CheckStep('B', 'ClarifyCheck', { checkType: 'DATA_BIAS', request, skipCheck: true, registerNewBaseline: false });
    expect(() => clarify.calculatedStatistics()).toThrow("Step 'B' (ClarifyCheck) calculates no statistics");
    expect(clarify.calculatedConstraints().render()).toEqual({ Get: 'Steps.B.CalculatedBaselineConstraints' });
    expect(clarify.render()).toMatchObject({ Name: 'B', Type: 'ClarifyCheck', CheckType: 'DATA_BIAS', SkipCheck: true, RegisterNewBaseline: false });
    expect(() => clarify.driftCheckStatistics()).toThrow("Step 'B' (ClarifyCheck) has no statistics baseline");
    expect(() => new CheckStep('E', 'ClarifyCheck', { checkType: 'MODEL_EXPLAINABILITY', request, skipCheck: false, registerNewBaseline: false })).toThrow(
      "Step 'E': a MODEL_EXPLAINABILITY check needs the model it explains (modelName).",
    );
    expect(() => new CheckStep('Q', 'QualityCheck', { checkType: 'DATA_QUALITY', request, skipCheck: false, registerNewBaseline: false, modelName: 'm' })).toThrow(
      "Step 'Q': only ClarifyCheck steps take a model.",
    );
  });

  test('execution variables and retry policies render as the service reads them', () => {
    const step = new ProcessingStep('S', {
      request: { ...processingRequest(), Environment: { RUN: new ExecutionVariable('PipelineExecutionId') } },
      retryPolicies: [{ exceptionTypes: ['Step.SERVICE_FAULT'], maxAttempts: 3 }],
    });
    const rendered = step.render() as any;
    expect(rendered.Arguments.Environment.RUN).toEqual({ Get: 'Execution.PipelineExecutionId' });
    expect(rendered.RetryPolicies).toEqual([{ ExceptionType: ['Step.SERVICE_FAULT'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 }]);
  });
});
