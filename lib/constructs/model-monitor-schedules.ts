import { Duration, Fn, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ENDPOINT_RESPONSE } from '../../pipeline-definitions/contract';
import { MODEL_MONITOR_SCHEDULES, toModelMonitorSchedule } from '../schedules';
import { tidyAwsCallHandler } from './aws-call-handler';
import { ILakeStorage } from './data-lake-storage';
import { ImageRepository } from './image-registries';
import { PipelineRole } from './pipeline-role';

export interface ModelMonitorSchedulesProps {
  readonly endpointName: string;
  /** The served package whose registered baselines (DriftCheckBaselines) the schedules compare with. */
  readonly modelPackageArn: string;
  readonly storage: ILakeStorage;
  /** Model Monitor's analyzer image of the stack's region. */
  readonly imageUri: string;
  readonly imageRepository: ImageRepository;
  /** Lake prefix of the endpoint's capture, `data-capture/<endpoint>/`. */
  readonly capturePrefix: string;
  /** Lake prefix of the endpoint's ground truth, `ground-truth/<endpoint>/`. */
  readonly groundTruthPrefix: string;
  /** Lake prefix of the registered baselines (the training pipeline's artifacts). */
  readonly baselinesPrefix: string;
  /** Lake prefix of the step code (with `monitor_preprocessor.py`). */
  readonly preprocessorPrefix: string;
  /** Lake prefix of the reports. */
  readonly reportsPrefix: string;
  /** An EventBridge schedule expression (converted to Model Monitor's cron). */
  readonly schedule: string;
  /** Largest drift of an input feature before the drift alarm fires. @default 0.1 */
  readonly driftThreshold?: number;
  /** Smallest accuracy before the model-quality alarm fires. @default 0.33 */
  readonly minAccuracy?: number;
}

/**
 * Model Monitor's schedules for accounts that still have it (`qualityEngine=managed`): data
 * quality of the captured requests (projected by the project's record preprocessor) and model
 * quality against the ground truth, both against the baselines registered with the served package,
 * which a custom resource reads from the registry at deploy time; alarms on their metrics.
 */
export class ModelMonitorSchedules extends Construct {
  public readonly dataQualitySchedule: sagemaker.CfnMonitoringSchedule;
  public readonly modelQualitySchedule: sagemaker.CfnMonitoringSchedule;
  public readonly alarms: readonly cloudwatch.Alarm[];
  private readonly props: ModelMonitorSchedulesProps;

  constructor(scope: Construct, id: string, props: ModelMonitorSchedulesProps) {
    super(scope, id);
    this.props = props;
    const { storage } = props;
    const role = new PipelineRole(this, 'Role', {
      pipelineName: `${props.endpointName}-model-monitor`,
      jobKinds: ['processing-job'],
      imageRepositories: [props.imageRepository],
      jobKey: storage.key,
    }).role;
    storage.grantReadPrefix(role, props.capturePrefix);
    storage.grantReadPrefix(role, props.groundTruthPrefix);
    storage.grantReadPrefix(role, props.baselinesPrefix);
    storage.grantReadPrefix(role, props.preprocessorPrefix);
    storage.grantReadWritePrefix(role, props.reportsPrefix);

    // The registered baselines, read when the served package changes.
    const baselines = new cr.AwsCustomResource(this, 'Baselines', {
      onUpdate: {
        service: 'SageMaker',
        action: 'describeModelPackage',
        parameters: { ModelPackageName: props.modelPackageArn },
        physicalResourceId: cr.PhysicalResourceId.of(props.modelPackageArn),
        outputPaths: [
          'DriftCheckBaselines.ModelDataQuality.Statistics.S3Uri',
          'DriftCheckBaselines.ModelDataQuality.Constraints.S3Uri',
          'DriftCheckBaselines.ModelQuality.Constraints.S3Uri',
        ],
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['sagemaker:DescribeModelPackage'], resources: [props.modelPackageArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    // The handler is a singleton of the stack that only logs and calls the registry.
    tidyAwsCallHandler(this, "reads the served package's baselines");
    const baseline = (path: string) => baselines.getResponseField(`DriftCheckBaselines.${path}.S3Uri`);

    const common = {
      jobResources: { clusterConfig: { instanceCount: 1, instanceType: 'ml.m5.large', volumeSizeInGb: 20, volumeKmsKeyId: storage.key.keyArn } },
      networkConfig: { enableInterContainerTrafficEncryption: true, enableNetworkIsolation: true },
      roleArn: role.roleArn,
      stoppingCondition: { maxRuntimeInSeconds: 1800 },
    };
    const output = (kind: string) => ({
      kmsKeyId: storage.key.keyArn,
      monitoringOutputs: [{ s3Output: { localPath: '/opt/ml/processing/output', s3Uri: storage.s3Uri(`${props.reportsPrefix}${kind}`), s3UploadMode: 'EndOfJob' } }],
    });
    const endpointInput = { endpointName: props.endpointName, localPath: '/opt/ml/processing/input/endpoint', s3DataDistributionType: 'FullyReplicated', s3InputMode: 'File' };
    const dataQuality = new sagemaker.CfnDataQualityJobDefinition(this, 'DataQuality', {
      endpointName: props.endpointName,
      dataQualityAppSpecification: {
        imageUri: props.imageUri,
        recordPreprocessorSourceUri: storage.s3Uri(`${props.preprocessorPrefix}monitor_preprocessor.py`),
      },
      dataQualityBaselineConfig: {
        constraintsResource: { s3Uri: baseline('ModelDataQuality.Constraints') },
        statisticsResource: { s3Uri: baseline('ModelDataQuality.Statistics') },
      },
      dataQualityJobInput: { endpointInput },
      dataQualityJobOutputConfig: output('data-quality'),
      ...common,
    });
    const modelQuality = new sagemaker.CfnModelQualityJobDefinition(this, 'ModelQuality', {
      endpointName: props.endpointName,
      modelQualityAppSpecification: { imageUri: props.imageUri, problemType: 'MulticlassClassification' },
      modelQualityBaselineConfig: { constraintsResource: { s3Uri: baseline('ModelQuality.Constraints') } },
      modelQualityJobInput: {
        endpointInput: { ...endpointInput, inferenceAttribute: ENDPOINT_RESPONSE.label },
        groundTruthS3Input: { s3Uri: storage.s3Uri(props.groundTruthPrefix) },
      },
      modelQualityJobOutputConfig: output('model-quality'),
      ...common,
    });
    for (const definition of [dataQuality, modelQuality]) definition.node.addDependency(role.node.findChild('DefaultPolicy'));

    const scheduleName = (suffix: string) => {
      const name = `${props.endpointName}-${suffix}`;
      if (!Token.isUnresolved(props.endpointName) && name.length > 63) {
        throw new Error(`ModelMonitorSchedules: the schedule name '${name}' (from endpointName '${props.endpointName}') is ${name.length} characters; expected at most 63 (a shorter endpoint name).`);
      }
      return name;
    };
    const schedule = (id: string, suffix: string, definition: sagemaker.CfnDataQualityJobDefinition | sagemaker.CfnModelQualityJobDefinition, type: string) =>
      new sagemaker.CfnMonitoringSchedule(this, id, {
        monitoringScheduleName: scheduleName(suffix),
        endpointName: props.endpointName,
        monitoringScheduleConfig: {
          // Job definitions are immutable, so CloudFormation names them (a change replaces one); the name ends the ARN.
          monitoringJobDefinitionName: Fn.select(1, Fn.split('/', definition.attrJobDefinitionArn)),
          monitoringType: type,
          scheduleConfig: { scheduleExpression: modelMonitorSchedule(props.schedule) },
        },
      });
    this.dataQualitySchedule = schedule('DataQualitySchedule', 'data-quality', dataQuality, 'DataQuality');
    this.modelQualitySchedule = schedule('ModelQualitySchedule', 'model-quality', modelQuality, 'ModelQuality');

    this.alarms = [
      new cloudwatch.Alarm(this, 'DriftAlarm', {
        alarmName: `${props.endpointName}-data-drift`,
        alarmDescription: `Captured review length drifted from the served package's baseline (Model Monitor)`,
        metric: this.dataMetric('feature_baseline_drift_review_words'),
        threshold: props.driftThreshold ?? 0.1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'AccuracyAlarm', {
        alarmName: `${props.endpointName}-model-quality`,
        alarmDescription: `Accuracy on the ground truth fell below the minimum (Model Monitor)`,
        metric: this.modelMetric('accuracy'),
        threshold: props.minAccuracy ?? 0.33,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
  }

  /** A data-quality metric Model Monitor publishes for the endpoint. */
  public dataMetric(metricName: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'aws/sagemaker/Endpoints/data-metrics',
      metricName,
      dimensionsMap: { Endpoint: this.props.endpointName, MonitoringSchedule: this.dataQualitySchedule.monitoringScheduleName },
      statistic: 'Maximum',
      period: Duration.hours(1),
    });
  }

  /** A model-quality metric Model Monitor publishes for the endpoint. */
  public modelMetric(metricName: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'aws/sagemaker/Endpoints/model-metrics',
      metricName,
      dimensionsMap: { Endpoint: this.props.endpointName, MonitoringSchedule: this.modelQualitySchedule.monitoringScheduleName },
      statistic: 'Minimum',
      period: Duration.hours(1),
    });
  }

  /** Dashboard widgets of the drift and quality metrics. */
  public widgets(): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({ title: 'Drift from the baseline (Model Monitor)', left: [this.dataMetric('feature_baseline_drift_review_words')], width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Model quality (Model Monitor)', left: [this.modelMetric('accuracy'), this.modelMetric('weighted_f1')], width: 12 }),
    ];
  }
}

/**
 * Model Monitor's schedule for an EventBridge expression ({@link toModelMonitorSchedule}); the
 * `monitoringSchedule` setting is checked the same way before any construct is made.
 * @throws Error naming the expression and what is allowed
 */
export function modelMonitorSchedule(expression: string): string {
  const converted = toModelMonitorSchedule(expression);
  if ('schedule' in converted) return converted.schedule;
  throw new Error(`monitoringSchedule '${expression}' cannot be a Model Monitor schedule (${converted.problem}); expected ${MODEL_MONITOR_SCHEDULES}.`);
}
