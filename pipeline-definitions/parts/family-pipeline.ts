/**
 * What a family's pipeline over the course's raw reviews starts from, whatever it trains: the
 * parameters of the preparation (the library's cleaning rules, balance and split by review id) and
 * of registration, the shared job settings, the gates' engine, and the preparation's arguments;
 * and, for a model a processing container cannot load, the steps after training. A family adds its
 * own parameters and steps (see `families/<family>/pipeline.ts`).
 */
import type { FamilyPipelineBuild } from '../../lib/model-family';
import { DEPLOY_INSTANCE_TYPES, PROCESSING_INSTANCE_TYPES } from '../catalogue';
import { JSON_LINES } from '../contract';
import { ConditionStep, CreateModelStep, ParameterBoolean, ParameterFloat, ParameterInteger, ParameterString, PROCESSING_ROOT, processingInput, processingOutput, ProcessingStep, TransformStep, Value } from '../dsl';
import { GateEngine, gateEngine } from '../gates';
import { PipelineJobs, text } from './jobs';
import { accuracyCondition, Evaluation, modelStep, predictionsEvaluateStep, RegisterOptions, registerStep, TransformSizing, transformStep } from './steps';

/** The parameters every such pipeline has, with the deployed defaults. */
export function reviewPipelineParameters(inputDataUri: string) {
  return {
    inputData: new ParameterString('InputData', inputDataUri),
    processingInstanceType: new ParameterString('ProcessingInstanceType', 'ml.m5.large', PROCESSING_INSTANCE_TYPES),
    trainSplit: new ParameterFloat('TrainSplitPercentage', 0.9),
    validationSplit: new ParameterFloat('ValidationSplitPercentage', 0.05),
    testSplit: new ParameterFloat('TestSplitPercentage', 0.05),
    seed: new ParameterInteger('Seed', 42),
    balanceDataset: new ParameterBoolean('BalanceDataset', true),
    minAccuracy: new ParameterFloat('MinAccuracyValue', 0.33),
    approvalStatus: new ParameterString('ModelApprovalStatus', 'PendingManualApproval', ['PendingManualApproval', 'Approved', 'Rejected']),
    deployInstanceType: new ParameterString('DeployInstanceType', 'ml.m5.large', DEPLOY_INSTANCE_TYPES),
  };
}

export type ReviewPipelineParameters = ReturnType<typeof reviewPipelineParameters>;

/** The shared job settings (scripts on `scriptImageUri`) and the gates' engine of the settings. */
export function reviewPipelineJobs(build: FamilyPipelineBuild, scriptImageUri: string, p: ReviewPipelineParameters): { jobs: PipelineJobs; engine: GateEngine } {
  const jobs = new PipelineJobs({
    pipelineId: build.pipelineId,
    executionRoleArn: build.executionRoleArn,
    lakeBucketName: build.lakeBucketName,
    kmsKeyArn: build.kmsKeyArn,
    codeUri: build.codeUri,
    scriptImageUri,
    scriptInstanceType: p.processingInstanceType.ref,
    vpc: build.options.vpc,
  });
  const managed = build.options.managedQualityServices;
  const engine = gateEngine(managed, {
    jobs,
    quality: build.options.quality,
    modelPackageGroupName: build.modelPackageGroupName,
    gates: build.gates,
    modelMonitorImageUri: managed ? build.managedImage('modelMonitor') : undefined,
  });
  return { jobs, engine };
}

/** The preparation's arguments (the raw input in, the splits' settings) and its raw input. */
export function reviewPreparation(p: ReviewPipelineParameters): { arguments: Value[]; inputs: Value[] } {
  return {
    arguments: [
      '--input-dir', `${PROCESSING_ROOT}/input/data`,
      '--output-dir', `${PROCESSING_ROOT}/output`,
      '--train-split-percentage', text(p.trainSplit),
      '--validation-split-percentage', text(p.validationSplit),
      '--test-split-percentage', text(p.testSplit),
      '--seed', text(p.seed),
      '--balance-dataset', text(p.balanceDataset),
    ],
    inputs: [processingInput('raw-input-data', p.inputData.ref, `${PROCESSING_ROOT}/input/data`)],
  };
}

/**
 * The preparation's outputs of the train and test splits' records, as the library's
 * `reviews.write_records` writes them (`<output>/reviews/<split>/`): the data-quality gate
 * profiles the train split's, batch transform predicts the test split's.
 */
export function reviewRecordOutputs(jobs: PipelineJobs): Value[] {
  return [
    processingOutput('reviews-train', jobs.executionPrefix('processing', 'train-records'), `${PROCESSING_ROOT}/output/reviews/train`),
    processingOutput('reviews-test', jobs.executionPrefix('processing', 'test'), `${PROCESSING_ROOT}/output/reviews/test`),
  ];
}

/** What {@link servedEvaluationAndRegistration} makes of a model's containers. */
export interface ServedEvaluationOptions {
  readonly build: FamilyPipelineBuild;
  readonly jobs: PipelineJobs;
  readonly engine: GateEngine;
  readonly p: ReviewPipelineParameters;
  /** The serving containers, in order (the model and the registered package). */
  readonly containers: readonly Record<string, Value>[];
  /** The preparation, with the records' outputs ({@link reviewRecordOutputs}). */
  readonly preparation: ProcessingStep;
  readonly sizing: TransformSizing;
  /** The registered package's description. */
  readonly description: string;
  /** The model's own reports, registered with it. */
  readonly reports?: RegisterOptions['reports'];
}

/**
 * The steps after training of a model that a processing container cannot load (a built-in
 * algorithm's, an AutoML candidate's), served by its containers: the model, batch transform of the
 * test split through it, the evaluation of those predictions, the accuracy condition, the data- and
 * model-quality gates (the train split's records; the predictions) and registration of the same
 * containers, or Fail.
 */
export function servedEvaluationAndRegistration(options: ServedEvaluationOptions): { model: CreateModelStep; transform: TransformStep; evaluation: Evaluation; condition: ConditionStep } {
  const { jobs, engine, p, build } = options;
  const model = modelStep(jobs, options.containers);
  const transform = transformStep(jobs, { model, input: options.preparation.outputUri('reviews-test'), instanceType: p.deployInstanceType.ref, instanceCount: 1, sizing: options.sizing });
  const evaluation = predictionsEvaluateStep(jobs, {
    description: `Scores the test split's predictions, which the ${options.containers.length > 1 ? `${options.containers.length} containers` : 'model'} answered as an endpoint would`,
    predictions: transform.outputPath(),
  });
  const gates = build.gates;
  const dataQuality = gates.includes('CheckDataQuality') ? engine.gate('CheckDataQuality', { trainingData: options.preparation.outputUri('reviews-train'), preparation: options.preparation }) : undefined;
  const modelQuality = gates.includes('CheckModelQuality') ? engine.gate('CheckModelQuality', { predictions: transform.outputPath() }) : undefined;
  const gateSteps = [dataQuality, modelQuality].flatMap((gate) => (gate ? [gate.step] : []));
  const register = registerStep({
    modelPackageGroupName: build.modelPackageGroupName,
    description: options.description,
    approvalStatus: p.approvalStatus.ref,
    containers: options.containers,
    contentType: JSON_LINES,
    gates: { CheckDataQuality: dataQuality, CheckModelQuality: modelQuality },
    engine,
    evaluation,
    codeVersion: build.codeVersion,
    inputData: p.inputData.ref,
    domain: 'NATURAL_LANGUAGE_PROCESSING',
    task: 'CLASSIFICATION',
    dependsOn: gateSteps,
    reports: options.reports,
  });
  const condition = accuracyCondition(evaluation, p.minAccuracy, [...gateSteps, register]);
  return { model, transform, evaluation, condition };
}
