/**
 * The settings read the family packages' settings at load time (lib/settings imports the family
 * list), and the families import the definition library: whichever module a program loads first,
 * every module must finish loading and the settings must hold every package's. A module of that
 * graph that came back to lib/settings at load time would leave one of them half-initialized.
 */
import { FAMILY_PACKAGES } from '../pipeline-definitions/families';

const ENTRIES = [
  '../lib/naming',
  '../lib/settings',
  '../lib/platform',
  '../lib/model-family',
  '../lib/training-pipeline-stack',
  '../pipeline-definitions/families',
  '../pipeline-definitions/gates',
  '../pipeline-definitions/parts/steps',
  '../pipeline-definitions/local-runs',
  '../pipeline-definitions/rendering/render',
];

const familySettingKeys = FAMILY_PACKAGES.flatMap((p) => Object.keys((p as { settings?: object }).settings ?? {}));

test.each(ENTRIES)('loaded first, %s leaves every module whole and the settings with every package\'s', (entry) => {
  jest.isolateModules(() => {
    require(entry);
    const { SETTINGS, loadConfig } = require('../lib/settings');
    for (const key of familySettingKeys) expect(SETTINGS).toHaveProperty(key);
    expect(() => loadConfig(() => undefined)).not.toThrow();
    const { platformFamilies } = require('../pipeline-definitions/families');
    expect(platformFamilies(loadConfig(() => undefined)).length).toBeGreaterThan(0);
  });
});
