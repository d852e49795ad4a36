#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { PipelineDefinitionError } from '../pipeline-definitions/dsl';
import { ConfigError, loadConfig, PlatformConfig } from '../lib/settings';
import { FeatureSchemaError } from '../lib/feature-store/feature-schema';
import { buildPlatform } from '../lib/platform';
import { writeSettingsRecord } from '../lib/settings-record';

const app = new App();
let config: PlatformConfig;
try {
  // Every context key is checked: one that is no setting is named (and fails with strictSettings).
  config = loadConfig((key) => app.node.tryGetContext(key), { contextKeys: Object.keys(app.node.getAllContext()) });
  buildPlatform(app, config);
} catch (error) {
  if (error instanceof ConfigError || error instanceof PipelineDefinitionError || error instanceof FeatureSchemaError) {
    // A mistake in the configuration or a definition: say what is wrong, without a stack trace.
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
const assembly = app.synth();
// The settings the stacks were built from, beside the templates: `npm run review` compares them.
writeSettingsRecord(assembly.directory, config);
