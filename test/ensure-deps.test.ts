import { execFileSync, execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const { staleReason } = require('../scripts/npm-current.js') as { staleReason: (dir: string) => string | undefined };

const root = path.join(__dirname, '..');

/** A project folder with a lock file of three packages, one optional (another platform's). */
function project(installed?: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-current-'));
  const deps = { devDependencies: { a: '^1.0.0' } };
  const packages = {
    '': { name: 'p', version: '1.0.0', ...deps },
    'node_modules/a': { version: '1.0.1', dev: true, dependencies: { b: '^2.0.0' } },
    'node_modules/b': { version: '2.0.0', dev: true },
    'node_modules/b-darwin-arm64': { version: '2.0.0', dev: true, optional: true, os: ['darwin'] },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', scripts: { test: 'x' }, ...deps }));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'p', lockfileVersion: 3, packages }));
  if (installed) {
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), JSON.stringify({ name: 'p', lockfileVersion: 3, packages: installed }));
  }
  return dir;
}

const asInstalled = {
  'node_modules/a': { version: '1.0.1', dev: true, dependencies: { b: '^2.0.0' } },
  'node_modules/b': { version: '2.0.0', dev: true },
};

describe('npm-current: node_modules against the lock file, as npm records what it installed', () => {
  test('this checkout, installed by npm ci, is current', () => {
    expect(staleReason(root)).toBeUndefined();
  });

  test('what npm ci leaves is current: the lock file\'s entries, less the root and other platforms\' optional packages', () => {
    expect(staleReason(project(asInstalled))).toBeUndefined();
  });

  test('names what differs', () => {
    expect(staleReason(project())).toBe('no node_modules/.package-lock.json (npm ci has not run)');
    expect(staleReason(project({ ...asInstalled, 'node_modules/b': { version: '2.0.1', dev: true } }))).toBe(
      'node_modules/b is installed at 2.0.1, package-lock.json has 2.0.0',
    );
    expect(staleReason(project({ 'node_modules/a': asInstalled['node_modules/a'] }))).toBe('node_modules/b (package-lock.json) is not installed');
    expect(staleReason(project({ ...asInstalled, 'node_modules/c': { version: '1.0.0' } }))).toBe('node_modules/c is installed but not in package-lock.json');
    const dir = project(asInstalled);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf-8'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...pkg, devDependencies: { a: '^1.1.0' } }));
    expect(staleReason(dir)).toBe("package.json's devDependencies differ from package-lock.json's");
  });

  test('ensure-deps.sh runs npm ci only when node_modules is not current', () => {
    const dir = project(asInstalled);
    fs.mkdirSync(path.join(dir, 'scripts'));
    for (const file of ['scripts/ensure-deps.sh', 'scripts/npm-current.js', 'requirements-dev.txt', 'requirements-reference.txt']) {
      fs.copyFileSync(path.join(root, file), path.join(dir, file));
    }
    // The Python side is current: its stamp as ensure-deps.sh computes it.
    fs.mkdirSync(path.join(dir, '.venv'));
    const pyStamp = execSync('sha256sum requirements-dev.txt requirements-reference.txt | sha256sum | cut -d" " -f1', { cwd: dir }).toString();
    fs.writeFileSync(path.join(dir, '.venv', '.deps-stamp'), pyStamp);
    // npm, recording its calls.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\necho "$@" >> "${path.join(dir, 'npm-calls')}"\n`, { mode: 0o755 });
    const run = () => execFileSync('bash', ['scripts/ensure-deps.sh'], { cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } }).toString();
    const calls = () => (fs.existsSync(path.join(dir, 'npm-calls')) ? fs.readFileSync(path.join(dir, 'npm-calls'), 'utf-8').trim().split('\n') : []);

    expect(run()).toBe('');
    expect(calls()).toEqual([]);
    fs.rmSync(path.join(dir, 'node_modules'), { recursive: true });
    expect(run()).toContain('Installing npm packages (npm ci)...');
    expect(calls()).toEqual(['ci --no-audit --no-fund']);
  });
});
