/**
 * Every `npm run synth|render|contract -- -c …` that README shows gives what README says it gives,
 * failing examples included: each command line is run as a user types it (`bash -c`, in a copy
 * of the project with its packages), all at once. An example in a ```text block (`$ command` and
 * the lines it prints) is checked against those lines; what the others give is said below, and an
 * example README shows that is not said here fails the test until it is.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { offlineEnvironment } from '../scripts/review/synth';

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8');

interface Expectation {
  readonly succeeds: boolean;
  /** What README says of the result, checked in the folder the command ran in. */
  readonly check?: (dir: string) => void;
}

const template = (dir: string, stack: string) => path.join(dir, 'cdk.out', `${stack}.template.json`);
const PACKAGE = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-dev-bert-sentiment';

/** What README says each example gives (besides the lines a ```text block shows). */
const EXPECTED: Record<string, Expectation> = {
  'npm run synth -- -c stage=banana': { succeeds: false },
  'npm run synth -- -c stgae=prod': { succeeds: true },
  "npm run synth -- -c pipelineSchedule='rate(1 days)'": { succeeds: false },
  // Warned, and the synth goes on (an error only with strictSettings).
  'npm run synth -- -c onlineStoreTtlDays=30': { succeeds: true },
  // "(any stage)": the prod stage's stacks, and its pipelines' definitions beside them.
  'npm run synth -- -c stage=prod': {
    succeeds: true,
    check: (dir) => {
      expect(fs.existsSync(template(dir, 'pds-prod-data-lake'))).toBe(true);
      expect(fs.existsSync(template(dir, 'pds-dev-data-lake'))).toBe(false);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'cdk.out', 'pipeline-definitions', 'bert-sentiment.json'), 'utf-8')).Metadata).toBeDefined();
    },
  },
  // "serve given packages instead … to look at the templates": the serving stack, and its monitoring pipeline rendered.
  [`npm run synth -- -c modelPackageArn=${PACKAGE}/1 -c challengerModelPackageArn=${PACKAGE}/2`]: {
    succeeds: true,
    check: (dir) => {
      const serving = fs.readFileSync(template(dir, 'pds-dev-serving'), 'utf-8');
      expect(serving).toContain(`${PACKAGE}/1`);
      expect(serving).toContain(`${PACKAGE}/2`);
      expect(fs.existsSync(path.join(dir, 'cdk.out', 'pipeline-definitions', 'endpoint-monitor.json'))).toBe(true);
    },
  },
  // "shows `--tolerance 0.07` in `CheckModelQuality`'s arguments".
  'npm run render -- -c modelQualityTolerance=0.07': {
    succeeds: true,
    check: (dir) => {
      const definition = JSON.parse(fs.readFileSync(path.join(dir, 'build', 'pipeline-definitions', 'bert-sentiment.json'), 'utf-8'));
      const args: unknown[] = step(definition.Steps, 'CheckModelQuality').Arguments.AppSpecification.ContainerArguments;
      expect(args[args.indexOf('--tolerance') + 1]).toBe('0.07');
    },
  },
};

interface Step {
  readonly Name: string;
  readonly Arguments: { readonly IfSteps?: Step[]; readonly ElseSteps?: Step[]; readonly AppSpecification: { readonly ContainerArguments: unknown[] } };
}

/** A step of a definition, also inside a Condition's branches. */
function step(steps: readonly Step[], name: string): Step {
  const all = (list: readonly Step[]): Step[] => list.flatMap((s) => [s, ...all(s.Arguments.IfSteps ?? []), ...all(s.Arguments.ElseSteps ?? [])]);
  const found = all(steps).find((s) => s.Name === name);
  if (!found) throw new Error(`no step ${name}`);
  return found;
}

interface Example {
  readonly command: string;
  /** The lines README shows it printing (a ```text block's `$ command`). */
  readonly prints: readonly string[];
}

/** The examples: code spans, and code-block lines (continued lines joined), with what text blocks show them print. */
function readmeExamples(text: string): Example[] {
  const pattern = /^\$? ?(npm run (?:synth|render|contract) -- .*-c .*)$/;
  const examples = new Map<string, string[]>();
  const add = (command: string, prints: string[] = []) => {
    if (/[[<]/.test(command)) return; // a synopsis such as `npm run render -- [-c key=value ...]`, not an example
    examples.set(command.replace(/\s+/g, ' ').trim(), prints);
  };
  for (const span of text.matchAll(/`([^`\n]+)`/g)) {
    const match = pattern.exec(span[1]);
    if (match) add(match[1]);
  }
  for (const block of text.matchAll(/^ *```(\w*)\n([\s\S]*?)^ *```$/gm)) {
    const lines = block[2].replace(/\\\n\s*/g, ' ').split('\n');
    lines.forEach((line, i) => {
      const match = pattern.exec(line.trim());
      if (!match) return;
      const prints: string[] = [];
      if (block[1] === 'text' && line.startsWith('$ ')) {
        for (const next of lines.slice(i + 1)) {
          if (next.startsWith('$ ')) break;
          if (next.trim()) prints.push(next);
        }
      }
      add(match[1], prints);
    });
  }
  return [...examples].map(([command, prints]) => ({ command, prints }));
}

interface Run {
  readonly code: number | null;
  readonly output: string;
  readonly dir: string;
}

/** The project as a clone has it, with this checkout's packages. */
function projectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-example-'));
  for (const entry of ['bin', 'lib', 'pipeline-definitions', 'scripts', 'data', 'cdk.json', 'package.json', 'package-lock.json', 'tsconfig.json', '.swcrc']) {
    fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true, filter: (src) => !/__pycache__|\.pytest_cache/.test(src) });
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function run(command: string): Promise<Run> {
  const dir = projectCopy();
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd: dir, env: offlineEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output, dir }));
  });
}

const examples = readmeExamples(readme);
const runs = new Map<string, Promise<Run>>();

describe("README's synth, render and contract examples", () => {
  test('are found, and each is said here', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    expect(examples.filter((e) => !(e.command in EXPECTED) && e.prints.length === 0).map((e) => e.command)).toEqual([]);
    expect(examples.find((e) => e.command === 'npm run synth -- -c stage=banana')?.prints).toEqual([
      "Invalid context value 'stage': 'banana' is not allowed; expected one of dev, prod.",
    ]);
  });

  beforeAll(() => {
    // All at once: each is a synth of the app, mostly on one core.
    for (const example of examples) runs.set(example.command, run(example.command));
  }, 10_000);

  afterAll(async () => {
    for (const pending of runs.values()) fs.rmSync((await pending).dir, { recursive: true, force: true });
  });

  for (const example of examples) {
    const expectation = EXPECTED[example.command] ?? { succeeds: true };
    test(example.command, async () => {
      const result = await runs.get(example.command)!;
      for (const line of example.prints) expect(result.output).toContain(line);
      if (expectation.succeeds) expect({ code: result.code, output: result.output }).toEqual({ code: 0, output: expect.any(String) });
      else expect(result.code).not.toBe(0);
      expectation.check?.(result.dir);
    }, 300_000);
  }
});
