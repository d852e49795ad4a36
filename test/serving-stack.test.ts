import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ServingStack } from '../lib/serving-stack';
import { buildApp, roleStatements } from './helpers';

const CHAMPION_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/reviews/1';
const CHALLENGER_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/reviews/2';
const ARNS = { modelPackageArn: CHAMPION_ARN, challengerModelPackageArn: CHALLENGER_ARN };

/** The serving stack of a context and its template (synthesizing runs the app's cdk-nag checks). */
function servingStack(context: Record<string, unknown>): { stack: ServingStack; template: Template } {
  const { platform } = buildApp(context);
  expect(platform.serving).toBeDefined();
  const stack = platform.serving!;
  return { stack, template: Template.fromStack(stack) };
}

/** The only resource of a type. */
function single(template: Template, type: string): any {
  const resources = Object.values(template.findResources(type));
  expect(resources).toHaveLength(1);
  return resources[0];
}

/**
 * The monitoring pipeline's definition: its body is JSON with deploy-time values spliced in by an
 * Fn::Join; each value becomes the text TOKEN (they all sit inside JSON strings).
 */
function monitorDefinition(template: Template): any {
  const pipeline = single(template, 'AWS::SageMaker::Pipeline');
  const parts = pipeline.Properties.PipelineDefinition.PipelineDefinitionBody['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(''));
}

/** The last literal of an Fn::Join (where the S3 key of a lake URI is). */
function joinTail(value: any): string {
  const parts = value['Fn::Join'][1];
  return parts[parts.length - 1];
}

describe('ServingStack with a champion and a challenger package (dev)', () => {
  const { stack, template } = servingStack(ARNS);

  test('the stack is named from the prefix', () => {
    expect(stack.stackName).toBe('pds-dev-serving');
    expect(stack.endpointName).toBe('pds-dev-bert-sentiment');
    expect(stack.servedPackages).toEqual({ VariantA: CHAMPION_ARN, VariantB: CHALLENGER_ARN });
  });

  test('one network-isolated model per package, run by one role without managed policies', () => {
    const models = Object.values(template.findResources('AWS::SageMaker::Model')) as any[];
    expect(models).toHaveLength(2);
    expect(models.map((m) => m.Properties.PrimaryContainer.ModelPackageName).sort()).toEqual([CHAMPION_ARN, CHALLENGER_ARN]);
    for (const model of models) {
      expect(model.Properties.EnableNetworkIsolation).toBe(true);
      expect(model.Properties.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ModelRole/), 'Arn'] });
    }
    const roleId = models[0].Properties.ExecutionRoleArn['Fn::GetAtt'][0];
    expect(models[1].Properties.ExecutionRoleArn['Fn::GetAtt'][0]).toBe(roleId);
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'sagemaker.amazonaws.com' } })]);
  });

  test('the container of each model is the model package alone', () => {
    const models = Object.values(template.findResources('AWS::SageMaker::Model')) as any[];
    expect(models.map((m) => m.Properties.PrimaryContainer)).toEqual([{ ModelPackageName: CHAMPION_ARN }, { ModelPackageName: CHALLENGER_ARN }]);
  });

  test('the endpoint config: VariantA and VariantB on ml.m5.large, 1 instance and weight 1 each, volumes under the lake key', () => {
    const config = single(template, 'AWS::SageMaker::EndpointConfig');
    expect(config.Properties.ProductionVariants).toEqual([
      expect.objectContaining({ VariantName: 'VariantA', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 }),
      expect.objectContaining({ VariantName: 'VariantB', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 }),
    ]);
    expect(JSON.stringify(config.Properties.KmsKeyId)).toMatch(/pds-dev-data-lake.*StorageKey/);
  });

  test('data capture: every request and response, encrypted, to data-capture/ in the lake, JSON Lines as text', () => {
    const config = single(template, 'AWS::SageMaker::EndpointConfig');
    const capture = config.Properties.DataCaptureConfig;
    expect(capture).toMatchObject({
      EnableCapture: true,
      InitialSamplingPercentage: 100,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      CaptureContentTypeHeader: { JsonContentTypes: expect.arrayContaining(['application/jsonlines']) },
    });
    expect(capture.KmsKeyId).toEqual(config.Properties.KmsKeyId);
    expect(capture.DestinationS3Uri['Fn::Join'][1][0]).toBe('s3://');
    expect(joinTail(capture.DestinationS3Uri)).toBe('/data-capture/');
  });

  test('the endpoint: named pds-dev-bert-sentiment, canary 25% of capacity, 300 s baking, rollback on its four alarms', () => {
    const endpoint = single(template, 'AWS::SageMaker::Endpoint');
    expect(endpoint.Properties.EndpointName).toBe('pds-dev-bert-sentiment');
    expect(endpoint.Properties.DeploymentConfig.BlueGreenUpdatePolicy).toMatchObject({
      TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 25 }, WaitIntervalInSeconds: 300 },
      TerminationWaitInSeconds: 300,
    });
    const rollbackAlarms = endpoint.Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms.map((a: any) => a.AlarmName.Ref);
    expect(rollbackAlarms).toHaveLength(4);
    const resources = template.toJSON().Resources;
    expect(rollbackAlarms.map((id: string) => resources[id].Properties.AlarmName)).toEqual([
      'pds-dev-bert-sentiment-VariantA-5xx-errors',
      'pds-dev-bert-sentiment-VariantA-model-latency',
      'pds-dev-bert-sentiment-VariantB-5xx-errors',
      'pds-dev-bert-sentiment-VariantB-model-latency',
    ]);
    expect(resources[rollbackAlarms[0]].Properties).toMatchObject({ Namespace: 'AWS/SageMaker', MetricName: 'Invocation5XXErrors', Threshold: 1 });
    // ModelLatency is in microseconds: 1000 ms.
    expect(resources[rollbackAlarms[1]].Properties).toMatchObject({ MetricName: 'ModelLatency', Statistic: 'Average', Threshold: 1_000_000 });
  });

  test('each variant scales from 1 to 2 instances on invocations per instance', () => {
    const targets = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget')) as any[];
    expect(targets.map((t) => t.Properties.ResourceId)).toEqual([
      'endpoint/pds-dev-bert-sentiment/variant/VariantA',
      'endpoint/pds-dev-bert-sentiment/variant/VariantB',
    ]);
    for (const target of targets) {
      expect(target.Properties).toMatchObject({
        MinCapacity: 1,
        MaxCapacity: 2,
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        ServiceNamespace: 'sagemaker',
      });
    }
    const policies = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')) as any[];
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties).toMatchObject({
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
          TargetValue: 2,
          ScaleOutCooldown: 60,
          ScaleInCooldown: 300,
        },
      });
    }
  });

  test('the monitoring pipeline checks drift and model quality of both variants', () => {
    const pipeline = single(template, 'AWS::SageMaker::Pipeline');
    expect(pipeline.Properties.PipelineName).toBe('pds-dev-endpoint-monitor');
    const definition = monitorDefinition(template);
    expect(definition.Steps.map((s: any) => s.Name)).toEqual(['DataDrift-VariantA', 'ModelQuality-VariantA', 'DataDrift-VariantB', 'ModelQuality-VariantB']);
    const args = (name: string) => definition.Steps.find((s: any) => s.Name === name).Arguments.AppSpecification.ContainerArguments;
    expect(args('DataDrift-VariantA')).toEqual(expect.arrayContaining(['data-drift', '--variant', 'VariantA', '--model-package-arn', CHAMPION_ARN]));
    expect(args('ModelQuality-VariantB')).toEqual(expect.arrayContaining(['model-quality', '--variant', 'VariantB', '--model-package-arn', CHALLENGER_ARN]));
  });

  test('the monitoring pipeline runs on the hourly schedule and reports failures to the serving topic', () => {
    const schedules = template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(1 hour)' } });
    expect(Object.values(schedules)).toHaveLength(1);
    expect(JSON.stringify(Object.values(schedules)[0])).toContain(':pipeline/pds-dev-endpoint-monitor');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'], detail: Match.objectLike({ currentPipelineExecutionStatus: ['Failed'] }) }),
      Targets: [Match.objectLike({ Arn: { 'Fn::ImportValue': 'pds-dev-serving-topic-arn' } })],
    });
  });

  test('a dashboard of the endpoint', () => {
    const dashboard = single(template, 'AWS::CloudWatch::Dashboard');
    expect(dashboard.Properties.DashboardName).toBe('pds-dev-bert-sentiment-serving');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of ['Invocations', 'Errors', 'Invocations per instance', 'Drift from the baseline', 'Model quality (ground truth)']) {
      expect(body).toContain(title);
    }
  });

  test('monitoring alarms per variant; every alarm tells the serving topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
    const names = alarms.map((a) => a.Properties.AlarmName);
    expect(names).toEqual(
      expect.arrayContaining([
        'pds-dev-bert-sentiment-VariantA-data-drift',
        'pds-dev-bert-sentiment-VariantA-model-quality',
        'pds-dev-bert-sentiment-VariantB-data-drift',
        'pds-dev-bert-sentiment-VariantB-model-quality',
      ]),
    );
    expect(alarms).toHaveLength(8);
    const topic = alarms[0].Properties.AlarmActions[0];
    // The approval flow's topic, by the ARN its stack exports.
    expect(topic).toEqual({ 'Fn::ImportValue': 'pds-dev-serving-topic-arn' });
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topic]);
    const drift = alarms.find((a) => a.Properties.AlarmName === 'pds-dev-bert-sentiment-VariantB-data-drift');
    expect(drift.Properties).toMatchObject({
      Namespace: 'PracticalDataScience/ModelMonitoring',
      MetricName: 'data_quality_violations',
      Dimensions: [
        { Name: 'Endpoint', Value: 'pds-dev-bert-sentiment' },
        { Name: 'Variant', Value: 'VariantB' },
      ],
    });
  });

  test('the model role may write to the lake only under the endpoint\'s capture folder', () => {
    const statements = roleStatements(template, 'ModelRole');
    const writes = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:Put') || a.startsWith('s3:Delete')));
    expect(writes).toHaveLength(1);
    expect([writes[0].Resource].flat().map(joinTail)).toEqual(['/data-capture/pds-dev-bert-sentiment/*']);
    expect([writes[0].Action].flat()).not.toContain('s3:DeleteObject');
  });

  test('an info annotation says that adding or removing a variant is a plain update', () => {
    Annotations.fromStack(stack).hasInfo(
      '/pds-dev-serving/Endpoint',
      Match.stringLikeRegexp('canary 25%.*adding or removing a variant is a plain update without canary or rollback'),
    );
  });

  test('outputs: the endpoint name and where the ground truth goes', () => {
    template.hasOutput('EndpointName', { Value: 'pds-dev-bert-sentiment' });
    template.hasOutput('GroundTruthUri', { Value: { 'Fn::Join': ['', Match.arrayWith(['/ground-truth/pds-dev-bert-sentiment/'])] } });
  });

  test('the serving stack with two model package ARNs matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('what the serving stack serves', () => {
  test('no serving stack without serving or a model package', () => {
    expect(buildApp({}).platform.serving).toBeUndefined();
    expect(buildApp({ stage: 'prod', servingPromotion: 'challenger' }).platform.serving).toBeUndefined();
  });

  test('serving=true: VariantA alone, its package read from the champion parameter at deploy time', () => {
    const { template } = servingStack({ serving: 'true' });
    const parameters = template.findParameters('*', { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/pds-dev/serving/champion-model-package-arn' });
    expect(Object.keys(parameters)).toHaveLength(1);
    expect(Object.keys(template.findParameters('*', { Default: '/pds-dev/serving/challenger-model-package-arn' }))).toHaveLength(0);
    const [model] = Object.values(template.findResources('AWS::SageMaker::Model')) as any[];
    expect(model.Properties.PrimaryContainer.ModelPackageName).toEqual({ Ref: Object.keys(parameters)[0] });
    template.resourceCountIs('AWS::SageMaker::Model', 1);
    expect(single(template, 'AWS::SageMaker::EndpointConfig').Properties.ProductionVariants.map((v: any) => v.VariantName)).toEqual(['VariantA']);
    expect(monitorDefinition(template).Steps.map((s: any) => s.Name)).toEqual(['DataDrift-VariantA', 'ModelQuality-VariantA']);
  });

  test('serving=true with challenger promotion: both parameters, both variants', () => {
    const { template } = servingStack({ serving: 'true', servingPromotion: 'challenger' });
    const champion = Object.keys(template.findParameters('*', { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/pds-dev/serving/champion-model-package-arn' }));
    const challenger = Object.keys(template.findParameters('*', { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/pds-dev/serving/challenger-model-package-arn' }));
    expect(champion).toHaveLength(1);
    expect(challenger).toHaveLength(1);
    const models = Object.values(template.findResources('AWS::SageMaker::Model')) as any[];
    expect(models.map((m) => m.Properties.PrimaryContainer.ModelPackageName)).toEqual([{ Ref: champion[0] }, { Ref: challenger[0] }]);
    expect(single(template, 'AWS::SageMaker::EndpointConfig').Properties.ProductionVariants.map((v: any) => v.VariantName)).toEqual(['VariantA', 'VariantB']);
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 2);
  });
});

describe('ServingStack with the managed quality engine', () => {
  const { template } = servingStack({ ...ARNS, qualityEngine: 'managed' });

  test('Model Monitor checks data quality of the captured requests with the project\'s record preprocessor', () => {
    const definition = single(template, 'AWS::SageMaker::DataQualityJobDefinition');
    expect(definition.Properties.EndpointName).toBe('pds-dev-bert-sentiment');
    expect(joinTail(definition.Properties.DataQualityAppSpecification.RecordPreprocessorSourceUri)).toMatch(
      /^\/pipelines\/endpoint-monitor\/code\/[0-9a-f]{32}\/monitor_preprocessor\.py$/,
    );
    expect(definition.Properties.NetworkConfig).toEqual({ EnableInterContainerTrafficEncryption: true, EnableNetworkIsolation: true });
  });

  test('Model Monitor checks multiclass model quality against the ground truth', () => {
    const definition = single(template, 'AWS::SageMaker::ModelQualityJobDefinition');
    expect(definition.Properties.ModelQualityAppSpecification.ProblemType).toBe('MulticlassClassification');
    expect(definition.Properties.ModelQualityJobInput.EndpointInput.InferenceAttribute).toBe('predicted_label');
    expect(joinTail(definition.Properties.ModelQualityJobInput.GroundTruthS3Input.S3Uri)).toBe('/ground-truth/pds-dev-bert-sentiment/');
  });

  test('two hourly schedules, in Model Monitor\'s cron form', () => {
    const schedules = Object.values(template.findResources('AWS::SageMaker::MonitoringSchedule')) as any[];
    expect(schedules.map((s) => s.Properties.MonitoringScheduleConfig.MonitoringType).sort()).toEqual(['DataQuality', 'ModelQuality']);
    for (const schedule of schedules) {
      expect(schedule.Properties.MonitoringScheduleConfig.ScheduleConfig).toEqual({ ScheduleExpression: 'cron(0 * ? * * *)' });
    }
  });

  test('the baselines are read from the served package by a custom resource', () => {
    const reader = single(template, 'Custom::AWS');
    const call = JSON.parse(reader.Properties.Update);
    expect(call).toMatchObject({ service: 'SageMaker', action: 'describeModelPackage', parameters: { ModelPackageName: CHAMPION_ARN } });
    const quality = single(template, 'AWS::SageMaker::ModelQualityJobDefinition');
    expect(quality.Properties.ModelQualityBaselineConfig.ConstraintsResource.S3Uri).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^ModelMonitorBaselines/), 'DriftCheckBaselines.ModelQuality.Constraints.S3Uri'],
    });
  });

  test('no monitoring pipeline and no schedule rule', () => {
    template.resourceCountIs('AWS::SageMaker::Pipeline', 0);
    template.resourceCountIs('AWS::Events::Rule', 0);
  });

  // Regression: the reports go under pipelines/endpoint-monitor/model-monitor/, and the role must
  // be granted that prefix (an earlier version granted pipelines/model-monitor/ only).
  test('the Model Monitor role may write where its job definitions put their reports', () => {
    const outputs = ['AWS::SageMaker::DataQualityJobDefinition', 'AWS::SageMaker::ModelQualityJobDefinition'].map((type) => {
      const definition = single(template, type).Properties;
      const config = definition.DataQualityJobOutputConfig ?? definition.ModelQualityJobOutputConfig;
      return joinTail(config.MonitoringOutputs[0].S3Output.S3Uri);
    });
    const writable = roleStatements(template, 'ModelMonitorRole')
      .filter((s) => [s.Action].flat().includes('s3:PutObject'))
      .flatMap((s) => [s.Resource].flat().map(joinTail))
      .map((pattern: string) => pattern.replace(/\*$/, ''));
    for (const output of outputs) {
      expect(writable.some((prefix: string) => output.startsWith(prefix))).toBe(true);
    }
  });

  test('a schedule Model Monitor cannot run is refused with the settings, naming monitoringSchedule', () => {
    expect(() => buildApp({ ...ARNS, qualityEngine: 'managed', monitoringSchedule: 'rate(5 hours)' })).toThrow(
      /^Invalid context value 'monitoringSchedule': 'rate\(5 hours\)' is not allowed with qualityEngine=managed/,
    );
  });
});

describe('ServingStack with the serverless profile (prod)', () => {
  const { stack, template } = servingStack({ stage: 'prod', serving: 'true', servingProfile: 'serverless' });

  test('one serverless variant, without data capture or a volume key', () => {
    const config = single(template, 'AWS::SageMaker::EndpointConfig');
    expect(config.Properties.ProductionVariants).toEqual([
      expect.objectContaining({ VariantName: 'VariantA', ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 5 } }),
    ]);
    expect(config.Properties.ProductionVariants[0].InstanceType).toBeUndefined();
    expect(config.Properties.DataCaptureConfig).toBeUndefined();
    expect(config.Properties.KmsKeyId).toBeUndefined();
  });

  test('the model is not network-isolated (serverless endpoints exclude it)', () => {
    const model = single(template, 'AWS::SageMaker::Model');
    expect(model.Properties.EnableNetworkIsolation).toBe(false);
  });

  test('no autoscaling, no monitoring, and the update shifts all at once', () => {
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    template.resourceCountIs('AWS::SageMaker::Pipeline', 0);
    template.resourceCountIs('AWS::SageMaker::MonitoringSchedule', 0);
    const endpoint = single(template, 'AWS::SageMaker::Endpoint');
    expect(endpoint.Properties.EndpointName).toBe('pds-prod-bert-sentiment');
    expect(endpoint.Properties.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration).toEqual({ Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 300 });
    expect(endpoint.Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms).toHaveLength(2);
  });

  test('the model role may not write to the lake', () => {
    const actions = roleStatements(template, 'ModelRole').flatMap((s) => [s.Action].flat());
    expect(actions.filter((a: string) => a.startsWith('s3:Put'))).toEqual([]);
  });

  test('an info annotation says what the serverless profile leaves out', () => {
    Annotations.fromStack(stack).hasInfo('/pds-prod-serving', Match.stringLikeRegexp('Serverless profile: pds-prod-bert-sentiment serves VariantA only'));
  });
});

describe('serving settings show in the stack', () => {
  const { template } = servingStack({
    ...ARNS,
    servingVariants: '{"VariantA":{"weight":3},"VariantB":{"instanceType":"ml.c5.xlarge"}}',
    servingAutoscaling: '{"maxCapacity":4,"targetInvocationsPerInstance":5}',
    servingRollout: '{"canaryPercent":10,"waitSeconds":600,"maxModelLatencyMs":250}',
    dataCaptureSamplingPercentage: '20',
    monitoringSchedule: 'rate(2 hours)',
  });

  test('weights, instance types and the capture sampling', () => {
    const config = single(template, 'AWS::SageMaker::EndpointConfig');
    expect(config.Properties.ProductionVariants).toEqual([
      expect.objectContaining({ VariantName: 'VariantA', InitialVariantWeight: 3, InstanceType: 'ml.m5.large' }),
      expect.objectContaining({ VariantName: 'VariantB', InitialVariantWeight: 1, InstanceType: 'ml.c5.xlarge' }),
    ]);
    expect(config.Properties.DataCaptureConfig.InitialSamplingPercentage).toBe(20);
  });

  test('autoscaling up to 4 instances at 5 invocations per instance', () => {
    for (const target of Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget')) as any[]) {
      expect(target.Properties).toMatchObject({ MinCapacity: 1, MaxCapacity: 4 });
    }
    template.allResourcesProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 5, ScaleOutCooldown: 60, ScaleInCooldown: 300 }),
    });
  });

  test('a 10% canary, 600 s baking and a 250 ms latency alarm', () => {
    const endpoint = single(template, 'AWS::SageMaker::Endpoint');
    expect(endpoint.Properties.DeploymentConfig.BlueGreenUpdatePolicy).toMatchObject({
      TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 }, WaitIntervalInSeconds: 600 },
      TerminationWaitInSeconds: 600,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'pds-dev-bert-sentiment-VariantA-model-latency', Threshold: 250_000 });
  });

  test('the monitoring schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(2 hours)' });
  });
});

describe('ServingStack with the pipeline jobs in a VPC', () => {
  const { template } = servingStack({ ...ARNS, pipelineSubnetIds: 'subnet-0abc1234', pipelineSecurityGroupIds: 'sg-0abc1234' });

  test('the monitoring jobs run in the subnets, and their role may manage their network interfaces', () => {
    const steps = monitorDefinition(template).Steps as any[];
    for (const step of steps) {
      expect(step.Arguments.NetworkConfig.VpcConfig).toEqual({ Subnets: ['subnet-0abc1234'], SecurityGroupIds: ['sg-0abc1234'] });
    }
    expect(roleStatements(template, 'MonitorRole')).toContainEqual(
      expect.objectContaining({ Sid: 'JobNetworkInterfaces', Action: expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface']) }),
    );
  });
});
