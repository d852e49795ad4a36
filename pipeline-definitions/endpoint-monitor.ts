/**
 * The endpoint-monitoring pipeline: Model Monitor's two checks for any account, on plain
 * Processing jobs that run the quality-gates code (`monitor.py`).
 *
 * For each served variant, `DataDrift-<variant>` compares the captured requests and predictions of
 * the last `DataWindowHours` with the data-quality baseline registered with the variant's model
 * package, and `ModelQuality-<variant>` scores the predictions of the last
 * `GroundTruthWindowHours` that have a label in the ground-truth prefix against the package's
 * model-quality constraints. Both write Model Monitor's report files and publish CloudWatch
 * metrics ({@link MONITOR_METRIC_NAMESPACE}, dimensions Endpoint and Variant) that alarms watch;
 * violations do not fail the execution, errors do.
 */
import { PROCESSING_INSTANCE_TYPES } from './catalogue';
import {
  ExecutionVariable,
  Join,
  JobVpc,
  networkConfig,
  ParameterInteger,
  ParameterString,
  PipelineDefinition,
  PROCESSING_ROOT,
  processingInput,
  processingOutput,
  ProcessingStep,
  Value,
} from './dsl';
import { checkInstanceTypes } from './dsl/instance-types';

/** Name of the monitoring pipeline within a stage (the stage's prefix goes in front). */
export const ENDPOINT_MONITOR_ID = 'endpoint-monitor';

export { MONITOR_METRIC_NAMESPACE, MONITOR_METRICS } from './contract';
export type { MonitorMetricName } from './contract';

/** A served variant and the model package whose baselines it is checked against. */
export interface MonitoredVariant {
  readonly variantName: string;
  readonly modelPackageArn: string;
}

export interface EndpointMonitorProps {
  /** @default ENDPOINT_MONITOR_ID */
  readonly pipelineId?: string;
  readonly executionRoleArn: string;
  /** The lake bucket (reports under `pipelines/<pipeline id>/`). */
  readonly lakeBucketName: string;
  /** Key of volumes and outputs (the lake key). */
  readonly kmsKeyArn: string;
  /** S3 prefix that holds the step scripts. */
  readonly codeUri: string;
  /** Image the checks run in (Python with boto3: the pipelines' processing image). */
  readonly imageUri: string;
  readonly endpointName: string;
  readonly variants: readonly MonitoredVariant[];
  /** The endpoint's capture folder, `s3://<lake>/data-capture/<endpoint>/`. */
  readonly captureUri: string;
  /** The endpoint's ground-truth folder, `s3://<lake>/ground-truth/<endpoint>/`. */
  readonly groundTruthUri: string;
  /** Subnets and security groups of the jobs (they call AWS APIs, so they are not isolated). */
  readonly vpc?: JobVpc;
}

/** The monitoring pipeline's definition. */
export function endpointMonitorPipeline(props: EndpointMonitorProps): PipelineDefinition {
  checkInstanceTypes('ProcessingInstanceType', PROCESSING_INSTANCE_TYPES, true);
  const pipelineId = props.pipelineId ?? ENDPOINT_MONITOR_ID;
  const p = {
    processingInstanceType: new ParameterString('ProcessingInstanceType', 'ml.m5.large', PROCESSING_INSTANCE_TYPES),
    dataWindowHours: new ParameterInteger('DataWindowHours', 1),
    groundTruthWindowHours: new ParameterInteger('GroundTruthWindowHours', 24),
  };
  const text = (value: Value): Join => new Join('', [value]);

  const check = (name: string, command: string, variant: MonitoredVariant, args: Value[], description: string): ProcessingStep => {
    const output = new Join('/', [`s3://${props.lakeBucketName}/pipelines/${pipelineId}`, new ExecutionVariable('PipelineExecutionId'), variant.variantName, command]);
    return new ProcessingStep(`${name}-${variant.variantName}`, {
      description,
      request: {
        RoleArn: props.executionRoleArn,
        ProcessingResources: {
          ClusterConfig: { InstanceType: p.processingInstanceType.ref, InstanceCount: 1, VolumeSizeInGB: 20, VolumeKmsKeyId: props.kmsKeyArn },
        },
        AppSpecification: {
          ImageUri: props.imageUri,
          ContainerEntrypoint: ['python3', `${PROCESSING_ROOT}/input/code/monitor.py`],
          ContainerArguments: [
            command,
            '--endpoint-name', props.endpointName,
            '--variant', variant.variantName,
            '--model-package-arn', variant.modelPackageArn,
            '--capture-uri', props.captureUri,
            '--output-dir', `${PROCESSING_ROOT}/output`,
            ...args,
          ],
        },
        ProcessingInputs: [processingInput('code', props.codeUri, `${PROCESSING_ROOT}/input/code`)],
        ProcessingOutputConfig: {
          KmsKeyId: props.kmsKeyArn,
          Outputs: [processingOutput('report', output, `${PROCESSING_ROOT}/output`)],
        },
        Environment: { PYTHONUNBUFFERED: '1' },
        // The checks read the capture and the package through AWS APIs and publish metrics.
        NetworkConfig: networkConfig(false, props.vpc),
        StoppingCondition: { MaxRuntimeInSeconds: 1800 },
      },
    });
  };

  if (props.variants.length === 0) {
    throw new Error('endpointMonitorPipeline: no variants to monitor; expected at least one served variant.');
  }
  const steps = props.variants.flatMap((variant) => [
    check('DataDrift', 'data-drift', variant, ['--window-hours', text(p.dataWindowHours.ref)],
      `Captured requests and predictions of ${variant.variantName} against its package's data-quality baseline`),
    check('ModelQuality', 'model-quality', variant, ['--ground-truth-uri', props.groundTruthUri, '--window-hours', text(p.groundTruthWindowHours.ref)],
      `Labelled predictions of ${variant.variantName} against its package's model-quality constraints`),
  ]);
  return new PipelineDefinition({
    parameters: Object.values(p),
    steps,
    metadata: { pipeline: pipelineId, definition: ENDPOINT_MONITOR_ID, endpoint: props.endpointName },
  });
}
