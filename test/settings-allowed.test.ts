/**
 * Every setting's parser agrees with its "allowed" text: values drawn from the documented allowed
 * set and its edges are taken, values just outside it are refused with the setting, the value and
 * what is allowed. And the settings that only make sense together are checked together.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, loadConfig, SETTINGS } from '../lib/settings';
import { Setting } from '../lib/settings/setting';
import { CDK_JSON_CONTEXT, configErrorOf, configFor, customersFeatureGroups } from './helpers';

const ARN = (region: string, version = 3) => `arn:aws:sagemaker:${region}:111122223333:model-package/pds-dev-bert-sentiment/${version}`;
const GROUP = customersFeatureGroups;
const BOOL = { ok: ['true', 'false', true, false], bad: ['yes', '1', 'TRUE', 0] };
const days = (min: number) => ({ ok: [String(min), '3650', min], bad: [String(min - 1), '3651', '1.5', 'ten', 7.5] });
const FRACTION = { ok: ['0', '1', '0.5', 0, 1], bad: ['-0.01', '1.01', 'half', 2] };
const EMAIL = { ok: ['ml-platform@example.com', 'a.b+c@example.co.uk'], bad: ['nobody', 'a@b', 'a b@example.com'] };
const SCHEDULES = {
  ok: ['rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)', 'rate(2 hours)', 'rate(1 day)', 'rate(7 days)', 'cron(0 3 ? * MON *)', 'cron(0/15 8-17 ? * MON-FRI *)', 'cron(0 0 1 * ? 2030)'],
  bad: ['rate(1 days)', 'rate(0 hours)', 'rate(2 day)', 'rate(1 week)', 'rate(-1 days)', 'rate(1.5 hours)', 'every day', 'cron(0 3 * * * *)', 'cron(0 3 ? * ? *)', 'cron(0 24 ? * * *)', 'cron(0 3 * * ?)'],
};
const thresholds = (metric: string, max: number) => ({
  ok: ['{}', `{"${metric}": 0}`, `{"${metric}": ${max}}`, { [metric]: max / 2 }],
  bad: [`{"${metric}": ${max + 0.01}}`, `{"${metric}": -0.01}`, '{"XYZ": 0.1}', `{"${metric}": "0.1"}`, '[]', 'not json'],
});

/** For each setting, values its allowed text allows (edges included) and values it does not. */
const DRAWS: Record<string, { ok: unknown[]; bad: unknown[] }> = {
  stage: { ok: ['dev', 'prod'], bad: ['Dev', 'staging'] },
  namePrefix: { ok: ['abc', 'a'.repeat(20), 'pds-dev', 'a1-b2-c3'], bad: ['ab', 'a'.repeat(21), 'Abc', 'a--b', 'abc-', '1abc', 'a_b'] },
  account: { ok: ['123456789012'], bad: ['12345678901', '1234567890123', 'abcdefghijkl'] },
  region: { ok: ['us-east-1', 'eu-west-1', 'us-gov-west-1', 'ap-southeast-2'], bad: ['us-east', 'US-EAST-1', 'moon'] },
  destroyOnRemoval: BOOL,
  strictSettings: BOOL,
  deploySampleData: BOOL,
  crawlerSchedule: {
    ok: ['cron(0 3 * * ? *)', 'cron(15 10 ? * MON-FRI *)', 'cron(0/15 * * * ? *)', 'cron(0 0 L * ? 2030)', 'cron(59 23 31 12 ? 2199)'],
    bad: ['rate(1 day)', 'cron(0 3 * * ?)', 'cron(60 3 * * ? *)', 'cron(0 24 * * ? *)', 'cron(0 3 * * * *)', 'cron(0 3 32 * ? *)', 'cron(0 3 * 13 ? *)'],
  },
  athenaBytesScannedCutoff: { ok: ['10000000', 10_000_000, '10000000000'], bad: ['9999999', '1e9', '-1', 10_000_000.5] },
  athenaResultsExpirationDays: days(1),
  dataCaptureExpirationDays: days(1),
  rawDataInfrequentAccessDays: days(30),
  noncurrentVersionExpirationDays: days(1),
  accessLogsExpirationDays: days(1),
  onlineStoreEnabled: BOOL,
  onlineStoreTtlDays: days(1),
  offlineStoreTableFormat: { ok: ['Glue', 'Iceberg'], bad: ['glue', 'Delta'] },
  featureGroups: {
    ok: [GROUP(), '[]'],
    bad: [
      '{"name": "customers"}',
      GROUP({ name: 'Customers' }),
      GROUP({ name: 'reviews' }),
      GROUP({ name: 'a'.repeat(25) }),
      GROUP({ description: '' }),
      GROUP({ eventTime: 'updated_at' }),
      GROUP({ features: [{ name: 'customer_id', type: 'Text', description: 'Id' }] }),
      GROUP({ features: [] }),
      `[${GROUP().slice(1, -1)},${GROUP().slice(1, -1)}]`,
    ],
  },
  bertPipelineVariants: {
    ok: ['{"dresses": {"inputPrefix": "raw/dresses/"}}', '{"dresses": {"inputPrefix": "raw/dresses/"}, "knits": {"inputPrefix": "raw/knits/2026/"}}', `{"${'a'.repeat(24)}": {"inputPrefix": "raw/a_b-1/"}}`],
    bad: [
      '{"dresses": {"inputPrefix": "curated/dresses/"}}',
      '{"dresses": {"inputPrefix": "raw/Dresses/"}}',
      '{"dresses": {"inputPrefix": "raw/dresses"}}',
      '{"Dresses": {"inputPrefix": "raw/dresses/"}}',
      `{"${'a'.repeat(25)}": {"inputPrefix": "raw/dresses/"}}`,
      '{"dresses": {"inputPrefix": "raw/dresses/", "outputPrefix": "x/"}}',
      '{"dresses": {"inputPrefix": "raw/clothes/"}, "knits": {"inputPrefix": "raw/clothes/"}}',
      '{"dresses": {"inputPrefix": "raw/clothes/"}, "knits": {"inputPrefix": "raw/clothes/knits/"}}',
      '{"dresses": {"inputPrefix": "raw/womens-clothing-reviews/"}}',
      '{"dresses": {"inputPrefix": "raw/womens-clothing-reviews/dresses/"}}',
    ],
  },
  autopilot: {
    ok: ['{}', '{"maxCandidates": 1}', '{"maxCandidates": 750, "maxRuntimeSeconds": 2592000}', '{"maxRuntimeSeconds": 600}'],
    bad: ['{"maxCandidates": 0}', '{"maxCandidates": 751}', '{"maxCandidates": 2.5}', '{"maxRuntimeSeconds": 599}', '{"maxRuntimeSeconds": 2592001}', '{"objective": "F1"}', '[]', '3'],
  },
  blazingTextHyperparameters: {
    ok: ['{}', '{"epochs": 10, "learning_rate": 0.1}', '{"early_stopping": true, "patience": 2, "min_epochs": 3, "min_count": 0}', '{"word_ngrams": 1, "vector_dim": 300}'],
    bad: ['{"epochs": 0}', '{"learning_rate": 0}', '{"learning_rate": 2}', '{"word_ngrams": 6}', '{"early_stopping": "true"}', '{"mode": "supervised"}', '[]', '5'],
  },
  bertTuning: {
    ok: [
      '{"strategy": "Random", "ranges": {"learning_rate": {"min": 0.00001, "max": 0.00005}}, "maxJobs": 2, "maxParallelJobs": 2}',
      '{"strategy": "Bayesian", "objective": {"metric": "validation:loss", "type": "Minimize"}, "ranges": {"epochs": {"min": 1, "max": 4, "integer": true}, "train_batch_size": {"values": [64, 128]}}, "maxJobs": 4, "maxParallelJobs": 1, "earlyStopping": "Off"}',
      '{"ranges": {"learning_rate": {"min": 0.00001, "max": 0.001, "scaling": "Logarithmic"}}, "maxJobs": 3, "maxParallelJobs": 3}',
    ],
    bad: [
      '{"ranges": {}, "maxJobs": 2, "maxParallelJobs": 2}',
      '{"ranges": {"learning_rate": {"min": 0.5, "max": 0.1}}, "maxJobs": 2, "maxParallelJobs": 2}',
      '{"ranges": {"learning_rate": {"min": 0, "max": 0.1, "scaling": "Logarithmic"}}, "maxJobs": 2, "maxParallelJobs": 2}',
      '{"ranges": {"epochs": {"min": 1, "max": 4, "integer": true, "scaling": "ReverseLogarithmic"}}, "maxJobs": 2, "maxParallelJobs": 2}',
      '{"ranges": {"learning_rate": {"min": 0.00001, "max": 0.00005}}, "maxJobs": 2, "maxParallelJobs": 3}',
      '{"strategy": "Grid", "ranges": {"learning_rate": {"min": 0.00001, "max": 0.00005}}, "maxJobs": 2, "maxParallelJobs": 2}',
      '{"objective": {"metric": "validation:f1"}, "ranges": {"learning_rate": {"min": 0.00001, "max": 0.00005}}, "maxJobs": 2, "maxParallelJobs": 2}',
      '{"ranges": {"dropout": {"min": 0.1, "max": 0.5}}, "maxJobs": 2, "maxParallelJobs": 2}',
      '{"ranges": {"train_batch_size": {"values": []}}, "maxJobs": 2, "maxParallelJobs": 2}',
      '{"ranges": {"learning_rate": {"min": 0.00001, "max": 0.00005}}, "maxJobs": 0, "maxParallelJobs": 0}',
      '{"tuning": {}}',
      '[1, 2]',
    ],
  },
  codeVersion: { ok: ['a', 'x'.repeat(128), 'v1.2_3-a'], bad: ['x'.repeat(129), 'has space', 'a/b'] },
  pipelineDefinitionStorage: { ok: ['auto', 'inline', 's3'], bad: ['S3', 'file'] },
  spotTraining: BOOL,
  pipelineSchedule: SCHEDULES,
  pipelineStartOnNewData: BOOL,
  pipelineNotificationEmail: EMAIL,
  pipelineSubnetIds: { ok: ['subnet-0abc1234', 'subnet-0abc1234, subnet-0def5678', `subnet-${'a'.repeat(17)}`, ['subnet-0abc1234']], bad: ['subnet-1', 'vpc-0abc1234', `subnet-${'a'.repeat(18)}`, 'subnet-0ABC1234'] },
  pipelineSecurityGroupIds: { ok: ['sg-0abc1234', 'sg-0abc1234,sg-0def5678'], bad: ['default', 'sg-1', 'sg-0abc1234,subnet-0abc1234'] },
  qualityEngine: { ok: ['open', 'managed'], bad: ['clarify', 'Open'] },
  explainability: BOOL,
  dataBiasThresholds: thresholds('CI', 10),
  modelBiasThresholds: thresholds('DPPL', 10),
  modelQualityThresholds: thresholds('accuracy', 1),
  modelQualityTolerance: FRACTION,
  biasMinGroupSize: { ok: ['1', '1000000'], bad: ['0', '1000001', '2.5'] },
  dataQualityDistributionThreshold: FRACTION,
  maxErrorRecordShare: FRACTION,
  serving: BOOL,
  modelPackageArn: {
    ok: [ARN('us-east-1'), 'arn:aws-cn:sagemaker:cn-north-1:111122223333:model-package/g/1'],
    bad: ['arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-dev-bert-sentiment', 'arn:aws:sagemaker:us-east-1:1111:model-package/g/1', 'arn:aws:sagemaker:us-east-1:111122223333:model-package-group/g'],
  },
  challengerModelPackageArn: { ok: [ARN('us-east-1', 4)], bad: ['arn:aws:sagemaker:us-east-1:111122223333:model-package/g', 'latest'] },
  servingFamilies: { ok: ['bert-sentiment', 'bert-sentiment,bert-sentiment-dresses'], bad: ['Bert', 'a--b', 'a-', ''.padEnd(3, ',')] },
  servingPromotion: { ok: ['replace', 'challenger'], bad: ['swap'] },
  servingProfile: { ok: ['instance', 'serverless'], bad: ['lambda'] },
  servingVariants: {
    ok: ['{"VariantB": {"weight": 0}}', '{"VariantA": {"instanceType": "ml.c5.2xlarge", "initialInstanceCount": 100, "weight": 1000000}}', '{}'],
    bad: ['{"VariantC": {}}', '{"VariantA": {"initialInstanceCount": 0}}', '{"VariantA": {"initialInstanceCount": 101}}', '{"VariantA": {"weight": -1}}', '{"VariantA": {"weight": 1000001}}', '{"VariantA": {"instanceType": "ml.p3.2xlarge"}}', '{"VariantA": {"size": 1}}'],
  },
  servingAutoscaling: {
    ok: ['{"minCapacity": 1, "maxCapacity": 100}', '{"targetInvocationsPerInstance": 0.5}', '{"scaleInCooldownSeconds": 0, "scaleOutCooldownSeconds": 86400}', '{"enabled": false}'],
    bad: ['{"minCapacity": 0}', '{"maxCapacity": 101}', '{"scaleInCooldownSeconds": 86401}', '{"enabled": "yes"}', '{"targetInvocationsPerInstance": 0}', '{"targetInvocationsPerInstance": 1000001}'],
  },
  servingRollout: {
    ok: ['{"canaryPercent": 1, "waitSeconds": 0}', '{"canaryPercent": 99, "waitSeconds": 3600, "maxModelLatencyMs": 600000}'],
    bad: ['{"canaryPercent": 0}', '{"canaryPercent": 100}', '{"waitSeconds": 3601}', '{"maxModelLatencyMs": 0}', '{"maxModelLatencyMs": 600001}'],
  },
  servingServerless: {
    ok: ['{"memorySizeInMb": 1024, "maxConcurrency": 1}', '{"memorySizeInMb": 6144, "maxConcurrency": 200}'],
    bad: ['{"memorySizeInMb": 1000}', '{"memorySizeInMb": 7168}', '{"maxConcurrency": 0}', '{"maxConcurrency": 201}'],
  },
  dataCaptureSamplingPercentage: { ok: ['1', '100'], bad: ['0', '101', '50.5'] },
  monitoringSchedule: SCHEDULES,
  servingNotificationEmail: EMAIL,
  humanReview: BOOL,
  humanReviewFamily: { ok: ['bert-sentiment', 'blazingtext-sentiment'], bad: ['Bert', 'a--b', 'a-', 'bert_sentiment'] },
  humanReviewThreshold: FRACTION,
  humanReviewClaimMinutes: { ok: ['1', '120', 10], bad: ['0', '121', '1.5', 'ten'] },
  humanReviewMfa: { ok: ['required', 'optional', 'off'], bad: ['on', 'REQUIRED'] },
  humanReviewThreatProtection: { ok: ['off', 'audit', 'enforced'], bad: ['full', 'ENFORCED'] },
  humanReviewThrottling: {
    ok: ['{"rateLimit": 1, "burstLimit": 1}', '{"rateLimit": 10000, "burstLimit": 5000}', '{}'],
    bad: ['{"rateLimit": 0}', '{"rateLimit": 10001}', '{"burstLimit": 5001}', '{"burstLimit": 2.5}', '{"rate": 5}', '[]'],
  },
  budgetMonthlyLimitUsd: { ok: ['0.01', '200', 200], bad: ['0', '-1', 'lots', 'Infinity'] },
  budgetEmail: EMAIL,
};

/** Settings that need a companion to load at all. */
const COMPANIONS: Record<string, Record<string, unknown>> = {
  pipelineSubnetIds: { pipelineSecurityGroupIds: 'sg-0abc1234' },
  pipelineSecurityGroupIds: { pipelineSubnetIds: 'subnet-0abc1234' },
  challengerModelPackageArn: { modelPackageArn: ARN('us-east-1') },
  budgetMonthlyLimitUsd: { budgetEmail: 'a@example.com' },
  budgetEmail: { budgetMonthlyLimitUsd: '10' },
};

/** Loads a context as the app does, collecting warnings. */
function load(context: Record<string, unknown>): { warnings: string[] } {
  const warnings: string[] = [];
  loadConfig((key) => context[key], { warn: (message) => warnings.push(message) });
  return { warnings };
}

describe("every setting's parser agrees with its allowed text", () => {
  test('every setting has draws', () => {
    expect(Object.keys(DRAWS).sort()).toEqual(Object.keys(SETTINGS).sort());
  });

  const cases = Object.entries(DRAWS).flatMap(([key, { ok, bad }]) => [
    ...ok.map((value) => [key, 'takes', value] as const),
    ...bad.map((value) => [key, 'refuses', value] as const),
  ]);
  test.each(cases)('%s %s %p', (key, verdict, value) => {
    const declared = (SETTINGS as Record<string, Setting<unknown>>)[key];
    const context = { ...COMPANIONS[key], [key]: value };
    if (verdict === 'takes') {
      expect(() => load(context)).not.toThrow();
      return;
    }
    const message = configErrorOf(context);
    expect(message).toContain(`'${key}'`);
    expect(message).toContain(typeof value === 'string' ? `'${value}'` : JSON.stringify(value));
    expect(message).toContain(`expected ${declared.allowed}.`);
  });
});

describe('the probes of bad input', () => {
  test.each([
    ['rate(1 days)', "a value of 1 takes the unit 'day' (singular for 1)"],
    ['rate(0 hours)', 'its value 0 is not a positive whole number'],
    ['rate(2 day)', "a value of 2 takes the unit 'days'"],
    ['cron(0 3 * * * *)', "exactly one of the day-of-month and day-of-week fields must be '?'"],
  ])('pipelineSchedule=%s is refused: %s', (value, reason) => {
    expect(configErrorOf({ pipelineSchedule: value })).toBe(`Invalid context value 'pipelineSchedule': '${value}' is not allowed (${reason}); expected ${SETTINGS.pipelineSchedule.allowed}.`);
  });

  test("qualityEngine=managed serving=true monitoringSchedule='rate(5 hours)' is refused naming monitoringSchedule", () => {
    expect(configErrorOf({ qualityEngine: 'managed', serving: 'true', monitoringSchedule: 'rate(5 hours)' })).toBe(
      "Invalid context value 'monitoringSchedule': 'rate(5 hours)' is not allowed with qualityEngine=managed " +
        '(Model Monitor runs a schedule every hour, every N hours with N dividing 24, or once a day); ' +
        'expected rate(N hours) with N dividing 24, rate(1 day), cron(0 * ? * * *), cron(0 H ? * * *) or cron(0 H/N ? * * *).',
    );
    expect(() => load({ qualityEngine: 'managed', serving: 'true', monitoringSchedule: 'rate(6 hours)' })).not.toThrow();
    expect(() => load({ qualityEngine: 'open', monitoringSchedule: 'rate(5 hours)' })).not.toThrow();
  });

  test('a feature group that breaks a Feature Store rule is refused naming featureGroups, the group and the rule', () => {
    const value = GROUP({ eventTime: 'updated_at' });
    expect(configErrorOf({ featureGroups: value })).toBe(
      `Invalid context value 'featureGroups': '${value}' is not allowed (Feature group 'customers': the event time 'updated_at' is not among the features; ` +
        `expected one of customer_id, event_time.); expected ${SETTINGS.featureGroups.allowed}.`,
    );
  });

  test.each([
    ['{"dresses": {"inputPrefix": "raw/clothes/"}, "knits": {"inputPrefix": "raw/clothes/"}}', 'variant dresses and variant knits: both read raw/clothes/'],
    ['{"all": {"inputPrefix": "raw/womens-clothing-reviews/"}}', 'the BERT pipeline and variant all: both read raw/womens-clothing-reviews/'],
    ['{"dresses": {"inputPrefix": "raw/clothes/"}, "knits": {"inputPrefix": "raw/clothes/knits/"}}', 'variant dresses and variant knits: raw/clothes/ and raw/clothes/knits/ overlap'],
  ])('bertPipelineVariants %s: refused, overlapping raw prefixes', (value, reason) => {
    expect(configErrorOf({ bertPipelineVariants: value })).toBe(`Invalid context value 'bertPipelineVariants': '${value}' is not allowed (${reason}); expected ${SETTINGS.bertPipelineVariants.allowed}.`);
  });

  test('a modelPackageArn of another region than the stacks is refused', () => {
    expect(configErrorOf({ region: 'eu-west-1', modelPackageArn: ARN('us-east-1') })).toBe(
      `Invalid context value 'modelPackageArn': '${ARN('us-east-1')}' is in region us-east-1, not the stacks' region eu-west-1 (region); ` +
        'expected a model package of region eu-west-1 (an endpoint serves packages of its own region).',
    );
    expect(configErrorOf({ modelPackageArn: ARN('us-east-1'), challengerModelPackageArn: ARN('eu-west-1', 4) })).toContain(
      "Invalid context value 'challengerModelPackageArn': '" + ARN('eu-west-1', 4) + "' is in region eu-west-1, not the champion's region us-east-1 (modelPackageArn)",
    );
    expect(() => load({ region: 'us-east-1', modelPackageArn: ARN('us-east-1'), challengerModelPackageArn: ARN('us-east-1', 4) })).not.toThrow();
  });
});

describe('a setting the other settings leave without effect is warned, and an error with strictSettings', () => {
  test.each([
    [{ onlineStoreTtlDays: '30' }, "Setting 'onlineStoreTtlDays' (30) has no effect: onlineStoreEnabled is false, so no online store has records to expire; expected onlineStoreEnabled=true, or leave onlineStoreTtlDays out."],
    [
      { servingProfile: 'serverless', servingVariants: '{"VariantA": {"instanceType": "ml.c5.xlarge"}}' },
      "Setting 'servingVariants' (" +
        JSON.stringify({ VariantA: { instanceType: 'ml.c5.xlarge', initialInstanceCount: 1, weight: 1 }, VariantB: { instanceType: 'ml.m5.large', initialInstanceCount: 1, weight: 1 } }) +
        ') has no effect: servingProfile is serverless: one serverless variant (sized by servingServerless) without instances, autoscaling or data capture; expected servingProfile=instance, or leave servingVariants out.',
    ],
    [{ servingServerless: '{"maxConcurrency": 10}' }, expect.stringContaining("Setting 'servingServerless' ({\"memorySizeInMb\":3072,\"maxConcurrency\":10}) has no effect: servingProfile is instance")],
  ])('%p', (context, message) => {
    expect(load(context).warnings).toEqual([message]);
    expect(() => load({ ...context, strictSettings: 'true' })).toThrow(ConfigError);
    expect(() => load({ ...context, strictSettings: 'true' })).toThrow('(strictSettings=true makes a setting without effect an error.)');
  });

  test('the same settings with the options that use them raise nothing', () => {
    expect(load({ onlineStoreEnabled: 'true', onlineStoreTtlDays: '30', strictSettings: 'true' }).warnings).toEqual([]);
    expect(load({ servingProfile: 'serverless', servingServerless: '{"maxConcurrency": 10}', strictSettings: 'true' }).warnings).toEqual([]);
    expect(load({ stage: 'prod', servingVariants: '{"VariantB": {"weight": 0}}', strictSettings: 'true' }).warnings).toEqual([]);
    // A stage default is never "given": prod's online store settings raise nothing.
    expect(configFor({ stage: 'prod' }).onlineStoreEnabled).toBe(true);
  });
});

describe('bin/app.ts refuses the probes before any template is written', () => {
  /** Runs the app as the CLI does: its exit status, standard error and the files it wrote. */
  const synth = (context: Record<string, string>) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-probe-'));
    try {
      const result = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--swc', 'bin/app.ts'], {
        cwd: path.join(__dirname, '..'),
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON_CONTEXT, ...context }), CDK_OUTDIR: outdir },
        encoding: 'utf-8',
      });
      return { status: result.status, stderr: result.stderr, written: fs.readdirSync(outdir) };
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  };

  test.each([
    [{ qualityEngine: 'managed', serving: 'true', monitoringSchedule: 'rate(5 hours)' }, "Invalid context value 'monitoringSchedule': 'rate(5 hours)' is not allowed with qualityEngine=managed"],
    [{ pipelineSchedule: 'rate(1 days)' }, "Invalid context value 'pipelineSchedule': 'rate(1 days)' is not allowed (a value of 1 takes the unit 'day' (singular for 1))"],
  ])('%p: exit 1, one message, no stack trace, no template', (context, message) => {
    const { status, stderr, written } = synth(context);
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(written).toEqual([]);
  });
});
