import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildApp, SYNTH_VARIANTS } from './helpers';

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
});
