/** Lambda entry of the review API (GET /api/tasks/next, POST /api/tasks/{inferenceId}/label). */
import { reviewApi } from '../http';
import { reviewServiceOf, required } from '../services';

export const handler = reviewApi(reviewServiceOf(process.env), required(process.env, 'REVIEWERS_GROUP'));
