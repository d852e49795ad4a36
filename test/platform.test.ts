import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildApp, CDK_JSON_CONTEXT, customersFeatureGroups, SYNTH_VARIANTS } from './helpers';

function validationReport(outdir: string): any {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8'));
}

describe('the app', () => {
  test.each(Object.keys(SYNTH_VARIANTS))('the %s variant synthesizes and passes cdk-nag AwsSolutions', (variant) => {
    const { app } = buildApp(SYNTH_VARIANTS[variant]);
    const assembly = app.synth();
    const report = validationReport(assembly.directory);
    // The report lists only plugins with findings; an empty list means every check passed.
    expect(report.pluginReports.flatMap((r: any) => r.violations)).toEqual([]);
  });

  test('the platform runs cdk-nag: an unacknowledged finding fails the synth and is reported', () => {
    const { app, platform } = buildApp({});
    new s3.Bucket(platform.dataLake, 'Plain');
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
    const report = validationReport(app.outdir);
    expect(report.pluginReports).toEqual([
      expect.objectContaining({ pluginName: 'AwsSolutions', conclusion: 'failure' }),
    ]);
    const rules = report.pluginReports[0].violations.map((v: any) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
    expect(report.pluginReports[0].violations.flatMap((v: any) => v.violatingConstructs.map((c: any) => c.constructPath))).toEqual(
      expect.arrayContaining(['pds-dev-data-lake/Plain/Resource']),
    );
  });

  test('stacks are environment-agnostic unless an account and region are given', () => {
    const agnostic = buildApp({}).platform.dataLake;
    expect(agnostic.environment).toBe('aws://unknown-account/unknown-region');
    const pinned = buildApp({ account: '123456789012', region: 'eu-west-1' }).platform.dataLake;
    expect(pinned.environment).toBe('aws://123456789012/eu-west-1');
  });

  test('stack names come from the name prefix', () => {
    expect(buildApp({ stage: 'prod' }).platform.dataLake.stackName).toBe('pds-prod-data-lake');
    expect(buildApp({ namePrefix: 'acme' }).platform.dataLake.stackName).toBe('acme-data-lake');
  });
});

describe('bin/app.ts', () => {
  const root = path.join(__dirname, '..');
  const run = (context: string[]) =>
    execFileSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--swc', 'bin/app.ts'], {
      cwd: root,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(Object.fromEntries(context.map((c) => c.split('=')))) },
      encoding: 'utf-8',
      stdio: 'pipe',
    });

  test('a bad stage fails with the key, the value and the allowed stages, and no stack trace', () => {
    let stderr = '';
    let status: number | null = 0;
    try {
      run(['stage=banana']);
    } catch (error: any) {
      stderr = error.stderr;
      status = error.status;
    }
    expect(status).toBe(1);
    expect(stderr.trim()).toBe("Invalid context value 'stage': 'banana' is not allowed; expected one of dev, prod.");
  });

  /** Runs the app as the CLI does; its exit status and standard error. */
  const attempt = (context: Record<string, unknown>) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-test-'));
    try {
      const result = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--swc', 'bin/app.ts'], {
        cwd: root,
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
        encoding: 'utf-8',
      });
      return { status: result.status, stderr: result.stderr };
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  };
  const typo = "Unknown setting 'stgae': no setting of this app has that name, so it changes nothing; did you mean 'stage'?";

  test('-c stgae=prod: a warning names the key and the setting it was meant to be; the synth goes on (dev)', () => {
    const { status, stderr } = attempt({ ...CDK_JSON_CONTEXT, stgae: 'prod' });
    expect(stderr).toContain(`Warning: ${typo}`);
    expect(status).toBe(0);
  });

  test('-c stgae=prod -c strictSettings=true: exit 1 with that message', () => {
    const { status, stderr } = attempt({ ...CDK_JSON_CONTEXT, stgae: 'prod', strictSettings: 'true' });
    expect(status).toBe(1);
    expect(stderr.trim()).toBe(`${typo}\n(strictSettings=true makes an unknown setting an error.)`);
  });
});

describe('growing the platform through its settings', () => {
  const featureGroups = customersFeatureGroups();
  const { platform } = buildApp({ featureGroups, bertPipelineVariants: '{"dresses":{"inputPrefix":"raw/dresses/"}}' });

  test('featureGroups adds retained groups named <prefix>-<name> beside the reviews group, described by the shared helper', () => {
    const template = Template.fromStack(platform.mlRegistry);
    template.resourceCountIs('AWS::SageMaker::FeatureGroup', 2);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    const [group] = Object.values(template.findResources('AWS::SageMaker::FeatureGroup', { Properties: { FeatureGroupName: 'pds-dev-customers' } }));
    expect(group.Properties).toMatchObject({ RecordIdentifierFeatureName: 'customer_id', EventTimeFeatureName: 'event_time' });
    template.hasResourceProperties('Custom::FeatureMetadata', { FeatureGroupName: 'pds-dev-customers', Descriptions: { customer_id: 'Customer id', event_time: 'When' } });
  });

  test('a variant is a pipeline stack of its own: its raw prefix, its transformed prefix, its model package group', () => {
    const variant = platform.pipelines['bert-sentiment-dresses'];
    expect(variant.stackName).toBe('pds-dev-bert-pipeline-dresses');
    expect(variant.pipelineName).toBe('pds-dev-bert-sentiment-dresses');
    Template.fromStack(platform.mlRegistry).hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: 'pds-dev-bert-sentiment-dresses',
    });
    const template = Template.fromStack(variant);
    const body = JSON.stringify(template.findResources('AWS::SageMaker::Pipeline'));
    expect(body).toContain('/raw/dresses/');
    expect(body).toContain('/transformed/reviews-dresses/');
    expect(body).toContain('pds-dev-bert-sentiment-dresses');
    expect(body).toContain('/pipelines/bert-sentiment-dresses');
    expect(body).not.toContain('womens-clothing-reviews');
  });

  test('a feature group that breaks a Feature Store rule is refused naming the setting, the group and the rule', () => {
    const bad = JSON.stringify([
      { name: 'orders', description: 'Orders', recordIdentifier: 'order_id', eventTime: 'event_time', features: [{ name: 'order_id', type: 'String', description: 'Id' }] },
    ]);
    expect(() => buildApp({ featureGroups: bad })).toThrow(/^Invalid context value 'featureGroups': .*\(Feature group 'orders': .*event_time/);
  });
});
