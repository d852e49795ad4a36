/**
 * The definition library's Tuning step: the course's tuning rendered as CreateHyperParameterTuningJob
 * takes it, the best job's model where its training job wrote it, and every tuning the API would
 * refuse refused before anything is rendered, naming the item, the value and what is allowed.
 */
import { PipelineDefinition, PipelineDefinitionError, Tuning, TuningStep } from '../pipeline-definitions/dsl';
import { COURSE_TUNING as COURSE, trainingJobDefinition } from './fixtures/definitions/library-samples';

const definition = trainingJobDefinition;

const tune = (tuning: Partial<Tuning> = {}, extra: Record<string, unknown> = {}) =>
  new TuningStep('Tune', { tuning: { ...COURSE, ...tuning }, trainingJobDefinition: definition(extra) });

test('the course\'s tuning, as CreateHyperParameterTuningJob takes it', () => {
  const rendered = tune().render() as any;
  expect(rendered.Type).toBe('Tuning');
  expect(rendered.Arguments.HyperParameterTuningJobConfig).toEqual({
    Strategy: 'Random',
    HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'validation:accuracy' },
    ResourceLimits: { MaxNumberOfTrainingJobs: 2, MaxParallelTrainingJobs: 2 },
    ParameterRanges: {
      ContinuousParameterRanges: [{ Name: 'learning_rate', MinValue: '0.00001', MaxValue: '0.00005', ScalingType: 'Linear' }],
      CategoricalParameterRanges: [{ Name: 'train_batch_size', Values: ['128', '256'] }],
    },
    TrainingJobEarlyStoppingType: 'Auto',
  });
  expect(rendered.Arguments.TrainingJobDefinition.StaticHyperParameters).toEqual({ sagemaker_program: 'train.py', sagemaker_submit_directory: '/opt/ml/input/data/code', epochs: '3' });
});

test('the best job is the first of the summaries; its model is under the output path and the job\'s name, in one Join', () => {
  const step = tune();
  const pipeline = new PipelineDefinition({ parameters: [], steps: [step] });
  expect(pipeline).toBeDefined();
  expect(JSON.parse(JSON.stringify((step.bestModelArtifacts() as any).render()))).toEqual({
    'Std:Join': {
      On: '/',
      Values: ['s3://lake/pipelines/sample', { Get: 'Execution.PipelineExecutionId' }, 'tuning', { Get: 'Steps.Tune.TrainingJobSummaries[0].TrainingJobName' }, 'output', 'model.tar.gz'],
    },
  });
  expect(() => step.property('TopKModels[0]')).toThrow(PipelineDefinitionError);
});

describe('a tuning the API would refuse fails, naming the item, the value and what is allowed', () => {
  const refused = (tuning: Partial<Tuning>, message: string, extra: Record<string, unknown> = {}) =>
    expect(() => tune(tuning, extra)).toThrow(new PipelineDefinitionError(`Step 'Tune': the tuning is not allowed: ${message}.`));

  test('an empty categorical range, or no range at all', () => {
    refused({ ranges: [{ kind: 'categorical', name: 'train_batch_size', values: [] }] }, 'range train_batch_size: 0 values; expected 1 to 30');
    refused({ ranges: [] }, '0 ranges; expected 1 to 30');
  });

  test('min not below max', () => {
    refused({ ranges: [{ kind: 'continuous', name: 'learning_rate', min: 0.00005, max: 0.00001 }] }, 'range learning_rate: min 0.00005 is not below max 0.00001; expected min < max');
    refused({ ranges: [{ kind: 'integer', name: 'epochs', min: 3, max: 3 }] }, 'range epochs: min 3 is not below max 3; expected min < max');
  });

  test('a scaling the range cannot use', () => {
    refused({ ranges: [{ kind: 'continuous', name: 'learning_rate', min: 0, max: 0.1, scaling: 'Logarithmic' }] }, 'range learning_rate: Logarithmic scaling needs min above 0; min is 0');
    refused({ ranges: [{ kind: 'integer', name: 'epochs', min: 1, max: 5, scaling: 'ReverseLogarithmic' }] }, 'range epochs: ReverseLogarithmic scaling is for continuous ranges only; use Linear, Logarithmic or Auto');
    refused({ ranges: [{ kind: 'continuous', name: 'dropout', min: 0.5, max: 1, scaling: 'ReverseLogarithmic' }] }, 'range dropout: ReverseLogarithmic scaling needs 0 <= min < max < 1; the range is 0.5 to 1');
    refused({ ranges: [{ kind: 'continuous', name: 'learning_rate', min: 0.1, max: 1, scaling: 'Exponential' as never }] }, "range learning_rate: scaling 'Exponential' is not allowed; expected one of Auto, Linear, Logarithmic, ReverseLogarithmic");
  });

  test('parallel jobs above total jobs', () => {
    refused({ maxJobs: 2, maxParallelJobs: 3 }, 'maxParallelJobs 3 is above maxJobs 2; expected at most as many parallel jobs as jobs');
  });

  test('an unknown strategy, or an objective metric the training job does not report', () => {
    refused({ strategy: 'Hyperband' as never }, "strategy 'Hyperband' is not allowed; expected one of Bayesian, Random");
    refused({ objective: { metric: 'validation:f1', type: 'Maximize' } }, "objective metric 'validation:f1' is not one the training job reports; expected one of validation:accuracy, validation:loss");
  });

  test('a hyperparameter both tuned and static', () => {
    expect(() => tune({}, { StaticHyperParameters: { learning_rate: '0.1' } })).toThrow(
      "Step 'Tune': learning_rate both tuned and static; expected each hyperparameter in the ranges or in StaticHyperParameters, not both.",
    );
  });
});
