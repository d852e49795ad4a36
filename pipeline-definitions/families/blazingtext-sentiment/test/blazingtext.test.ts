/**
 * The BlazingText family: its pipeline (built-in BlazingText with the configured hyperparameters,
 * a validation channel only with early stopping, the model and the registered package a serial
 * inference pipeline of three containers), its role's image pulls, its serving role's, and every
 * bad hyperparameter refused before any template is written, naming the setting, the value and
 * what is allowed.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { renderAssembly } from '../../../rendering/render';
import { allSteps, assemblyFor, buildApp, configErrorOf, roleStatements } from '../../../../test/helpers';

const ID = 'blazingtext-sentiment';

function definitionFor(context: Record<string, string> = {}): any {
  return renderAssembly(assemblyFor(context)).find((p) => p.id === ID)!.definition;
}

/** The ECR repositories a role's statements let it pull. */
function pulledRepositories(statements: readonly any[]): string[] {
  const pulls = JSON.stringify(statements.filter((s) => [s.Action].flat().includes('ecr:BatchGetImage')));
  return [...new Set([...pulls.matchAll(/:repository\/([a-z0-9-]+)/g)].map((m) => m[1]))].sort();
}

describe('the BlazingText pipeline', () => {
  const definition = definitionFor();
  const steps = allSteps(definition.Steps);
  const byName = (name: string) => steps.find((s) => s.Name === name);

  test('its steps: preparation, adapters, training, the three-container model, transform, evaluation, the data- and model-quality gates, registration', () => {
    expect(steps.map((s) => s.Name)).toEqual([
      'Processing', 'PackageAdapters', 'Train', 'CreateModel', 'Transform', 'EvaluateModel', 'AccuracyCondition', 'CheckDataQuality', 'CheckModelQuality', 'RegisterModel', 'AccuracyTooLow',
    ]);
  });

  test('it trains the region\'s BlazingText image in supervised mode with BlazingText\'s defaults, without a validation channel', () => {
    const train = byName('Train').Arguments;
    expect(train.AlgorithmSpecification).toEqual({ TrainingImage: expect.stringMatching(/\.dkr\.ecr\..*\/blazingtext:1$/), TrainingInputMode: 'File' });
    expect(train.HyperParameters).toEqual({ mode: 'supervised', epochs: '5', learning_rate: '0.05', word_ngrams: '2', vector_dim: '100', min_count: '5' });
    expect(train.InputDataConfig.map((c: any) => [c.ChannelName, c.ContentType])).toEqual([['train', 'text/plain']]);
    expect(train).toMatchObject({ EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: true });
    expect(train.OutputDataConfig.KmsKeyId).toBeDefined();
    expect(train.ResourceConfig.VolumeKmsKeyId).toBeDefined();
  });

  test('the model and the registered package are the same three containers, each hop saying what it answers', () => {
    const model = byName('CreateModel').Arguments;
    expect(model.InferenceExecutionConfig).toEqual({ Mode: 'Serial' });
    expect(model.EnableNetworkIsolation).toBe(true);
    const containers = model.Containers;
    expect(containers.map((c: any) => c.Image.replace(/^.*\//, ''))).toEqual([
      'huggingface-pytorch-inference:2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04',
      'blazingtext:1',
      'huggingface-pytorch-inference:2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04',
    ]);
    expect(containers.map((c: any) => c.Environment.SAGEMAKER_PROGRAM)).toEqual(['request_adapter.py', undefined, 'response_adapter.py']);
    expect(containers.map((c: any) => c.Environment.SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT)).toEqual(['application/json', 'application/json', undefined]);
    // The adapters' code travels in the archive the PackageAdapters step builds.
    expect(JSON.stringify(containers[0].ModelDataUrl)).toContain('Steps.PackageAdapters.ProcessingOutputConfig.Outputs[\'code-package\']');
    expect(JSON.stringify(containers[1].ModelDataUrl)).toContain('Steps.Train.ModelArtifacts.S3ModelArtifacts');
    const register = byName('RegisterModel').Arguments;
    expect(register.InferenceSpecification.Containers).toEqual(containers);
    expect(register.InferenceSpecification.SupportedContentTypes).toEqual(['application/jsonlines']);
    expect(Object.keys(register.ModelMetrics).sort()).toEqual(['ModelDataQuality', 'ModelQuality']);
  });

  test('batch transform sends and accepts JSON Lines, and evaluation reads its predictions', () => {
    const transform = byName('Transform').Arguments;
    expect(transform.TransformInput.ContentType).toBe('application/jsonlines');
    expect(transform.TransformOutput.Accept).toBe('application/jsonlines');
    const evaluate = byName('EvaluateModel').Arguments;
    expect(JSON.stringify(evaluate.ProcessingInputs)).toContain('Steps.Transform.TransformOutput.S3OutputPath');
  });

  test('with early stopping, the validation split is a channel and early stopping\'s hyperparameters are set', () => {
    const train = allSteps(definitionFor({ blazingTextHyperparameters: '{"early_stopping": true, "patience": 2, "epochs": 20}' }).Steps).find((s) => s.Name === 'Train').Arguments;
    expect(train.InputDataConfig.map((c: any) => c.ChannelName)).toEqual(['train', 'validation']);
    expect(train.HyperParameters).toMatchObject({ epochs: '20', early_stopping: 'True', patience: '2', min_epochs: '5' });
  });
});

describe('the BlazingText family\'s roles', () => {
  const { platform } = buildApp({ servingFamilies: ID });
  const family = platform.families[ID];

  test('its pipeline role pulls the scripts\', the adapters\' and the algorithm\'s images', () => {
    expect(family.pipelines.map((s) => s.stackName)).toEqual(['pds-dev-blazingtext-pipeline']);
    const template = Template.fromStack(family.pipelines[0]);
    expect(pulledRepositories(roleStatements(template, 'Role[0-9A-F]{8}$'))).toEqual(['blazingtext', 'huggingface-pytorch-inference', 'sagemaker-scikit-learn']);
    // The algorithm's registry account comes from the region map.
    expect(template.toJSON().Mappings.ImageRegistries['us-east-1'].blazingtext).toBe('811284229777');
  });

  test('served, its model role pulls the adapters\' image and BlazingText\'s, and reads its own artifacts', () => {
    const serving = Template.fromStack(family.serving!);
    const statements = roleStatements(serving, 'ModelRole');
    expect(pulledRepositories(statements)).toEqual(['blazingtext', 'huggingface-pytorch-inference']);
    expect(JSON.stringify(statements)).toContain('pipelines/blazingtext-sentiment/');
  });
});

describe('bad BlazingText hyperparameters', () => {
  test.each([
    ['{"epochs": 0}', 'epochs 0 is not a whole number from 1 to 1000'],
    ['{"learning_rate": 0}', 'learning_rate 0 is not a number above 0, at most 1'],
    ['{"word_ngrams": 2.5}', 'word_ngrams 2.5 is not a whole number from 1 to 5'],
    ['{"early_stopping": "yes"}', 'early_stopping \'yes\' is not true or false'],
    ['{"buckets": 10}', 'unknown key \'buckets\''],
  ])('%s is refused, naming the setting, the value and what is allowed', (value, problem) => {
    const message = configErrorOf({ blazingTextHyperparameters: value });
    expect(message).toContain('blazingTextHyperparameters');
    expect(message).toContain(problem);
  });
});

describe('serving the BlazingText family', () => {
  test('the serverless profile is refused: Serverless Inference hosts one container, not a serial inference pipeline', () => {
    expect(() => buildApp({ servingFamilies: ID, servingProfile: 'serverless' })).toThrow(
      "Invalid context value 'servingProfile': serverless cannot serve 'blazingtext-sentiment' (a serial inference pipeline of 3 containers); Serverless Inference hosts one container. Expected instance, or a servingFamilies without it.",
    );
  });
});
