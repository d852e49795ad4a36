/**
 * What the prediction API accepts, checked before anything is invoked or stored: the limits are
 * written once here, and the API Gateway model ({@link predictionRequestSchema}) says the same.
 */

/**
 * Reviews per request. Each is one endpoint call (10 at a time, at most 5 s each), so the three
 * rounds of a full request stay near 15 s even when every call times out: well inside API
 * Gateway's 29-second limit. A review not answered in time is kept and retried, never dropped.
 */
export const MAX_REVIEWS_PER_REQUEST = 25;
/** Characters of one review's text (the course's reviews are at most a few thousand). */
export const MAX_TEXT_LENGTH = 10_000;
/** Characters of a product category. */
export const MAX_CATEGORY_LENGTH = 100;
/** A caller's own id of a review: sending it again returns the stored answer instead of a second prediction. */
export const REVIEW_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** Bytes of a request body. */
export const MAX_BODY_BYTES = 512 * 1024;

/** One review to predict. */
export interface ReviewInput {
  readonly text: string;
  readonly productCategory?: string;
  /** The caller's id of the review; it becomes the inference id (SageMaker takes at most 64 characters). */
  readonly id?: string;
}

/** A request the API refuses, with the status and a message naming what is wrong and what is allowed. */
export class BadRequest extends Error {
  constructor(
    message: string,
    public readonly statusCode = 400,
  ) {
    super(message);
    this.name = 'BadRequest';
  }
}

const shown = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

/**
 * The reviews of a request body, `{"reviews": [{"text": "...", "productCategory": "...", "id": "..."}]}`.
 * @throws BadRequest naming the field, the bad value and what is allowed
 */
export function parsePredictionRequest(body: string | null | undefined): ReviewInput[] {
  if (body === null || body === undefined || body.trim() === '') {
    throw new BadRequest('The request has no body; expected {"reviews": [{"text": "..."}]}.');
  }
  if (Buffer.byteLength(body, 'utf-8') > MAX_BODY_BYTES) {
    throw new BadRequest(`The request body is ${Buffer.byteLength(body, 'utf-8')} bytes; expected at most ${MAX_BODY_BYTES}.`, 413);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new BadRequest('The request body is not JSON; expected {"reviews": [{"text": "..."}]}.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BadRequest('The request body is not a JSON object; expected {"reviews": [{"text": "..."}]}.');
  }
  const { reviews, ...others } = parsed as Record<string, unknown>;
  if (Object.keys(others).length > 0) throw new BadRequest(`The request has unknown field '${Object.keys(others)[0]}'; expected only 'reviews'.`);
  if (!Array.isArray(reviews)) {
    throw new BadRequest(`'reviews' is ${shown(reviews)}; expected a list of 1 to ${MAX_REVIEWS_PER_REQUEST} reviews.`);
  }
  if (reviews.length < 1 || reviews.length > MAX_REVIEWS_PER_REQUEST) {
    throw new BadRequest(`'reviews' has ${reviews.length} reviews; expected 1 to ${MAX_REVIEWS_PER_REQUEST} per request.`);
  }
  const ids = new Set<string>();
  return reviews.map((review, i) => {
    const where = `reviews[${i}]`;
    if (review === null || typeof review !== 'object' || Array.isArray(review)) throw new BadRequest(`${where} is ${shown(review)}; expected an object with 'text'.`);
    const { text, productCategory, id, ...rest } = review as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new BadRequest(`${where} has unknown field '${unknown[0]}'; expected text, productCategory and id.`);
    if (typeof text !== 'string' || text.trim() === '') throw new BadRequest(`${where}.text is ${shown(text)}; expected a non-empty text.`);
    if (text.length > MAX_TEXT_LENGTH) throw new BadRequest(`${where}.text has ${text.length} characters; expected at most ${MAX_TEXT_LENGTH}.`);
    if (productCategory !== undefined && (typeof productCategory !== 'string' || productCategory.length > MAX_CATEGORY_LENGTH)) {
      throw new BadRequest(`${where}.productCategory is ${shown(productCategory)}; expected a text of at most ${MAX_CATEGORY_LENGTH} characters.`);
    }
    if (id !== undefined) {
      if (typeof id !== 'string' || !REVIEW_ID_PATTERN.test(id)) {
        throw new BadRequest(`${where}.id is ${shown(id)}; expected 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.`);
      }
      if (ids.has(id)) throw new BadRequest(`${where}.id '${id}' is given twice in the request; expected one review per id.`);
      ids.add(id);
    }
    return { text, ...(productCategory !== undefined ? { productCategory } : {}), ...(id !== undefined ? { id } : {}) };
  });
}

/** The limits in words, as API Gateway answers a body its schema refuses. */
export function predictionRequestShape(): string {
  return (
    `{"reviews": [...]} with 1 to ${MAX_REVIEWS_PER_REQUEST} reviews, each {"text": 1 to ${MAX_TEXT_LENGTH} characters, not only spaces, ` +
    `"productCategory": at most ${MAX_CATEGORY_LENGTH} characters (optional), "id": 1 to 64 letters, digits, '.', '_', ':' or '-' (optional)} and no other field`
  );
}

/** The same limits as a JSON schema (draft 4) for the API Gateway model, so API Gateway refuses what the function would. */
export function predictionRequestSchema(): Record<string, unknown> {
  return {
    type: 'object',
    required: ['reviews'],
    additionalProperties: false,
    properties: {
      reviews: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_REVIEWS_PER_REQUEST,
        items: {
          type: 'object',
          required: ['text'],
          additionalProperties: false,
          properties: {
            text: { type: 'string', minLength: 1, maxLength: MAX_TEXT_LENGTH, pattern: '\\S' },
            productCategory: { type: 'string', maxLength: MAX_CATEGORY_LENGTH },
            id: { type: 'string', pattern: REVIEW_ID_PATTERN.source },
          },
        },
      },
    },
  };
}
