/**
 * The AutoML step (CreateAutoMLJob, Autopilot's v1 API): Autopilot explores candidate models for a
 * tabular dataset and keeps the best by an objective metric.
 *
 * A pipeline's AutoML step takes only the `ENSEMBLING` mode (the SageMaker Python SDK refuses any
 * other, and drops `ModelDeployConfig` and `GenerateCandidateDefinitionsOnly`), so the job is
 * declared typed ({@link AutoMLJob}) and checked against what the API and the pipeline-definition
 * schema accept before anything is rendered ({@link autoMLProblems}). The job has no network
 * isolation flag: its security is a volume key, inter-container encryption and a VPC. The best
 * candidate has one inference container, read key by key (`BestCandidate.InferenceContainers[0]`),
 * and its reports are properties too (`BestCandidateProperties`).
 */
import { Value } from './expressions';
import { PipelineDefinitionError, RequestStep, StepOptions } from './steps';

export const AUTOML_PROBLEM_TYPES = ['BinaryClassification', 'MulticlassClassification', 'Regression'] as const;
export type AutoMLProblemType = (typeof AUTOML_PROBLEM_TYPES)[number];

/** The objective metrics a pipeline's AutoML step takes (the schema's), by the problem types they suit. */
export const AUTOML_OBJECTIVES: Readonly<Record<string, readonly AutoMLProblemType[]>> = {
  Accuracy: ['BinaryClassification', 'MulticlassClassification'],
  F1macro: ['BinaryClassification', 'MulticlassClassification'],
  F1: ['BinaryClassification'],
  AUC: ['BinaryClassification'],
  MSE: ['Regression'],
};

/** The training data's content types the step takes. */
export const AUTOML_CONTENT_TYPES = ['text/csv;header=present', 'x-application/vnd.amazon+parquet'] as const;

/** CreateAutoMLJob's limits: candidates, and seconds for the job and for each training job. */
export const AUTOML_LIMITS = { maxCandidates: 750, maxRuntimeSeconds: 2592000 } as const;

/** What an AutoML job is asked to do. */
export interface AutoMLJob {
  /** The column to predict. */
  readonly target: string;
  readonly problemType: AutoMLProblemType;
  /** The metric the best candidate maximizes (or, for MSE, minimizes). */
  readonly objective: string;
  /** Candidates Autopilot trains at most. */
  readonly maxCandidates: number;
  /** Seconds the whole job may run. */
  readonly maxRuntimeSeconds: number;
  /**
   * Seconds each training job may run.
   * @default - Autopilot's
   */
  readonly maxRuntimePerTrainingJobSeconds?: number;
  /**
   * The share of the data Autopilot holds out to validate candidates.
   * @default - Autopilot's (0.2)
   */
  readonly validationFraction?: number;
}

/** What is wrong with an AutoML job (empty when nothing). */
export function autoMLProblems(job: AutoMLJob): string[] {
  const problems: string[] = [];
  const whole = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
  if (!job.target || !job.target.trim()) problems.push('the target column is empty; expected the name of the column to predict');
  if (!(AUTOML_PROBLEM_TYPES as readonly string[]).includes(job.problemType)) {
    problems.push(`problem type '${job.problemType}' is not allowed; expected one of ${AUTOML_PROBLEM_TYPES.join(', ')}`);
  }
  const suits = AUTOML_OBJECTIVES[job.objective];
  if (!suits) problems.push(`objective '${job.objective}' is not allowed; expected one of ${Object.keys(AUTOML_OBJECTIVES).join(', ')}`);
  else if (!suits.includes(job.problemType)) problems.push(`objective '${job.objective}' does not suit ${job.problemType}; expected one of ${Object.entries(AUTOML_OBJECTIVES).filter(([, types]) => types.includes(job.problemType)).map(([name]) => name).join(', ')}`);
  if (!whole(job.maxCandidates, 1, AUTOML_LIMITS.maxCandidates)) problems.push(`maxCandidates ${job.maxCandidates} is not allowed; expected a whole number from 1 to ${AUTOML_LIMITS.maxCandidates}`);
  if (!whole(job.maxRuntimeSeconds, 1, AUTOML_LIMITS.maxRuntimeSeconds)) problems.push(`maxRuntimeSeconds ${job.maxRuntimeSeconds} is not allowed; expected a whole number from 1 to ${AUTOML_LIMITS.maxRuntimeSeconds}`);
  const perJob = job.maxRuntimePerTrainingJobSeconds;
  if (perJob !== undefined && !whole(perJob, 1, job.maxRuntimeSeconds)) {
    problems.push(`maxRuntimePerTrainingJobSeconds ${perJob} is not allowed; expected a whole number from 1 to maxRuntimeSeconds (${job.maxRuntimeSeconds})`);
  }
  const fraction = job.validationFraction;
  if (fraction !== undefined && !(fraction > 0 && fraction < 1)) problems.push(`validationFraction ${fraction} is not allowed; expected a number above 0 and below 1`);
  return problems;
}

export interface AutoMLStepProps extends StepOptions {
  readonly job: AutoMLJob;
  readonly roleArn: Value;
  /** The training data: an S3 prefix of CSV files with a header row (or Parquet). */
  readonly inputDataUri: Value;
  /** @default 'text/csv;header=present' */
  readonly contentType?: (typeof AUTOML_CONTENT_TYPES)[number];
  /** Where the job writes its candidates' artifacts and reports. */
  readonly outputPath: Value;
  /** Key of the output and of the jobs' volumes. */
  readonly kmsKeyArn: Value;
  /** The VPC of the jobs Autopilot starts. @default - none */
  readonly vpcConfig?: Value;
}

/** The environment keys of the best candidate's container (those the SageMaker Python SDK reads). */
export const AUTOML_CONTAINER_ENVIRONMENT = [
  'MODEL_NAME',
  'SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT',
  'SAGEMAKER_SUBMIT_DIRECTORY',
  'SAGEMAKER_INFERENCE_SUPPORTED',
  'SAGEMAKER_INFERENCE_OUTPUT',
  'SAGEMAKER_PROGRAM',
] as const;

/** An AutoML step (CreateAutoMLJob) in the ENSEMBLING mode. */
export class AutoMLStep extends RequestStep {
  public readonly type = 'AutoML' as const;
  protected readonly propertyPatterns = [
    /^AutoMLJobName$/,
    /^AutoMLJobArn$/,
    /^AutoMLJobStatus$/,
    /^BestCandidate\.(CandidateName|FinalAutoMLJobObjectiveMetric\.Value)$/,
    /^BestCandidate\.InferenceContainers\[0\]\.(Image|ModelDataUrl)$/,
    /^BestCandidate\.InferenceContainers\[0\]\.Environment\['[A-Z0-9_]+'\]$/,
    /^BestCandidateProperties\.(ModelInsightsJsonReportPath|ExplainabilityJsonReportPath)$/,
  ];
  public readonly job: AutoMLJob;

  constructor(name: string, props: AutoMLStepProps) {
    const problems = autoMLProblems(props.job);
    if (problems.length > 0) throw new PipelineDefinitionError(`Step '${name}': the AutoML job is not allowed: ${problems.join('; ')}.`);
    const { job } = props;
    super(name, {
      ...props,
      request: {
        AutoMLJobConfig: {
          CompletionCriteria: {
            MaxCandidates: job.maxCandidates,
            MaxAutoMLJobRuntimeInSeconds: job.maxRuntimeSeconds,
            ...(job.maxRuntimePerTrainingJobSeconds !== undefined ? { MaxRuntimePerTrainingJobInSeconds: job.maxRuntimePerTrainingJobSeconds } : {}),
          },
          ...(job.validationFraction !== undefined ? { DataSplitConfig: { ValidationFraction: job.validationFraction } } : {}),
          Mode: 'ENSEMBLING',
          SecurityConfig: {
            VolumeKmsKeyId: props.kmsKeyArn,
            EnableInterContainerTrafficEncryption: true,
            ...(props.vpcConfig !== undefined ? { VpcConfig: props.vpcConfig } : {}),
          },
        },
        AutoMLJobObjective: { MetricName: job.objective },
        InputDataConfig: [
          {
            ChannelType: 'training',
            ContentType: props.contentType ?? 'text/csv;header=present',
            CompressionType: 'None',
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: props.inputDataUri } },
            TargetAttributeName: job.target,
          },
        ],
        OutputDataConfig: { S3OutputPath: props.outputPath, KmsKeyId: props.kmsKeyArn },
        ProblemType: job.problemType,
        RoleArn: props.roleArn,
      },
    });
    this.job = job;
  }

  /** The best candidate's inference container: its image and model, and the environment keys given. */
  public bestContainer(environment: readonly string[] = AUTOML_CONTAINER_ENVIRONMENT): { Image: Value; ModelDataUrl: Value; Environment: Record<string, Value> } {
    const path = 'BestCandidate.InferenceContainers[0]';
    return {
      Image: this.property(`${path}.Image`),
      ModelDataUrl: this.property(`${path}.ModelDataUrl`),
      Environment: Object.fromEntries(environment.map((key) => [key, this.property(`${path}.Environment['${key}']`)])),
    };
  }

  /** A report of the best candidate (model insights or explainability, JSON). */
  public bestCandidateReport(kind: 'ModelInsights' | 'Explainability'): Value {
    return this.property(`BestCandidateProperties.${kind}JsonReportPath`);
  }
}
