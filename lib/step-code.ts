import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FileSystem } from 'aws-cdk-lib';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { projectPath } from './project-paths';

/** What never ships with step code. */
export const CODE_EXCLUDES = ['__pycache__', '*.pyc', '.pytest_cache'];

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

/** The files under a folder, as paths relative to it (what ships: without {@link CODE_EXCLUDES}). */
function shippedFiles(dir: string): string[] {
  const shipped = (name: string) => name !== '__pycache__' && name !== '.pytest_cache' && !name.endsWith('.pyc');
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((relative) => relative.split(path.sep).every(shipped) && fs.statSync(path.join(dir, relative)).isFile())
    .sort();
}

/**
 * The release of the step-code library and the given folders (a family's code): what a pipeline
 * uploads to its code prefix.
 * @throws Error when two folders ship a file of the same path (one would hide the other)
 */
export function stepCodeRelease(...dirs: readonly string[]): StepCodeRelease {
  const all = [STEP_LIBRARY_DIR, ...dirs.filter((dir) => dir !== STEP_LIBRARY_DIR)];
  const owner = new Map<string, string>();
  for (const dir of all) {
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
