/** Settings of SageMaker Feature Store: the online and offline stores, and the added feature groups. */
import { FeatureSchemaError, FeatureType, validateFeatureGroupSchema } from '../feature-store/feature-schema';
import { bool, ConfigOf, everyStage, IgnoredSetting, integer, isObject, isText, jsonValue, NotAllowed, oneOf, setting, SHORT_NAME } from './setting';

/** A feature group as the `featureGroups` setting declares it. */
export interface FeatureGroupSetting {
  /** Short name: the group is `<prefix>-<name>`. */
  readonly name: string;
  readonly description: string;
  readonly recordIdentifier: string;
  readonly eventTime: string;
  readonly features: readonly { readonly name: string; readonly type: FeatureType; readonly description: string }[];
}

/**
 * `featureGroups`: the shape, then Feature Store's own rules for each group (named by its short
 * name; the full name's length is checked with the name prefix when the groups are built).
 */
function featureGroupList(raw: unknown): readonly FeatureGroupSetting[] | undefined {
  const value = jsonValue(raw);
  if (!Array.isArray(value)) return undefined;
  const names = value.map((group) => (isObject(group) ? group.name : undefined));
  const shaped = value.every(
    (group) =>
      isObject(group) &&
      typeof group.name === 'string' &&
      SHORT_NAME.test(group.name) &&
      group.name !== 'reviews' &&
      isText(group.description) &&
      isText(group.recordIdentifier) &&
      isText(group.eventTime) &&
      Array.isArray(group.features) &&
      group.features.length > 0 &&
      group.features.every(
        (f: unknown) => isObject(f) && isText(f.name) && isText(f.description) && (Object.values(FeatureType) as unknown[]).includes(f.type),
      ),
  );
  if (!shaped || new Set(names).size !== names.length) return undefined;
  const groups = value as FeatureGroupSetting[];
  for (const group of groups) {
    try {
      validateFeatureGroupSchema({ ...group, featureGroupName: group.name });
    } catch (error) {
      if (error instanceof FeatureSchemaError) throw new NotAllowed(error.message);
      throw error;
    }
  }
  return groups;
}

export const FEATURE_STORE_SETTINGS = {
  onlineStoreEnabled: setting({
    type: 'boolean',
    doc: 'Give the feature groups a KMS-encrypted online store for low-latency reads.',
    allowed: 'true or false',
    parse: bool,
    defaults: { dev: false, prod: true },
  }),
  onlineStoreTtlDays: setting({
    type: 'integer',
    doc: 'Days after which records expire from the online store; unset keeps them.',
    allowed: 'an integer from 1 to 3650',
    parse: integer(1, 3650),
  }),
  offlineStoreTableFormat: setting({
    type: 'string',
    doc: 'Table format of the feature groups\' offline stores. Changing it means new feature groups.',
    allowed: 'one of Glue, Iceberg',
    parse: oneOf(['Glue', 'Iceberg'] as const),
    defaults: everyStage('Glue'),
  }),
  featureGroups: setting({
    type: 'json',
    doc:
      'Feature groups beside the reviews group, each named <prefix>-<name>, with its offline store in the lake, e.g. ' +
      '[{"name":"customers","description":"Customer profiles","recordIdentifier":"customer_id","eventTime":"event_time",' +
      '"features":[{"name":"customer_id","type":"String","description":"Customer id"},{"name":"event_time","type":"String","description":"When"}]}].',
    allowed:
      'a JSON array of objects with name (lowercase letters, digits and hyphens, starting with a letter, at most 24 characters; unique; not reviews), ' +
      'description, recordIdentifier, eventTime and features (objects with name, type String, Integral or Fractional, and description); ' +
      'Feature Store\'s own rules are checked for each group',
    parse: featureGroupList,
  }),
};

export type FeatureStoreConfig = ConfigOf<typeof FEATURE_STORE_SETTINGS>;

/** Feature Store settings that the chosen options leave without effect. */
export const FEATURE_STORE_IGNORED: readonly IgnoredSetting<FeatureStoreConfig>[] = [
  {
    key: 'onlineStoreTtlDays',
    because: (c) => (c.onlineStoreEnabled ? undefined : 'onlineStoreEnabled is false, so no online store has records to expire; expected onlineStoreEnabled=true'),
  },
];
