import * as fs from 'fs';
import * as path from 'path';

/**
 * The file, in the cloud assembly beside the templates, in which the app records the resolved
 * settings it synthesized with (every setting, defaults of the stage included). `npm run review`
 * compares the records of two synths.
 */
export const SETTINGS_RECORD_FILE = 'platform-settings.json';

/** Records the settings an app synthesized with in its assembly's directory. */
export function writeSettingsRecord(assemblyDirectory: string, config: object): void {
  fs.writeFileSync(path.join(assemblyDirectory, SETTINGS_RECORD_FILE), `${JSON.stringify(config, null, 2)}\n`);
}
