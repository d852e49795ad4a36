#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { PipelineDefinitionError } from '../pipeline-definitions/lib';
import { ConfigError, loadConfig } from '../lib/config';
import { FeatureSchemaError } from '../lib/feature-store/feature-schema';
import { buildPlatform } from '../lib/platform';

const app = new App();
try {
  buildPlatform(app, loadConfig((key) => app.node.tryGetContext(key)));
} catch (error) {
  if (error instanceof ConfigError || error instanceof PipelineDefinitionError || error instanceof FeatureSchemaError) {
    // A mistake in the configuration or a definition: say what is wrong, without a stack trace.
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
app.synth();
