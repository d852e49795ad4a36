/**
 * Synthesizes a tree of the project into a cloud assembly with the CDK CLI, as a user runs it
 * (the tree's own cdk.json, the given `-c` values), and checks out a base commit into a temporary
 * git worktree that is removed afterwards.
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
}

/**
 * `cdk synth --quiet --output OUTDIR -c k=v …` in `tree`, with the CLI of `toolRoot` (the project
 * whose packages run the synth). No AWS account is read: credentials and instance metadata are
 * not looked for.
 */
export function synthesize(tree: string, context: Readonly<Record<string, string>>, outdir: string, toolRoot: string): Promise<SynthResult> {
  const cli = path.join(toolRoot, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const args = [cli, 'synth', '--quiet', '--output', outdir, ...Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const env = { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', AWS_EC2_METADATA_DISABLED: 'true' };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: tree, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ error: error.message }));
    child.on('close', (code) => {
      if (code === 0 && fs.existsSync(path.join(outdir, 'manifest.json'))) {
        resolve({ assembly: readAssembly(outdir) });
      } else {
        resolve({ error: output.trim() || `cdk synth exited with ${code}` });
      }
    });
  });
}

/** An error the user can act on: printed without a stack trace. */
export class ReviewError extends Error {}

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

/**
 * Runs `work` on a checkout of `commit` in a temporary git worktree (sharing `toolRoot`'s
 * node_modules), and removes the worktree afterwards, also when `work` fails or the process is
 * interrupted.
 */
export async function withWorktree<T>(repo: string, commit: string, toolRoot: string, work: (tree: string) => Promise<T>): Promise<T> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'review-base-'));
  const tree = path.join(scratch, 'tree');
  const cleanUp = () => {
    tryGit(repo, 'worktree', 'remove', '--force', tree);
    fs.rmSync(scratch, { recursive: true, force: true });
    tryGit(repo, 'worktree', 'prune');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    try {
      git(repo, 'worktree', 'add', '--detach', '--quiet', tree, commit);
    } catch (error) {
      throw new ReviewError(`Could not check out the base ${commit.slice(0, 12)}: ${((error as { stderr?: string }).stderr ?? String(error)).trim()}`);
    }
    const modules = path.join(tree, 'node_modules');
    if (!fs.lstatSync(modules, { throwIfNoEntry: false })) fs.symlinkSync(path.join(toolRoot, 'node_modules'), modules, 'dir');
    return await work(tree);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanUp();
  }
}

/** The top folder of the git repository that holds `dir`. */
export function repositoryRoot(dir: string): string {
  const top = tryGit(dir, 'rev-parse', '--show-toplevel');
  if (!top) throw new ReviewError(`${dir} is not inside a git repository: the review compares a git commit with the working tree.`);
  return top;
}
