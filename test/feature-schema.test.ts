import {
  FeatureDefinition,
  FeatureGroupSchemaProps,
  FeatureSchemaError,
  FeatureType,
  MAX_FEATURES,
  validateFeatureGroupSchema,
} from '../lib/feature-store/feature-schema';
import { reviewsFeatureGroupSchema } from '../lib/feature-store/reviews-features';

const feature = (name: string, type = FeatureType.STRING): FeatureDefinition => ({ name, type, description: `The ${name}` });

function schema(overrides: Partial<FeatureGroupSchemaProps> = {}): FeatureGroupSchemaProps {
  return {
    featureGroupName: 'test-group',
    description: 'A test group',
    recordIdentifier: 'id',
    eventTime: 'event_time',
    features: [feature('id'), feature('event_time'), feature('value', FeatureType.FRACTIONAL)],
    ...overrides,
  };
}

describe('validateFeatureGroupSchema', () => {
  test('accepts a valid schema and marks it validated', () => {
    const valid = validateFeatureGroupSchema(schema());
    expect(valid.validated).toBe(true);
    expect(valid.features.map((f) => f.name)).toEqual(['id', 'event_time', 'value']);
  });

  test.each(['a', 'A1', 'abc-def', 'abc_def', 'a-_b', 'x'.repeat(64), 'review_id'])('accepts the name %p', (name) => {
    expect(() => validateFeatureGroupSchema(schema({ features: [...schema().features, feature(name)] }))).not.toThrow();
  });

  const cases: [string, Partial<FeatureGroupSchemaProps>, string][] = [
    [
      'a feature name that starts with an underscore',
      { features: [...schema().features, feature('_hidden')] },
      "Feature group 'test-group': feature '_hidden' has a name that is not allowed; expected letters and digits, optionally joined by - or _, starting and ending with a letter or digit, at most 64 characters.",
    ],
    ['a feature name that ends with a hyphen', { features: [...schema().features, feature('value-')] }, "feature 'value-' has a name that is not allowed"],
    ['a feature name with a dot', { features: [...schema().features, feature('a.b')] }, "feature 'a.b' has a name that is not allowed"],
    ['a feature name of 65 characters', { features: [...schema().features, feature('x'.repeat(65))] }, 'at most 64 characters'],
    [
      'a duplicate feature',
      { features: [...schema().features, feature('value')] },
      "Feature group 'test-group': feature 'value' is defined twice; expected unique feature names.",
    ],
    [
      'features that differ only by case',
      { features: [...schema().features, feature('Value')] },
      "Feature group 'test-group': feature 'Value' differs from 'value' only by case; expected unique names regardless of case.",
    ],
    ...(['is_deleted', 'write_time', 'api_invocation_time', 'Write_Time'].map((name) => [
      `the reserved name ${name}`,
      { features: [...schema().features, feature(name)] },
      `Feature group 'test-group': feature '${name}' uses a reserved name; Feature Store adds is_deleted, write_time, api_invocation_time itself.`,
    ]) as [string, Partial<FeatureGroupSchemaProps>, string][]),
    [
      'too many features',
      { features: [feature('id'), feature('event_time'), ...Array.from({ length: MAX_FEATURES - 1 }, (_, i) => feature(`f${i}`))] },
      "Feature group 'test-group': it has 2501 features; expected at most 2500.",
    ],
    ['no features', { features: [] }, "Feature group 'test-group': it has no features"],
    [
      'a missing record identifier',
      { recordIdentifier: 'review_id' },
      "Feature group 'test-group': the record identifier 'review_id' is not among the features; expected one of id, event_time, value.",
    ],
    [
      'a record identifier of type Fractional',
      { recordIdentifier: 'value' },
      "Feature group 'test-group': the record identifier 'value' has type Fractional; expected String or Integral.",
    ],
    ['a missing event time', { eventTime: 'date' }, "Feature group 'test-group': the event time 'date' is not among the features"],
    [
      'an event time of type Integral',
      { features: [feature('id'), feature('event_time', FeatureType.INTEGRAL)] },
      "Feature group 'test-group': the event time 'event_time' has type Integral; expected String or Fractional.",
    ],
    [
      'an unknown feature type',
      { features: [...schema().features, { name: 'bad', type: 'Boolean' as FeatureType, description: 'x' }] },
      "Feature group 'test-group': feature 'bad' has type 'Boolean'; expected one of String, Integral, Fractional.",
    ],
    [
      'a feature without a description',
      { features: [...schema().features, { name: 'bare', type: FeatureType.STRING, description: ' ' }] },
      "Feature group 'test-group': feature 'bare' needs a description of 1 to 255 characters.",
    ],
    [
      'a group name with a space',
      { featureGroupName: 'my group' },
      "Feature group 'my group': the feature group name is not allowed; expected letters and digits",
    ],
    ['a group description over 128 characters', { description: 'd'.repeat(129) }, 'the description has 129 characters; expected at most 128.'],
  ];

  test.each(cases)('rejects %s', (_what, overrides, message) => {
    let error: unknown;
    try {
      validateFeatureGroupSchema(schema(overrides));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FeatureSchemaError);
    expect((error as Error).message).toContain(message);
  });
});

describe('the reviews feature group schema', () => {
  const reviews = reviewsFeatureGroupSchema('pds-dev-reviews');

  test('has the course features plus the bias facet, each described', () => {
    expect(reviews.features.map((f) => [f.name, f.type])).toEqual([
      ['review_id', 'String'],
      ['date', 'String'],
      ['sentiment', 'Integral'],
      ['label_id', 'Integral'],
      ['input_ids', 'String'],
      ['review_body', 'String'],
      ['product_category', 'String'],
      ['split_type', 'String'],
    ]);
    expect(reviews.features.every((f) => f.description.length > 10)).toBe(true);
  });

  test('identifies records by review_id and times them by date', () => {
    expect(reviews.recordIdentifier).toBe('review_id');
    expect(reviews.eventTime).toBe('date');
  });

  test('checks the group name it is given', () => {
    expect(() => reviewsFeatureGroupSchema('bad name')).toThrow("Feature group 'bad name': the feature group name is not allowed");
  });
});
