import * as fs from 'fs';
import * as path from 'path';

/**
 * The project's root folder (the one with cdk.json), found from this file's folder upwards, so
 * that the app finds its assets whether it runs from the TypeScript sources or compiled elsewhere
 * (e.g. `tsc --outDir build/...`).
 */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'cdk.json'))) return dir;
    if (path.dirname(dir) === dir) {
      throw new Error(`projectRoot: no cdk.json in ${from} or any folder above it.`);
    }
  }
}

/** A path inside the project. */
export function projectPath(...parts: string[]): string {
  return path.join(projectRoot(), ...parts);
}
