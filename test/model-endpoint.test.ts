import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sm from '@aws-cdk/aws-sagemaker-alpha';
import { InstanceVariant, ModelEndpoint, ModelEndpointProps, ServerlessVariant } from '../lib/constructs/model-endpoint';
import { ModelPackageModel } from '../lib/constructs/model-package-model';
import { modelMonitorSchedule } from '../lib/constructs/model-monitor-schedules';
import { nagFindings, testStack } from './helpers';

const PACKAGE_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/reviews/1';

/** A stack with a key and a model made from a package, to put endpoints in. */
function fixture(): { stack: Stack; model: sm.IModel; key: kms.IKey } {
  const stack = testStack();
  const role = new iam.Role(stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  const model = new ModelPackageModel(stack, 'Model', { modelPackageArn: PACKAGE_ARN, role }).model;
  return { stack, model, key: new kms.Key(stack, 'Key', { enableKeyRotation: true }) };
}

const rollout = { canaryPercent: 25, wait: Duration.minutes(5), maxModelLatency: Duration.seconds(1) };

function instanceVariant(model: sm.IModel, overrides: Partial<InstanceVariant> = {}): InstanceVariant {
  return { variantName: 'VariantA', model, instanceType: 'ml.m5.large', ...overrides };
}

function serverlessVariant(model: sm.IModel, overrides: Partial<ServerlessVariant> = {}): ServerlessVariant {
  return { variantName: 'VariantA', model, memorySizeInMb: 2048, maxConcurrency: 5, ...overrides };
}

/** Builds an endpoint in a fresh fixture; the props are made from the fixture's model and key. */
function endpoint(props: (f: { model: sm.IModel; key: kms.IKey }) => Partial<ModelEndpointProps>): { stack: Stack; endpoint: ModelEndpoint } {
  const f = fixture();
  return { stack: f.stack, endpoint: new ModelEndpoint(f.stack, 'Endpoint', { endpointName: 'reviews', rollout, ...props(f) }) };
}

describe('ModelEndpoint refuses bad props with a message that says what is allowed', () => {
  test('neither variants nor serverless', () => {
    expect(() => endpoint(() => ({}))).toThrow('ModelEndpoint: give either variants (provisioned instances) or serverless, not both or neither.');
    expect(() => endpoint(() => ({ variants: [] }))).toThrow('not both or neither');
  });

  test('both variants and serverless', () => {
    expect(() => endpoint(({ model }) => ({ variants: [instanceVariant(model)], serverless: serverlessVariant(model, { variantName: 'Serverless' }) }))).toThrow(
      'give either variants (provisioned instances) or serverless, not both or neither',
    );
  });

  test.each(['-reviews', 'reviews-', 'reviews_endpoint', 'a'.repeat(64)])("endpoint name '%s'", (name) => {
    expect(() => endpoint(({ model }) => ({ endpointName: name, variants: [instanceVariant(model)] }))).toThrow(
      `ModelEndpoint: endpointName '${name}' is not allowed; expected 1 to 63 letters, digits and hyphens`,
    );
  });

  test('a variant name that is not allowed', () => {
    expect(() => endpoint(({ model }) => ({ variants: [instanceVariant(model, { variantName: 'Variant A' })] }))).toThrow(
      "variant name 'Variant A' is not allowed",
    );
  });

  test('duplicate variant names', () => {
    expect(() => endpoint(({ model }) => ({ variants: [instanceVariant(model), instanceVariant(model)] }))).toThrow(
      'ModelEndpoint: variant names VariantA, VariantA repeat; expected unique names.',
    );
  });

  test('an instance type with local NVMe storage on an endpoint with a key', () => {
    expect(() => endpoint(({ model, key }) => ({ variants: [instanceVariant(model, { instanceType: 'ml.m5d.large' })], encryptionKey: key }))).toThrow(
      "ModelEndpoint: VariantA: 'ml.m5d.large' has local NVMe storage, for which SageMaker rejects the endpoint's KMS key; expected an EBS-backed type.",
    );
    // Without a key the type is fine.
    expect(() => endpoint(({ model }) => ({ variants: [instanceVariant(model, { instanceType: 'ml.m5d.large' })] }))).not.toThrow();
  });

  test('something that is not an instance type', () => {
    expect(() => endpoint(({ model }) => ({ variants: [instanceVariant(model, { instanceType: 'm5.large' })] }))).toThrow(
      "VariantA: 'm5.large' is not an instance type; expected ml.<family>.<size>.",
    );
  });

  test('a negative weight', () => {
    expect(() => endpoint(({ model }) => ({ variants: [instanceVariant(model, { weight: -1 })] }))).toThrow(
      'ModelEndpoint: VariantA: weight -1 is not allowed; expected 0 or more.',
    );
  });

  test('all weights 0', () => {
    expect(() =>
      endpoint(({ model }) => ({ variants: [instanceVariant(model, { weight: 0 }), instanceVariant(model, { variantName: 'VariantB', weight: 0 })] })),
    ).toThrow('ModelEndpoint: the weights of VariantA, VariantB are all 0; expected at least one positive weight.');
    expect(() =>
      endpoint(({ model }) => ({ variants: [instanceVariant(model, { weight: 0 }), instanceVariant(model, { variantName: 'VariantB' })] })),
    ).not.toThrow();
  });

  test('serverless with data capture', () => {
    expect(() =>
      endpoint(({ model, key }) => ({
        serverless: serverlessVariant(model),
        dataCapture: { destinationS3Uri: 's3://lake/data-capture/', encryptionKey: key, samplingPercentage: 100, jsonContentTypes: ['application/jsonlines'] },
      })),
    ).toThrow('ModelEndpoint: dataCapture is not available on serverless endpoints; expected no dataCapture with serverless.');
  });

  test('serverless with an encryption key', () => {
    expect(() => endpoint(({ model, key }) => ({ serverless: serverlessVariant(model), encryptionKey: key }))).toThrow(
      'ModelEndpoint: encryptionKey is not available on serverless endpoints (they have no instance volumes); expected no encryptionKey with serverless.',
    );
  });

  test.each([0, 101, 12.5])('data capture sampling percentage %s', (samplingPercentage) => {
    expect(() =>
      endpoint(({ model, key }) => ({
        variants: [instanceVariant(model)],
        dataCapture: { destinationS3Uri: 's3://lake/data-capture/', encryptionKey: key, samplingPercentage, jsonContentTypes: [] },
      })),
    ).toThrow(`ModelEndpoint: dataCapture.samplingPercentage ${samplingPercentage} is not allowed; expected an integer from 1 to 100.`);
  });

  test.each([
    [1000, 5],
    [7168, 5],
    [2048, 0],
    [2048, 201],
  ])('serverless memory %s MB with concurrency %s', (memorySizeInMb, maxConcurrency) => {
    expect(() => endpoint(({ model }) => ({ serverless: serverlessVariant(model, { memorySizeInMb, maxConcurrency }) }))).toThrow(
      `ModelEndpoint: serverless memory ${memorySizeInMb} MB and concurrency ${maxConcurrency} are not allowed; expected 1024 to 6144 MB in steps of 1024 and 1 to 200.`,
    );
  });

  test('autoscaling with a minimum above the maximum', () => {
    const autoscaling = { minCapacity: 3, maxCapacity: 2, targetInvocationsPerInstance: 2, scaleOutCooldown: Duration.minutes(1), scaleInCooldown: Duration.minutes(5) };
    expect(() => endpoint(({ model }) => ({ variants: [instanceVariant(model, { autoscaling })] }))).toThrow(
      'ModelEndpoint: VariantA: autoscaling from 3 to 2 instances is not allowed; expected 1 <= minCapacity <= maxCapacity.',
    );
    expect(() => endpoint(({ model }) => ({ variants: [instanceVariant(model, { autoscaling: { ...autoscaling, minCapacity: 0 } })] }))).toThrow(
      'autoscaling from 0 to 2 instances is not allowed',
    );
  });
});

describe('ModelEndpoint', () => {
  test('metric() of a variant it does not have throws, naming the variants it has', () => {
    const { endpoint: e } = endpoint(({ model }) => ({ variants: [instanceVariant(model)] }));
    expect(() => e.metric('VariantB', 'Invocations')).toThrow("ModelEndpoint: no variant 'VariantB'; expected one of VariantA.");
    expect(e.metric('VariantA', 'Invocations').dimensions).toEqual({ EndpointName: 'reviews', VariantName: 'VariantA' });
  });

  test('one variant with the defaults: 1 instance, weight 1, no autoscaling, canary rollout on its two alarms', () => {
    const { stack } = endpoint(({ model }) => ({ variants: [instanceVariant(model)] }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ VariantName: 'VariantA', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 })],
      DataCaptureConfig: Match.absent(),
      KmsKeyId: Match.absent(),
    });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::SageMaker::Endpoint', {
      EndpointName: 'reviews',
      DeploymentConfig: {
        BlueGreenUpdatePolicy: Match.objectLike({ TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 25 }, WaitIntervalInSeconds: 300 } }),
        AutoRollbackConfiguration: { Alarms: [Match.anyValue(), Match.anyValue()] },
      },
    });
  });
});

describe('modelMonitorSchedule', () => {
  test.each([
    ['rate(1 hour)', 'cron(0 * ? * * *)'],
    ['rate(2 hours)', 'cron(0 0/2 ? * * *)'],
    ['rate(6 hours)', 'cron(0 0/6 ? * * *)'],
    ['rate(24 hours)', 'cron(0 0 ? * * *)'],
    ['rate(1 day)', 'cron(0 0 ? * * *)'],
    ['cron(0 12 ? * * *)', 'cron(0 12 ? * * *)'],
  ])('%s becomes %s', (expression, expected) => {
    expect(modelMonitorSchedule(expression)).toBe(expected);
  });

  test.each(['rate(5 hours)', 'rate(30 minutes)', 'rate(2 days)', 'cron(30 * ? * * *)', 'cron(0 12 ? * MON *)'])('%s cannot be a Model Monitor schedule', (expression) => {
    expect(() => modelMonitorSchedule(expression)).toThrow(
      `monitoringSchedule '${expression}' cannot be a Model Monitor schedule (Model Monitor runs a schedule every hour, every N hours with N dividing 24, or once a day); ` +
        'expected rate(N hours) with N dividing 24, rate(1 day), cron(0 * ? * * *), cron(0 H ? * * *) or cron(0 H/N ? * * *).',
    );
  });
});

test('ModelEndpoint passes the cdk-nag AwsSolutions checks (two variants, data capture, autoscaling)', () => {
  const { stack } = endpoint(({ model, key }) => ({
    variants: [
      instanceVariant(model, { autoscaling: { minCapacity: 1, maxCapacity: 2, targetInvocationsPerInstance: 2, scaleInCooldown: Duration.minutes(5), scaleOutCooldown: Duration.minutes(1) } }),
      instanceVariant(model, { variantName: 'VariantB' }),
    ],
    encryptionKey: key,
    dataCapture: { destinationS3Uri: 's3://pds-test-lake/data-capture/', encryptionKey: key, samplingPercentage: 100, jsonContentTypes: ['application/jsonlines'] },
  }));
  expect(nagFindings(stack)).toEqual([]);
});
