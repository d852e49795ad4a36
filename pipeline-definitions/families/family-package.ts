/**
 * A model family as a package: one folder under `pipeline-definitions/families/` with its
 * declaration, its pipeline definitions, its step code, what it needs to run here and its tests,
 * listed once in `families/index.ts`.
 */
import type { ModelFamily } from '../../lib/model-family';
import type { PlatformConfig } from '../../lib/settings';
import type { SettingGroup } from '../../lib/settings/setting';
import type { LocalDeclaration } from '../rendering/local-settings';

/**
 * @typeParam S its settings (`settings.ts` of its folder), typed so that the configuration has
 * them as fields
 */
export interface FamilyPackage<S extends SettingGroup = SettingGroup> {
  /**
   * Its own settings, by context key (keys no other package and no platform setting has): read and
   * validated with every other setting, listed in the configuration reference.
   * @default - none
   */
  readonly settings?: S;
  /** Its families in a configuration (a package may make variants of its family from settings). */
  readonly families: (config: PlatformConfig) => ModelFamily[];
  /**
   * What each of its pipeline definitions needs to run on this machine, by the definition's name
   * (`Metadata.definition`; see `rendering/local-settings.ts`).
   */
  readonly localRuns: Readonly<Record<string, LocalDeclaration>>;
  /**
   * The settings (as `-c` values) that give the app `pipelines` of its pipelines in all, as a user
   * would add them: the growth configurations of the benchmark and of the limits test.
   * @default - the package does not grow
   */
  readonly growth?: (pipelines: number) => Readonly<Record<string, string>>;
}
