import { servingPlan } from '../lib/serving-plan';
import { DEFAULT_SERVING_VARIANT, STAGES } from '../lib/settings';
import { configErrorOf, configFor } from './helpers';

const CHAMPION_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/reviews/1';
const CHALLENGER_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/reviews/2';

describe('serving defaults', () => {
  test.each(STAGES)('stage %s: no serving stack unless asked', (stage) => {
    const config = configFor({ stage });
    expect(config.serving).toBe(false);
    expect(config.modelPackageArn).toBeUndefined();
    expect(config.challengerModelPackageArn).toBeUndefined();
    expect(config.servingNotificationEmail).toBeUndefined();
    expect(servingPlan(config)).toBeUndefined();
  });

  test.each(STAGES)("stage %s: the course's A/B test, replace promotion, instance profile", (stage) => {
    const config = configFor({ stage });
    expect(config.servingPromotion).toBe('replace');
    expect(config.servingProfile).toBe('instance');
    expect(config.servingVariants).toEqual({
      VariantA: { instanceType: 'ml.m5.large', initialInstanceCount: 1, weight: 1 },
      VariantB: { instanceType: 'ml.m5.large', initialInstanceCount: 1, weight: 1 },
    });
  });

  test.each(STAGES)("stage %s: the course's autoscaling, capture of every request, hourly monitoring", (stage) => {
    const config = configFor({ stage });
    expect(config.servingAutoscaling).toEqual({
      enabled: true,
      minCapacity: 1,
      maxCapacity: 2,
      targetInvocationsPerInstance: 2,
      scaleOutCooldownSeconds: 60,
      scaleInCooldownSeconds: 300,
    });
    expect(config.servingRollout).toEqual({ canaryPercent: 25, waitSeconds: 300, maxModelLatencyMs: 1000 });
    expect(config.servingServerless).toEqual({ memorySizeInMb: 3072, maxConcurrency: 5 });
    expect(config.dataCaptureSamplingPercentage).toBe(100);
    expect(config.monitoringSchedule).toBe('rate(1 hour)');
  });
});

describe('JSON serving settings merge with the defaults', () => {
  test('a partial servingVariants changes only what it names', () => {
    const config = configFor({ servingVariants: '{"VariantB":{"weight":0}}' });
    expect(config.servingVariants.VariantA).toEqual(DEFAULT_SERVING_VARIANT);
    expect(config.servingVariants.VariantB).toEqual({ ...DEFAULT_SERVING_VARIANT, weight: 0 });
  });

  test('a typed object from cdk.json is accepted like a JSON string', () => {
    const config = configFor({ servingVariants: { VariantA: { instanceType: 'ml.c5.xlarge', initialInstanceCount: 2 } } });
    expect(config.servingVariants.VariantA).toEqual({ instanceType: 'ml.c5.xlarge', initialInstanceCount: 2, weight: 1 });
    expect(config.servingVariants.VariantB).toEqual(DEFAULT_SERVING_VARIANT);
  });

  test('servingAutoscaling, servingRollout and servingServerless keep the keys left out', () => {
    const config = configFor({
      servingAutoscaling: '{"maxCapacity":4}',
      servingRollout: '{"canaryPercent":10}',
      servingServerless: '{"memorySizeInMb":6144}',
    });
    expect(config.servingAutoscaling).toMatchObject({ enabled: true, minCapacity: 1, maxCapacity: 4, targetInvocationsPerInstance: 2 });
    expect(config.servingRollout).toEqual({ canaryPercent: 10, waitSeconds: 300, maxModelLatencyMs: 1000 });
    expect(config.servingServerless).toEqual({ memorySizeInMb: 6144, maxConcurrency: 5 });
  });

  test('scalar serving settings parse from -c strings', () => {
    const config = configFor({
      serving: 'true',
      servingPromotion: 'challenger',
      dataCaptureSamplingPercentage: '25',
      monitoringSchedule: 'rate(2 hours)',
      servingNotificationEmail: 'ml@example.com',
    });
    expect(config).toMatchObject({
      serving: true,
      servingPromotion: 'challenger',
      dataCaptureSamplingPercentage: 25,
      monitoringSchedule: 'rate(2 hours)',
      servingNotificationEmail: 'ml@example.com',
    });
  });
});

describe('bad serving values name the setting, the value and what is allowed', () => {
  test('an unknown variant', () => {
    const message = configErrorOf({ servingVariants: '{"VariantC":{"weight":1}}' });
    expect(message).toContain("Invalid context value 'servingVariants': '{\"VariantC\":{\"weight\":1}}' is not allowed");
    expect(message).toContain("unknown variant 'VariantC'; expected VariantA, VariantB");
    expect(message).toContain('expected a JSON object of VariantA and/or VariantB');
  });

  test('an unknown key of a variant', () => {
    const message = configErrorOf({ servingVariants: '{"VariantA":{"size":1}}' });
    expect(message).toContain("'servingVariants'");
    expect(message).toContain("unknown key 'VariantA.size'; expected instanceType, initialInstanceCount, weight");
  });

  test('an unknown key of servingAutoscaling', () => {
    const message = configErrorOf({ servingAutoscaling: '{"minimum":1}' });
    expect(message).toContain("Invalid context value 'servingAutoscaling': '{\"minimum\":1}' is not allowed");
    expect(message).toContain("unknown key 'minimum'; expected enabled, minCapacity, maxCapacity");
  });

  test('an instance type the registered packages are not offered on', () => {
    const message = configErrorOf({ servingVariants: '{"VariantA":{"instanceType":"ml.t2.medium"}}' });
    expect(message).toContain("'servingVariants'");
    expect(message).toContain("VariantA.instanceType 'ml.t2.medium' is not one of ml.m5.large");
  });

  test('an instance type with local NVMe storage, which the KMS volume key rules out', () => {
    const message = configErrorOf({ servingVariants: '{"VariantB":{"instanceType":"ml.m5d.large"}}' });
    expect(message).toContain("Invalid context value 'servingVariants'");
    expect(message).toContain("'ml.m5d.large'");
    expect(message).toMatch(/NVMe/);
    expect(message).toMatch(/KMS/);
  });

  test('a negative weight', () => {
    const message = configErrorOf({ servingVariants: '{"VariantA":{"weight":-1}}' });
    expect(message).toContain("'servingVariants'");
    expect(message).toContain('VariantA.weight -1 is not a number from 0 to 1000000');
  });

  test('a variant that is not an object, and text that is not JSON', () => {
    expect(configErrorOf({ servingVariants: '{"VariantA":"big"}' })).toContain('VariantA is not an object');
    expect(configErrorOf({ servingVariants: 'VariantA=big' })).toBe(
      "Invalid context value 'servingVariants': 'VariantA=big' is not allowed; expected a JSON object of VariantA and/or VariantB to " +
        '{"instanceType": one of ml.m5.large, ml.m5.xlarge, ml.c5.xlarge, ml.c5.2xlarge, "initialInstanceCount": 1 to 100, "weight": 0 to 1000000}; ' +
        "the served variants' weights may not all be 0.",
    );
  });

  test('the weights of the served variants all 0', () => {
    expect(configErrorOf({ serving: 'true', servingVariants: '{"VariantA":{"weight":0}}' })).toBe(
      "Invalid context value 'servingVariants': the weights of VariantA are all 0; expected at least one positive weight.",
    );
    expect(
      configErrorOf({ modelPackageArn: CHAMPION_ARN, challengerModelPackageArn: CHALLENGER_ARN, servingVariants: '{"VariantA":{"weight":0},"VariantB":{"weight":0}}' }),
    ).toContain('the weights of VariantA and VariantB are all 0');
  });

  test('only served variants count: a zero weight on an unserved or a second variant is fine', () => {
    // VariantB is not served (no challenger): its weight does not matter.
    expect(configFor({ serving: 'true', servingVariants: '{"VariantB":{"weight":0}}' }).servingVariants.VariantB.weight).toBe(0);
    // Without serving, the approval deployer would still serve VariantA: its weight is checked.
    expect(() => configFor({ servingVariants: '{"VariantA":{"weight":0}}' })).toThrow('the weights of VariantA are all 0');
    // One of two served variants may take no traffic.
    expect(() =>
      configFor({ modelPackageArn: CHAMPION_ARN, challengerModelPackageArn: CHALLENGER_ARN, servingVariants: '{"VariantB":{"weight":0}}' }),
    ).not.toThrow();
  });

  test('autoscaling with a minimum above the maximum, also against the default maximum', () => {
    expect(configErrorOf({ servingAutoscaling: '{"minCapacity":3,"maxCapacity":2}' })).toBe(
      "Invalid context value 'servingAutoscaling': minCapacity 3 is above maxCapacity 2; expected minCapacity <= maxCapacity.",
    );
    expect(configErrorOf({ servingAutoscaling: '{"minCapacity":3}' })).toContain('minCapacity 3 is above maxCapacity 2');
  });

  test('a model package ARN that is not a versioned package', () => {
    const groupArn = 'arn:aws:sagemaker:us-east-1:111122223333:model-package-group/reviews';
    expect(configErrorOf({ modelPackageArn: groupArn })).toBe(
      `Invalid context value 'modelPackageArn': '${groupArn}' is not allowed; expected a versioned model package ARN, ` +
        'e.g. arn:aws:sagemaker:us-east-1:111122223333:model-package/<group>/3.',
    );
    expect(configErrorOf({ modelPackageArn: CHAMPION_ARN, challengerModelPackageArn: 'reviews/2' })).toContain(
      "Invalid context value 'challengerModelPackageArn': 'reviews/2' is not allowed; expected a versioned model package ARN",
    );
  });

  test('a challenger without a champion', () => {
    expect(configErrorOf({ challengerModelPackageArn: CHALLENGER_ARN })).toBe(
      "Incomplete serving settings: 'challengerModelPackageArn' is set without a champion; expected modelPackageArn or serving=true as well.",
    );
  });

  test('the serverless profile with a challenger ARN', () => {
    const message = configErrorOf({ modelPackageArn: CHAMPION_ARN, challengerModelPackageArn: CHALLENGER_ARN, servingProfile: 'serverless' });
    expect(message).toBe(
      "Invalid serving settings: 'challengerModelPackageArn' is set, but the serverless profile serves one variant; " +
        'expected servingProfile=instance for an A/B test, or no challenger.',
    );
  });

  test('the serverless profile with serving and challenger promotion', () => {
    const message = configErrorOf({ serving: 'true', servingPromotion: 'challenger', servingProfile: 'serverless' });
    expect(message).toContain("'servingPromotion' is challenger, but the serverless profile serves one variant");
    expect(message).toContain('expected servingProfile=instance');
  });

  test('a serverless memory size SageMaker does not offer', () => {
    const message = configErrorOf({ servingServerless: '{"memorySizeInMb":1000}' });
    expect(message).toContain("Invalid context value 'servingServerless': '{\"memorySizeInMb\":1000}' is not allowed");
    expect(message).toContain('memorySizeInMb 1000 is not one of 1024, 2048, 3072, 4096, 5120, 6144');
  });

  test('out-of-range rollout, capture and schedule values', () => {
    expect(configErrorOf({ servingRollout: '{"canaryPercent":100}' })).toContain('canaryPercent 100 is not an integer from 1 to 99');
    expect(configErrorOf({ dataCaptureSamplingPercentage: '0' })).toBe(
      "Invalid context value 'dataCaptureSamplingPercentage': '0' is not allowed; expected an integer from 1 to 100.",
    );
    expect(configErrorOf({ monitoringSchedule: 'hourly' })).toContain("Invalid context value 'monitoringSchedule': 'hourly' is not allowed");
    expect(configErrorOf({ servingPromotion: 'swap' })).toBe("Invalid context value 'servingPromotion': 'swap' is not allowed; expected one of replace, challenger.");
  });
});

describe('servingPlan', () => {
  test('nothing to serve: no serving stack', () => {
    expect(servingPlan(configFor())).toBeUndefined();
  });

  test('serving=true: the champion parameter alone', () => {
    expect(servingPlan(configFor({ serving: 'true' }))).toEqual({ champion: { parameter: 'champion' }, challenger: undefined });
  });

  test('modelPackageArn alone: that package alone, no parameter', () => {
    expect(servingPlan(configFor({ modelPackageArn: CHAMPION_ARN }))).toEqual({ champion: { arn: CHAMPION_ARN }, challenger: undefined });
  });

  test('both ARNs: the A/B test of the two packages', () => {
    expect(servingPlan(configFor({ modelPackageArn: CHAMPION_ARN, challengerModelPackageArn: CHALLENGER_ARN }))).toEqual({
      champion: { arn: CHAMPION_ARN },
      challenger: { arn: CHALLENGER_ARN },
    });
  });

  test('serving=true with challenger promotion: both parameters', () => {
    expect(servingPlan(configFor({ serving: 'true', servingPromotion: 'challenger' }))).toEqual({
      champion: { parameter: 'champion' },
      challenger: { parameter: 'challenger' },
    });
  });

  test('modelPackageArn with challenger promotion: no challenger from the parameter', () => {
    expect(servingPlan(configFor({ modelPackageArn: CHAMPION_ARN, servingPromotion: 'challenger' }))).toEqual({
      champion: { arn: CHAMPION_ARN },
      challenger: undefined,
    });
  });

  test('serving=true with a challenger ARN: the champion parameter against that package', () => {
    expect(servingPlan(configFor({ serving: 'true', challengerModelPackageArn: CHALLENGER_ARN }))).toEqual({
      champion: { parameter: 'champion' },
      challenger: { arn: CHALLENGER_ARN },
    });
  });
});
