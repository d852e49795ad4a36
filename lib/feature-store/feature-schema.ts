/**
 * Typed feature-group schemas for SageMaker Feature Store, validated against the service's rules
 * when they are declared (at synth time), with errors that name the group, the feature and the rule.
 */

/** The value types of Feature Store features. */
export enum FeatureType {
  STRING = 'String',
  INTEGRAL = 'Integral',
  FRACTIONAL = 'Fractional',
}

export interface FeatureDefinition {
  /** Feature name: letters and digits, joined by `-` or `_`, at most 64 characters. */
  readonly name: string;
  readonly type: FeatureType;
  /** What the feature holds (at most 255 characters); shown in Feature Store's catalog. */
  readonly description: string;
}

export interface FeatureGroupSchemaProps {
  /** Feature group name: letters and digits, joined by `-` or `_`, at most 64 characters. */
  readonly featureGroupName: string;
  /** What the group holds (at most 128 characters). */
  readonly description: string;
  /** The feature that identifies a record: String or Integral. */
  readonly recordIdentifier: string;
  /** The feature that holds the event time: String (ISO-8601) or Fractional (Unix seconds). */
  readonly eventTime: string;
  readonly features: readonly FeatureDefinition[];
}

/** A feature group's schema that passed every rule of {@link validateFeatureGroupSchema}. */
export interface FeatureGroupSchema extends FeatureGroupSchemaProps {
  /** Lets a function demand a validated schema rather than any props. */
  readonly validated: true;
}

/** Names Feature Store adds to every offline-store table itself. */
export const RESERVED_FEATURE_NAMES = ['is_deleted', 'write_time', 'api_invocation_time'] as const;

/** Feature Store's limit on features per group. */
export const MAX_FEATURES = 2500;

/** Feature and feature-group names: `[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}`. */
export const FEATURE_NAME_PATTERN = /^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}$/;

const MAX_NAME_LENGTH = 64;
const MAX_FEATURE_DESCRIPTION = 255;
const MAX_GROUP_DESCRIPTION = 128;
const RECORD_IDENTIFIER_TYPES = [FeatureType.STRING, FeatureType.INTEGRAL];
const EVENT_TIME_TYPES = [FeatureType.STRING, FeatureType.FRACTIONAL];

/** Thrown for a schema that breaks a Feature Store rule. */
export class FeatureSchemaError extends Error {
  constructor(featureGroupName: string, message: string) {
    super(`Feature group '${featureGroupName}': ${message}`);
    this.name = 'FeatureSchemaError';
  }
}

function isValidName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && FEATURE_NAME_PATTERN.test(name);
}

/**
 * Checks a schema against Feature Store's rules and returns it as a {@link FeatureGroupSchema}.
 * @throws FeatureSchemaError naming the group, the feature and the rule it breaks
 */
export function validateFeatureGroupSchema(props: FeatureGroupSchemaProps): FeatureGroupSchema {
  const group = props.featureGroupName;
  const fail = (message: string): never => {
    throw new FeatureSchemaError(group, message);
  };
  if (!isValidName(group)) {
    fail(
      'the feature group name is not allowed; expected letters and digits, optionally joined by - or _, ' +
        `starting and ending with a letter or digit, at most ${MAX_NAME_LENGTH} characters.`,
    );
  }
  if (props.description.length > MAX_GROUP_DESCRIPTION) {
    fail(`the description has ${props.description.length} characters; expected at most ${MAX_GROUP_DESCRIPTION}.`);
  }
  if (props.features.length === 0) {
    fail('it has no features; expected at least the record identifier and the event time.');
  }
  if (props.features.length > MAX_FEATURES) {
    fail(`it has ${props.features.length} features; expected at most ${MAX_FEATURES}.`);
  }
  const seen = new Map<string, string>();
  for (const feature of props.features) {
    if (!isValidName(feature.name)) {
      fail(
        `feature '${feature.name}' has a name that is not allowed; expected letters and digits, optionally joined by - or _, ` +
          `starting and ending with a letter or digit, at most ${MAX_NAME_LENGTH} characters.`,
      );
    }
    if ((RESERVED_FEATURE_NAMES as readonly string[]).includes(feature.name.toLowerCase())) {
      fail(`feature '${feature.name}' uses a reserved name; Feature Store adds ${RESERVED_FEATURE_NAMES.join(', ')} itself.`);
    }
    // The offline store's Glue table lowercases column names, so names must differ beyond case.
    const key = feature.name.toLowerCase();
    const previous = seen.get(key);
    if (previous !== undefined) {
      fail(
        previous === feature.name
          ? `feature '${feature.name}' is defined twice; expected unique feature names.`
          : `feature '${feature.name}' differs from '${previous}' only by case; expected unique names regardless of case.`,
      );
    }
    seen.set(key, feature.name);
    if (!Object.values(FeatureType).includes(feature.type)) {
      fail(`feature '${feature.name}' has type '${feature.type}'; expected one of ${Object.values(FeatureType).join(', ')}.`);
    }
    if (feature.description.trim() === '' || feature.description.length > MAX_FEATURE_DESCRIPTION) {
      fail(`feature '${feature.name}' needs a description of 1 to ${MAX_FEATURE_DESCRIPTION} characters.`);
    }
  }
  const typeOf = (role: string, name: string, allowed: FeatureType[]): void => {
    const feature = props.features.find((f) => f.name === name);
    if (feature === undefined) {
      fail(`the ${role} '${name}' is not among the features; expected one of ${props.features.map((f) => f.name).join(', ')}.`);
    } else if (!allowed.includes(feature.type)) {
      fail(`the ${role} '${name}' has type ${feature.type}; expected ${allowed.join(' or ')}.`);
    }
  };
  typeOf('record identifier', props.recordIdentifier, RECORD_IDENTIFIER_TYPES);
  typeOf('event time', props.eventTime, EVENT_TIME_TYPES);
  return { ...props, features: [...props.features], validated: true };
}
