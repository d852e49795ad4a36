import { FeatureGroupSchema, FeatureType, validateFeatureGroupSchema } from './feature-schema';

/** The split a record belongs to, as written to `split_type`. */
export const SPLIT_TYPES = ['train', 'validation', 'test'] as const;

/** Format of the `date` event time (ISO-8601, UTC), as the processing step writes it. */
export const REVIEWS_EVENT_TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ';

/**
 * The course's reviews feature group: RoBERTa inputs per review, with the label and the
 * product category (the bias facet) kept beside them.
 *
 * Changing this schema for a deployed group means a new group: Feature Store cannot drop or
 * retype features in place (see {@link FeatureGroup}).
 */
export function reviewsFeatureGroupSchema(featureGroupName: string): FeatureGroupSchema {
  return validateFeatureGroupSchema({
    featureGroupName,
    description: 'Reviews as RoBERTa inputs with sentiment labels and product category (course feature group)',
    recordIdentifier: 'review_id',
    eventTime: 'date',
    features: [
      { name: 'review_id', type: FeatureType.STRING, description: 'Identifier of the review (record identifier)' },
      {
        name: 'date',
        type: FeatureType.STRING,
        description: `When the features were computed, ISO-8601 UTC (${REVIEWS_EVENT_TIME_FORMAT}); the event time`,
      },
      { name: 'sentiment', type: FeatureType.INTEGRAL, description: 'Sentiment from the star rating: -1 (1-2 stars), 0 (3), 1 (4-5)' },
      { name: 'label_id', type: FeatureType.INTEGRAL, description: 'Class index for training: sentiment -1, 0, 1 as 0, 1, 2' },
      {
        name: 'input_ids',
        type: FeatureType.STRING,
        description: 'RoBERTa token ids of the review, padded or truncated to MaxSeqLength, as a JSON list',
      },
      { name: 'review_body', type: FeatureType.STRING, description: 'The review text' },
      { name: 'product_category', type: FeatureType.STRING, description: 'Product class of the review; the facet of the bias checks' },
      { name: 'split_type', type: FeatureType.STRING, description: `Which split the record belongs to: ${SPLIT_TYPES.join(', ')}` },
    ],
  });
}
