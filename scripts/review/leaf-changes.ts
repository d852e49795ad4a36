/**
 * The leaves that differ between two JSON values, named the way a reviewer reads them:
 * `ProcessingInputs[code].S3Input.S3Uri`, a command line's `--tolerance`, a hyperparameter's key.
 */

export interface LeafChange {
  /** Where the value sits; a command-line flag stands alone (`--tolerance`). */
  readonly label: string;
  /** The value before (undefined: absent). */
  readonly before?: unknown;
  /** The value after (undefined: absent). */
  readonly after?: unknown;
}

/** Keys that name the members of a list of objects, in the order they are tried. */
const IDENTITY_KEYS = ['Name', 'InputName', 'OutputName', 'ChannelName', 'VariantName', 'MetricName', 'PropertyFileName', 'Sid'];

/**
 * The leaves that differ, in a stable order (the new value's order, then what only the old had).
 * Values compare strictly: `"1"` and `1` differ (a pipeline definition tells them apart).
 */
export function leafChanges(before: unknown, after: unknown, label = ''): LeafChange[] {
  if (strictEqual(before, after)) return [];
  if (isArgumentList(before) || isArgumentList(after)) {
    return mapChanges(argumentMap(asList(before)), argumentMap(asList(after)), (key) => (key.startsWith('-') ? key : `${label}${key}`));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const identity = IDENTITY_KEYS.find((key) => isKeyedBy(before, key) && isKeyedBy(after, key));
    if (identity) {
      const byKey = (list: unknown[]) => new Map(list.map((item) => [(item as Record<string, string>)[identity], item]));
      return mapChanges(byKey(before), byKey(after), (key) => `${label}[${key}]`);
    }
    if (before.length === after.length) {
      return before.flatMap((item, i) => leafChanges(item, after[i], `${label}[${i}]`));
    }
    const members = objectsAddedAndRemoved(before, after, label);
    if (members) return members;
  }
  if (isPlainObject(before) && isPlainObject(after) && !isFunction(before) && !isFunction(after)) {
    return mapChanges(new Map(Object.entries(before)), new Map(Object.entries(after)), (key) => join(label, key));
  }
  return [{ label: label || '(value)', before, after }];
}

/** A value as one line, whole: pipeline functions in short form, asset hashes shortened. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return value === '' ? '""' : shortHashes(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return shortForm(value);
}

/**
 * `label before → after`, as the report prints a change: both values whole, never cut (a cut could
 * hide the very part that changed, and a policy's statement must be read in full).
 */
export function formatChange(change: LeafChange): string {
  const [before, after] = formatPair(change.before, change.after);
  return `${change.label} ${before} → ${after}`;
}

/** Two values that differ, each on one line and whole. */
export function formatPair(before: unknown, after: unknown): [string, string] {
  return [formatValue(before), formatValue(after)];
}

/** Deep equality without CloudFormation's leniency: types, keys and order of lists count. */
export function strictEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => strictEqual(item, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => key in b && strictEqual(a[key], b[key]));
}

/**
 * Two lists of objects of different lengths (policy statements, say) as the members the new one
 * added (`label[i]`, its index in the new list) and the old one lost (its index in the old), when
 * some members are in both: what changed, not both lists whole. Undefined otherwise.
 */
function objectsAddedAndRemoved(before: unknown[], after: unknown[], label: string): LeafChange[] | undefined {
  if (![...before, ...after].every(isPlainObject)) return undefined;
  const left = before.map((item) => ({ item, matched: false }));
  const added: LeafChange[] = [];
  after.forEach((item, i) => {
    const twin = left.find((l) => !l.matched && strictEqual(l.item, item));
    if (twin) twin.matched = true;
    else added.push({ label: `${label}[${i}]`, before: undefined, after: item });
  });
  const removed = left.flatMap((l, i) => (l.matched ? [] : [{ label: `${label}[${i}]`, before: l.item, after: undefined }]));
  return left.some((l) => l.matched) ? [...added, ...removed] : undefined;
}

/** A list whose members are all objects with a unique text under `key`. */
function isKeyedBy(list: unknown[], key: string): boolean {
  const names = list.map((item) => (isPlainObject(item) && typeof item[key] === 'string' ? item[key] : undefined));
  return names.every((n) => n !== undefined) && new Set(names).size === names.length;
}

function mapChanges(before: Map<string, unknown>, after: Map<string, unknown>, labelOf: (key: string) => string): LeafChange[] {
  const keys = [...after.keys(), ...[...before.keys()].filter((k) => !after.has(k))];
  return keys.flatMap((key) => {
    const label = labelOf(key);
    const [b, a] = [before.get(key), after.get(key)];
    return b === undefined || a === undefined ? (strictEqual(b, a) ? [] : [{ label, before: b, after: a }]) : leafChanges(b, a, label);
  });
}

/** A container's command line (`['model-quality', '--tolerance', '0.05', …]`). */
function isArgumentList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.some(isFlag);
}

/** A long option (`--tolerance`); single-dash words are values (`-1` is a number). */
function isFlag(value: unknown): value is string {
  return typeof value === 'string' && /^--[A-Za-z]/.test(value);
}

/**
 * A command line as flag → value (a flag without a value maps to `true`, a repeated flag to the
 * list of its values); the words before the first flag by position.
 */
function argumentMap(list: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  const repeated = new Set<string>();
  const add = (flag: string, value: unknown) => {
    if (!map.has(flag)) {
      map.set(flag, value);
    } else {
      const seen = map.get(flag);
      map.set(flag, repeated.has(flag) ? [...(seen as unknown[]), value] : [seen, value]);
      repeated.add(flag);
    }
  };
  let i = 0;
  for (; i < list.length && !isFlag(list[i]); i++) map.set(`[${i}]`, list[i]);
  while (i < list.length) {
    const flag = list[i] as string;
    const next = list[i + 1];
    if (i + 1 < list.length && !isFlag(next)) {
      add(flag, next);
      i += 2;
    } else {
      add(flag, true);
      i += 1;
    }
  }
  return map;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A pipeline function (`Get`, `Std:Join`, `Std:JsonGet`): compared and shown as one value. */
function isFunction(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Get' || keys[0].startsWith('Std:'));
}

function shortForm(value: unknown): string {
  if (!isPlainObject(value)) return Array.isArray(value) ? `[${value.map(shortForm).join(', ')}]` : formatValue(value);
  if (typeof value.Get === 'string' && Object.keys(value).length === 1) return `Get(${value.Get})`;
  const join = value['Std:Join'] as { On?: string; Values?: unknown[] } | undefined;
  if (join && Object.keys(value).length === 1) return `Join(${JSON.stringify(join.On ?? '')}, ${shortForm(join.Values ?? [])})`;
  const jsonGet = value['Std:JsonGet'] as { PropertyFile?: unknown; Path?: unknown } | undefined;
  if (jsonGet && Object.keys(value).length === 1) return `JsonGet(${shortForm(jsonGet.PropertyFile)}, ${shortForm(jsonGet.Path)})`;
  return JSON.stringify(value);
}

/** A CDK asset's 64-digit content hash, shortened to its first 12 digits: enough to tell versions apart. */
function shortHashes(text: string): string {
  return text.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');
}

function join(label: string, key: string): string {
  return label ? `${label}.${key}` : key;
}
