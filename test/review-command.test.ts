/**
 * `npm run review` end to end on a copy of this project in a scratch git repository: a committed
 * change of two settings in cdk.json, reviewed from a shallow clone with `--base HEAD~1`; a base
 * that does not synthesize; a base that is not there; the temporary worktree always removed.
 * Each review synthesizes the app twice (about ten seconds on two cores).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArguments } from '../scripts/review/main';
import { ReviewError, reviewToolChanges } from '../scripts/review/synth';

const project = path.join(__dirname, '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'review-command-test-'));
const repo = path.join(scratch, 'repo');
const shallow = path.join(scratch, 'shallow');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Review Test', '-c', 'user.email=review@example.com', ...args], { cwd, encoding: 'utf-8' }).trim();
}

/** Changes cdk.json's context and commits it. */
function commitContext(message: string, change: (context: Record<string, unknown>) => void): void {
  const file = path.join(repo, 'cdk.json');
  const cdkJson = JSON.parse(fs.readFileSync(file, 'utf-8'));
  change(cdkJson.context);
  fs.writeFileSync(file, `${JSON.stringify(cdkJson, null, 2)}\n`);
  git(repo, 'commit', '-qam', message);
}

function review(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('npm', ['run', '-s', 'review', '--', ...args], { cwd, encoding: 'utf-8', env: { ...process.env, CI: 'true' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function linkModules(tree: string): void {
  fs.symlinkSync(path.join(project, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
}

beforeAll(() => {
  // The project's files as they are in this working tree (tracked and new), in a repository of their own.
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: project, encoding: 'utf-8' })
    .split('\0')
    .filter((f) => f !== '' && fs.existsSync(path.join(project, f)));
  for (const file of files) {
    fs.mkdirSync(path.join(repo, path.dirname(file)), { recursive: true });
    fs.copyFileSync(path.join(project, file), path.join(repo, file));
  }
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'the project');
  linkModules(repo);
  commitContext('a stage that does not exist', (context) => (context.stage = 'qa'));
  commitContext('back to dev', (context) => delete context.stage);
  commitContext('a larger Athena cutoff, a looser model-quality tolerance', (context) => {
    context.athenaBytesScannedCutoff = 2_000_000_000;
    context.modelQualityTolerance = 0.07;
  });
  git(scratch, 'clone', '-q', '--depth', '2', `file://${repo}`, shallow);
  linkModules(shallow);
});

test('a committed change of two settings, reviewed from a shallow clone against HEAD~1', () => {
  const out = path.join(scratch, 'report.md');
  const result = review(shallow, '--base', 'HEAD~1', '--out', out);
  expect(result.stderr).toContain(`Review report written to ${out}`);
  expect(result.status).toBe(0);
  const report = fs.readFileSync(out, 'utf-8');
  expect(report).toMatch(/^\| update \| `Athena[0-9A-F]+` \| AWS::Athena::WorkGroup \| Athena\/Resource \| `WorkGroupConfiguration\.BytesScannedCutoffPerQuery 1000000000 → 2000000000` \|$/m);
  expect(report).toContain('- **CheckModelQuality** (Processing):\n  - `--tolerance 0.05 → 0.07`\n');
  expect(report).toContain('## Security changes\n\nNo IAM or security changes.\n');
  expect(report).toContain('| `athenaBytesScannedCutoff` | 1000000000 | 2000000000 |');
  expect(report).toContain('| `modelQualityTolerance` | 0.05 | 0.07 |');
  expect(report).toContain('No stateful resource is replaced or deleted.');
  expect(report).toContain('- **pds-dev-ml-registry**: no change');
  // The temporary worktree is gone.
  expect(git(shallow, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
});

test('a base that does not synthesize: the report says so and covers the head alone', () => {
  const result = review(repo, '--base', 'HEAD~2', '-c', 'deploySampleData=false');
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('Context: `-c deploySampleData=false`');
  expect(result.stdout).toContain('> **The base does not synthesize**, so this report covers the head alone.');
  expect(result.stdout).toMatch(/^> .*'stage'.*'qa'/m);
  expect(result.stdout).toMatch(/^- `pds-dev-bert-sentiment` \(pds-dev-bert-pipeline\): \d+ steps \(Processing, /m);
  expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
});

test('--head-assembly: an assembly synthesized elsewhere (a pull request\'s) is compared with the base', () => {
  const assembly = path.join(scratch, 'head-assembly');
  execFileSync(process.execPath, [path.join(project, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '--quiet', '--output', assembly], {
    cwd: repo,
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
    stdio: 'ignore',
  });
  const result = review(repo, '--base', 'HEAD~1', '--head-assembly', assembly);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain(`Head: the assembly in \`${assembly}\``);
  expect(result.stdout).toContain('- **CheckModelQuality** (Processing):\n  - `--tolerance 0.05 → 0.07`\n');
  expect(result.stdout).toContain('| `athenaBytesScannedCutoff` | 1000000000 | 2000000000 |');
});

test('a change to the review tool itself is named at the top of the report', () => {
  const file = path.join(repo, 'scripts', 'review', 'report.ts');
  const original = fs.readFileSync(file, 'utf-8');
  try {
    fs.writeFileSync(file, `${original}\n// edited\n`);
    expect(reviewToolChanges(repo, git(repo, 'rev-parse', 'HEAD'), repo)).toEqual(['scripts/review/report.ts']);
  } finally {
    fs.writeFileSync(file, original);
  }
  expect(reviewToolChanges(repo, git(repo, 'rev-parse', 'HEAD'), repo)).toEqual([]);
});

test('a base that is not in the clone: a clear error, exit 1', () => {
  const result = review(shallow, '--base', 'HEAD~5');
  expect(result.status).toBe(1);
  expect(result.stderr).toContain("The base 'HEAD~5' is not a commit of this repository (this clone is shallow: fetch the base");
});

describe('arguments', () => {
  test('base, output, context and stage', () => {
    expect(parseArguments(['--base', 'origin/main', '--out', 'r.md', '-c', 'a=1', '--context', 'b=x=y', '--stage', 'prod'])).toEqual({
      base: 'origin/main',
      out: 'r.md',
      context: { a: '1', b: 'x=y', stage: 'prod' },
    });
  });

  test.each([
    [['--base'], '--base needs a value.'],
    [['-c', 'novalue'], "-c takes key=value; got 'novalue'."],
    [['--bsae', 'main'], "Unknown argument '--bsae'."],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseArguments(argv)).toThrow(ReviewError);
    expect(() => parseArguments(argv)).toThrow(message);
  });
});
