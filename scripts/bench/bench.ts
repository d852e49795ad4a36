/**
 * The benchmark (not a test), in two parts:
 * - `app`: how long synth and the jest suite take, how much of CloudFormation's and SageMaker's
 *   limits each stack uses, and how synth time, resources and template bytes grow with feature
 *   groups and pipelines;
 * - `families`: each family package's own benchmarks (`bench/*.py` in its folder, each run with
 *   `--out FILE` and writing its figures as a JSON object).
 *
 *   npm run bench [-- --only app|families] [--out FILE] [--rounds N] [--skip-jest]
 *
 * Prints a table and writes the figures as JSON to FILE (default build/bench/bench.json).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FEATURE_GROUP_POINTS, growthContext, LIMITS, PIPELINE_POINTS, TemplateUse, templateUse } from './growth';
import { projectRoot } from '../../lib/project-paths';

const ROOT = projectRoot();
const BIN = path.join(ROOT, 'node_modules', '.bin');
const WORK = path.join(ROOT, 'build', 'bench');
/** Targets the figures are read against (reported, never asserted on). */
const TARGETS = { synthRatio: 1.25, limitShare: 0.5 };

const PARTS = ['app', 'families'] as const;
type Part = (typeof PARTS)[number];

interface Options {
  out: string;
  rounds: number;
  skipJest: boolean;
  parts: Part[];
}

function parseArgs(argv: string[]): Options {
  const options: Options = { out: path.join(WORK, 'bench.json'), rounds: 3, skipJest: false, parts: [...PARTS] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out') options.out = path.resolve(argv[++i] ?? '');
    else if (arg === '--rounds') options.rounds = Number(argv[++i]);
    else if (arg === '--skip-jest') options.skipJest = true;
    else if (arg === '--only') {
      const value = argv[++i] ?? '';
      if (!(PARTS as readonly string[]).includes(value)) throw new Error(`bench: --only ${value || '(nothing)'} is not allowed; expected ${PARTS.join(' or ')}.`);
      options.parts = [value as Part];
    } else throw new Error(`bench: unknown option ${arg}; expected --only PART, --out FILE, --rounds N or --skip-jest.`);
  }
  if (!Number.isInteger(options.rounds) || options.rounds < 1) {
    throw new Error(`bench: --rounds ${options.rounds} is not allowed; expected a whole number of at least 1.`);
  }
  return options;
}

/** Runs a command from the project root; returns its wall time in seconds, or throws with its output. */
function timed(command: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: ROOT,
    encoding: 'utf-8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true', CI: 'true' },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`bench: ${command} ${args.slice(0, 3).join(' ')} … exited with ${result.status}:\n${(result.stdout + result.stderr).slice(-3000)}`);
  }
  return seconds;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** `cdk synth` of every stack into a fresh folder (a cold run: a new process, no cloud assembly to reuse). */
function synth(outDir: string, app?: string, context: Record<string, string> = {}): number {
  fs.rmSync(outDir, { recursive: true, force: true });
  const args = ['synth', '--quiet', '--output', outDir, ...(app ? ['--app', app] : [])];
  for (const [key, value] of Object.entries(context)) args.push('--context', `${key}=${value}`);
  return timed(path.join(BIN, 'cdk'), args);
}

/** Every template of a cloud assembly, with what it uses of the limits and its pipeline definitions' sizes. */
function assemblyUse(outDir: string): { stacks: TemplateUse[]; definitions: { stack: string; chars: number }[] } {
  const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf-8'));
  const stacks: TemplateUse[] = [];
  const definitions: { stack: string; chars: number }[] = [];
  for (const [name, artifact] of Object.entries<any>(manifest.artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const template = JSON.parse(fs.readFileSync(path.join(outDir, artifact.properties.templateFile), 'utf-8'));
    stacks.push(templateUse(name, template));
    for (const resource of Object.values<any>(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::SageMaker::Pipeline') continue;
      const definition = resource.Properties.PipelineDefinition;
      const body = definition.PipelineDefinitionBody;
      // Inline: the body with deploy-time values still as CloudFormation functions (a close upper bound).
      // In S3: the file the release uploads, beside the template's assets.
      const chars = body !== undefined ? JSON.stringify(body).length : s3DefinitionChars(outDir, name);
      definitions.push({ stack: name, chars });
    }
  }
  return { stacks, definitions };
}

/** Size of a definition stored in S3: the largest JSON data source of the stack's release upload. */
function s3DefinitionChars(outDir: string, stack: string): number {
  const assets = JSON.parse(fs.readFileSync(path.join(outDir, `${stack}.assets.json`), 'utf-8'));
  let largest = 0;
  for (const file of Object.values<any>(assets.files ?? {})) {
    const source = path.join(outDir, file.source.path);
    if (fs.existsSync(source) && fs.statSync(source).isDirectory()) {
      for (const name of fs.readdirSync(source)) {
        if (name.endsWith('.json')) largest = Math.max(largest, fs.statSync(path.join(source, name)).size);
      }
    }
  }
  return largest;
}

function percent(value: number, limit: number): string {
  return `${((100 * value) / limit).toFixed(1)}%`;
}

const log = (line = '') => process.stdout.write(`${line}\n`);

/** Each family package's benchmarks (`pipeline-definitions/families/<id>/bench/*.py`), their figures as they write them. */
function familyBenchmarks(): Record<string, unknown> {
  timed('bash', ['scripts/ensure-deps.sh']);
  const families = path.join(ROOT, 'pipeline-definitions', 'families');
  const figures: Record<string, unknown> = {};
  for (const family of fs.readdirSync(families).sort()) {
    const bench = path.join(families, family, 'bench');
    if (!fs.existsSync(bench)) continue;
    for (const script of fs.readdirSync(bench).filter((name) => name.endsWith('.py')).sort()) {
      const relative = path.relative(ROOT, path.join(bench, script));
      const out = path.join(WORK, `${family}-${path.basename(script, '.py')}.json`);
      const result = spawnSync(path.join(ROOT, '.venv', 'bin', 'python'), [relative, '--out', out], { cwd: ROOT, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (result.status !== 0) throw new Error(`bench: ${relative} exited with ${result.status}:\n${(result.stdout + result.stderr).slice(-3000)}`);
      log(`\n${relative}\n${result.stdout.trim()}`);
      figures[family] = { ...(figures[family] as object), ...JSON.parse(fs.readFileSync(out, 'utf-8')) };
    }
  }
  return figures;
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  fs.mkdirSync(WORK, { recursive: true });
  log(`bench: ${options.parts.join(' and ')}; ${os.cpus().length} CPUs, Node ${process.version}`);
  const figures: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
  };
  if (options.parts.includes('app')) Object.assign(figures, app(options));
  if (options.parts.includes('families')) figures.families = familyBenchmarks();
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, `${JSON.stringify(figures, null, 2)}\n`);
  log(`\nfigures: ${path.relative(ROOT, options.out) || options.out}`);
}

/** The app's figures: synth, jest, the stacks against the limits, growth. */
function app(options: Options): Record<string, unknown> {
  log(`app: ${options.rounds} round(s) each`);

  // 1. The app as users run it (cdk.json's app: ts-node with swc, no type-checking), beside the same
  //    app compiled once with tsc and run with node.
  const projectRuns: number[] = [];
  const compiledRuns: number[] = [];
  const defaultOut = path.join(WORK, 'cdk.out.default');
  const compiledDir = path.join(WORK, 'compiled');
  fs.rmSync(compiledDir, { recursive: true, force: true });
  const compileSeconds = timed(path.join(BIN, 'tsc'), ['-p', '.', '--outDir', compiledDir, '--noEmit', 'false', '--inlineSourceMap', 'false', '--inlineSources', 'false']);
  for (let round = 0; round < options.rounds; round++) {
    projectRuns.push(synth(defaultOut));
    compiledRuns.push(synth(path.join(WORK, 'cdk.out.compiled'), `node ${path.join(compiledDir, 'bin', 'app.js')}`));
  }
  const synthFigures = {
    projectSeconds: projectRuns,
    precompiledSeconds: compiledRuns,
    projectMedian: median(projectRuns),
    precompiledMedian: median(compiledRuns),
    ratio: median(projectRuns) / median(compiledRuns),
    tscSeconds: compileSeconds,
    target: TARGETS.synthRatio,
  };
  log();
  log('synth (cdk synth, cold)              median s   runs');
  log(`  project toolchain (ts-node, swc)   ${synthFigures.projectMedian.toFixed(2).padStart(8)}   ${projectRuns.map((s) => s.toFixed(2)).join(' ')}`);
  log(`  precompiled (node, after tsc)      ${synthFigures.precompiledMedian.toFixed(2).padStart(8)}   ${compiledRuns.map((s) => s.toFixed(2)).join(' ')}`);
  log(`  ratio ${synthFigures.ratio.toFixed(2)} (target at most ${TARGETS.synthRatio}); tsc itself took ${compileSeconds.toFixed(2)} s`);

  // 2. The jest suite.
  const jestSeconds = options.skipJest ? undefined : timed(path.join(BIN, 'jest'), ['--silent']);
  if (jestSeconds !== undefined) log(`\njest suite: ${jestSeconds.toFixed(1)} s`);

  // 3. Each stack of the default synth against the limits.
  const defaults = assemblyUse(defaultOut);
  log('\nstack (default config)              resources        template bytes');
  for (const use of defaults.stacks) {
    log(`  ${use.stack.padEnd(34)} ${String(use.resources).padStart(4)} ${percent(use.resources, LIMITS.resources).padStart(7)}   ${String(use.templateBytes).padStart(8)} ${percent(use.templateBytes, LIMITS.templateBytes).padStart(7)}`);
  }
  for (const definition of defaults.definitions) {
    log(`  pipeline definition of ${definition.stack}: ${definition.chars} characters, ${percent(definition.chars, LIMITS.pipelineDefinitionChars)} of ${LIMITS.pipelineDefinitionChars}`);
  }

  // 4. Growth, through the settings a user would set.
  const points = [
    ...FEATURE_GROUP_POINTS.map((n) => ({ dimension: 'featureGroups' as const, units: n, context: growthContext(n, 1) })),
    ...PIPELINE_POINTS.map((n) => ({ dimension: 'pipelines' as const, units: n, context: growthContext(1, n) })),
  ];
  const growth = points.map((point) => {
    const outDir = path.join(WORK, `cdk.out.${point.dimension}-${point.units}`);
    const seconds = synth(outDir, undefined, point.context);
    const use = assemblyUse(outDir);
    const largest = (key: 'resources' | 'templateBytes') => Math.max(...use.stacks.map((s) => s[key]));
    return {
      dimension: point.dimension,
      units: point.units,
      synthSeconds: seconds,
      stacks: use.stacks.length,
      totalResources: use.stacks.reduce((sum, s) => sum + s.resources, 0),
      totalTemplateBytes: use.stacks.reduce((sum, s) => sum + s.templateBytes, 0),
      largestStackResources: largest('resources'),
      largestStackTemplateBytes: largest('templateBytes'),
      largestDefinitionChars: Math.max(0, ...use.definitions.map((d) => d.chars)),
    };
  });
  const perUnit = (['featureGroups', 'pipelines'] as const).map((dimension) => {
    const series = growth.filter((g) => g.dimension === dimension);
    const [first, last] = [series[0], series[series.length - 1]];
    const slope = (key: 'synthSeconds' | 'totalResources' | 'totalTemplateBytes') => (last[key] - first[key]) / (last.units - first.units);
    return { dimension, secondsPerUnit: slope('synthSeconds'), resourcesPerUnit: slope('totalResources'), templateBytesPerUnit: slope('totalTemplateBytes') };
  });
  log('\ngrowth                 synth s  stacks  resources  template bytes  largest stack (resources / bytes)');
  for (const g of growth) {
    log(
      `  ${`${g.units} ${g.dimension}`.padEnd(20)} ${g.synthSeconds.toFixed(2).padStart(7)} ${String(g.stacks).padStart(7)} ${String(g.totalResources).padStart(10)} ${String(g.totalTemplateBytes).padStart(15)}   ${g.largestStackResources} (${percent(g.largestStackResources, LIMITS.resources)}) / ${g.largestStackTemplateBytes} (${percent(g.largestStackTemplateBytes, LIMITS.templateBytes)})`,
    );
  }
  for (const u of perUnit) {
    log(`  per added ${u.dimension === 'featureGroups' ? 'feature group' : 'pipeline'}: ${u.secondsPerUnit.toFixed(3)} s, ${u.resourcesPerUnit.toFixed(1)} resources, ${Math.round(u.templateBytesPerUnit)} template bytes`);
  }

  return {
    rounds: options.rounds,
    targets: TARGETS,
    limits: LIMITS,
    synth: synthFigures,
    jestSeconds,
    stacks: defaults.stacks,
    pipelineDefinitions: defaults.definitions,
    growth,
    perUnit,
  };
}

main();
