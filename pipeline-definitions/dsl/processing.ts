/**
 * The parts of a CreateProcessingJob request that every Processing step of the pipelines spells
 * the same way: S3 inputs and outputs, and the network settings.
 */
import { Value } from './expressions';

/** Where a processing container finds its inputs and leaves its outputs. */
export const PROCESSING_ROOT = '/opt/ml/processing';

/**
 * How a ProcessingInput is spread over the job's instances: every instance gets every object
 * (`FullyReplicated`), or each a share of the objects (`ShardedByS3Key`).
 */
export type S3DataDistribution = 'FullyReplicated' | 'ShardedByS3Key';

/** A ProcessingInput: an S3 prefix copied to `localPath` before the job starts (in full, by default). */
export function processingInput(name: string, uri: Value, localPath: string, distribution: S3DataDistribution = 'FullyReplicated'): Value {
  return {
    InputName: name,
    AppManaged: false,
    S3Input: { S3Uri: uri, LocalPath: localPath, S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: distribution, S3CompressionType: 'None' },
  };
}

/**
 * A ProcessingOutput: `localPath` uploaded to an S3 prefix when the job ends (`EndOfJob`), or
 * each file as it is written (`Continuous`: for what a failing job must still leave behind).
 */
export function processingOutput(name: string, uri: Value, localPath: string, mode: 'EndOfJob' | 'Continuous' = 'EndOfJob'): Value {
  return {
    OutputName: name,
    AppManaged: false,
    S3Output: { S3Uri: uri, LocalPath: localPath, S3UploadMode: mode },
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
