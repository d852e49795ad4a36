/**
 * The parts of a CreateProcessingJob request that every Processing step of the pipelines spells
 * the same way: S3 inputs and outputs, and the network settings.
 */
import { Value } from './expressions';

/** Where a processing container finds its inputs and leaves its outputs. */
export const PROCESSING_ROOT = '/opt/ml/processing';

/** A ProcessingInput: an S3 prefix copied in full to `localPath` before the job starts. */
export function processingInput(name: string, uri: Value, localPath: string): Value {
  return {
    InputName: name,
    AppManaged: false,
    S3Input: { S3Uri: uri, LocalPath: localPath, S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated', S3CompressionType: 'None' },
  };
}

/** A ProcessingOutput: `localPath` uploaded to an S3 prefix when the job ends. */
export function processingOutput(name: string, uri: Value, localPath: string): Value {
  return {
    OutputName: name,
    AppManaged: false,
    S3Output: { S3Uri: uri, LocalPath: localPath, S3UploadMode: 'EndOfJob' },
  };
}

/** Subnets and security groups of the jobs that are not network-isolated. */
export interface JobVpc {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

/**
 * A job's NetworkConfig: traffic between its instances encrypted; isolated, or (when not) in the
 * given subnets.
 */
export function networkConfig(isolated: boolean, vpc?: JobVpc): Record<string, Value> {
  return {
    EnableInterContainerTrafficEncryption: true,
    EnableNetworkIsolation: isolated,
    ...(vpc && !isolated ? { VpcConfig: { Subnets: [...vpc.subnetIds], SecurityGroupIds: [...vpc.securityGroupIds] } } : {}),
  };
}
