/**
 * The tuned BERT pipeline: a second pipeline of the BERT family with a Tuning step in place of the
 * Training step (the course's tuning by default, `bertTuning` otherwise), evaluating, gating and
 * registering the best job's model into BERT's group; and every tuning the API would refuse
 * refused before any template is written, naming the setting, the value and what is allowed.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { renderAssembly } from '../../../rendering/render';
import { assemblyFor, buildApp, configErrorOf } from '../../../../test/helpers';

function tunedDefinition(context: Record<string, string> = {}): any {
  return renderAssembly(assemblyFor(context)).find((p) => p.id === 'bert-sentiment-tuning')!.definition;
}

function allSteps(steps: any[]): any[] {
  return steps.flatMap((step) => [step, ...allSteps([...(step.Arguments?.IfSteps ?? []), ...(step.Arguments?.ElseSteps ?? [])])]);
}

describe('the tuned BERT pipeline', () => {
  const definition = tunedDefinition();
  const steps = allSteps(definition.Steps);
  const tune = steps.find((s) => s.Type === 'Tuning');

  test('a Tuning step in place of the Training step, with the course\'s tuning', () => {
    expect(steps.map((s) => s.Type)).not.toContain('Training');
    expect(tune.Name).toBe('Tune');
    expect(tune.Arguments.HyperParameterTuningJobConfig).toEqual({
      Strategy: 'Random',
      HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'validation:accuracy' },
      ResourceLimits: { MaxNumberOfTrainingJobs: 2, MaxParallelTrainingJobs: 2 },
      ParameterRanges: {
        ContinuousParameterRanges: [{ Name: 'learning_rate', MinValue: '0.00001', MaxValue: '0.00005', ScalingType: 'Linear' }],
        CategoricalParameterRanges: [{ Name: 'train_batch_size', Values: ['128', '256'] }],
      },
      TrainingJobEarlyStoppingType: 'Auto',
    });
  });

  test('its training job definition: no tuned hyperparameter among the static ones, no Debugger fields, models under tuning/', () => {
    const job = tune.Arguments.TrainingJobDefinition;
    expect(Object.keys(job.StaticHyperParameters)).not.toEqual(expect.arrayContaining(['learning_rate']));
    expect(job.StaticHyperParameters).not.toHaveProperty('train_batch_size');
    for (const member of ['HyperParameters', 'DebugHookConfig', 'DebugRuleConfigurations', 'ProfilerConfig']) expect(job).not.toHaveProperty(member);
    expect(JSON.stringify(job.OutputDataConfig.S3OutputPath)).toContain('"tuning"');
    // The tuned hyperparameters' pipeline parameters would have no effect: there are none.
    expect(definition.Parameters.map((p: any) => p.Name)).not.toEqual(expect.arrayContaining(['LearningRate']));
    expect(definition.Parameters.map((p: any) => p.Name)).not.toContain('TrainBatchSize');
  });

  test('the steps after it read the best job\'s model, and registration goes into BERT\'s group', () => {
    const evaluate = steps.find((s) => s.Name === 'EvaluateModel');
    const model = JSON.stringify(evaluate.Arguments.ProcessingInputs.find((i: any) => i.InputName === 'model'));
    expect(model).toContain('"Get":"Steps.Tune.TrainingJobSummaries[0].TrainingJobName"');
    expect(model).toContain('"output","model.tar.gz"');
    const health = JSON.stringify(steps.find((s) => s.Name === 'CheckTrainingHealth').Arguments.ProcessingInputs);
    expect(health).toContain('TrainingJobSummaries[0].TrainingJobName');
    expect(steps.find((s) => s.Type === 'RegisterModel').Arguments.ModelPackageGroupName).toBe('pds-dev-bert-sentiment');
    expect(definition.Metadata).toMatchObject({ pipeline: 'bert-sentiment-tuning', definition: 'bert-sentiment-tuning' });
  });

  test('a stack of its own whose role may run tuning jobs; BERT\'s serving role reads both pipelines\' artifacts', () => {
    const { platform } = buildApp({ serving: 'true' });
    const stack = platform.pipelines['bert-sentiment-tuning'];
    expect(stack.stackName).toBe('pds-dev-bert-tuning-pipeline');
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policies).toContain('sagemaker:CreateHyperParameterTuningJob');
    expect(policies).not.toContain('sagemaker:CreateTrainingJob"');
    const serving = JSON.stringify(Template.fromStack(platform.serving!).findResources('AWS::IAM::Policy'));
    for (const prefix of ['pipelines/bert-sentiment/*', 'pipelines/bert-sentiment-tuning/*']) expect(serving).toContain(prefix);
  });
});

describe('a bad bertTuning fails the synth, naming the setting, the value and what is allowed', () => {
  const tuning = (value: object) => configErrorOf({ bertTuning: JSON.stringify({ strategy: 'Random', maxJobs: 2, maxParallelJobs: 2, ranges: { learning_rate: { min: 0.00001, max: 0.00005 } }, ...value }) });
  const refused = (value: object, reason: string) => {
    const message = tuning(value);
    expect(message).toMatch(/^Invalid context value 'bertTuning': '\{.*\}' is not allowed \(/);
    expect(message).toContain(reason);
    expect(message).toContain('; expected a JSON object of strategy (Bayesian or Random)');
  };

  test('an empty range', () => refused({ ranges: { train_batch_size: { values: [] } } }, 'range train_batch_size: 0 values; expected 1 to 30'));
  test('min not below max', () => refused({ ranges: { learning_rate: { min: 0.5, max: 0.1 } } }, 'range learning_rate: min 0.5 is not below max 0.1; expected min < max'));
  test('a scaling the range cannot use', () =>
    refused({ ranges: { learning_rate: { min: 0, max: 0.1, scaling: 'Logarithmic' } } }, 'range learning_rate: Logarithmic scaling needs min above 0; min is 0'));
  test('parallel jobs above total jobs', () => refused({ maxJobs: 2, maxParallelJobs: 4 }, 'maxParallelJobs 4 is above maxJobs 2'));
  test('an unknown strategy', () => refused({ strategy: 'Grid' }, "strategy 'Grid' is not allowed; expected one of Bayesian, Random"));
  test('an unknown objective metric', () =>
    refused({ objective: { metric: 'validation:f1', type: 'Maximize' } }, "objective metric 'validation:f1' is not one the training job reports; expected one of validation:loss, validation:accuracy"));
  test('a hyperparameter train.py does not take', () =>
    refused({ ranges: { dropout: { min: 0.1, max: 0.5 } } }, 'range dropout is not a hyperparameter of train.py the tuning may draw; expected one of learning_rate, train_batch_size, epochs, seed, freeze_bert_layer'));
});
