/** Lambda entry of the prediction API (POST /predictions, GET /predictions/{inferenceId}). */
import { predictionApi } from '../http';
import { predictionServiceOf } from '../services';

export const handler = predictionApi(predictionServiceOf(process.env));
