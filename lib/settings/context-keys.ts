/**
 * Context keys that are not settings: the CDK's and the CLI's own keys pass; anything else is a
 * mistake (`-c stgae=prod`) that is named, with the closest setting.
 */

/** Keys the CDK, its CLI or its look-ups write into the context. */
const TOOLKIT_KEYS = new Set(['cli-telemetry', 'acknowledged-issue-numbers']);
const TOOLKIT_PREFIXES = ['@aws-cdk', 'aws:cdk:', 'aws-cdk:'];

/**
 * Whether a context key belongs to the CDK rather than to this app: feature flags (`@aws-cdk/…`),
 * the CLI's own keys (`aws:cdk:…`, `cli-telemetry`, `acknowledged-issue-numbers`) and the caches of
 * context look-ups (`availability-zones:account=…:region=…` and every other key with `:account=`).
 */
export function isToolkitKey(key: string): boolean {
  return TOOLKIT_KEYS.has(key) || TOOLKIT_PREFIXES.some((prefix) => key.startsWith(prefix)) || key.includes(':account=');
}

/** A context key that is no setting, with the setting it was probably meant to be. */
export interface UnknownSetting {
  readonly key: string;
  readonly suggestion?: string;
}

/** The context keys that are neither settings nor the CDK's own, in the order given. */
export function unknownSettings(contextKeys: readonly string[], settings: readonly string[]): UnknownSetting[] {
  const known = new Set(settings);
  return contextKeys.filter((key) => !known.has(key) && !isToolkitKey(key)).map((key) => ({ key, suggestion: closestSetting(key, settings) }));
}

/** What the app says of an unknown key. */
export function unknownSettingMessage(unknown: UnknownSetting): string {
  const hint = unknown.suggestion ? `; did you mean '${unknown.suggestion}'?` : '; see the configuration reference in README for the settings.';
  return `Unknown setting '${unknown.key}': no setting of this app has that name, so it changes nothing${hint}`;
}

/**
 * The setting a mistyped key most likely meant: the same name in other letter case, else the
 * nearest by edit distance (transpositions count once) within a third of the key's length.
 */
export function closestSetting(key: string, settings: readonly string[]): string | undefined {
  const sameCase = settings.find((s) => s.toLowerCase() === key.toLowerCase());
  if (sameCase) return sameCase;
  const limit = Math.max(1, Math.floor(key.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of settings) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
