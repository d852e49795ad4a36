/**
 * The Autopilot family: its pipeline (the AutoML step in the ENSEMBLING mode with the configured
 * search, the model and the registered package a serial inference pipeline of three containers
 * around the best candidate, Autopilot's reports registered), its roles' image pulls (the images
 * Autopilot chooses at run time included), and every bad search refused before any template is
 * written, naming the setting, the value and what is allowed.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AutoMLStep } from '../../../dsl';
import { renderAssembly } from '../../../rendering/render';
import { allSteps, assemblyFor, buildApp, configErrorOf, roleStatements } from '../../../../test/helpers';

const ID = 'autopilot-sentiment';

function definitionFor(context: Record<string, string> = {}): any {
  return renderAssembly(assemblyFor(context)).find((p) => p.id === ID)!.definition;
}

/** The ECR repositories a role's statements let it pull. */
function pulledRepositories(statements: readonly any[]): string[] {
  const pulls = JSON.stringify(statements.filter((s) => [s.Action].flat().includes('ecr:BatchGetImage')));
  return [...new Set([...pulls.matchAll(/:repository\/([a-z0-9-]+)/g)].map((m) => m[1]))].sort();
}

const candidate = (property: string) => ({ Get: `Steps.AutoML.BestCandidate.InferenceContainers[0].${property}` });

describe('the Autopilot pipeline', () => {
  const definition = definitionFor();
  const steps = allSteps(definition.Steps);
  const byName = (name: string) => steps.find((s) => s.Name === name);

  test('its steps: preparation, adapters, the AutoML job, the three-container model, transform, evaluation, the data- and model-quality gates, registration', () => {
    expect(steps.map((s) => s.Name)).toEqual([
      'Processing', 'PackageAdapters', 'AutoML', 'CreateModel', 'Transform', 'EvaluateModel', 'AccuracyCondition', 'CheckDataQuality', 'CheckModelQuality', 'RegisterModel', 'AccuracyTooLow',
    ]);
  });

  test('the AutoML job: ENSEMBLING, sentiment as a multiclass target by accuracy, dev\'s small search, encrypted, no field the pipeline refuses', () => {
    const automl = byName('AutoML');
    expect(automl.Type).toBe('AutoML');
    const args = automl.Arguments;
    expect(args.AutoMLJobConfig).toMatchObject({
      Mode: 'ENSEMBLING',
      CompletionCriteria: { MaxCandidates: 3, MaxAutoMLJobRuntimeInSeconds: 3600 },
      SecurityConfig: { EnableInterContainerTrafficEncryption: true, VolumeKmsKeyId: expect.anything() },
    });
    expect(args).toMatchObject({ ProblemType: 'MulticlassClassification', AutoMLJobObjective: { MetricName: 'Accuracy' } });
    expect(args.InputDataConfig).toEqual([
      expect.objectContaining({ ChannelType: 'training', ContentType: 'text/csv;header=present', TargetAttributeName: 'sentiment' }),
    ]);
    expect(JSON.stringify(args.InputDataConfig)).toContain('Steps.Processing.ProcessingOutputConfig.Outputs[\'automl-input\']');
    expect(args.OutputDataConfig.KmsKeyId).toBeDefined();
    for (const member of ['ModelDeployConfig', 'GenerateCandidateDefinitionsOnly', 'AutoMLJobName']) expect(args).not.toHaveProperty(member);
  });

  test('the model and the package: the best candidate between the adapters, asked for every label\'s probability', () => {
    const model = byName('CreateModel').Arguments;
    expect(model.InferenceExecutionConfig).toEqual({ Mode: 'Serial' });
    const [request, best, response] = model.Containers;
    expect(request.Environment).toMatchObject({ SAGEMAKER_PROGRAM: 'request_adapter.py', SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: 'text/csv' });
    expect(response.Environment.SAGEMAKER_PROGRAM).toBe('response_adapter.py');
    expect(best.Image).toEqual(candidate('Image'));
    expect(best.ModelDataUrl).toEqual(candidate('ModelDataUrl'));
    expect(best.Environment).toEqual({
      MODEL_NAME: candidate("Environment['MODEL_NAME']"),
      SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: 'text/csv',
      SAGEMAKER_SUBMIT_DIRECTORY: candidate("Environment['SAGEMAKER_SUBMIT_DIRECTORY']"),
      SAGEMAKER_INFERENCE_SUPPORTED: candidate("Environment['SAGEMAKER_INFERENCE_SUPPORTED']"),
      SAGEMAKER_INFERENCE_OUTPUT: 'predicted_label,probability,probabilities,labels',
      SAGEMAKER_PROGRAM: candidate("Environment['SAGEMAKER_PROGRAM']"),
    });
    const register = byName('RegisterModel').Arguments;
    expect(register.InferenceSpecification.Containers).toEqual(model.Containers);
    expect(register.ModelMetrics.Explainability).toEqual({ Report: { ContentType: 'application/json', S3Uri: { Get: 'Steps.AutoML.BestCandidateProperties.ExplainabilityJsonReportPath' } } });
    expect(register.CustomerMetadataProperties.automl_job).toEqual({ Get: 'Steps.AutoML.AutoMLJobName' });
    expect(Object.keys(register.DriftCheckBaselines).sort()).toEqual(['ModelDataQuality', 'ModelQuality']);
  });

  test('the search is the autopilot setting\'s', () => {
    const args = allSteps(definitionFor({ autopilot: '{"maxCandidates": 7}' }).Steps).find((s) => s.Name === 'AutoML').Arguments;
    expect(args.AutoMLJobConfig.CompletionCriteria).toEqual({ MaxCandidates: 7, MaxAutoMLJobRuntimeInSeconds: 3600 });
  });
});

describe('the Autopilot family\'s roles', () => {
  const { platform } = buildApp({ servingFamilies: ID });
  const family = platform.families[ID];

  test('its pipeline role may run the AutoML job and pull the images Autopilot chooses at run time', () => {
    expect(family.pipelines.map((s) => s.stackName)).toEqual(['pds-dev-autopilot-pipeline']);
    const statements = roleStatements(Template.fromStack(family.pipelines[0]), 'Role[0-9A-F]{8}$');
    expect(pulledRepositories(statements)).toEqual(['autogluon-inference', 'autogluon-training', 'huggingface-pytorch-inference', 'sagemaker-scikit-learn']);
    const automl = statements.find((s) => [s.Action].flat().includes('sagemaker:CreateAutoMLJob'));
    expect([automl.Action].flat()).toEqual(expect.arrayContaining(['sagemaker:CreateAutoMLJob', 'sagemaker:DescribeAutoMLJob', 'sagemaker:StopAutoMLJob']));
    expect([automl.Action].flat()).not.toContain('sagemaker:CreateAutoMLJobV2');
    expect(JSON.stringify(automl.Resource)).toContain(':automl-job/*');
  });

  test('served, its model role pulls the adapters\' image and the candidate\'s repository, and reads its own artifacts', () => {
    const statements = roleStatements(Template.fromStack(family.serving!), 'ModelRole');
    expect(pulledRepositories(statements)).toEqual(['autogluon-inference', 'huggingface-pytorch-inference']);
    expect(JSON.stringify(statements)).toContain('pipelines/autopilot-sentiment/');
  });
});

describe('bad Autopilot searches', () => {
  test.each([
    ['{"maxCandidates": 0}', 'maxCandidates 0 is not a whole number from 1 to 750'],
    ['{"maxCandidates": 751}', 'maxCandidates 751 is not a whole number from 1 to 750'],
    ['{"maxRuntimeSeconds": 60}', 'maxRuntimeSeconds 60 is not a whole number of seconds from 600 to 2592000'],
    ['{"mode": "HYPERPARAMETER_TUNING"}', 'unknown key \'mode\''],
  ])('%s is refused, naming the setting, the value and what is allowed', (value, problem) => {
    const message = configErrorOf({ autopilot: value });
    expect(message).toContain('autopilot');
    expect(message).toContain(problem);
  });

  test('the AutoML step refuses what the API would, naming each problem', () => {
    const make = (job: Record<string, unknown>) => () =>
      new AutoMLStep('AutoML', {
        job: { target: 'sentiment', problemType: 'MulticlassClassification', objective: 'Accuracy', maxCandidates: 3, maxRuntimeSeconds: 3600, ...job } as any,
        roleArn: 'arn:aws:iam::111122223333:role/r',
        inputDataUri: 's3://lake/in/',
        outputPath: 's3://lake/out/',
        kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
      });
    expect(make({ objective: 'AUC' })).toThrow("objective 'AUC' does not suit MulticlassClassification; expected one of Accuracy, F1macro");
    expect(make({ objective: 'Recall' })).toThrow("objective 'Recall' is not allowed");
    expect(make({ maxRuntimePerTrainingJobSeconds: 7200 })).toThrow('maxRuntimePerTrainingJobSeconds 7200 is not allowed; expected a whole number from 1 to maxRuntimeSeconds (3600)');
    expect(make({ target: ' ' })).toThrow('the target column is empty');
    expect(make({ validationFraction: 1 })).toThrow('validationFraction 1 is not allowed');
  });
});
