import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadConfig, PlatformConfig } from '../lib/settings';
import { buildPlatform, Platform } from '../lib/platform';
import { PipelineJobs } from '../pipeline-definitions/parts/jobs';
import { renderAssembly } from '../pipeline-definitions/rendering/render';
import { Assembly, readAssembly } from '../scripts/review/assembly';

/** The context variants that scripts/cfn-lint.sh synthesizes (dev, prod, full). */
export const SYNTH_VARIANTS: Record<string, Record<string, string>> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'scripts', 'synth-variants.json'), 'utf-8'),
);

/** The configuration that a context (as `-c key=value` strings) gives. */
export function configFor(context: Record<string, unknown> = {}): PlatformConfig {
  return loadConfig((key) => context[key]);
}

/** The message of the ConfigError a context throws (fails the test when it does not throw one). */
export function configErrorOf(context: Record<string, unknown>): string {
  try {
    configFor(context);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(context)}`);
}

/** Builds the whole platform, as bin/app.ts does, for a context. */
export function buildApp(context: Record<string, unknown> = {}): { app: App; platform: Platform; config: PlatformConfig } {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...context } });
  const config = loadConfig((key) => app.node.tryGetContext(key));
  return { app, platform: buildPlatform(app, config), config };
}

/**
 * The `featureGroups` value of one small customers group, as `-c` gives it; `patch` replaces
 * members of the group.
 */
export function customersFeatureGroups(patch: Record<string, unknown> = {}): string {
  return JSON.stringify([
    {
      name: 'customers',
      description: 'Customer profiles',
      recordIdentifier: 'customer_id',
      eventTime: 'event_time',
      features: [
        { name: 'customer_id', type: 'String', description: 'Customer id' },
        { name: 'event_time', type: 'String', description: 'When' },
      ],
      ...patch,
    },
  ]);
}

/** The feature flags and other context of cdk.json, as the CLI gives them to the app. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf-8'),
).context;

/** A stack for a construct test, with the app's feature flags and an environment-agnostic, stable name. */
export function testStack(): Stack {
  return new Stack(new App({ context: CDK_JSON_CONTEXT }), 'TestStack');
}

/** The template of a stack; synthesizing it runs the cdk-nag checks of its app. */
export function templateOf(stack: Stack): Template {
  return Template.fromStack(stack);
}

/**
 * The cdk-nag AwsSolutions findings on a test stack's app that nothing acknowledges, as
 * `rule construct-path` lines (empty when the constructs pass).
 */
export function nagFindings(stack: Stack): string[] {
  const app = stack.node.root as App;
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    if (!/ValidationFailed|Validation failed/.test(String(error))) throw error;
  }
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf-8'));
  return report.pluginReports.flatMap((r: any) =>
    r.violations.flatMap((v: any) => v.violatingConstructs.map((c: any) => `${v.ruleName} ${c.constructPath}`)),
  );
}

/** The app's cloud assembly for a context, synthesized in this process (as `cdk synth` would). */
export function assemblyFor(context: Record<string, unknown> = {}): Assembly {
  return readAssembly(buildApp(context).app.synth().directory);
}

const renderings = new Map<string, Record<string, any>>();

/**
 * A pipeline's definition as `npm run render` renders it for a context (the app synthesized in
 * this process, deploy-time values as typed placeholders); cached per context.
 */
export function renderedDefinition(context: Record<string, string> = {}, id = 'bert-sentiment'): any {
  const key = JSON.stringify(context);
  if (!renderings.has(key)) {
    renderings.set(key, Object.fromEntries(renderAssembly(assemblyFor(context)).map((p) => [p.id, p.definition])));
  }
  const definition = renderings.get(key)![id];
  if (!definition) throw new Error(`renderedDefinition: no pipeline ${id} for ${key}`);
  return definition;
}

/** The shared job settings of a fixture pipeline (`pipelines/fixture/` of a lake named `lake`), for tests of the parts and gates. */
export function fixtureJobs(): PipelineJobs {
  return new PipelineJobs({
    pipelineId: 'fixture',
    executionRoleArn: 'arn:aws:iam::111122223333:role/fixture',
    lakeBucketName: 'lake',
    kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/fixture',
    codeUri: 's3://lake/pipelines/fixture/code/',
    scriptImageUri: 'image',
    scriptInstanceType: 'ml.m5.large',
  });
}

/** The statements of the IAM policies attached to a role (by its logical id prefix, a regular expression). */
export function roleStatements(template: Template, rolePrefix: string): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${rolePrefix}`) }] } })).flatMap(
    (p: any) => p.Properties.PolicyDocument.Statement,
  );
}

/** The lake prefixes (`…/<prefix>/*` resources) that statements allow an action on, sorted. */
export function lakePrefixes(statements: readonly any[], action: string): string[] {
  return statements
    .filter((s) => [s.Action].flat().includes(action))
    .flatMap((s) => [s.Resource].flat())
    .map((r) => JSON.stringify(r).match(/"\/([a-z0-9/_-]+)\/\*"/)?.[1])
    .filter((p): p is string => p !== undefined)
    .sort();
}

/** Every step of a rendered definition, inside the Condition steps' branches too. */
export function allSteps(steps: readonly any[]): any[] {
  return steps.flatMap((step) => [step, ...allSteps([...(step.Arguments?.IfSteps ?? []), ...(step.Arguments?.ElseSteps ?? [])])]);
}
