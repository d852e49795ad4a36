/**
 * `npm run synth -- -c …` as README shows it: the script's own command line, run as a user runs
 * it, synthesizes the configuration its -c values give (they once reached only the renderer, so
 * `-c stage=prod` synthesized dev) and renders that assembly's pipelines beside it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');

test('npm run synth -- -c stage=prod -c modelPackageArn=… synthesizes prod with its serving stack, and renders its pipelines', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synth-')), 'cdk.out');
  const arn = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-prod-bert-sentiment/1';
  execFileSync('npm', ['run', '--silent', 'synth', '--', '-c', 'stage=prod', '-c', `modelPackageArn=${arn}`, '-o', out], { cwd: root, stdio: 'pipe' });
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf-8'));
  const stacks = Object.entries(manifest.artifacts)
    .filter(([, artifact]: [string, any]) => artifact.type === 'aws:cloudformation:stack')
    .map(([name]) => name)
    .sort();
  expect(stacks).toEqual(['pds-prod-bert-pipeline', 'pds-prod-data-lake', 'pds-prod-ml-registry', 'pds-prod-model-deploy', 'pds-prod-serving']);
  const serving = fs.readFileSync(path.join(out, 'pds-prod-serving.template.json'), 'utf-8');
  expect(serving).toContain(arn);
  expect(fs.readdirSync(path.join(out, 'pipeline-definitions')).sort()).toEqual([
    'assets',
    'bert-sentiment.json',
    'bert-sentiment.local.json',
    'endpoint-monitor.json',
    'endpoint-monitor.local.json',
  ]);
});
