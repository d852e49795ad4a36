/**
 * What every job of a pipeline shares: its role, key, network, the lake prefix of its artifacts
 * per execution, and the Processing request that runs one of the step scripts.
 */
import {
  ExecutionVariable,
  JobVpc,
  Join,
  networkConfig,
  Parameter,
  PROCESSING_ROOT,
  processingInput,
  Value,
} from '../dsl';

export interface PipelineJobsProps {
  /** The pipeline's id: its artifacts are under `pipelines/<id>/<execution>/`. */
  readonly pipelineId: string;
  /** Role the jobs run as. */
  readonly executionRoleArn: string;
  /** The lake bucket. */
  readonly lakeBucketName: string;
  /** Key of volumes and outputs (the lake key). */
  readonly kmsKeyArn: string;
  /** S3 prefix that holds the step scripts. */
  readonly codeUri: string;
  /** Image the step scripts run in. */
  readonly scriptImageUri: string;
  /** Instance type of the script jobs (a parameter's value, usually). */
  readonly scriptInstanceType: Value;
  /** Subnets and security groups of the jobs that are not network-isolated. */
  readonly vpc?: JobVpc;
}

/** A parameter's value as text (script arguments and hyperparameters are strings). */
export function text(parameter: Parameter): Join {
  return new Join('', [parameter.ref]);
}

/** The jobs' shared settings and the request builders that use them. */
export class PipelineJobs {
  constructor(public readonly props: PipelineJobsProps) {}

  /** `s3://<lake>/pipelines/<id>/<execution id>/<parts...>`. */
  public executionPrefix(...parts: string[]): Join {
    return new Join('/', [`s3://${this.props.lakeBucketName}/pipelines/${this.props.pipelineId}`, new ExecutionVariable('PipelineExecutionId'), ...parts]);
  }

  public network(isolated: boolean): Record<string, Value> {
    return networkConfig(isolated, this.props.vpc);
  }

  /** A ProcessingInput copied to `/opt/ml/processing/input/<name>`. */
  public input(name: string, uri: Value): Value {
    return processingInput(name, uri, `${PROCESSING_ROOT}/input/${name}`);
  }

  /**
   * A CreateProcessingJob request that runs one of the step scripts (shipped in the code input),
   * on one instance unless `instanceCount` says otherwise (a script that reads its share of a
   * sharded input).
   */
  public scriptJob(script: string, args: Value[], inputs: Value[], outputs: Value[], isolated: boolean, instanceCount: Value = 1): Record<string, Value> {
    const { executionRoleArn, kmsKeyArn, scriptImageUri, scriptInstanceType, codeUri } = this.props;
    return {
      RoleArn: executionRoleArn,
      ProcessingResources: {
        ClusterConfig: { InstanceType: scriptInstanceType, InstanceCount: instanceCount, VolumeSizeInGB: 30, VolumeKmsKeyId: kmsKeyArn },
      },
      AppSpecification: {
        ImageUri: scriptImageUri,
        ContainerEntrypoint: ['python3', `${PROCESSING_ROOT}/input/code/${script}`],
        ContainerArguments: args,
      },
      ProcessingInputs: [...inputs, processingInput('code', codeUri, `${PROCESSING_ROOT}/input/code`)],
      ProcessingOutputConfig: { KmsKeyId: kmsKeyArn, Outputs: outputs },
      Environment: { PYTHONUNBUFFERED: '1' },
      NetworkConfig: this.network(isolated),
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    };
  }
}
