import { resourceName } from '../lib/naming';
import { ConfigError, contextValue, loadConfig, MAX_NAME_PREFIX_LENGTH, SETTINGS, STAGE_DEFAULTS, STAGES } from '../lib/settings';
import { Setting } from '../lib/settings/setting';
import { CDK_JSON_CONTEXT, configFor, SYNTH_VARIANTS } from './helpers';

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
  test.each(Object.entries(SETTINGS as Record<string, Setting<unknown>>))('%s is documented', (_key, setting) => {
    expect(setting.doc.length).toBeGreaterThan(10);
    expect(setting.allowed.length).toBeGreaterThan(3);
    expect(['string', 'boolean', 'integer', 'number', 'list', 'json']).toContain(setting.type);
  });

  test.each(STAGES)('the defaults of %s pass their own validation', (stage) => {
    for (const [key, value] of Object.entries(STAGE_DEFAULTS[stage])) {
      expect((SETTINGS[key as keyof typeof SETTINGS] as Setting<unknown>).parse(value)).toEqual(value);
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

describe('unknown settings', () => {
  /** Loads a context as the app does: every key checked; the warnings collected. */
  function load(context: Record<string, unknown>): { config: ReturnType<typeof loadConfig>; warnings: string[] } {
    const warnings: string[] = [];
    const config = loadConfig((key) => context[key], { contextKeys: Object.keys(context), warn: (m) => warnings.push(m) });
    return { config, warnings };
  }

  test('a mistyped key is named with the setting it was meant to be, and changes nothing', () => {
    const { config, warnings } = load({ stgae: 'prod' });
    expect(config.stage).toBe('dev');
    expect(warnings).toEqual(["Unknown setting 'stgae': no setting of this app has that name, so it changes nothing; did you mean 'stage'?"]);
  });

  test('with strictSettings=true an unknown key fails, with the same message', () => {
    expect(() => load({ stgae: 'prod', strictSettings: 'true' })).toThrow(ConfigError);
    expect(() => load({ stgae: 'prod', strictSettings: true })).toThrow(
      "Unknown setting 'stgae': no setting of this app has that name, so it changes nothing; did you mean 'stage'?\n(strictSettings=true makes an unknown setting an error.)",
    );
  });

  test.each([
    ['Stage', 'stage'],
    ['athenaBytesScanedCutoff', 'athenaBytesScannedCutoff'],
    ['servingVariant', 'servingVariants'],
    ['modelQualityTolerence', 'modelQualityTolerance'],
    ['budgetEmial', 'budgetEmail'],
  ])('%s → did you mean %s?', (key, suggestion) => {
    expect(load({ [key]: 'x' }).warnings).toEqual([expect.stringContaining(`did you mean '${suggestion}'?`)]);
  });

  test('a key like no setting points to the reference', () => {
    expect(load({ colour: 'blue' }).warnings).toEqual([
      "Unknown setting 'colour': no setting of this app has that name, so it changes nothing; see the configuration reference in README for the settings.",
    ]);
  });

  test("the project's cdk.json, the CLI's own keys and the look-up caches of cdk.context.json raise nothing", () => {
    const context = {
      ...CDK_JSON_CONTEXT,
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:disable-version-reporting': true,
      'aws:cdk:bundling-stacks': ['**'],
      'acknowledged-issue-numbers': [32775],
      'availability-zones:account=111122223333:region=us-east-1': ['us-east-1a', 'us-east-1b'],
      'ssm:account=111122223333:parameterName=/cdk-bootstrap/hnb659fds/version:region=us-east-1': '21',
      'vpc-provider:account=111122223333:filter.vpc-id=vpc-0abc1234:region=us-east-1:returnAsymmetricSubnets=true': {},
      'hosted-zone:account=111122223333:domainName=example.com:region=us-east-1': { Id: '/hostedzone/Z1', Name: 'example.com.' },
      strictSettings: true,
    };
    expect(load(context).warnings).toEqual([]);
  });
});

describe('cdk.json values and -c strings parse alike, for every setting', () => {
  // A value of every setting: the stage defaults, and the settings only the variants set.
  const samples: Record<string, unknown> = { ...configFor(SYNTH_VARIANTS.serving), ...configFor(SYNTH_VARIANTS.full) };
  const types = new Set<string>();
  test.each(Object.keys(SETTINGS))('%s', (key) => {
    const declared = (SETTINGS as Record<string, Setting<unknown>>)[key];
    types.add(declared.type);
    const typed = samples[key];
    expect(typed).toBeDefined();
    // As cdk.json has it (a number, a boolean, an array, an object), and as `-c key=value` gives it.
    const fromJson = declared.parse(typed);
    const fromText = declared.parse(contextValue(typed));
    expect(fromJson).toEqual(typed);
    expect(fromText).toEqual(fromJson);
    if (typeof typed !== 'string') expect(contextValue(typed)).not.toEqual(typed);
  });

  test('every type of setting was shown both ways', () => {
    expect([...types].sort()).toEqual(['boolean', 'integer', 'json', 'list', 'number', 'string']);
  });
});
