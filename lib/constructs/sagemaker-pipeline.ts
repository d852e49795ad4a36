import * as crypto from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PipelineDefinition } from '../../pipeline-definitions/dsl';
import { DELIVERY_MARKER } from '../lake-layout';
import { ILakeStorage } from './data-lake-storage';
import { LakeFolderUpload } from './lake-folder-upload';
import { PipelineStart } from './pipeline-start';
import { PipelineRole, PipelineRoleProps } from './pipeline-role';

/**
 * Definitions longer than this (in characters of JSON) go to S3 under `auto` storage, keeping each
 * template far below CloudFormation's 1 MB limit.
 */
export const INLINE_DEFINITION_LIMIT = 100_000;

/** SageMaker pipeline names: `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$`. */
const PIPELINE_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;

/** Where CloudFormation reads a pipeline definition from. */
export type DefinitionStorage = 'auto' | 'inline' | 's3';

/** What a definition is built from: values the construct makes. */
export interface PipelineDefinitionContext {
  /** The ARN of the pipeline's role (it runs the jobs too). */
  readonly roleArn: string;
  /** The S3 URI of the uploaded step code (ends with a slash). */
  readonly codeUri: string;
}

export interface SageMakerPipelineProps {
  /** Name of the pipeline. */
  readonly pipelineName: string;
  /** What the pipeline does. */
  readonly description: string;
  /** What the pipeline's role may do: the kinds of jobs, the images, the key and the VPC of its jobs. */
  readonly role: Omit<PipelineRoleProps, 'pipelineName'>;
  /** The lake the step code (and an S3-stored definition) is uploaded to. */
  readonly storage: ILakeStorage;
  /** The step code: what to upload, the lake prefix it lands under, the upload's log group. */
  readonly code: {
    readonly sources: s3deploy.ISource[];
    /** Lake prefix of the release (ending with a slash). */
    readonly prefix: string;
    readonly logGroupName: string;
  };
  /** The definition, made once the role and the code's location are known. */
  readonly definition: (context: PipelineDefinitionContext) => PipelineDefinition;
  /**
   * Where CloudFormation reads the definition from: `inline` in the template, `s3` (a file in the
   * release, deploy-time values filled in at deploy time), or `auto` (s3 above
   * {@link INLINE_DEFINITION_LIMIT} characters).
   * @default 'auto'
   */
  readonly definitionStorage?: DefinitionStorage;
  /**
   * An EventBridge schedule expression that starts the pipeline with its default parameters.
   * @default - started on demand only
   */
  readonly schedule?: string;
  /**
   * Start the pipeline when a delivery under this lake prefix completes: when its marker object
   * ({@link DELIVERY_MARKER}, written last) is created at the prefix or in a folder under it, so a
   * delivery of many files starts one execution (the bucket must send its events to EventBridge).
   * @default - not started by new data
   */
  readonly startOnNewDataUnder?: string;
  /**
   * Told when an execution fails.
   * @default - nobody is told
   */
  readonly failureTopic?: sns.ITopic;
}

/**
 * A SageMaker pipeline with what it needs to run: its role (no managed policies; see
 * {@link PipelineRole}), its step code uploaded to the lake, its definition inline or in S3, an
 * optional schedule and start on new data, and failure notifications. Data, feature groups and
 * model package groups are granted to {@link role} by their owners.
 */
export class SageMakerPipeline extends Construct {
  public readonly pipeline: sagemaker.CfnPipeline;
  public readonly pipelineName: string;
  public readonly pipelineArn: string;
  public readonly role: iam.Role;
  /** The S3 URI of the uploaded step code. */
  public readonly codeUri: string;
  /** Where CloudFormation reads the definition from. */
  public readonly definitionStorage: 'inline' | 's3';
  /** Length of the definition in characters of JSON (deploy-time values as CloudFormation renders them). */
  public readonly definitionChars: number;
  /** The rendered definition. */
  public readonly definition: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: SageMakerPipelineProps) {
    super(scope, id);
    const { storage } = props;
    if (!Token.isUnresolved(props.pipelineName) && !PIPELINE_NAME_PATTERN.test(props.pipelineName)) {
      throw new Error(`SageMakerPipeline: pipelineName '${props.pipelineName}' is not allowed; expected 1 to 256 letters, digits and hyphens.`);
    }
    if (!props.code.prefix.endsWith('/')) {
      throw new Error(`SageMakerPipeline: code.prefix '${props.code.prefix}' must end with a slash.`);
    }
    const stack = Stack.of(this);
    this.pipelineName = props.pipelineName;
    // SageMaker's pipeline ARNs are lower case; a token is taken as it is.
    const arnName = Token.isUnresolved(props.pipelineName) ? props.pipelineName : props.pipelineName.toLowerCase();
    this.pipelineArn = stack.formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: arnName });
    this.role = new PipelineRole(this, 'Role', { pipelineName: props.pipelineName, ...props.role }).role;
    this.codeUri = storage.s3Uri(props.code.prefix);

    this.definition = props.definition({ roleArn: this.role.roleArn, codeUri: this.codeUri }).render();
    const resolved = JSON.stringify(stack.resolve(this.definition));
    this.definitionChars = resolved.length;
    const storageChoice = props.definitionStorage ?? 'auto';
    this.definitionStorage = storageChoice === 'auto' ? (resolved.length > INLINE_DEFINITION_LIMIT ? 's3' : 'inline') : storageChoice;

    // One upload for the release: the step code and, when stored in S3, the definition (with
    // deploy-time values filled in at deploy time, under a name that changes with it).
    const sources = [...props.code.sources];
    // As CloudFormation spells it: the L1 type knows only the body.
    let pipelineDefinition: Record<string, unknown>;
    if (this.definitionStorage === 's3') {
      const key = `definitions/${crypto.createHash('sha256').update(resolved).digest('hex').slice(0, 32)}.json`;
      sources.push(s3deploy.Source.jsonData(key, this.definition));
      pipelineDefinition = { PipelineDefinitionS3Location: { Bucket: storage.bucket.bucketName, Key: `${props.code.prefix}${key}` } };
    } else {
      pipelineDefinition = { PipelineDefinitionBody: stack.toJsonString(this.definition) };
    }
    const release = new LakeFolderUpload(this, 'Code', {
      storage,
      sources,
      destinationPrefix: props.code.prefix,
      description: `Uploads the step code of pipeline ${props.pipelineName} to the lake`,
      logGroupName: props.code.logGroupName,
    });

    this.pipeline = new sagemaker.CfnPipeline(this, 'Resource', {
      pipelineName: props.pipelineName,
      pipelineDisplayName: props.pipelineName,
      pipelineDescription: props.description,
      roleArn: this.role.roleArn,
      pipelineDefinition,
    });
    this.pipeline.node.addDependency(this.role.node.findChild('DefaultPolicy'));
    this.pipeline.node.addDependency(release);

    const starter = new PipelineStart(this.pipelineArn);
    if (props.schedule) {
      new events.Rule(this, 'Schedule', {
        description: `Starts ${props.pipelineName} on schedule`,
        schedule: events.Schedule.expression(props.schedule),
        targets: [starter],
      });
    }
    if (props.startOnNewDataUnder !== undefined) {
      new events.Rule(this, 'OnNewData', {
        description: `Starts ${props.pipelineName} once per delivery under ${props.startOnNewDataUnder}: when its ${DELIVERY_MARKER} marker is written`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: { bucket: { name: [storage.bucket.bucketName] }, object: { key: deliveryMarkerKeys(props.startOnNewDataUnder) } },
        },
        targets: [starter],
      });
    }
    if (props.failureTopic) {
      // Named only when it is this stack's: another stack's topic name would be a cross-stack reference.
      const topic = Stack.of(props.failureTopic) === stack ? props.failureTopic.topicName : 'the failure topic';
      new events.Rule(this, 'OnFailure', {
        description: `Tells ${topic} when an execution of ${props.pipelineName} fails`,
        eventPattern: {
          source: ['aws.sagemaker'],
          detailType: ['SageMaker Model Building Pipeline Execution Status Change'],
          detail: { currentPipelineExecutionStatus: ['Failed'], pipelineArn: [this.pipelineArn] },
        },
        targets: [new targets.SnsTopic(props.failureTopic)],
      });
    }
  }
}

/**
 * The EventBridge pattern of the object keys that mark a complete delivery under a prefix: the
 * marker at the prefix itself, or in any folder under it (a wildcard's `*` spans slashes).
 */
export function deliveryMarkerKeys(prefix: string): unknown[] {
  if (!prefix.endsWith('/') || /[*\\]/.test(prefix)) {
    throw new Error(`SageMakerPipeline: startOnNewDataUnder '${prefix}' is not allowed; expected a lake prefix ending with a slash, without * or \\.`);
  }
  return [`${prefix}${DELIVERY_MARKER}`, { wildcard: `${prefix}*/${DELIVERY_MARKER}` }];
}
