/**
 * The shared parts take what differs between families: step names, split outputs, content types,
 * transform sizing, and a model of several containers (a serial inference pipeline).
 */
import { PipelineDefinition } from '../pipeline-definitions/dsl';
import { fixtureJobs } from './helpers';
import { BERT_TRANSFORM_SIZING as SIZING } from '../pipeline-definitions/families/bert-sentiment/pipeline';
import { inferenceContainer, modelStep, prepareStep, transformStep } from '../pipeline-definitions/parts/steps';

const jobs = fixtureJobs();
const rendered = (...steps: ConstructorParameters<typeof PipelineDefinition>[0]['steps']) => new PipelineDefinition({ parameters: [], steps }).render() as any;

test('a preparation of its own name and split outputs, isolated, without the engine\'s additions', () => {
  const step = prepareStep(jobs, { name: 'Prepare', script: 'prep.py', description: 'd', arguments: [], inputs: [], splits: ['train', 'test'], splitsAs: 'reviews', networkIsolation: true });
  const args = rendered(step).Steps[0].Arguments;
  expect(rendered(step).Steps[0].Name).toBe('Prepare');
  expect(args.ProcessingOutputConfig.Outputs.map((o: any) => [o.OutputName, o.S3Output.LocalPath])).toEqual([
    ['reviews-train', '/opt/ml/processing/output/reviews/train'],
    ['reviews-test', '/opt/ml/processing/output/reviews/test'],
  ]);
  expect(args.NetworkConfig.EnableNetworkIsolation).toBe(true);
});

test('a model of several containers is a serial inference pipeline; of none, refused', () => {
  const adapter = inferenceContainer('a', 's3://lake/a.tar.gz', SIZING);
  const containers = [{ ...adapter, Environment: { ...(adapter.Environment as object), SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: 'text/csv' } }, inferenceContainer('b', 's3://lake/b.tar.gz', SIZING)];
  const request = rendered(modelStep(jobs, containers)).Steps[0].Arguments;
  expect(request.PrimaryContainer).toBeUndefined();
  expect(request.Containers.map((c: any) => c.Image)).toEqual(['a', 'b']);
  expect(request.InferenceExecutionConfig).toEqual({ Mode: 'Serial' });
  expect(() => modelStep(jobs, [])).toThrow('modelStep: 0 containers; expected one, or up to 15 in order.');
  expect(() => modelStep(jobs, [adapter, adapter])).toThrow(
    'modelStep: container 1 of 2 has no SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT; a container before the last must say what it answers the next one in.',
  );
});

test('a transform of the family\'s content type and sizing; a sizing that would time out, or a type that cannot be joined, is refused', () => {
  const model = modelStep(jobs, inferenceContainer('a', 's3://lake/a.tar.gz', SIZING));
  const sizing = { ...SIZING, maxPayloadInMB: 6, recordBytes: 200, secondsPerRecord: 0.001 };
  const transform = transformStep(jobs, { model, input: 's3://lake/test/', instanceType: 'ml.m5.large', instanceCount: 1, contentType: 'application/json', sizing });
  const request = rendered(model, transform).Steps[1].Arguments;
  expect(request.TransformInput.ContentType).toBe('application/json');
  expect(request.TransformOutput.Accept).toBe('application/json');
  expect(() => transformStep(jobs, { model, input: 's3://lake/test/', instanceType: 'ml.m5.large', instanceCount: 1, contentType: 'text/csv', sizing })).toThrow(
    'transformStep: content type text/csv cannot be joined with its input here; expected application/jsonlines or application/json (a family serving another type puts an adapter container first).',
  );
  expect(request.MaxPayloadInMB).toBe(6);
  expect(() => transformStep(jobs, { model, input: 's3://lake/test/', instanceType: 'ml.m5.large', instanceCount: 1, sizing: { ...SIZING, maxPayloadInMB: 6 } })).toThrow(
    /^transformStep: the sizing would time out or exceed a limit: a 6 MB mini-batch is about \d+ records, \d+ s to score: more than half the 600 s timeout\.$/,
  );
});
