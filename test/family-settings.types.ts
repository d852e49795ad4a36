/**
 * Type checks of the family settings, run by `tsc --noEmit` (not by jest): the configuration has
 * each package's settings as typed fields, and nothing else; a package typed without settings of
 * its own adds none (its index signature would otherwise admit any key).
 */
import { loadConfig } from '../lib/settings';
import { FamilyPackage, familySettings } from '../pipeline-definitions/families';

const plain: FamilyPackage = { families: () => [], localRuns: {} };

const config = loadConfig(() => undefined);
export const variants: Readonly<Record<string, { readonly inputPrefix: string }>> | undefined = config.bertPipelineVariants;
// @ts-expect-error no such setting
export const unknown = config.notASetting;
// @ts-expect-error a package typed plainly declares no settings
export const none = familySettings([plain]).anything;
