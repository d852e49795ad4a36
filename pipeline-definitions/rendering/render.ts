/**
 * The rendering of the app's pipeline definitions that reviewers, the checks and the local runner
 * read: each pipeline's definition exactly as its synthesized template deploys it, for the
 * configuration given (`cdk.json` and `-c` values, as `cdk synth` takes them), with only the
 * deploy-time values as typed placeholders ({@link DeployValues}); and beside it what the local
 * runner needs to run it here ({@link localSettings}).
 *
 *     npm run render -- [--out DIR] [--suffix NAME] [--only ID,...] [--assembly DIR] [-c key=value ...]
 *
 * writes `<pipeline id>[.<suffix>].json` and `<pipeline id>[.<suffix>].local.json` into DIR
 * (default `build/pipeline-definitions`), synthesizing the app first unless `--assembly` names a
 * synthesized one.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../../lib/project-paths';
import { Assembly, deployedPipelines, readAssembly, templatesByStack } from '../../scripts/review/assembly';
import { synthesize } from '../../scripts/review/synth';
import { DeployValues } from './deploy-values';
import { localDeclarations } from '../local-runs';
import { LocalDeclaration, LocalSettings, localSettings } from './local-settings';

type Json = Record<string, unknown>;

/** A pipeline of the assembly, rendered. */
export interface RenderedPipeline {
  /** The pipeline's id within its stage (the definition's `Metadata.pipeline`). */
  readonly id: string;
  /** Which definition made it (`Metadata.definition`; a variant shares its family's). */
  readonly definitionKind: string;
  readonly stack: string;
  readonly pipelineName: string;
  readonly definition: Json;
  readonly local: LocalSettings;
}

/**
 * Every pipeline of a synthesized assembly, rendered with typed placeholders, with the local runs
 * its families declare (those of the app's family packages unless a test gives its own).
 */
export function renderAssembly(assembly: Assembly, declarations: Readonly<Record<string, LocalDeclaration>> = localDeclarations()): RenderedPipeline[] {
  const templates = templatesByStack(assembly);
  return deployedPipelines(assembly, (all, stack) => new DeployValues(all, stack)).map((pipeline) => {
    if (!pipeline.definition) throw new Error(`render: pipeline ${pipeline.name} of ${pipeline.stack}: ${pipeline.error}`);
    const metadata = (pipeline.definition.Metadata ?? {}) as Record<string, string>;
    const id = metadata.pipeline ?? pipeline.name;
    const rendered = {
      id,
      definitionKind: metadata.definition ?? id,
      stack: pipeline.stack,
      pipelineName: pipeline.name,
      definition: pipeline.definition,
    };
    return { ...rendered, local: localSettings(rendered, assembly, templates, declarations) };
  });
}

export interface RenderOptions {
  /** Where to write the files. */
  readonly out: string;
  /** Inserted before `.json` in every file name, e.g. `managed`. */
  readonly suffix?: string;
  /** Only these pipeline ids. */
  readonly only?: readonly string[];
}

/** Writes each rendering and its local settings; returns the files written. */
export function writeRenderings(pipelines: readonly RenderedPipeline[], options: RenderOptions): string[] {
  const chosen = options.only ? pipelines.filter((p) => options.only!.includes(p.id)) : pipelines;
  const missing = (options.only ?? []).filter((id) => !pipelines.some((p) => p.id === id));
  if (missing.length > 0) {
    throw new Error(`render: no pipeline ${missing.join(', ')} in this configuration; it has ${pipelines.map((p) => p.id).join(', ') || 'none'}`);
  }
  // A file per pipeline: a second pipeline of the same id would overwrite the first.
  chosen.forEach((p, i) => {
    const first = chosen.findIndex((other) => other.id === p.id);
    if (first !== i) {
      const other = chosen[first];
      throw new Error(
        `render: pipelines ${other.pipelineName} (stack ${other.stack}) and ${p.pipelineName} (stack ${p.stack}) both render as ${p.id}.json; expected one id (Metadata.pipeline) per pipeline`,
      );
    }
  });
  fs.mkdirSync(options.out, { recursive: true });
  const suffix = options.suffix ? `.${options.suffix}` : '';
  const write = (name: string, content: unknown): string => {
    const file = path.join(options.out, name);
    fs.writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
    return file;
  };
  return chosen.flatMap((p) => [write(`${p.id}${suffix}.json`, p.definition), write(`${p.id}${suffix}.local.json`, copyAssets(p.local, options.out))]);
}

/** Code uploads point at the assembly, which may be temporary: their folders are copied beside the renderings. */
function copyAssets(local: LocalSettings, out: string): LocalSettings {
  return {
    ...local,
    seeds: local.seeds.map((seed) => {
      if (!seed.asset) return seed;
      const target = path.resolve(out, 'assets', path.basename(seed.path!));
      if (!fs.existsSync(target)) {
        // Copied aside and renamed into place: renderings written side by side share the folder.
        const partial = `${target}.${process.pid}`;
        fs.cpSync(seed.path!, partial, { recursive: true });
        try {
          fs.renameSync(partial, target);
        } catch {
          fs.rmSync(partial, { recursive: true, force: true }); // another rendering put it there first
        }
      }
      const { asset: _asset, ...rest } = seed;
      return { ...rest, path: target };
    }),
  };
}

export interface RenderArguments extends RenderOptions {
  readonly assembly?: string;
  readonly context: Readonly<Record<string, string>>;
}

export function parseRenderArguments(argv: readonly string[], root = projectRoot(__dirname)): RenderArguments {
  const context: Record<string, string> = {};
  let out = path.join(root, 'build', 'pipeline-definitions');
  let suffix: string | undefined;
  let only: string[] | undefined;
  let assembly: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`render: ${arg} needs a value`);
      return next;
    };
    if (arg === '-c' || arg === '--context') {
      const pair = value();
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`render: -c ${pair} is not key=value`);
      context[pair.slice(0, at)] = pair.slice(at + 1);
    } else if (arg === '--out') out = path.resolve(value());
    else if (arg === '--suffix') suffix = value();
    else if (arg === '--only') only = value().split(',');
    else if (arg === '--assembly') assembly = path.resolve(value());
    else throw new Error(`render: unknown argument ${arg}; expected --out DIR, --suffix NAME, --only ID,..., --assembly DIR or -c key=value`);
  }
  return { out, suffix, only, assembly, context };
}

/** Renders the app's pipelines for a configuration; returns the files written. */
export async function render(args: RenderArguments, root = projectRoot(__dirname)): Promise<string[]> {
  if (args.assembly) return writeRenderings(renderAssembly(readAssembly(args.assembly)), args);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-'));
  try {
    const synth = await synthesize(root, args.context, outdir);
    if (!synth.assembly) throw new Error(`render: the app does not synthesize with this configuration:\n${synth.error}`);
    return writeRenderings(renderAssembly(synth.assembly), args);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  render(parseRenderArguments(process.argv.slice(2))).then(
    (files) => files.forEach((file) => process.stdout.write(`${file}\n`)),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
