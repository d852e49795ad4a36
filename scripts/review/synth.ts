/**
 * Synthesizes a tree of the project into a cloud assembly with the CDK CLI, as a user runs it
 * (the tree's own cdk.json and packages, the given `-c` values), offline; checks out a base commit
 * into a temporary git worktree that is removed afterwards.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Assembly, readAssembly } from './assembly';

export interface SynthResult {
  readonly assembly?: Assembly;
  /** What the synth printed when it failed. */
  readonly error?: string;
  /** The warnings it printed when it succeeded (lines starting with `Warning:`). */
  readonly warnings?: readonly string[];
}

/** An error the user can act on: printed without a stack trace. */
export class ReviewError extends Error {}

/** AWS credentials and profiles: never handed to a review's synth, which must not reach an account. */
const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

/** The environment of a review's synth: no credentials, no profiles, no instance metadata. */
export function offlineEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDK_DISABLE_VERSION_CHECK: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  for (const name of CREDENTIAL_VARIABLES) delete env[name];
  return env;
}

/** `cdk synth --quiet --output OUTDIR -c k=v …` in `tree`, with the CDK CLI of the tree's own packages. */
export function synthesize(tree: string, context: Readonly<Record<string, string>>, outdir: string): Promise<SynthResult> {
  const cli = path.join(tree, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const args = [cli, 'synth', '--quiet', '--output', outdir, ...Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: tree, env: offlineEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ error: error.message }));
    child.on('close', (code) => {
      if (code === 0 && fs.existsSync(path.join(outdir, 'manifest.json'))) {
        const warnings = output
          .split('\n')
          .filter((line) => line.startsWith('Warning: '))
          .map((line) => line.slice('Warning: '.length).trim());
        resolve({ assembly: readAssembly(outdir), warnings });
      } else {
        resolve({ error: output.trim() || `cdk synth exited with ${code}` });
      }
    });
  });
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function tryGit(cwd: string, ...args: string[]): string | undefined {
  try {
    return git(cwd, ...args);
  } catch {
    return undefined;
  }
}

/** The commit a base ref names; by default the merge base of HEAD with `main` (or `origin/main`). */
export function resolveBase(repo: string, ref?: string): { readonly label: string; readonly commit: string } {
  if (ref !== undefined) {
    const commit = tryGit(repo, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
    if (!commit) {
      const shallow = tryGit(repo, 'rev-parse', '--is-shallow-repository') === 'true';
      throw new ReviewError(
        `The base '${ref}' is not a commit of this repository${shallow ? ' (this clone is shallow: fetch the base, e.g. git fetch --deepen=50, or git fetch origin <branch>)' : ''}.`,
      );
    }
    return { label: `\`${ref}\` (${commit.slice(0, 12)})`, commit };
  }
  for (const main of ['main', 'origin/main']) {
    if (!tryGit(repo, 'rev-parse', '--verify', '--quiet', `${main}^{commit}`)) continue;
    const commit = tryGit(repo, 'merge-base', 'HEAD', main);
    if (commit) return { label: `merge base with \`${main}\` (${commit.slice(0, 12)})`, commit };
  }
  throw new ReviewError('No base given and no merge base of HEAD with main or origin/main was found: pass --base <git ref>.');
}

/** The top folder of the git repository that holds `dir`. */
export function repositoryRoot(dir: string): string {
  const top = tryGit(dir, 'rev-parse', '--show-toplevel');
  if (!top) throw new ReviewError(`${dir} is not inside a git repository: the review compares a git commit with the working tree.`);
  return top;
}

const cleanUps = new Set<() => void>();
function onInterrupt(signal: NodeJS.Signals): void {
  for (const cleanUp of [...cleanUps].reverse()) cleanUp();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/**
 * Runs `cleanUp` when `work` is done, has failed, or the process is interrupted (Ctrl-C): the
 * review leaves no worktree or scratch folder behind.
 */
export async function cleaningUp<T>(cleanUp: () => void, work: () => Promise<T>): Promise<T> {
  if (cleanUps.size === 0) {
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
  }
  cleanUps.add(cleanUp);
  try {
    return await work();
  } finally {
    cleanUps.delete(cleanUp);
    if (cleanUps.size === 0) {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
    }
    cleanUp();
  }
}

/**
 * Runs `work` on a checkout of `commit` in a temporary git worktree (its git hooks off), with the
 * packages its lock file asks for ({@link providePackages}), and removes the worktree afterwards.
 */
export async function withWorktree<T>(
  repo: string,
  commit: string,
  packageSources: readonly string[],
  work: (tree: string, packagesNote?: string) => Promise<T>,
): Promise<T> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'review-base-'));
  const tree = path.join(scratch, 'tree');
  const cleanUp = () => {
    tryGit(repo, 'worktree', 'remove', '--force', tree);
    fs.rmSync(scratch, { recursive: true, force: true });
    tryGit(repo, 'worktree', 'prune');
  };
  return cleaningUp(cleanUp, async () => {
    try {
      git(repo, '-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--detach', '--quiet', tree, commit);
    } catch (error) {
      throw new ReviewError(`Could not check out the base ${commit.slice(0, 12)}: ${((error as { stderr?: string }).stderr ?? String(error)).trim()}`);
    }
    return work(tree, providePackages(tree, packageSources));
  });
}

/**
 * Gives a checkout the packages its lock file asks for: the node_modules of the first project
 * whose lock file is the same (linked), else a fresh `npm ci`. Returns a note for the report when
 * the packages are not the ones the head synthesized with.
 */
export function providePackages(tree: string, sources: readonly string[]): string | undefined {
  const modules = path.join(tree, 'node_modules');
  if (fs.lstatSync(modules, { throwIfNoEntry: false })) return undefined;
  const lock = (dir: string) => fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf-8');
  const same = sources.find((source) => fs.existsSync(path.join(source, 'node_modules')) && lock(source) === lock(tree));
  if (same) {
    fs.symlinkSync(path.join(same, 'node_modules'), modules, 'dir');
    return undefined;
  }
  process.stderr.write("The base's package-lock.json differs: installing its packages for its synth (npm ci)...\n");
  try {
    execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: tree, stdio: ['ignore', 'ignore', 'pipe'], env: offlineEnvironment() });
    return "The base's packages differ from the head's (package-lock.json): the base was synthesized with its own, installed for this review.";
  } catch (error) {
    fs.symlinkSync(path.join(sources[0], 'node_modules'), modules, 'dir');
    const reason = String((error as { stderr?: Buffer }).stderr ?? error).trim().split('\n').pop();
    return (
      "The base's packages differ from the head's and could not be installed, so the base was synthesized with the head's packages: " +
      `changes that come from the packages themselves are not shown (${reason}).`
    );
  }
}

/** The files of the review tool itself, of its packages and of the workflows, that differ from `commit` in the working tree. */
export function reviewToolChanges(repo: string, commit: string, project: string): string[] {
  const inTree = path.relative(fs.realpathSync(repo), fs.realpathSync(project));
  const paths = ['scripts/review', 'package.json', 'package-lock.json', '.github/workflows'].map((p) => path.join(inTree, p) || '.');
  return (tryGit(repo, 'diff', '--name-only', commit, '--', ...paths) ?? '').split('\n').filter((line) => line !== '');
}
