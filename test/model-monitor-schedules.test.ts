import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DataLakeStorage } from '../lib/constructs/data-lake-storage';
import { ImageRegistries } from '../lib/constructs/image-registries';
import { ModelMonitorSchedules, ModelMonitorSchedulesProps } from '../lib/constructs/model-monitor-schedules';
import { nagFindings, templateOf, testStack } from './helpers';

const ENDPOINT = 'pds-test-reviews';
const PACKAGE_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-test-reviews/3';

/** A stack with the lake and Model Monitor's schedules of an endpoint (the props ServingStack passes); the props override. */
function monitorStack(props: Partial<ModelMonitorSchedulesProps> = {}): { stack: Stack; monitor: ModelMonitorSchedules } {
  const stack = testStack();
  const storage = new DataLakeStorage(stack, 'Lake', {});
  const images = new ImageRegistries(stack, 'Images');
  const monitor = new ModelMonitorSchedules(stack, 'ModelMonitor', {
    endpointName: ENDPOINT,
    modelPackageArn: PACKAGE_ARN,
    storage,
    imageUri: images.managedImage('modelMonitor'),
    imageRepository: images.managedRepository('modelMonitor'),
    capturePrefix: `data-capture/${ENDPOINT}/`,
    groundTruthPrefix: `ground-truth/${ENDPOINT}/`,
    baselinesPrefix: 'pipelines/bert/',
    preprocessorPrefix: 'pipelines/monitor/code/0123abcd/',
    reportsPrefix: 'pipelines/monitor/model-monitor/',
    schedule: 'rate(1 day)',
    ...props,
  });
  return { stack, monitor };
}

/** The template of the default build, synthesized once (an app synthesizes once). */
let defaultTemplate: Template | undefined;
const template = () => (defaultTemplate ??= templateOf(monitorStack().stack));

const lakeKeyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeKey'), 'Arn'] };
const monitorRoleArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelMonitorRole'), 'Arn'] };
const lakeUri = (path: string) => ({ 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^LakeBucket') }, path]] });

describe('ModelMonitorSchedules', () => {
  test('both job definitions are network-isolated, encrypt traffic, volumes and reports with the lake key, and run as their own role', () => {
    const common = {
      EndpointName: ENDPOINT,
      NetworkConfig: { EnableInterContainerTrafficEncryption: true, EnableNetworkIsolation: true },
      JobResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 20, VolumeKmsKeyId: lakeKeyArn } },
      RoleArn: monitorRoleArn,
      StoppingCondition: { MaxRuntimeInSeconds: 1800 },
    };
    template().hasResourceProperties('AWS::SageMaker::DataQualityJobDefinition', {
      ...common,
      DataQualityJobOutputConfig: {
        KmsKeyId: lakeKeyArn,
        MonitoringOutputs: [{ S3Output: Match.objectLike({ S3Uri: lakeUri('/pipelines/monitor/model-monitor/data-quality'), S3UploadMode: 'EndOfJob' }) }],
      },
    });
    template().hasResourceProperties('AWS::SageMaker::ModelQualityJobDefinition', {
      ...common,
      ModelQualityJobOutputConfig: {
        KmsKeyId: lakeKeyArn,
        MonitoringOutputs: [{ S3Output: Match.objectLike({ S3Uri: lakeUri('/pipelines/monitor/model-monitor/model-quality'), S3UploadMode: 'EndOfJob' }) }],
      },
    });
    for (const type of ['AWS::SageMaker::DataQualityJobDefinition', 'AWS::SageMaker::ModelQualityJobDefinition']) {
      const [definition] = Object.values(template().findResources(type)) as any[];
      expect(definition.DependsOn).toEqual([expect.stringMatching(/^ModelMonitorRoleDefaultPolicy/)]);
    }
  });

  test('data quality of the captured requests, projected by the record preprocessor, against the served package\'s baselines', () => {
    template().hasResourceProperties('AWS::SageMaker::DataQualityJobDefinition', {
      DataQualityAppSpecification: {
        ImageUri: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ 'Fn::FindInMap': ['Images', { Ref: 'AWS::Region' }, 'modelmonitor'] }])] }),
        RecordPreprocessorSourceUri: lakeUri('/pipelines/monitor/code/0123abcd/monitor_preprocessor.py'),
      },
      DataQualityBaselineConfig: {
        ConstraintsResource: { S3Uri: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelMonitorBaselines'), 'DriftCheckBaselines.ModelDataQuality.Constraints.S3Uri'] } },
        StatisticsResource: { S3Uri: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelMonitorBaselines'), 'DriftCheckBaselines.ModelDataQuality.Statistics.S3Uri'] } },
      },
      DataQualityJobInput: { EndpointInput: Match.objectLike({ EndpointName: ENDPOINT }) },
    });
  });

  test('model quality of the predictions against the ground truth and the package\'s constraints', () => {
    template().hasResourceProperties('AWS::SageMaker::ModelQualityJobDefinition', {
      ModelQualityAppSpecification: { ImageUri: Match.anyValue(), ProblemType: 'MulticlassClassification' },
      ModelQualityBaselineConfig: {
        ConstraintsResource: { S3Uri: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelMonitorBaselines'), 'DriftCheckBaselines.ModelQuality.Constraints.S3Uri'] } },
      },
      ModelQualityJobInput: {
        EndpointInput: Match.objectLike({ EndpointName: ENDPOINT, InferenceAttribute: 'predicted_label' }),
        GroundTruthS3Input: { S3Uri: lakeUri(`/ground-truth/${ENDPOINT}/`) },
      },
    });
  });

  test('the baselines are read from the registry at deploy time, with DescribeModelPackage on the served package only', () => {
    const [baselines] = Object.values(template().findResources('Custom::AWS')) as any[];
    const call = JSON.parse(baselines.Properties.Update);
    expect(call).toMatchObject({ service: 'SageMaker', action: 'describeModelPackage', parameters: { ModelPackageName: PACKAGE_ARN }, physicalResourceId: { id: PACKAGE_ARN } });
    expect(baselines.Properties.InstallLatestAwsSdk).toBe(false);
    template().hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^ModelMonitorBaselinesCustomResourcePolicy'),
      PolicyDocument: { Statement: [{ Action: 'sagemaker:DescribeModelPackage', Effect: 'Allow', Resource: PACKAGE_ARN }] },
    });
  });

  test('the schedules run the job definitions on Model Monitor\'s cron form of the schedule', () => {
    template().resourceCountIs('AWS::SageMaker::MonitoringSchedule', 2);
    for (const [suffix, type, definition] of [
      ['data-quality', 'DataQuality', '^ModelMonitorDataQuality'],
      ['model-quality', 'ModelQuality', '^ModelMonitorModelQuality'],
    ]) {
      template().hasResourceProperties('AWS::SageMaker::MonitoringSchedule', {
        MonitoringScheduleName: `${ENDPOINT}-${suffix}`,
        EndpointName: ENDPOINT,
        MonitoringScheduleConfig: {
          MonitoringJobDefinitionName: { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': [Match.stringLikeRegexp(definition), 'JobDefinitionArn'] }] }] },
          MonitoringType: type,
          ScheduleConfig: { ScheduleExpression: 'cron(0 0 ? * * *)' },
        },
      });
    }
  });

  test.each([
    ['rate(6 hours)', 'cron(0 0/6 ? * * *)'],
    ['cron(0 12 ? * * *)', 'cron(0 12 ? * * *)'],
  ])('the schedule %s runs both jobs on %s', (schedule, expected) => {
    templateOf(monitorStack({ schedule }).stack).allResourcesProperties('AWS::SageMaker::MonitoringSchedule', {
      MonitoringScheduleConfig: Match.objectLike({ ScheduleConfig: { ScheduleExpression: expected } }),
    });
  });

  test('the role creates only processing jobs, reads only the named prefixes and writes only the reports', () => {
    const policies = template().findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^ModelMonitorRoleDefaultPolicy') } });
    const [policy] = Object.values(policies) as any[];
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    const sagemakerActions = statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('sagemaker:'));
    expect(sagemakerActions).toEqual(['sagemaker:AddTags', 'sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob']);

    const objectPaths = (action: string) =>
      statements
        .filter((s) => [s.Action].flat().includes(action))
        .flatMap((s) => [s.Resource].flat())
        .map((r: any) => r['Fn::Join']?.[1]?.[1])
        .filter((p: unknown) => p !== undefined);
    expect(objectPaths('s3:GetObject').sort()).toEqual(
      [`/data-capture/${ENDPOINT}/*`, `/ground-truth/${ENDPOINT}/*`, '/pipelines/bert/*', '/pipelines/monitor/code/0123abcd/*', '/pipelines/monitor/model-monitor/*'].sort(),
    );
    expect(objectPaths('s3:PutObject')).toEqual(['/pipelines/monitor/model-monitor/*']);
    expect(objectPaths('s3:DeleteObject')).toEqual(['/pipelines/monitor/model-monitor/*']);

    const passRole = statements.filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ModelMonitorRole/), 'Arn'] } })]);
    // The monitor's role has no AWS managed policy (only the custom resource's handler has the basic execution one).
    template().hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] }),
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('alarms on drift and accuracy with the default thresholds, quiet without data', () => {
    template().resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${ENDPOINT}-data-drift`,
      Namespace: 'aws/sagemaker/Endpoints/data-metrics',
      MetricName: 'feature_baseline_drift_review_words',
      Dimensions: [
        { Name: 'Endpoint', Value: ENDPOINT },
        { Name: 'MonitoringSchedule', Value: `${ENDPOINT}-data-quality` },
      ],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0.1,
      TreatMissingData: 'notBreaching',
    });
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${ENDPOINT}-model-quality`,
      Namespace: 'aws/sagemaker/Endpoints/model-metrics',
      MetricName: 'accuracy',
      Dimensions: [
        { Name: 'Endpoint', Value: ENDPOINT },
        { Name: 'MonitoringSchedule', Value: `${ENDPOINT}-model-quality` },
      ],
      Statistic: 'Minimum',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 0.33,
      TreatMissingData: 'notBreaching',
    });
  });

  test('the thresholds given', () => {
    const { stack, monitor } = monitorStack({ driftThreshold: 0.25, minAccuracy: 0.6 });
    expect(monitor.alarms).toHaveLength(2);
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `${ENDPOINT}-data-drift`, Threshold: 0.25 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `${ENDPOINT}-model-quality`, Threshold: 0.6 });
  });

  test('metrics and widgets name the endpoint and the schedule', () => {
    const { monitor } = monitorStack();
    expect(monitor.dataMetric('feature_baseline_drift_review_words').dimensions).toEqual({ Endpoint: ENDPOINT, MonitoringSchedule: `${ENDPOINT}-data-quality` });
    expect(monitor.modelMetric('weighted_f1').dimensions).toEqual({ Endpoint: ENDPOINT, MonitoringSchedule: `${ENDPOINT}-model-quality` });
    expect(monitor.widgets()).toHaveLength(2);
  });

  test.each(['rate(5 hours)', 'rate(30 minutes)', 'rate(2 days)'])('the schedule %s is refused, naming it', (schedule) => {
    expect(() => monitorStack({ schedule })).toThrow(
      `monitoringSchedule '${schedule}' cannot be a Model Monitor schedule (Model Monitor runs a schedule every hour, every N hours with N dividing 24, or once a day); ` +
        'expected rate(N hours) with N dividing 24, rate(1 day), cron(0 * ? * * *), cron(0 H ? * * *) or cron(0 H/N ? * * *).',
    );
  });

  test('passes the cdk-nag AwsSolutions checks', () => {
    expect(nagFindings(monitorStack().stack)).toEqual([]);
  });
});
