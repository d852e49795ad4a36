/**
 * The step-code release: the library and a family's folder laid into one code folder of the lake,
 * hashed together, with no file of one hiding a file of the other.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { STEP_LIBRARY_DIR, stepCodeRelease } from '../lib/step-code';

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'family-code-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

test('the library alone, or with a family\'s folder: a source each, one hash of both', () => {
  const library = stepCodeRelease();
  expect(library.sources).toHaveLength(1);
  const family = folder({ 'train.py': 'print(1)\n' });
  const release = stepCodeRelease(family);
  expect(release.sources).toHaveLength(2);
  expect(release.hash).toMatch(/^[0-9a-f]{64}$/);
  expect(release.hash).not.toBe(library.hash);
  // Another family's code (or another version of it) is another release.
  expect(stepCodeRelease(folder({ 'train.py': 'print(2)\n' })).hash).not.toBe(release.hash);
  expect(stepCodeRelease(folder({ 'train.py': 'print(1)\n' })).hash).toBe(release.hash);
});

test('a family file of the same path as a library file is refused, naming both folders', () => {
  const family = folder({ 'contract.py': '', 'sub/quality_gate.py': '', '__pycache__/x.pyc': '' });
  expect(() => stepCodeRelease(family)).toThrow(
    new RegExp(`^Step code: contract\\.py is in both pipeline-definitions/step_library and .*family-code-\\w+; a release lays them in one folder, so rename one of them\\.$`),
  );
  expect(fs.existsSync(path.join(STEP_LIBRARY_DIR, 'contract.py'))).toBe(true);
  expect(() => stepCodeRelease(folder({ 'sub/contract.py': '' }))).not.toThrow();
});

test('a code folder that is not there is refused, naming it', () => {
  const missing = path.join(os.tmpdir(), 'no-such-family-code');
  expect(() => stepCodeRelease(missing)).toThrow(`Step code: the folder ${missing} does not exist; expected a pipeline's codeDir to be a folder of the project.`);
});

test('an editor\'s or a file manager\'s litter does not change the release', () => {
  const clean = stepCodeRelease(folder({ 'train.py': 'print(3)\n' })).hash;
  expect(stepCodeRelease(folder({ 'train.py': 'print(3)\n', '.DS_Store': 'x' })).hash).toBe(clean);
});
