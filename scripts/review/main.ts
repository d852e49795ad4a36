/**
 * `npm run review -- [--base REF] [--out FILE] [-c key=value …] [--stage NAME] [--head-assembly DIR]`
 *
 * Synthesizes the base commit (by default the merge base with main) and the working tree with the
 * same settings, offline, and writes a Markdown report of what the change does to the platform:
 * stateful resources replaced or deleted, security changes, pipeline definitions step by step,
 * settings, and every resource change. With `--head-assembly` the head is a cloud assembly that
 * was synthesized elsewhere (a pull request's, read as data), not the working tree.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../../lib/project-paths';
import { readAssembly } from './assembly';
import { buildReport } from './report';
import { cleaningUp, repositoryRoot, resolveBase, ReviewError, reviewToolChanges, SynthResult, synthesize, withWorktree } from './synth';

const USAGE = `usage: npm run review -- [--base <git ref>] [--out <file>] [-c <key>=<value> ...] [--stage <name>] [--head-assembly <dir>]
  --base           the commit to compare with (default: the merge base of HEAD with main)
  --out            write the Markdown report to this file (default: standard output)
  -c               a context value for both synths, as cdk synth -c takes it (repeatable)
  --stage          shorthand for -c stage=<name>
  --head-assembly  compare with this cloud assembly (cdk synth --output) instead of the working tree's`;

export interface ReviewArguments {
  readonly base?: string;
  readonly out?: string;
  readonly context: Readonly<Record<string, string>>;
  /** A cloud assembly to review instead of synthesizing the working tree. */
  readonly headAssembly?: string;
}

/** The command line, or a ReviewError that says what is wrong with it. */
export function parseArguments(argv: readonly string[]): ReviewArguments {
  let base: string | undefined;
  let out: string | undefined;
  let headAssembly: string | undefined;
  const context: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ReviewError(`${flag} needs a value.\n${USAGE}`);
      return v;
    };
    if (flag === '--base') base = value();
    else if (flag === '--out') out = value();
    else if (flag === '--stage') context.stage = value();
    else if (flag === '--head-assembly') headAssembly = value();
    else if (flag === '-c' || flag === '--context') {
      const pair = value();
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new ReviewError(`${flag} takes key=value; got '${pair}'.\n${USAGE}`);
      context[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else if (flag === '--help' || flag === '-h') throw new ReviewError(USAGE);
    else throw new ReviewError(`Unknown argument '${flag}'.\n${USAGE}`);
  }
  return { base, out, context, headAssembly };
}

/** Runs the review and returns the report. */
export async function review(args: ReviewArguments, project = projectRoot(__dirname)): Promise<string> {
  const repo = repositoryRoot(project);
  const base = resolveBase(repo, args.base);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'review-'));
  return cleaningUp(
    () => fs.rmSync(scratch, { recursive: true, force: true }),
    async () => {
      const inTree = path.relative(fs.realpathSync(repo), fs.realpathSync(project));
      const notes: string[] = [];
      const headSynth: Promise<SynthResult> = args.headAssembly
        ? Promise.resolve({ assembly: readAssembly(path.resolve(args.headAssembly)) })
        : synthesize(project, args.context, path.join(scratch, 'head'));
      const baseSynth = withWorktree(repo, base.commit, [project], async (tree, packagesNote) => {
        if (packagesNote) notes.push(packagesNote);
        return synthesize(path.join(tree, inTree), args.context, path.join(scratch, 'base'));
      });
      // Both run to their end before the scratch folder goes, whichever fails.
      const [head, baseResult] = await Promise.allSettled([headSynth, baseSynth]);
      if (baseResult.status === 'rejected') throw baseResult.reason;
      if (head.status === 'rejected') throw head.reason;
      if (!head.value.assembly) throw new ReviewError(`The working tree does not synthesize:\n${head.value.error}`);
      const toolChanges = args.headAssembly ? [] : reviewToolChanges(repo, base.commit, project);
      if (toolChanges.length > 0) {
        notes.push(
          `This change edits the review tool, its packages or the workflows (${toolChanges.join(', ')}), and this report was made by the changed tool: ` +
            'read those files in the diff as well.',
        );
      }
      return buildReport({
        base: baseResult.value.assembly,
        baseError: baseResult.value.error,
        head: head.value.assembly,
        baseLabel: base.label,
        headLabel: args.headAssembly ? `the assembly in \`${args.headAssembly}\`` : 'the working tree',
        context: args.context,
        notes,
        warnings: head.value.warnings,
      });
    },
  );
}

async function main(): Promise<void> {
  try {
    const args = parseArguments(process.argv.slice(2));
    const report = await review(args);
    if (args.out) {
      fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
      fs.writeFileSync(args.out, report);
      process.stderr.write(`Review report written to ${args.out}\n`);
    } else {
      process.stdout.write(report);
    }
  } catch (error) {
    if (error instanceof ReviewError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(error.message.startsWith('usage:') ? 0 : 1);
    }
    throw error;
  }
}

if (require.main === module) {
  void main();
}
