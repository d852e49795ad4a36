/**
 * `npm run review -- [--base REF] [--out FILE] [-c key=value …] [--stage NAME]`
 *
 * Synthesizes the base commit (by default the merge base with main) and the working tree with the
 * same settings, offline, and writes a Markdown report of what the change does to the platform:
 * stateful resources replaced or deleted, security changes, pipeline definitions step by step,
 * settings, and every resource change.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../../lib/project-paths';
import { buildReport } from './report';
import { repositoryRoot, resolveBase, ReviewError, synthesize, withWorktree } from './synth';

const USAGE = `usage: npm run review -- [--base <git ref>] [--out <file>] [-c <key>=<value> ...] [--stage <name>]
  --base   the commit to compare with (default: the merge base of HEAD with main)
  --out    write the Markdown report to this file (default: standard output)
  -c       a context value for both synths, as cdk synth -c takes it (repeatable)
  --stage  shorthand for -c stage=<name>`;

export interface ReviewArguments {
  readonly base?: string;
  readonly out?: string;
  readonly context: Readonly<Record<string, string>>;
}

/** The command line, or a ReviewError that says what is wrong with it. */
export function parseArguments(argv: readonly string[]): ReviewArguments {
  let base: string | undefined;
  let out: string | undefined;
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
    else if (flag === '-c' || flag === '--context') {
      const pair = value();
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new ReviewError(`${flag} takes key=value; got '${pair}'.\n${USAGE}`);
      context[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else if (flag === '--help' || flag === '-h') throw new ReviewError(USAGE);
    else throw new ReviewError(`Unknown argument '${flag}'.\n${USAGE}`);
  }
  return { base, out, context };
}

/** Runs the review and returns the report. */
export async function review(args: ReviewArguments, project = projectRoot(__dirname)): Promise<string> {
  const repo = repositoryRoot(project);
  const base = resolveBase(repo, args.base);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'review-'));
  try {
    const inTree = path.relative(fs.realpathSync(repo), fs.realpathSync(project));
    const [head, baseSynth] = await Promise.all([
      synthesize(project, args.context, path.join(scratch, 'head'), project),
      withWorktree(repo, base.commit, project, (tree) => synthesize(path.join(tree, inTree), args.context, path.join(scratch, 'base'), project)),
    ]);
    if (!head.assembly) throw new ReviewError(`The working tree does not synthesize:\n${head.error}`);
    return buildReport({
      base: baseSynth.assembly,
      baseError: baseSynth.error,
      head: head.assembly,
      baseLabel: base.label,
      headLabel: 'the working tree',
      context: args.context,
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
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
