#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig } from '../lib/config';
import { buildPlatform } from '../lib/platform';

const app = new App();
try {
  buildPlatform(app, loadConfig((key) => app.node.tryGetContext(key)));
} catch (error) {
  if (error instanceof ConfigError) {
    // A configuration mistake: say what is wrong, without a stack trace.
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
app.synth();
