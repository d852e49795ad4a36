/**
 * Limits and formats of the AWS services that the settings and the constructs both check values
 * against, kept in this leaf module so that the settings need not import the constructs.
 */

/** S3 moves objects to Standard-IA no earlier than this many days after creation. */
export const S3_MIN_INFREQUENT_ACCESS_DAYS = 30;

/** Athena's smallest per-query data usage control, in bytes. */
export const ATHENA_MIN_BYTES_SCANNED_CUTOFF = 10_000_000;

/** A Glue cron expression: `cron(...)` with six fields. */
export const GLUE_CRON_PATTERN = /^cron\(\s*\S+(\s+\S+){5}\s*\)$/;

/** The memory sizes a serverless endpoint accepts, in MB. */
export const SERVERLESS_MEMORY_SIZES = [1024, 2048, 3072, 4096, 5120, 6144] as const;

/** The largest maximum concurrency of a serverless endpoint. */
export const SERVERLESS_MAX_CONCURRENCY = 200;

/** A versioned model package: `arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>`. */
export const MODEL_PACKAGE_ARN_PATTERN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/[a-z0-9](-*[a-z0-9]){0,62}\/\d+$/;
