/**
 * The data lake's layout: every prefix of the lake bucket, named once.
 *
 * Each prefix ends with a slash and is relative to the bucket root. Stacks and step code refer to
 * these names; nothing else spells a lake path.
 */
export const LakePrefix = {
  /** Source files as they arrive (CSV), crawled by Glue. */
  raw: 'raw/',
  /** The Women's E-Commerce Clothing Reviews dataset as delivered. */
  rawReviews: 'raw/womens-clothing-reviews/',
  /** Cleaned tables written by the pipelines (Parquet). */
  transformed: 'transformed/',
  /** The course's `reviews` table: sentiment, review_body, product_category. */
  transformedReviews: 'transformed/reviews/',
  /** Athena query results of the lake workgroup. */
  athenaResults: 'athena-results/',
  /** Offline store of the SageMaker Feature Store feature groups. */
  featureStore: 'feature-store/',
  /** Pre-trained models the pipelines start from (`models/<model>/`, as each family declares). */
  models: 'models/',
  /** Inputs, outputs and models of the SageMaker pipelines. */
  pipelineArtifacts: 'pipelines/',
  /** Requests and responses captured at the endpoint (`<endpoint>/<variant>/yyyy/mm/dd/hh/`). */
  dataCapture: 'data-capture/',
  /**
   * True labels of served predictions in Model Monitor's ground-truth format
   * (`<endpoint>/yyyy/mm/dd/hh/*.jsonl`), joined to captured predictions by inference id.
   */
  groundTruth: 'ground-truth/',
  /**
   * Labels from human reviewers, one JSON record each (`<endpoint>/yyyy/mm/dd/*.jsonl`), read by
   * the Glue table `human_review`.
   */
  humanReview: 'human-review/',
} as const;

export type LakePrefixName = keyof typeof LakePrefix;

/**
 * The sample files of the reviews dataset under {@link LakePrefix.rawReviews}: several, as raw data
 * must arrive for the preparation step's instances to share it (`ShardedByS3Key` shards by object).
 */
export const SAMPLE_REVIEWS_FILES = [1, 2, 3, 4].map((n) => `womens_clothing_ecommerce_reviews-part-${n}.csv`);

/**
 * The object an uploader writes under a raw prefix last, once every file of a delivery is there:
 * `<raw prefix>_SUCCESS` (or `<raw prefix><delivery folder>/_SUCCESS`). New data starts a pipeline
 * through this object alone, so a delivery of any number of files starts one execution, and only
 * when it is complete. Files whose names begin with `_` are not data: the preparation step reads
 * `*.csv`, and the crawler excludes the marker.
 */
export const DELIVERY_MARKER = '_SUCCESS';
