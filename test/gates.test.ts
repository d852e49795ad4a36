/**
 * Gates per family: an engine makes the parameters of the gates a definition declares, refuses
 * any other, and a registration reads only the reports of the gates that ran.
 */
import { ExecutionVariable, Join } from '../pipeline-definitions/dsl';
import { DEFAULT_QUALITY_THRESHOLDS } from '../pipeline-definitions/catalogue';
import { driftCheckBaselines, gateEngine, modelMetrics, QUALITY_GATES } from '../pipeline-definitions/gates';
import { fixtureJobs } from './helpers';

const jobs = fixtureJobs();
const engine = (managed: boolean, gates?: readonly (typeof QUALITY_GATES)[number][]) =>
  gateEngine(managed, { jobs, quality: DEFAULT_QUALITY_THRESHOLDS, modelPackageGroupName: 'pds-dev-fixture', gates });
const names = (e: ReturnType<typeof engine>) => e.parameters.map((p) => p.name);

test('every gate by default, with its parameters in the order deployed pipelines have them', () => {
  expect(names(engine(false))).toEqual([
    ...QUALITY_GATES.map((g) => `Skip${g}`),
    'RegisterNewBaselineCheckDataQuality',
    'RegisterNewBaselineCheckModelQuality',
  ]);
});

test.each([false, true])('a family that declares two gates gets their parameters alone (managed: %s)', (managed) => {
  const two = engine(managed, ['CheckModelQuality', 'CheckTrainingHealth']);
  expect(names(two)).toEqual(['SkipCheckTrainingHealth', 'SkipCheckModelQuality', 'RegisterNewBaselineCheckModelQuality']);
  expect(() => two.gate('CheckDataBias', { trainingData: 's3://lake/train/' })).toThrow(
    'CheckDataBias: not a gate this definition declares (CheckModelQuality, CheckTrainingHealth); add it to the family\'s gates to run it.',
  );
});

test('an unknown gate name is refused, naming the gates', () => {
  expect(() => engine(false, ['CheckModelQuality', 'CheckEverything' as never])).toThrow(/^Quality gates CheckEverything are not gates; expected some of CheckDataBias, /);
});

test('a registration with the model-quality gate alone carries its reports and no bias or data-quality section', () => {
  const e = engine(false, ['CheckModelQuality']);
  const quality = e.gate('CheckModelQuality', { predictions: new Join('/', ['s3://lake/transform', new ExecutionVariable('PipelineExecutionId')]) });
  const metrics = JSON.parse(JSON.stringify(modelMetrics({ CheckModelQuality: quality }, 's3://lake/evaluation.json')));
  expect(Object.keys(metrics)).toEqual(['ModelQuality']);
  expect(Object.keys(metrics.ModelQuality)).toEqual(['Statistics', 'Constraints']);
  expect(Object.keys(driftCheckBaselines({ CheckModelQuality: quality }, e)!)).toEqual(['ModelQuality']);
  expect(driftCheckBaselines({}, e)).toBeUndefined();
  expect(Object.keys(modelMetrics({}, 's3://lake/evaluation.json'))).toEqual(['ModelQuality']);
});

test('the managed engine adds to preparation and training only for the gates that read them', () => {
  const managed = (gates: readonly (typeof QUALITY_GATES)[number][]) =>
    gateEngine(true, { jobs, quality: DEFAULT_QUALITY_THRESHOLDS, modelPackageGroupName: 'pds-dev-fixture', gates, debuggerRuleImageUri: 'debugger-image' });
  // Model quality alone: no baselines from the preparation, no Debugger rules on the training job.
  expect(managed(['CheckModelQuality']).preparation()).toEqual({ arguments: [], outputs: [] });
  expect(managed(['CheckModelQuality']).trainingSettings()).toEqual({});
  // A bias gate: the preparation writes the configured limits as baselines.
  expect(managed(['CheckDataBias']).preparation().arguments[0]).toBe('--managed-baselines');
  // The training-health gate: Debugger's rules and the profiler report.
  expect(Object.keys(managed(['CheckTrainingHealth']).trainingSettings())).toEqual(['DebugHookConfig', 'DebugRuleConfigurations', 'ProfilerConfig', 'ProfilerRuleConfigurations']);
});
