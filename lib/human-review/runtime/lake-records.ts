/**
 * What a reviewer's label becomes in the lake:
 * - ground truth for the endpoint in Model Monitor's format, one object per label under
 *   `<ground-truth prefix>yyyy/mm/dd/hh/` (the hour of the label), which the monitoring pipeline
 *   joins to the captured request by inference id (`eventMetadata.eventId`);
 * - one JSON record of the review under `<human-review prefix>yyyy/mm/dd/`, which the Glue table
 *   `human_review` reads (who, when, the model's and the human's label, agreement).
 *
 * Object keys end with the inference id, so writing a label twice writes the same objects.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ReviewItem } from './review-store';

/** The Glue table's columns, in order, as the records carry them. */
export const HUMAN_REVIEW_COLUMNS = [
  { name: 'inference_id', type: 'string', comment: 'The inference id the endpoint captured with the request' },
  { name: 'reviewer', type: 'string', comment: 'The reviewer (Cognito user name)' },
  { name: 'reviewed_at', type: 'string', comment: 'When the label was given (ISO 8601, UTC)' },
  { name: 'predicted_at', type: 'string', comment: 'When the prediction API took the review (ISO 8601, UTC)' },
  { name: 'review_body', type: 'string', comment: 'The review text' },
  { name: 'product_category', type: 'string', comment: 'The product category sent with the review' },
  { name: 'model_label', type: 'int', comment: "The model's sentiment (-1, 0, 1)" },
  { name: 'model_confidence', type: 'double', comment: "The model's probability of its label" },
  { name: 'variant', type: 'string', comment: 'The production variant that answered' },
  { name: 'human_label', type: 'int', comment: "The reviewer's sentiment (-1, 0, 1)" },
  { name: 'agreement', type: 'boolean', comment: 'Whether the reviewer agreed with the model' },
] as const;

/** Where a reviewed item's records go. */
export interface LakeDestination {
  readonly bucket: string;
  /** `ground-truth/<endpoint>/` */
  readonly groundTruthPrefix: string;
  /** `human-review/<endpoint>/` */
  readonly humanReviewPrefix: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
function datePath(iso: string, withHour: boolean): string {
  const t = new Date(iso);
  const day = `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}`;
  return withHour ? `${day}/${pad(t.getUTCHours())}` : day;
}

function reviewed(item: ReviewItem): asserts item is ReviewItem & { humanLabel: number; reviewedAt: string; reviewer: string } {
  if (item.humanLabel === undefined || item.reviewedAt === undefined || item.reviewer === undefined) {
    throw new Error(`review ${item.inferenceId} has no reviewer's label`);
  }
}

/** The ground-truth line of a reviewed item, as Model Monitor reads ground truth. */
export function groundTruthRecord(item: ReviewItem): string {
  reviewed(item);
  return JSON.stringify({
    groundTruthData: { data: String(item.humanLabel), encoding: 'CSV' },
    eventMetadata: { eventId: item.inferenceId },
    eventVersion: '0',
  });
}

/** The `human_review` table's record of a reviewed item. */
export function humanReviewRecord(item: ReviewItem): string {
  reviewed(item);
  const record: Record<(typeof HUMAN_REVIEW_COLUMNS)[number]['name'], unknown> = {
    inference_id: item.inferenceId,
    reviewer: item.reviewer,
    reviewed_at: item.reviewedAt,
    predicted_at: item.createdAt,
    review_body: item.text,
    product_category: item.productCategory ?? null,
    model_label: item.label ?? null,
    model_confidence: item.confidence ?? null,
    variant: item.variant ?? null,
    human_label: item.humanLabel,
    agreement: item.label === item.humanLabel,
  };
  return JSON.stringify(record);
}

/** The two objects of a reviewed item: key to body. */
export function lakeObjects(item: ReviewItem, destination: LakeDestination): { readonly key: string; readonly body: string }[] {
  reviewed(item);
  const name = `${encodeURIComponent(item.inferenceId)}.jsonl`;
  return [
    { key: `${destination.groundTruthPrefix}${datePath(item.reviewedAt, true)}/${name}`, body: `${groundTruthRecord(item)}\n` },
    { key: `${destination.humanReviewPrefix}${datePath(item.reviewedAt, false)}/${name}`, body: `${humanReviewRecord(item)}\n` },
  ];
}

/** Writes a reviewed item's records to the lake (encrypted with the bucket's default key). */
export class LakeWriter {
  constructor(
    private readonly client: S3Client,
    public readonly destination: LakeDestination,
  ) {}

  public async write(item: ReviewItem): Promise<string[]> {
    const objects = lakeObjects(item, this.destination);
    await Promise.all(
      objects.map(({ key, body }) =>
        this.client.send(new PutObjectCommand({ Bucket: this.destination.bucket, Key: key, Body: body, ContentType: 'application/jsonlines' })),
      ),
    );
    return objects.map((o) => o.key);
  }
}
