import { FileSystem } from 'aws-cdk-lib';

/** What never ships with step code. */
export const CODE_EXCLUDES = ['__pycache__', '*.pyc', '.pytest_cache'];

const hashes = new Map<string, string>();
/** A step-code folder's content hash, computed once per process however many stacks ship it. */
export function stepCodeHash(dir: string): string {
  let hash = hashes.get(dir);
  if (!hash) hashes.set(dir, (hash = FileSystem.fingerprint(dir, { exclude: CODE_EXCLUDES })));
  return hash;
}
