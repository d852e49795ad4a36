/**
 * The file, in the cloud assembly beside the templates, in which the app records the resolved
 * settings it synthesized with (every setting, defaults of the stage included). `npm run review`
 * compares the records of two synths.
 */
export const SETTINGS_RECORD_FILE = 'platform-settings.json';
