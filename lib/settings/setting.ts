/**
 * How a setting is declared: its type, documentation, what is allowed, the parser that validates
 * a raw value, and its default per stage. The configuration type is derived from the declarations
 * ({@link ConfigOf}), so a setting is written once, in the module of its area.
 *
 * Values arrive as strings from `-c key=value` and as JSON values from `cdk.json`; every parser
 * accepts both alike.
 */
import { scheduleProblem, ScheduleKinds } from '../schedules';

/** The deployment stages the app knows. */
export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

/** Thrown for a configuration value that is not allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Thrown by a parser to say what exactly is wrong with a value (named in the error). */
export class NotAllowed extends Error {}

/** How the configuration reference shows a setting's type. */
export type SettingType = 'string' | 'boolean' | 'integer' | 'number' | 'list' | 'json';

/** One declared setting. */
export interface Setting<T> {
  /** Type as shown in the README's configuration reference. */
  readonly type: SettingType;
  /** What the setting does. */
  readonly doc: string;
  /** What is allowed, as said in errors and in the README. */
  readonly allowed: string;
  /** Parses a raw context or stage value; returns undefined to mean "not allowed". */
  readonly parse: (raw: unknown) => T | undefined;
  /** The value of each stage; a setting without defaults is unset unless given. */
  readonly defaults?: Readonly<Record<StageName, T>>;
  /**
   * The setting is about how the app reads its settings, not about what it builds: it is left out
   * of the context values that reproduce a configuration ({@link contextValues}).
   */
  readonly synthOnly?: boolean;
}

/** A setting every stage gives a value: always present in the configuration. */
export type DefaultedSetting<T> = Setting<T> & { readonly defaults: Readonly<Record<StageName, T>> };

/**
 * Declares a setting (the identity, typed): the value type is the parser's, and the defaults
 * must be values of it.
 */
export function setting<T>(declaration: Omit<Setting<T>, 'defaults'> & { readonly defaults: Readonly<Record<StageName, NoInfer<T>>> }): DefaultedSetting<T>;
export function setting<T>(declaration: Omit<Setting<T>, 'defaults'>): Setting<T>;
export function setting<T>(declaration: Setting<T>): Setting<T> {
  return declaration;
}

/** The same default in every stage. */
export function everyStage<const T>(value: T): Readonly<Record<StageName, T>> {
  return { dev: value, prod: value };
}

/**
 * A setting that other settings make of no effect (`onlineStoreTtlDays` without an online store):
 * given in the context, it is warned, and with `strictSettings` an error.
 */
export interface IgnoredSetting<C> {
  readonly key: string;
  /** Which choice makes the setting of no effect, and what would give it one; undefined when it has effect. */
  readonly because: (config: C) => string | undefined;
}

/** A group of declared settings, by context key. */
export type SettingGroup = { readonly [key: string]: Setting<unknown> };

type ValueOf<S> = S extends Setting<infer T> ? T : never;
type DefaultedKeys<G> = { [K in keyof G]: G[K] extends { readonly defaults: object } ? K : never }[keyof G];
type Flatten<T> = { readonly [K in keyof T]: T[K] };

/**
 * The configuration that a group of declarations gives: a setting with defaults is always
 * present, one without is optional.
 */
export type ConfigOf<G extends SettingGroup> = Flatten<
  { readonly [K in DefaultedKeys<G>]: ValueOf<G[K]> } & { readonly [K in Exclude<keyof G, DefaultedKeys<G>>]?: ValueOf<G[K]> }
>;

// ---- Parsers: each accepts the value as cdk.json has it and as a `-c` string.

export function oneOf<T extends string>(values: readonly T[]): Setting<T>['parse'] {
  return (raw) => (typeof raw === 'string' && (values as readonly string[]).includes(raw) ? (raw as T) : undefined);
}

export function bool(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return undefined;
}

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Setting<number>['parse'] {
  return (raw) => {
    const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
  };
}

export function positiveNumber(raw: unknown): number | undefined {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** A number from 0 to 1 (probabilities, shares, tolerances). */
export function fraction(raw: unknown): number | undefined {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof value === 'number' && value >= 0 && value <= 1 ? value : undefined;
}

export function matching(pattern: RegExp): Setting<string>['parse'] {
  return (raw) => (typeof raw === 'string' && pattern.test(raw) ? raw : undefined);
}

/** A list, as a JSON array or a comma-separated string. */
export function listOf(pattern: RegExp): Setting<readonly string[]>['parse'] {
  return (raw) => {
    const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((x) => x.trim()) : undefined;
    return items && items.length > 0 && items.every((x) => typeof x === 'string' && pattern.test(x)) ? (items as string[]) : undefined;
  };
}

/** A JSON value: as it is from cdk.json, parsed from a `-c` string. */
export function jsonValue(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
export const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** A JSON object of name to limit, names among those given, limits from 0 to `max`. */
export function thresholds(names: readonly string[], max: number): Setting<Readonly<Record<string, number>>>['parse'] {
  return (raw) => {
    const value = jsonValue(raw);
    if (!isObject(value)) return undefined;
    const entries = Object.entries(value);
    const ok = entries.every(([name, limit]) => names.includes(name) && typeof limit === 'number' && limit >= 0 && limit <= max);
    return ok ? (value as Record<string, number>) : undefined;
  };
}

/** A check of one field of a JSON object setting and what it allows. */
export type FieldCheck = readonly [(value: unknown) => boolean, string];

export const isInteger = (min: number, max: number) => (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
export const isNumberIn = (min: number, max: number) => (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

/**
 * A JSON object setting whose keys are all optional: the given keys replace the defaults, unknown
 * keys and bad values are named in the error.
 */
export function objectOf<T extends object>(defaults: T, checks: { readonly [K in keyof T]: FieldCheck }, where = ''): (raw: unknown) => T | undefined {
  return (raw) => {
    const value = jsonValue(raw);
    if (!isObject(value)) return undefined;
    for (const [key, field] of Object.entries(value)) {
      const check = (checks as Record<string, FieldCheck>)[key];
      if (!check) throw new NotAllowed(`unknown key '${where}${key}'; expected ${Object.keys(checks).join(', ')}`);
      let ok: boolean;
      try {
        ok = check[0](field);
      } catch (error) {
        throw error instanceof NotAllowed ? new NotAllowed(`${where}${error.message}`) : error;
      }
      if (!ok) throw new NotAllowed(`${where}${key} ${describe(field)} is not ${check[1]}`);
    }
    return { ...defaults, ...value } as T;
  };
}

/** A value as an error message quotes it. */
export function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** What an EventBridge schedule setting allows, as errors and the README say it. */
export const SCHEDULE_ALLOWED =
  'an EventBridge schedule expression: rate(N unit) with N a positive whole number and unit minute, hour or day (singular for 1, plural above), ' +
  'or cron(minutes hours day-of-month month day-of-week year) with exactly one of the day fields ?';

/**
 * A schedule expression as the service that runs it takes it (EventBridge: rate or cron; Glue:
 * cron), the reason named when it does not.
 */
export function schedule(kinds: ScheduleKinds): Setting<string>['parse'] {
  return (raw) => {
    if (typeof raw !== 'string') return undefined;
    const problem = scheduleProblem(raw, kinds);
    if (problem) throw new NotAllowed(problem);
    return raw;
  };
}

export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Short names of added feature groups and pipeline variants. */
export const SHORT_NAME = /^[a-z][a-z0-9-]{0,23}$/;
