import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FileSystem, IgnoreStrategy } from 'aws-cdk-lib';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { projectPath } from './project-paths';

/** What never ships with step code. */
export const CODE_EXCLUDES = ['__pycache__', '*.pyc', '.pytest_cache', '.DS_Store'];

/**
 * The step-code library: the Python that the gates, the monitor and every family's steps share
 * (the contract reader, the quality gates, registry and report helpers, Feature Store ingestion).
 * It ships beside each family's own code, in the same folder of the lake, so a family's scripts
 * import it as their neighbours.
 */
export const STEP_LIBRARY_DIR = projectPath('pipeline-definitions', 'step_library');

const hashes = new Map<string, string>();
/** A step-code folder's content hash, computed once per process however many stacks ship it. */
function folderHash(dir: string): string {
  let hash = hashes.get(dir);
  if (!hash) hashes.set(dir, (hash = FileSystem.fingerprint(dir, { exclude: CODE_EXCLUDES })));
  return hash;
}

/** Step code released to one lake folder: folders of the project laid over each other, in order. */
export interface StepCodeRelease {
  /** The folders' content hash (one folder: its own hash). */
  readonly hash: string;
  /** One bucket-deployment source per folder. */
  readonly sources: s3deploy.ISource[];
}

const shipped = new Map<string, string[]>();
/**
 * The files under a folder that ship, as paths relative to it: those the asset keeps, judged by
 * the same ignore strategy and {@link CODE_EXCLUDES} (a folder it leaves out is not entered);
 * listed once per process.
 */
function shippedFiles(dir: string): string[] {
  let files = shipped.get(dir);
  if (!files) {
    const ignore = IgnoreStrategy.glob(dir, CODE_EXCLUDES);
    const walk = (folder: string): string[] =>
      fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(folder, entry.name);
        if (ignore.ignores(full)) return [];
        return entry.isDirectory() ? walk(full) : [path.relative(dir, full)];
      });
    shipped.set(dir, (files = walk(dir).sort()));
  }
  return files;
}

/**
 * The release of the step-code library and the given folders (a family's code): what a pipeline
 * uploads to its code prefix.
 * @throws Error when a folder does not exist, or two folders ship a file of the same path (one would hide the other)
 */
export function stepCodeRelease(...dirs: readonly string[]): StepCodeRelease {
  const all = [STEP_LIBRARY_DIR, ...dirs.filter((dir) => dir !== STEP_LIBRARY_DIR)];
  const owner = new Map<string, string>();
  for (const dir of all) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new Error(`Step code: the folder ${dir} does not exist; expected a pipeline's codeDir to be a folder of the project.`);
    }
    for (const file of shippedFiles(dir)) {
      const first = owner.get(file);
      if (first) {
        throw new Error(`Step code: ${file} is in both ${path.relative(projectPath(), first)} and ${path.relative(projectPath(), dir)}; a release lays them in one folder, so rename one of them.`);
      }
      owner.set(file, dir);
    }
  }
  const hashes = all.map(folderHash);
  return {
    hash: hashes.length === 1 ? hashes[0] : crypto.createHash('sha256').update(hashes.join('\n')).digest('hex'),
    sources: all.map((dir) => s3deploy.Source.asset(dir, { exclude: CODE_EXCLUDES })),
  };
}
