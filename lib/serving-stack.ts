import { Annotations, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { JobVpc } from '../pipeline-definitions/dsl';
import { ImageName } from '../pipeline-definitions/dsl/images';
import { endpointMonitorPipeline, MONITOR_METRIC_NAMESPACE, MonitorMetricName } from '../pipeline-definitions/endpoint-monitor';
import { CODE_EXCLUDES, STEP_LIBRARY_DIR, stepCodeRelease } from './step-code';
import { familyEndpointName, FamilyServing, FamilyServingNames } from './model-family';
import { ImageRegistries } from './constructs/image-registries';
import { LakeFolderUpload } from './constructs/lake-folder-upload';
import { ModelEndpoint } from './constructs/model-endpoint';
import { ModelExecutionRole } from './constructs/model-execution-role';
import { ModelMonitorSchedules } from './constructs/model-monitor-schedules';
import { ModelPackageModel } from './constructs/model-package-model';
import { SageMakerPipeline } from './constructs/sagemaker-pipeline';
import { ILakeStorage } from './constructs/data-lake-storage';
import { logGroupName } from './data-lake-stack';
import { LakePrefix } from './lake-layout';
import { resourceName } from './naming';
import { ModelPackageSource, ServingPlan } from './serving-plan';
import {
  ServingAutoscalingSetting,
  ServingRolloutSetting,
  ServingServerlessSetting,
  ServingVariantName,
  ServingVariantSetting,
} from './settings';


/** How the endpoint's traffic is watched. */
export interface ServingMonitoring {
  /** `open`: the monitoring pipeline; `managed`: Model Monitor's schedules. */
  readonly engine: 'open' | 'managed';
  /** EventBridge schedule of the checks. */
  readonly schedule: string;
  /** Largest distribution distance of the data-drift check. */
  readonly driftThreshold: number;
  /**
   * Smallest accuracy the model-quality check accepts.
   * @default - no accuracy minimum
   */
  readonly minAccuracy?: number;
}

export interface ServingStackProps extends StackProps {
  /** Prefix of the physical names (the endpoint is `<prefix>-<endpointId>`). */
  readonly namePrefix: string;
  /** The lake: capture, ground truth, the family's artifacts and the monitor's code and reports. */
  readonly storage: ILakeStorage;
  /** The served family's names: its endpoint, monitoring pipeline and serving parameters. */
  readonly names: FamilyServingNames;
  /** How the family's packages are served and watched. */
  readonly family: FamilyServing;
  /** Lake prefixes of the family's package artifacts and baselines: all the model role may read. */
  readonly artifactsPrefixes: readonly string[];
  /** Told of the serving alarms (the approval flow's topic). */
  readonly notificationTopic: sns.ITopic;
  /** What to serve. */
  readonly plan: ServingPlan;
  /**
   * `instance`: provisioned variants; `serverless`: one serverless variant, without network
   * isolation, data capture, autoscaling or monitoring.
   * @default 'instance'
   */
  readonly profile?: 'instance' | 'serverless';
  /** Instance type, count and weight of each variant (instance profile). */
  readonly variants: Readonly<Record<ServingVariantName, ServingVariantSetting>>;
  /** Target tracking of each variant (instance profile; `enabled` false for none). */
  readonly autoscaling: ServingAutoscalingSetting;
  /** The blue/green canary rollout and the alarms that roll it back. */
  readonly rollout: ServingRolloutSetting;
  /** Memory and concurrency of the serverless profile. */
  readonly serverless: ServingServerlessSetting;
  /** Percent of requests captured to the lake (instance profile). */
  readonly dataCaptureSamplingPercentage: number;
  /** Drift and model-quality monitoring (instance profile). */
  readonly monitoring: ServingMonitoring;
  /**
   * Subnets and security groups of the monitoring jobs.
   * @default - no VPC
   */
  readonly vpc?: JobVpc;
}

/**
 * Serving (stateless): a family's approved model packages on a real-time endpoint — VariantA the
 * champion, VariantB the challenger of an A/B test — isolated models with a least-privilege role,
 * blue/green canary updates with automatic rollback, autoscaling, KMS-encrypted data capture to
 * the lake, drift and model-quality monitoring (the monitoring pipeline, or Model Monitor with the
 * managed engine), alarms to the serving topic and a dashboard. The serverless profile serves one
 * variant without what serverless excludes.
 */
export class ServingStack extends Stack {
  public readonly endpoint: ModelEndpoint;
  public readonly endpointName: string;
  /** The served variants and their model package ARNs (tokens when read from SSM). */
  public readonly servedPackages: Readonly<Partial<Record<ServingVariantName, string>>>;
  public readonly dashboard: cloudwatch.Dashboard;
  /** The monitoring pipeline (open engine, instance profile). */
  public readonly monitorPipeline?: sagemaker.CfnPipeline;
  /** Model Monitor's schedules (managed engine, instance profile). */
  public readonly modelMonitor?: ModelMonitorSchedules;
  /** Lake prefix of the endpoint's captured requests and responses. */
  public readonly capturePrefix: string;
  /** Lake prefix of the labels of the endpoint's predictions. */
  public readonly groundTruthPrefix: string;
  private readonly images: ImageRegistries;
  private readonly artifactsPrefixes: readonly string[];
  private readonly family: FamilyServing;
  private readonly names: FamilyServingNames;
  private readonly namePrefix: string;
  private readonly vpc?: JobVpc;

  constructor(scope: Construct, id: string, props: ServingStackProps) {
    const { storage, plan, names, family } = props;
    super(scope, id, { description: 'Practical Data Science platform: monitored real-time endpoint of the approved sentiment model', ...props });
    const prefix = props.namePrefix;
    this.namePrefix = prefix;
    this.artifactsPrefixes = props.artifactsPrefixes;
    this.family = family;
    this.names = names;
    this.vpc = props.vpc;
    const serverless = props.profile === 'serverless';
    this.endpointName = familyEndpointName(prefix, names);

    const packageArn = (source: ModelPackageSource) =>
      'arn' in source
        ? source.arn
        : ssm.StringParameter.valueForStringParameter(this, source.parameter === 'champion' ? names.championParameterName : names.challengerParameterName);
    const served: Partial<Record<ServingVariantName, string>> = { VariantA: packageArn(plan.champion) };
    if (plan.challenger) served.VariantB = packageArn(plan.challenger);
    this.servedPackages = served;
    const variantNames = Object.keys(served) as ServingVariantName[];

    this.images = new ImageRegistries(this, 'ImageRegistries');
    const role = new ModelExecutionRole(this, 'ModelRole', {
      endpointName: this.endpointName,
      imageRepositories: family.inferenceImages.map((image) => this.images.repository(image)),
    }).role;
    // The family's packages' artifacts, and no other family's.
    for (const artifacts of this.artifactsPrefixes) storage.grantReadPrefix(role, artifacts);
    this.capturePrefix = `${LakePrefix.dataCapture}${this.endpointName}/`;
    this.groundTruthPrefix = `${LakePrefix.groundTruth}${this.endpointName}/`;
    if (!serverless) storage.grantWritePrefix(role, this.capturePrefix);

    const models = Object.fromEntries(
      variantNames.map((name) => [
        name,
        new ModelPackageModel(this, `${name}Model`, { modelPackageArn: served[name]!, role, networkIsolation: !serverless }).model,
      ]),
    ) as Partial<Record<ServingVariantName, ModelPackageModel['model']>>;

    const scaling = props.autoscaling;
    this.endpoint = new ModelEndpoint(this, 'Endpoint', {
      endpointName: this.endpointName,
      ...(serverless
        ? { serverless: { variantName: 'VariantA', model: models.VariantA!, ...props.serverless } }
        : {
            variants: variantNames.map((name) => ({
              variantName: name,
              model: models[name]!,
              instanceType: props.variants[name].instanceType,
              initialInstanceCount: props.variants[name].initialInstanceCount,
              weight: props.variants[name].weight,
              autoscaling: scaling.enabled
                ? {
                    minCapacity: scaling.minCapacity,
                    maxCapacity: scaling.maxCapacity,
                    targetInvocationsPerInstance: scaling.targetInvocationsPerInstance,
                    scaleOutCooldown: Duration.seconds(scaling.scaleOutCooldownSeconds),
                    scaleInCooldown: Duration.seconds(scaling.scaleInCooldownSeconds),
                  }
                : undefined,
            })),
            encryptionKey: storage.key,
            dataCapture: {
              destinationS3Uri: storage.s3Uri(LakePrefix.dataCapture),
              encryptionKey: storage.key,
              samplingPercentage: props.dataCaptureSamplingPercentage,
              jsonContentTypes: [...new Set([family.contentType, 'application/json'])],
            },
          }),
      rollout: {
        canaryPercent: props.rollout.canaryPercent,
        wait: Duration.seconds(props.rollout.waitSeconds),
        maxModelLatency: Duration.millis(props.rollout.maxModelLatencyMs),
      },
    });
    if (serverless) {
      Annotations.of(this).addInfo(
        `Serverless profile: ${this.endpointName} serves VariantA only, without network isolation, data capture, autoscaling or drift monitoring (serverless endpoints exclude them).`,
      );
    }

    const notify = new actions.SnsAction(props.notificationTopic);
    const monitoringAlarms: cloudwatch.Alarm[] = [];
    for (const alarm of Object.values(this.endpoint.rollbackAlarms).flat()) alarm.addAlarmAction(notify);

    const { monitoring } = props;
    // Serverless endpoints capture nothing to monitor, and a family may bring no monitor.
    const monitoringEngine = serverless || !family.monitoring ? undefined : monitoring.engine;
    if (monitoringEngine === 'managed') {
      this.modelMonitor = new ModelMonitorSchedules(this, 'ModelMonitor', {
        endpointName: this.endpointName,
        modelPackageArn: served.VariantA!,
        storage,
        imageUri: this.images.managedImage('modelMonitor'),
        imageRepository: this.images.managedRepository('modelMonitor'),
        capturePrefix: this.capturePrefix,
        groundTruthPrefix: this.groundTruthPrefix,
        baselinesPrefix: this.artifactsPrefixes[0],
        preprocessorPrefix: this.uploadMonitorCode(storage),
        reportsPrefix: `${LakePrefix.pipelineArtifacts}${this.names.monitorId}/model-monitor/`,
        schedule: monitoring.schedule,
        driftThreshold: monitoring.driftThreshold,
        minAccuracy: monitoring.minAccuracy,
      });
      monitoringAlarms.push(...this.modelMonitor.alarms);
    } else if (monitoringEngine === 'open') {
      const { pipeline, alarms } = this.monitoringPipeline(monitoring.schedule, storage, served, props.notificationTopic);
      this.monitorPipeline = pipeline;
      monitoringAlarms.push(...alarms);
    }
    for (const alarm of monitoringAlarms) alarm.addAlarmAction(notify);

    this.dashboard = this.buildDashboard(variantNames, monitoringAlarms);

    new CfnOutput(this, 'EndpointName', { value: this.endpointName, description: `Invoke with content type ${family.contentType} and an InferenceId per request` });
    new CfnOutput(this, 'GroundTruthUri', { value: storage.s3Uri(this.groundTruthPrefix), description: 'Labels for the served predictions (Model Monitor ground-truth format, yyyy/mm/dd/hh/)' });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboardName });
  }

  /** The monitoring code: the step-code library (its monitor scripts, Model Monitor's record preprocessor). */
  private monitorCode() {
    return stepCodeRelease();
  }

  private monitorImage(): ImageName {
    return this.family.monitoring!.image;
  }

  /** Where the monitoring code is released. */
  private monitorCodePrefix(): string {
    return `${LakePrefix.pipelineArtifacts}${this.names.monitorId}/code/${this.monitorCode().hash.slice(0, 32)}/`;
  }

  /** Uploads the monitoring code for Model Monitor's schedules (the open engine's pipeline uploads its own); returns its prefix. */
  private uploadMonitorCode(storage: ILakeStorage): string {
    const codePrefix = this.monitorCodePrefix();
    new LakeFolderUpload(this, 'MonitorCode', {
      storage,
      sourceDir: STEP_LIBRARY_DIR,
      exclude: CODE_EXCLUDES,
      destinationPrefix: codePrefix,
      description: `Uploads the monitoring code of ${this.endpointName} to the lake`,
      logGroupName: logGroupName(this.namePrefix, `serving/${this.names.endpointId}/code-upload`),
    });
    return codePrefix;
  }

  /** A metric the monitoring pipeline publishes for a variant (hourly). */
  private monitorMetric(variant: string, metricName: MonitorMetricName, label?: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: MONITOR_METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { Endpoint: this.endpointName, Variant: variant },
      statistic: 'Maximum',
      label,
      period: Duration.hours(1),
    });
  }

  /** The open engine: the scheduled monitoring pipeline and alarms on what it publishes. */
  private monitoringPipeline(
    schedule: string,
    storage: ILakeStorage,
    served: Partial<Record<ServingVariantName, string>>,
    topic: sns.ITopic,
  ): { pipeline: sagemaker.CfnPipeline; alarms: cloudwatch.Alarm[] } {
    const pipelineName = resourceName(this.namePrefix, this.names.monitorId, 256);
    const monitor = new SageMakerPipeline(this, 'Monitor', {
      pipelineName,
      description: `Drift and model quality of ${this.endpointName} against the served packages' baselines`,
      role: {
        jobKinds: ['processing-job'],
        imageRepositories: [this.images.repository(this.monitorImage())],
        jobKey: storage.key,
        jobsInVpc: this.vpc !== undefined,
      },
      storage,
      code: {
        sources: this.monitorCode().sources,
        prefix: this.monitorCodePrefix(),
        // A name of its own: the upload's log group is replaced (its old name is Model Monitor's upload's).
        logGroupName: logGroupName(this.namePrefix, `pipelines/${this.names.monitorId}/release-upload`),
      },
      definition: ({ roleArn, codeUri }) =>
        endpointMonitorPipeline({
          // Its reports go under its own prefix, the one its role may write.
          pipelineId: this.names.monitorId,
          executionRoleArn: roleArn,
          lakeBucketName: storage.bucket.bucketName,
          kmsKeyArn: storage.key.keyArn,
          codeUri,
          imageUri: this.images.image(this.monitorImage()),
          endpointName: this.endpointName,
          variants: Object.entries(served).map(([variantName, modelPackageArn]) => ({ variantName, modelPackageArn: modelPackageArn! })),
          captureUri: storage.s3Uri(this.capturePrefix),
          groundTruthUri: storage.s3Uri(this.groundTruthPrefix),
          vpc: this.vpc,
        }),
      definitionStorage: 'inline',
      schedule,
      failureTopic: topic,
    });
    // The pipeline keeps the logical id it was first deployed with (a named resource cannot be replaced in place).
    monitor.pipeline.overrideLogicalId('MonitorPipeline');
    const role = monitor.role;
    storage.grantReadPrefix(role, this.capturePrefix);
    storage.grantReadPrefix(role, this.groundTruthPrefix);
    // The packages' baselines are the family's gate reports.
    for (const artifacts of this.artifactsPrefixes) storage.grantReadPrefix(role, artifacts);
    storage.grantReadWritePrefix(role, `${LakePrefix.pipelineArtifacts}${this.names.monitorId}/`);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ServedPackages', actions: ['sagemaker:DescribeModelPackage'], resources: Object.values(served) }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'MonitoringMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': MONITOR_METRIC_NAMESPACE } },
      }),
    );
    const pipeline = monitor.pipeline;

    // The monitors publish violation counts per variant; one or more is an alarm.
    const violations = (variant: string, check: string, metricName: MonitorMetricName, description: string) =>
      new cloudwatch.Alarm(this, `${variant}${check.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`, {
        alarmName: `${this.endpointName}-${variant}-${check}`,
        alarmDescription: description,
        metric: this.monitorMetric(variant, metricName),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const alarms = Object.keys(served).flatMap((variant) => [
      violations(variant, 'data-drift', 'data_quality_violations', `Captured inputs of ${variant} drifted from the served package's data-quality baseline`),
      violations(variant, 'model-quality', 'model_quality_violations', `Labelled predictions of ${variant} fall below the served package's model-quality constraints`),
    ]);
    return { pipeline, alarms };
  }

  private buildDashboard(variantNames: readonly ServingVariantName[], monitoringAlarms: readonly cloudwatch.Alarm[]): cloudwatch.Dashboard {
    const e = this.endpoint;
    const perVariant = (metricName: string, statistic: string, label: string) =>
      variantNames.map((v) => e.metric(v, metricName, { statistic, label: `${v} ${label}`, period: Duration.minutes(5) }));
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${this.endpointName}-serving`,
      defaultInterval: Duration.hours(24),
    });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Invocations', left: perVariant('Invocations', 'Sum', 'invocations'), width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Errors', left: [...perVariant('Invocation4XXErrors', 'Sum', '4XX'), ...perVariant('Invocation5XXErrors', 'Sum', '5XX')], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Model latency (µs)',
        left: [...perVariant('ModelLatency', 'Average', 'average'), ...perVariant('ModelLatency', 'p99', 'p99')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: 'Invocations per instance', left: perVariant('InvocationsPerInstance', 'Sum', 'per instance'), width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Capacity: CPU utilization',
        left: variantNames.map(
          (v) => new cloudwatch.Metric({ namespace: '/aws/sagemaker/Endpoints', metricName: 'CPUUtilization', dimensionsMap: { EndpointName: this.endpointName, VariantName: v }, statistic: 'Average', label: v, period: Duration.minutes(5) }),
        ),
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...Object.values(e.rollbackAlarms).flat(), ...monitoringAlarms], width: 8 }),
    );
    if (this.monitorPipeline) {
      const monitor = (metricName: MonitorMetricName) => variantNames.map((v) => this.monitorMetric(v, metricName, `${v} ${metricName}`));
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title: 'Drift from the baseline', left: [...monitor('feature_baseline_drift_review_words'), ...monitor('prediction_baseline_drift_sentiment')], width: 12 }),
        new cloudwatch.GraphWidget({ title: 'Model quality (ground truth)', left: [...monitor('accuracy'), ...monitor('weighted_f1')], right: monitor('ground_truth_records'), width: 12 }),
      );
    } else if (this.modelMonitor) {
      dashboard.addWidgets(...this.modelMonitor.widgets());
    }
    return dashboard;
  }
}
