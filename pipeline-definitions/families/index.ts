/**
 * The platform's model families: the one list. A family is a package ({@link FamilyPackage}): a
 * folder here with its declaration, its pipeline definitions, its step code, what it needs to run
 * here and its tests, and a line below. The first package's first family keeps the names the
 * platform had before there were families.
 */
import type { ModelFamily } from '../../lib/model-family';
import type { PlatformConfig } from '../../lib/settings';
import type { LocalDeclaration } from '../rendering/local-settings';
import { bertSentiment } from './bert-sentiment/family';
import { autopilotSentiment } from './autopilot-sentiment/family';
import { blazingTextSentiment } from './blazingtext-sentiment/family';
import type { FamilyPackage } from './family-package';

export type { FamilyPackage } from './family-package';

/** The family packages, in order. */
export const FAMILY_PACKAGES = [
  bertSentiment,
  blazingTextSentiment,
  autopilotSentiment,
] as const satisfies readonly FamilyPackage[];

/** A package's settings as a type: none for a package typed without its own (the index signature would admit any key). */
type SettingsOf<Q> = Q extends FamilyPackage<infer S> ? (string extends keyof S ? {} : S) : {};

/** Every package's settings as one type (the intersection of their groups). */
type PackagesSettings<P extends readonly FamilyPackage[]> = (P[number] extends infer Q ? (Q extends unknown ? (x: SettingsOf<Q>) => void : never) : never) extends (x: infer I) => void
  ? I
  : never;

/**
 * The records merged into one, each key once: `clash` says what is wrong when a key comes twice,
 * or is one of `reserved` (`reservedKey` true).
 */
function mergeOnce<V>(records: readonly Readonly<Record<string, V>>[], reserved: readonly string[], clash: (key: string, reservedKey: boolean) => string): Record<string, V> {
  const merged: Record<string, V> = {};
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      if (key in merged || reserved.includes(key)) throw new Error(clash(key, reserved.includes(key)));
      merged[key] = value;
    }
  }
  return merged;
}

/**
 * The settings of the packages, by context key.
 * @throws Error naming a key two packages declare, or a package and the platform (`reserved`)
 */
export function familySettings<P extends readonly FamilyPackage[]>(packages: P, reserved: readonly string[] = []): PackagesSettings<P> {
  return mergeOnce(
    packages.map((p) => p.settings ?? {}),
    reserved,
    (key, platform) => `Family settings: ${key} is declared by ${platform ? 'the platform' : 'another family package'} too; expected one declaration per setting.`,
  ) as PackagesSettings<P>;
}

/** The families of a configuration: those of the app's packages, or of the packages given (a test's list). */
export function platformFamilies(config: PlatformConfig, packages: readonly FamilyPackage[] = FAMILY_PACKAGES): ModelFamily[] {
  return packages.flatMap((p) => p.families(config));
}

/**
 * What every family's definitions need to run here, by definition name.
 * @throws Error naming a definition that two packages (or a package and `reserved`) declare
 */
export function familyLocalRuns(packages: readonly FamilyPackage[] = FAMILY_PACKAGES, reserved: readonly string[] = []): Record<string, LocalDeclaration> {
  return mergeOnce(
    packages.map((p) => p.localRuns),
    reserved,
    (name) => `Local runs: definition ${name} is declared twice; expected one local run per definition name.`,
  );
}
