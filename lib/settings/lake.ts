/** Settings of the data lake: the sample data, the crawler, Athena, and how long objects live. */
import { ATHENA_MIN_BYTES_SCANNED_CUTOFF, S3_MIN_INFREQUENT_ACCESS_DAYS } from '../service-limits';
import { bool, ConfigOf, everyStage, integer, schedule, setting } from './setting';

export const LAKE_SETTINGS = {
  deploySampleData: setting({
    type: 'boolean',
    doc: 'Upload the synthetic reviews sample to the raw prefix of the lake.',
    allowed: 'true or false',
    parse: bool,
    defaults: { dev: true, prod: false },
  }),
  crawlerSchedule: setting({
    type: 'string',
    doc: 'Glue cron schedule of the raw-data crawler; unset runs it on demand only.',
    allowed: 'a Glue cron expression with six fields (minutes, hours, day-of-month, month, day-of-week, year; one of the days ?), e.g. cron(0 3 * * ? *)',
    parse: schedule('cron'),
  }),
  athenaBytesScannedCutoff: setting({
    type: 'integer',
    doc: 'Bytes a query in the lake workgroup may scan before Athena cancels it.',
    allowed: `an integer of at least ${ATHENA_MIN_BYTES_SCANNED_CUTOFF} (Athena's minimum)`,
    parse: integer(ATHENA_MIN_BYTES_SCANNED_CUTOFF),
    defaults: { dev: 1_000_000_000, prod: 10_000_000_000 },
  }),
  athenaResultsExpirationDays: setting({
    type: 'integer',
    doc: 'Days after which Athena query results in the lake expire.',
    allowed: 'an integer from 1 to 3650',
    parse: integer(1, 3650),
    defaults: { dev: 7, prod: 30 },
  }),
  dataCaptureExpirationDays: setting({
    type: 'integer',
    doc: 'Days after which captured endpoint requests and responses expire.',
    allowed: 'an integer from 1 to 3650',
    parse: integer(1, 3650),
    defaults: { dev: 30, prod: 180 },
  }),
  rawDataInfrequentAccessDays: setting({
    type: 'integer',
    doc: 'Days after which raw data moves to S3 Standard-Infrequent Access.',
    allowed: `an integer from ${S3_MIN_INFREQUENT_ACCESS_DAYS} to 3650 (S3's minimum for Standard-IA)`,
    parse: integer(S3_MIN_INFREQUENT_ACCESS_DAYS, 3650),
    defaults: everyStage(90),
  }),
  noncurrentVersionExpirationDays: setting({
    type: 'integer',
    doc: 'Days after which noncurrent object versions in the lake expire.',
    allowed: 'an integer from 1 to 3650',
    parse: integer(1, 3650),
    defaults: { dev: 7, prod: 90 },
  }),
  accessLogsExpirationDays: setting({
    type: 'integer',
    doc: 'Days after which S3 server access logs expire.',
    allowed: 'an integer from 1 to 3650',
    parse: integer(1, 3650),
    defaults: { dev: 90, prod: 365 },
  }),
};

export type LakeConfig = ConfigOf<typeof LAKE_SETTINGS>;
