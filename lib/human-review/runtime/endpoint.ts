/**
 * One review scored by the served endpoint: one InvokeEndpoint call with the review's own inference
 * id (captured with the request, so the monitoring pipeline joins the review's ground truth to it),
 * the answer read as the serving contract says.
 */
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { CONFIDENCE_FIELD, ENDPOINT_CONTENT_TYPE, ERROR_FIELD, LABEL_FIELD, requestLine, SENTIMENTS } from './contract';

/** The endpoint's prediction of one review. */
export interface Prediction {
  readonly label: number;
  readonly confidence: number;
  /** The production variant that answered (VariantA, VariantB). */
  readonly variant?: string;
}

/** Scores one review; throws an Error whose message says why it could not. */
export interface Scorer {
  score(review: { readonly text: string; readonly productCategory?: string }, inferenceId: string, signal?: AbortSignal): Promise<Prediction>;
}

/** Reads one contract answer: the first JSON line's label and confidence, or the error it carries. */
export function readAnswer(body: string): Prediction {
  const line = body.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) throw new Error('the endpoint answered nothing');
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(line);
  } catch {
    throw new Error(`the endpoint's answer is not JSON: ${line.slice(0, 80)}`);
  }
  if (answer[ERROR_FIELD] !== undefined) throw new Error(`the endpoint could not score the review: ${String(answer[ERROR_FIELD]).slice(0, 300)}`);
  const label = answer[LABEL_FIELD];
  const confidence = answer[CONFIDENCE_FIELD];
  if (typeof label !== 'number' || !SENTIMENTS.includes(label)) {
    throw new Error(`the endpoint's ${LABEL_FIELD} is ${JSON.stringify(label)}; expected one of ${SENTIMENTS.join(', ')}`);
  }
  if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) {
    throw new Error(`the endpoint's ${CONFIDENCE_FIELD} is ${JSON.stringify(confidence)}; expected a probability from 0 to 1`);
  }
  return { label, confidence };
}

/** The served endpoint, through the SageMaker runtime API. */
export class EndpointScorer implements Scorer {
  constructor(
    private readonly client: SageMakerRuntimeClient,
    public readonly endpointName: string,
  ) {}

  public async score(review: { readonly text: string; readonly productCategory?: string }, inferenceId: string, signal?: AbortSignal): Promise<Prediction> {
    let result;
    try {
      result = await this.client.send(
        new InvokeEndpointCommand({
          EndpointName: this.endpointName,
          ContentType: ENDPOINT_CONTENT_TYPE,
          Accept: ENDPOINT_CONTENT_TYPE,
          InferenceId: inferenceId,
          Body: new TextEncoder().encode(requestLine(review.text, review.productCategory)),
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      const e = error as { name?: string; message?: string };
      throw new Error(`endpoint ${this.endpointName} failed: ${e.name ?? 'Error'}: ${(e.message ?? String(error)).slice(0, 300)}`);
    }
    const prediction = readAnswer(new TextDecoder().decode(result.Body));
    return { ...prediction, variant: result.InvokedProductionVariant };
  }
}
