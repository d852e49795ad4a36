import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sm from '@aws-cdk/aws-sagemaker-alpha';
import { Construct } from 'constructs';
import { hasLocalNvmeStorage, INSTANCE_TYPE_PATTERN } from '../../pipeline-definitions/dsl/instance-types';
import { SERVERLESS_MAX_CONCURRENCY, SERVERLESS_MEMORY_SIZES } from '../service-limits';

/** Endpoint and variant names: `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`. */
export const ENDPOINT_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** A production variant on provisioned instances. */
export interface InstanceVariant {
  /** Stable name: blue/green updates need the same names before and after. */
  readonly variantName: string;
  readonly model: sm.IModel;
  /** e.g. `ml.m5.large`; no type with local NVMe storage when the endpoint has a key. */
  readonly instanceType: string;
  /** @default 1 */
  readonly initialInstanceCount?: number;
  /** Relative share of the traffic. @default 1 */
  readonly weight?: number;
  /**
   * Target tracking on SageMakerVariantInvocationsPerInstance.
   * @default - no autoscaling
   */
  readonly autoscaling?: {
    readonly minCapacity: number;
    readonly maxCapacity: number;
    /** Invocations per instance per minute. */
    readonly targetInvocationsPerInstance: number;
    readonly scaleOutCooldown: Duration;
    readonly scaleInCooldown: Duration;
  };
}

/** One serverless variant. */
export interface ServerlessVariant {
  readonly variantName: string;
  readonly model: sm.IModel;
  /** 1024 to 6144, in steps of 1024. */
  readonly memorySizeInMb: number;
  /** 1 to 200. */
  readonly maxConcurrency: number;
}

export interface ModelEndpointProps {
  /** Physical name of the endpoint (kept across updates, so that callers keep their URL). */
  readonly endpointName: string;
  /** The provisioned variants (exclusive with `serverless`). */
  readonly variants?: readonly InstanceVariant[];
  /** One serverless variant (exclusive with `variants`). */
  readonly serverless?: ServerlessVariant;
  /**
   * Key of the instances' storage volumes.
   * @default - AWS-managed encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Capture requests and responses to S3 (provisioned variants only).
   * @default - no capture
   */
  readonly dataCapture?: {
    /** S3 URI of the capture folder; SageMaker adds `<endpoint>/<variant>/yyyy/mm/dd/hh/`. */
    readonly destinationS3Uri: string;
    readonly encryptionKey: kms.IKey;
    /** 1 to 100. */
    readonly samplingPercentage: number;
    /** Content types captured as JSON text rather than base64. */
    readonly jsonContentTypes: readonly string[];
  };
  /** How updates that keep the variant names roll out. */
  readonly rollout: {
    /** Provisioned variants: share of the new fleet's capacity that takes traffic first. */
    readonly canaryPercent: number;
    /** Baking time after each traffic shift. */
    readonly wait: Duration;
    /** Average model latency over a minute above which an update rolls back. */
    readonly maxModelLatency: Duration;
  };
}

/**
 * A SageMaker real-time endpoint with stable variant names, updated blue/green with automatic
 * rollback: each variant has an alarm on 5XX errors and one on model latency, and the endpoint's
 * deployment configuration rolls an update back when any of them fires. Provisioned variants
 * shift a canary share of capacity first and may scale on invocations per instance; a serverless
 * variant shifts all at once (its capacity is concurrency).
 */
export class ModelEndpoint extends Construct {
  public readonly endpoint: sm.Endpoint;
  public readonly endpointName: string;
  /** The variants by name. */
  public readonly variantNames: readonly string[];
  /** The alarms that roll an update back, by variant. */
  public readonly rollbackAlarms: Readonly<Record<string, readonly cloudwatch.Alarm[]>>;

  constructor(scope: Construct, id: string, props: ModelEndpointProps) {
    super(scope, id);
    validate(props);
    this.endpointName = props.endpointName;
    const serverless = props.serverless;
    const variants = props.variants ?? [];
    this.variantNames = serverless ? [serverless.variantName] : variants.map((v) => v.variantName);

    let config: sm.IEndpointConfig;
    if (serverless) {
      // The alpha EndpointConfig knows instance variants only.
      const cfnConfig = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
        productionVariants: [
          {
            variantName: serverless.variantName,
            modelName: serverless.model.modelName,
            serverlessConfig: { memorySizeInMb: serverless.memorySizeInMb, maxConcurrency: serverless.maxConcurrency },
          },
        ],
      });
      config = sm.EndpointConfig.fromEndpointConfigName(this, 'ImportedConfig', cfnConfig.attrEndpointConfigName);
    } else {
      const endpointConfig = new sm.EndpointConfig(this, 'EndpointConfig', {
        encryptionKey: props.encryptionKey,
        instanceProductionVariants: variants.map((v) => ({
          variantName: v.variantName,
          model: v.model,
          instanceType: sm.InstanceType.of(v.instanceType),
          initialInstanceCount: v.initialInstanceCount ?? 1,
          initialVariantWeight: v.weight ?? 1,
        })),
      });
      if (props.dataCapture) {
        const capture = props.dataCapture;
        (endpointConfig.node.findChild('EndpointConfig') as sagemaker.CfnEndpointConfig).dataCaptureConfig = {
          enableCapture: true,
          initialSamplingPercentage: capture.samplingPercentage,
          destinationS3Uri: capture.destinationS3Uri,
          kmsKeyId: capture.encryptionKey.keyArn,
          captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
          captureContentTypeHeader: { jsonContentTypes: [...capture.jsonContentTypes] },
        };
      }
      config = endpointConfig;
    }

    this.endpoint = new sm.Endpoint(this, 'Endpoint', { endpointName: props.endpointName, endpointConfig: config });
    // The alpha module names its resources after their types, not `Resource`.
    const cfnEndpoint = this.endpoint.node.findChild('Endpoint') as sagemaker.CfnEndpoint;

    const alarms: Record<string, cloudwatch.Alarm[]> = {};
    for (const variantName of this.variantNames) {
      const metric = (metricName: string, statistic: string) => this.metric(variantName, metricName, { statistic });
      alarms[variantName] = [
        new cloudwatch.Alarm(this, `${variantName}Errors`, {
          alarmName: `${props.endpointName}-${variantName}-5xx-errors`,
          alarmDescription: `${variantName} of ${props.endpointName} answered with a 5XX error (rolls an update back)`,
          metric: metric('Invocation5XXErrors', 'Sum'),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        new cloudwatch.Alarm(this, `${variantName}Latency`, {
          alarmName: `${props.endpointName}-${variantName}-model-latency`,
          alarmDescription: `${variantName} of ${props.endpointName} took over ${props.rollout.maxModelLatency.toMilliseconds()} ms per request on average (rolls an update back)`,
          // ModelLatency is in microseconds.
          metric: metric('ModelLatency', 'Average'),
          threshold: props.rollout.maxModelLatency.toMilliseconds() * 1000,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      ];
    }
    this.rollbackAlarms = alarms;

    const waitSeconds = props.rollout.wait.toSeconds();
    cfnEndpoint.deploymentConfig = {
      blueGreenUpdatePolicy: {
        trafficRoutingConfiguration: serverless
          ? { type: 'ALL_AT_ONCE', waitIntervalInSeconds: waitSeconds }
          : { type: 'CANARY', canarySize: { type: 'CAPACITY_PERCENT', value: props.rollout.canaryPercent }, waitIntervalInSeconds: waitSeconds },
        terminationWaitInSeconds: waitSeconds,
        maximumExecutionTimeoutInSeconds: Math.max(600, 3 * waitSeconds + 1800),
      },
      autoRollbackConfiguration: {
        alarms: Object.values(alarms)
          .flat()
          .map((alarm) => ({ alarmName: alarm.alarmName })),
      },
    };
    Annotations.of(this).addInfo(
      `Endpoint ${props.endpointName}: updates that keep the variants ${this.variantNames.join(', ')} roll out blue/green ` +
        `(${serverless ? 'all at once' : `canary ${props.rollout.canaryPercent}%`}, ${waitSeconds} s baking) and roll back on the 5XX and latency alarms; ` +
        'adding or removing a variant is a plain update without canary or rollback.',
    );

    const scalingRole = iam.Role.fromRoleArn(
      this,
      'ScalingRole',
      Stack.of(this).formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: 'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint',
      }),
    );
    for (const variant of variants) {
      const scaling = variant.autoscaling;
      if (!scaling) continue;
      // Application Auto Scaling's L2 directly: the alpha endpoint's autoScaleInstanceCount gives
      // every variant a child of the same id, so it can scale only one variant per endpoint.
      const target = new appscaling.ScalableTarget(this, `${variant.variantName}Capacity`, {
        serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
        resourceId: `endpoint/${props.endpointName}/variant/${variant.variantName}`,
        scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        minCapacity: scaling.minCapacity,
        maxCapacity: scaling.maxCapacity,
        role: scalingRole,
      });
      target.node.addDependency(this.endpoint);
      target.scaleToTrackMetric('InvocationsPerInstance', {
        predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
        targetValue: scaling.targetInvocationsPerInstance,
        scaleOutCooldown: scaling.scaleOutCooldown,
        scaleInCooldown: scaling.scaleInCooldown,
      });
      Annotations.of(this).addInfo(
        `${variant.variantName} autoscales: an update may not change its instance type; deploy with servingAutoscaling {"enabled": false} first, ` +
          'change the type, then turn autoscaling back on.',
      );
    }
  }

  /** A metric of one variant of the endpoint (namespace AWS/SageMaker). */
  public metric(variantName: string, metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    if (!this.variantNames.includes(variantName)) {
      throw new Error(`ModelEndpoint: no variant '${variantName}'; expected one of ${this.variantNames.join(', ')}.`);
    }
    return new cloudwatch.Metric({
      namespace: 'AWS/SageMaker',
      metricName,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: variantName },
      period: Duration.minutes(1),
      ...props,
    });
  }
}

function validate(props: ModelEndpointProps): void {
  const fail = (message: string): never => {
    throw new Error(`ModelEndpoint: ${message}`);
  };
  if (!ENDPOINT_NAME_PATTERN.test(props.endpointName)) {
    fail(`endpointName '${props.endpointName}' is not allowed; expected 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.`);
  }
  if ((props.variants?.length ?? 0) > 0 === (props.serverless !== undefined)) {
    fail('give either variants (provisioned instances) or serverless, not both or neither.');
  }
  if (props.serverless && props.dataCapture) {
    fail('dataCapture is not available on serverless endpoints; expected no dataCapture with serverless.');
  }
  if (props.serverless && props.encryptionKey) {
    fail('encryptionKey is not available on serverless endpoints (they have no instance volumes); expected no encryptionKey with serverless.');
  }
  const variants = props.variants ?? [];
  const names = [...variants.map((v) => v.variantName), ...(props.serverless ? [props.serverless.variantName] : [])];
  for (const name of names) {
    if (!ENDPOINT_NAME_PATTERN.test(name)) fail(`variant name '${name}' is not allowed; expected 1 to 63 letters, digits and hyphens.`);
  }
  if (new Set(names).size !== names.length) fail(`variant names ${names.join(', ')} repeat; expected unique names.`);
  for (const v of variants) {
    if (!INSTANCE_TYPE_PATTERN.test(v.instanceType)) fail(`${v.variantName}: '${v.instanceType}' is not an instance type; expected ml.<family>.<size>.`);
    if (props.encryptionKey && hasLocalNvmeStorage(v.instanceType)) {
      fail(`${v.variantName}: '${v.instanceType}' has local NVMe storage, for which SageMaker rejects the endpoint's KMS key; expected an EBS-backed type.`);
    }
    if (v.weight !== undefined && !(v.weight >= 0)) fail(`${v.variantName}: weight ${v.weight} is not allowed; expected 0 or more.`);
    const s = v.autoscaling;
    if (s && !(s.minCapacity >= 1 && s.minCapacity <= s.maxCapacity)) {
      fail(`${v.variantName}: autoscaling from ${s.minCapacity} to ${s.maxCapacity} instances is not allowed; expected 1 <= minCapacity <= maxCapacity.`);
    }
  }
  if (variants.length > 0 && variants.every((v) => (v.weight ?? 1) === 0)) {
    fail(`the weights of ${names.join(', ')} are all 0; expected at least one positive weight.`);
  }
  const percent = props.dataCapture?.samplingPercentage;
  if (percent !== undefined && !(Number.isInteger(percent) && percent >= 1 && percent <= 100)) {
    fail(`dataCapture.samplingPercentage ${percent} is not allowed; expected an integer from 1 to 100.`);
  }
  const s = props.serverless;
  if (s && (!(SERVERLESS_MEMORY_SIZES as readonly number[]).includes(s.memorySizeInMb) || !(Number.isInteger(s.maxConcurrency) && s.maxConcurrency >= 1 && s.maxConcurrency <= SERVERLESS_MAX_CONCURRENCY))) {
    fail(`serverless memory ${s.memorySizeInMb} MB and concurrency ${s.maxConcurrency} are not allowed; expected 1024 to 6144 MB in steps of 1024 and 1 to 200.`);
  }
}
