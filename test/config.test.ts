import { ConfigError, loadConfig, MAX_NAME_PREFIX_LENGTH, resourceName, SETTINGS, STAGE_DEFAULTS, STAGES } from '../lib/config';
import { configFor } from './helpers';

describe('stage selection', () => {
  test('dev is the default stage', () => {
    expect(configFor().stage).toBe('dev');
    expect(configFor()).toMatchObject(STAGE_DEFAULTS.dev);
  });

  test.each(STAGES)('stage %s takes its own defaults', (stage) => {
    expect(configFor({ stage })).toEqual({ stage, ...STAGE_DEFAULTS[stage] });
  });

  test('an unknown stage names the key, the value and the allowed stages', () => {
    expect(() => configFor({ stage: 'banana' })).toThrow(ConfigError);
    expect(() => configFor({ stage: 'banana' })).toThrow(
      "Invalid context value 'stage': 'banana' is not allowed; expected one of dev, prod.",
    );
  });

  test('prod differs from dev where it must', () => {
    const dev = configFor({ stage: 'dev' });
    const prod = configFor({ stage: 'prod' });
    expect(dev.namePrefix).not.toBe(prod.namePrefix);
    expect(dev.deploySampleData).toBe(true);
    expect(prod.deploySampleData).toBe(false);
    expect(prod.destroyOnRemoval).toBe(false);
  });
});

describe('context values override the stage', () => {
  test('strings from -c are parsed by type', () => {
    const config = configFor({
      stage: 'prod',
      namePrefix: 'acme-ml',
      destroyOnRemoval: 'false',
      deploySampleData: 'true',
      athenaBytesScannedCutoff: '20000000',
      crawlerSchedule: 'cron(0 3 * * ? *)',
      budgetMonthlyLimitUsd: '99.5',
      budgetEmail: 'team@example.com',
      account: '123456789012',
      region: 'eu-west-1',
    });
    expect(config).toMatchObject({
      stage: 'prod',
      namePrefix: 'acme-ml',
      destroyOnRemoval: false,
      deploySampleData: true,
      athenaBytesScannedCutoff: 20_000_000,
      crawlerSchedule: 'cron(0 3 * * ? *)',
      budgetMonthlyLimitUsd: 99.5,
      budgetEmail: 'team@example.com',
      account: '123456789012',
      region: 'eu-west-1',
    });
  });

  test('typed values from cdk.json are accepted', () => {
    expect(configFor({ destroyOnRemoval: true, athenaResultsExpirationDays: 3 })).toMatchObject({
      destroyOnRemoval: true,
      athenaResultsExpirationDays: 3,
    });
  });

  test('an empty value leaves the stage default', () => {
    expect(configFor({ namePrefix: '' }).namePrefix).toBe(STAGE_DEFAULTS.dev.namePrefix);
  });

  test('the lookup is asked only for declared keys', () => {
    const asked: string[] = [];
    loadConfig((key) => {
      asked.push(key);
      return undefined;
    });
    expect(asked.sort()).toEqual(Object.keys(SETTINGS).sort());
  });
});

describe('bad values fail with the key, the value and what is allowed', () => {
  const cases: [string, unknown, RegExp][] = [
    ['namePrefix', 'Pds-Dev', /lowercase letters/],
    ['namePrefix', 'pds--dev', /single hyphens/],
    ['namePrefix', 'pds-dev-', /not ending with a hyphen/],
    ['namePrefix', '1pds', /starting with a letter/],
    ['namePrefix', 'ab', /3 to 20/],
    ['namePrefix', 'a'.repeat(MAX_NAME_PREFIX_LENGTH + 1), /3 to 20/],
    ['account', '1234', /12-digit/],
    ['region', 'moon-base-1x', /region name/],
    ['destroyOnRemoval', 'yes', /true or false/],
    ['deploySampleData', '1', /true or false/],
    ['crawlerSchedule', 'rate(1 day)', /cron expression with six fields/],
    ['crawlerSchedule', 'cron(0 3 * * ?)', /cron expression with six fields/],
    ['athenaBytesScannedCutoff', '9999999', /at least 10000000/],
    ['athenaBytesScannedCutoff', '1e9', /integer/],
    ['athenaResultsExpirationDays', '0', /from 1 to 3650/],
    ['dataCaptureExpirationDays', '-5', /from 1 to 3650/],
    ['rawDataInfrequentAccessDays', '29', /from 30 to 3650/],
    ['noncurrentVersionExpirationDays', 'seven', /from 1 to 3650/],
    ['accessLogsExpirationDays', 2.5, /from 1 to 3650/],
    ['onlineStoreEnabled', 'on', /true or false/],
    ['onlineStoreTtlDays', '0', /from 1 to 3650/],
    ['offlineStoreTableFormat', 'Delta', /one of Glue, Iceberg/],
    ['qualityEngine', 'clarify', /one of open, managed/],
    ['codeVersion', 'has space', /letters, digits/],
    ['pipelineSchedule', 'every day', /EventBridge schedule expression/],
    ['pipelineStartOnNewData', 'sometimes', /true or false/],
    ['pipelineNotificationEmail', 'nobody', /e-mail address/],
    ['pipelineSubnetIds', 'subnet-1,vpc-2', /subnet IDs/],
    ['pipelineSecurityGroupIds', 'default', /security group IDs/],
    ['explainability', 'maybe', /true or false/],
    ['dataBiasThresholds', '{"XYZ": 0.1}', /metrics among CI, DPL/],
    ['dataBiasThresholds', 'not json', /JSON object/],
    ['modelBiasThresholds', '{"DPPL": -1}', /limit \(0 to 10\)/],
    ['modelQualityThresholds', '{"accuracy": 1.5}', /minimum \(0 to 1\)/],
    ['modelQualityTolerance', '2', /from 0 to 1/],
    ['biasMinGroupSize', '0', /from 1 to/],
    ['dataQualityDistributionThreshold', 'x', /from 0 to 1/],
    ['budgetMonthlyLimitUsd', '-1', /positive number/],
    ['budgetMonthlyLimitUsd', 'lots', /positive number/],
    ['budgetEmail', 'not-an-address', /e-mail address/],
    ['featureGroups', '{"name": "customers"}', /JSON array of objects/],
    ['featureGroups', '[{"name": "Customers", "description": "d", "recordIdentifier": "id", "eventTime": "t", "features": [{"name": "id", "type": "String", "description": "d"}]}]', /lowercase letters/],
    ['featureGroups', '[{"name": "reviews", "description": "d", "recordIdentifier": "id", "eventTime": "t", "features": [{"name": "id", "type": "String", "description": "d"}]}]', /not reviews/],
    ['featureGroups', '[{"name": "c", "description": "d", "recordIdentifier": "id", "eventTime": "t", "features": [{"name": "id", "type": "Text", "description": "d"}]}]', /String, Integral or Fractional/],
    ['bertPipelineVariants', '{"dresses": {"inputPrefix": "curated/dresses/"}}', /raw\/<folder>\//],
    ['bertPipelineVariants', '{"Dresses!": {"inputPrefix": "raw/dresses/"}}', /lowercase letters/],
  ];

  test.each(cases)('%s = %p', (key, value, allowed) => {
    const context: Record<string, unknown> = { [key]: value };
    if (key.startsWith('pipelineS') && key.endsWith('Ids')) {
      Object.assign(context, { pipelineSubnetIds: 'subnet-0abc1234', pipelineSecurityGroupIds: 'sg-0abc1234', [key]: value });
    }
    if (key.startsWith('budget')) {
      Object.assign(context, { budgetMonthlyLimitUsd: '10', budgetEmail: 'a@example.com', [key]: value });
    }
    let error: unknown;
    try {
      configFor(context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`'${key}'`);
    expect(message).toContain(typeof value === 'string' ? `'${value}'` : String(value));
    expect(message).toMatch(allowed);
  });

  test('destroyOnRemoval is refused outside dev', () => {
    expect(() => configFor({ stage: 'prod', destroyOnRemoval: 'true' })).toThrow(
      "Invalid context value 'destroyOnRemoval': true is not allowed with stage 'prod'",
    );
  });

  test.each([
    [{ pipelineSubnetIds: 'subnet-0abc1234' }, 'pipelineSecurityGroupIds'],
    [{ pipelineSecurityGroupIds: 'sg-0abc1234' }, 'pipelineSubnetIds'],
  ])('VPC settings need both keys (%p)', (context, missing) => {
    expect(() => configFor(context)).toThrow(`'${missing}' is not set`);
  });

  test('lists parse from comma-separated text', () => {
    expect(configFor({ pipelineSubnetIds: 'subnet-0abc1234, subnet-0def5678', pipelineSecurityGroupIds: 'sg-0abc1234' })).toMatchObject({
      pipelineSubnetIds: ['subnet-0abc1234', 'subnet-0def5678'],
      pipelineSecurityGroupIds: ['sg-0abc1234'],
    });
  });

  test.each([
    [{ budgetMonthlyLimitUsd: '100' }, 'budgetEmail'],
    [{ budgetEmail: 'team@example.com' }, 'budgetMonthlyLimitUsd'],
  ])('a budget needs both settings (%p)', (context, missing) => {
    expect(() => configFor(context)).toThrow(`'${missing}' is not set`);
  });
});

describe('the registry', () => {
  test.each(Object.entries(SETTINGS))('%s is documented', (_key, setting) => {
    expect(setting.doc.length).toBeGreaterThan(10);
    expect(setting.allowed.length).toBeGreaterThan(3);
    expect(['string', 'boolean', 'integer', 'number', 'list', 'json']).toContain(setting.type);
  });

  test.each(STAGES)('the defaults of %s pass their own validation', (stage) => {
    for (const [key, value] of Object.entries(STAGE_DEFAULTS[stage])) {
      expect(SETTINGS[key as keyof typeof SETTINGS].parse(value)).toEqual(value);
    }
  });
});

describe('resourceName', () => {
  test('joins prefix and suffix', () => {
    expect(resourceName('pds-dev', 'lake', 64)).toBe('pds-dev-lake');
    expect(resourceName('pds_dev', 'lake', 64, '_')).toBe('pds_dev_lake');
  });

  test('a name over the service limit names the prefix and the limit', () => {
    expect(() => resourceName('a-very-long-prefix', 'feature-group-of-reviews', 30)).toThrow(
      /'a-very-long-prefix-feature-group-of-reviews'.*'namePrefix' 'a-very-long-prefix'.*at most 30/,
    );
  });
});
