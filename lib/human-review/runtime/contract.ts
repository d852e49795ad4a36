/**
 * What human review reads of the serving contract (`contract.json`, shipped with the step code and
 * generated from `pipeline-definitions/contract.ts`): the request line an endpoint takes, the
 * fields of its answer, and the sentiments a reviewer may give. The functions' bundles inline it.
 */
import contract from '../../../pipeline-definitions/step_library/contract.json';

/** The content type of every endpoint's requests and answers. */
export const ENDPOINT_CONTENT_TYPE: string = contract.response.contentType;
/** The answer's field of the predicted label. */
export const LABEL_FIELD: string = contract.response.label;
/** The answer's field of the predicted label's probability (routing reads it). */
export const CONFIDENCE_FIELD: string = contract.response.confidence;
/** The answer's field of an error record, in place of a prediction. */
export const ERROR_FIELD: string = contract.response.error;
/** The sentiments a model predicts and a reviewer picks: -1, 0 and 1. */
export const SENTIMENTS: readonly number[] = contract.labels.map((label) => label.sentiment);

/** One review as an endpoint's request line: the text under the contract's `review_body`, and the product category. */
export function requestLine(text: string, productCategory: string | undefined): string {
  const textField = contract.response.requestTextFields.includes('review_body') ? 'review_body' : contract.response.requestTextFields[0];
  return JSON.stringify(productCategory === undefined ? { [textField]: text } : { [textField]: text, product_category: productCategory });
}
