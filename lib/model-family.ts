/**
 * A model family: one kind of model the platform trains, registers, approves and serves, declared
 * once. From a declaration the platform makes the family's pipeline stacks, its model package
 * group in the registry stack, its approval → deploy path, and — when the settings serve it — its
 * endpoint with monitoring, whose model role may read the family's artifacts and nothing else.
 */
import { ImageName, ManagedImageName } from '../pipeline-definitions/dsl/images';
import { resourceName } from './naming';
import { QualityThresholds } from '../pipeline-definitions/catalogue';
import { JobVpc, PipelineDefinition } from '../pipeline-definitions/dsl';
import type { GateName } from '../pipeline-definitions/gates';
import { PipelineJobKind } from './constructs/pipeline-role';
import { DefinitionStorage } from './constructs/sagemaker-pipeline';

/** What the settings choose for every training pipeline, whatever its family. */
export interface TrainingPipelineOptions {
  /** The quality gates' limits. */
  readonly quality: QualityThresholds;
  /** Run the gates on the managed services too (accounts that still have them). */
  readonly managedQualityServices: boolean;
  readonly explainability: boolean;
  /** Recorded with every registered model; by default the step code's hash. */
  readonly codeVersion?: string;
  readonly spotTraining: boolean;
  readonly definitionStorage: DefinitionStorage;
  /** EventBridge schedule expression that starts the pipelines. */
  readonly schedule?: string;
  /** Start a pipeline when new raw data lands under its raw prefix. */
  readonly startOnNewData: boolean;
  readonly notificationEmail?: string;
  readonly vpc?: JobVpc;
}

/** What a family's pipeline definition is made from: the stack's deploy-time values and the settings' options. */
export interface FamilyPipelineBuild {
  /** The pipeline's id within the stage ({@link FamilyPipeline.id}). */
  readonly pipelineId: string;
  /** Role the jobs run as. */
  readonly executionRoleArn: string;
  /** The lake bucket (the pipeline's artifacts under `pipelines/<pipeline id>/`). */
  readonly lakeBucketName: string;
  /** Key of volumes and outputs (the lake key). */
  readonly kmsKeyArn: string;
  /** S3 prefix of the released step code: the step-code library and the family's code. */
  readonly codeUri: string;
  /** Recorded with every registered model: the `codeVersion` setting, or the release's hash. */
  readonly codeVersion: string;
  /** The S3 URI of a lake prefix. */
  readonly s3Uri: (prefix: string) => string;
  /** An image of the stack's region, of those the pipeline declares ({@link FamilyPipeline.images}). */
  readonly image: (name: ImageName) => string;
  /** A managed service's image of the stack's region (with the managed quality engine). */
  readonly managedImage: (name: ManagedImageName) => string;
  /** The course's reviews feature group. */
  readonly featureGroupName: string;
  /** The family's model package group. */
  readonly modelPackageGroupName: string;
  /** What the settings choose for every training pipeline. */
  readonly options: TrainingPipelineOptions;
  /** The quality gates the pipeline declares ({@link FamilyPipeline.gates}): the definition runs these. */
  readonly gates: readonly GateName[];
}

/**
 * One pipeline of a family, in a stack of its own (`TrainingPipelineStack`), declared: what its
 * definition is, and what its role may do.
 */
export interface FamilyPipeline {
  /**
   * The pipeline's id within the stage: the pipeline is `<prefix>-<id>`, its artifacts, code and
   * reports under `pipelines/<id>/` of the lake.
   */
  readonly id: string;
  /** The stack is `<prefix>-<stackSuffix>`. */
  readonly stackSuffix: string;
  /** The stack's description (after `Practical Data Science platform: `). */
  readonly description: string;
  /** The pipeline's description. */
  readonly pipelineDescription: string;
  /**
   * The family's own step code (a folder of the project), released beside the step-code library.
   * @default - the library alone
   */
  readonly codeDir?: string;
  /** The kinds of SageMaker jobs its steps start. */
  readonly jobKinds: readonly PipelineJobKind[];
  /** The images its jobs run: the role may pull these (and the managed services' with the managed engine). */
  readonly images: readonly ImageName[];
  /**
   * The quality gates its definition runs. With the managed engine, the role may pull the images
   * of these gates' services alone (Debugger for CheckTrainingHealth, Clarify for the bias and
   * explainability gates, Model Monitor for the data- and model-quality gates), and may serve
   * Clarify's shadow endpoint only with CheckExplainability.
   * @default - every gate (QUALITY_GATES)
   */
  readonly gates?: readonly GateName[];
  /** The lake prefixes its jobs read and write, besides its own `pipelines/<id>/`. */
  readonly lake: {
    /** Where its raw data arrives: read, and watched with `pipelineStartOnNewData`. */
    readonly rawPrefix: string;
    /** Read only. */
    readonly reads?: readonly string[];
    /** Read and written. */
    readonly readsWrites?: readonly string[];
  };
  /**
   * Its jobs put records into the course's reviews feature group.
   * @default false
   */
  readonly ingestsReviews?: boolean;
  /** The definition. */
  readonly definition: (build: FamilyPipelineBuild) => PipelineDefinition;
  /**
   * Stack outputs naming lake locations a user fills before the first run (e.g. a pre-trained model).
   * @default - none
   */
  readonly outputs?: readonly { readonly id: string; readonly prefix: string; readonly description: string }[];
}

/** How a family's registered packages are served and watched. */
export interface FamilyServing {
  /**
   * The serving containers' images, in order: one, or those of a serial inference pipeline (the
   * packages name them; the model role may pull them).
   */
  readonly inferenceImages: readonly ImageName[];
  /** The request and response content type of the endpoint (and of data capture). */
  readonly contentType: string;
  /**
   * The image the monitoring pipeline runs the step-code library's monitor in (Python with
   * boto3): it reads the endpoint's capture and the ground truth, and checks them against the
   * served package's baselines.
   * @default - the endpoint is not monitored
   */
  readonly monitoring?: { readonly image: ImageName };
}

/**
 * A pre-trained model a family's pipelines start from. The jobs have no internet access, so it is
 * read from the lake; `npm run seed-model` puts it there from the Hugging Face hub at the declared
 * commit (each file checked against the hash the hub reports) or from a local folder.
 */
export interface PretrainedModel {
  /** The hub repository, as `<owner>/<name>`. */
  readonly repository: string;
  /** The repository's commit (40 hexadecimal digits) the files are taken at. */
  readonly revision: string;
  /** The files the pipelines read (config, weights, tokenizer), as the repository names them. */
  readonly files: readonly string[];
  /** The lake prefix the family's pipelines read the files from (under `models/`, ending with `/`). */
  readonly lakePrefix: string;
}

export interface ModelFamily {
  /** Lowercase letters, digits and hyphens: the model package group is `<prefix>-<id>`. */
  readonly id: string;
  /** What the family's model package group says of its models. */
  readonly description: string;
  /** Tags of the model package group. */
  readonly tags: Readonly<Record<string, string>>;
  /** The family's pipelines; all register into the family's model package group. */
  readonly pipelines: readonly FamilyPipeline[];
  /** Lake prefixes of the registered packages' artifacts and baselines: all the serving model role may read. */
  readonly artifactsPrefixes: readonly string[];
  readonly serving: FamilyServing;
  /**
   * The pre-trained model the family's pipelines read from the lake.
   * @default - none
   */
  readonly pretrainedModel?: PretrainedModel;
  /**
   * The id of a registry-stack output naming its model package group (e.g. the output a deployed
   * platform already has for it).
   * @default - no output
   */
  readonly groupOutputId?: string;
  /**
   * The names the family's serving had before there were families — stack `<prefix>-serving`,
   * parameters `/<prefix>/serving/champion-model-package-arn`, monitoring pipeline
   * `<prefix>-endpoint-monitor` — kept so a deployed platform updates in place (the first family's).
   * @default false
   */
  readonly keepsFirstNames?: boolean;
}

/** Family ids: what a model package group name can carry after `<prefix>-`. */
export const FAMILY_ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The names one family's serving goes by. */
export interface FamilyServingNames {
  /** The serving stack. */
  readonly stackName: string;
  /** The endpoint's name within the stage (the prefix goes in front). */
  readonly endpointId: string;
  /** The monitoring pipeline's id within the stage (also its lake prefix under `pipelines/`). */
  readonly monitorId: string;
  readonly championParameterName: string;
  readonly challengerParameterName: string;
}

/** The physical name of a family's endpoint: `<prefix>-<endpointId>`. */
export function familyEndpointName(namePrefix: string, names: FamilyServingNames): string {
  return resourceName(namePrefix, names.endpointId, 63);
}

/** Where a family is served from: the first names for the family that keeps them, `<…>-<family>` for the others. */
export function familyServingNames(namePrefix: string, family: ModelFamily): FamilyServingNames {
  const first = family.keepsFirstNames ?? false;
  const parameter = (role: 'champion' | 'challenger') => `/${namePrefix}/serving/${first ? '' : `${family.id}/`}${role}-model-package-arn`;
  return {
    stackName: first ? `${namePrefix}-serving` : `${namePrefix}-serving-${family.id}`,
    endpointId: family.id,
    monitorId: first ? 'endpoint-monitor' : `${family.id}-monitor`,
    championParameterName: parameter('champion'),
    challengerParameterName: parameter('challenger'),
  };
}
