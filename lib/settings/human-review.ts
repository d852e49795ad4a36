/**
 * Settings of human review: the platform's own loop of prediction API, review queue, reviewer web
 * app and ground truth (Augmented AI is closed to new customers). Off unless `humanReview` is true.
 */
import { bool, ConfigOf, everyStage, fraction, IgnoredSetting, integer, isInteger, matching, objectOf, oneOf, setting } from './setting';

/** The prediction API's stage throttling. */
export interface HumanReviewThrottlingSetting {
  /** Steady requests per second. */
  readonly rateLimit: number;
  /** Requests at once above the steady rate. */
  readonly burstLimit: number;
}

export const DEFAULT_HUMAN_REVIEW_THROTTLING: HumanReviewThrottlingSetting = { rateLimit: 20, burstLimit: 40 };

export const HUMAN_REVIEW_SETTINGS = {
  humanReview: setting({
    type: 'boolean',
    doc:
      'Add human review (stacks <prefix>-human-review-state and <prefix>-human-review): a prediction API that sends predictions below humanReviewThreshold to reviewers, ' +
      'the review queue, a reviewer web app signing in through Cognito, and their labels in the lake as ground truth. Needs no serving stack at synth time: it calls the endpoint by name.',
    allowed: 'true or false',
    parse: bool,
    defaults: everyStage(false),
  }),
  humanReviewFamily: setting({
    type: 'string',
    doc: 'The model family whose endpoint human review serves (default: the first family of the list).',
    allowed: "a family id of the app (lowercase letters, digits and single hyphens)",
    parse: matching(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/),
  }),
  humanReviewThreshold: setting({
    type: 'number',
    doc: "Predictions whose confidence (the probability of the predicted label) is below it go to a reviewer; the course's 0.90.",
    allowed: 'a probability from 0 to 1',
    parse: fraction,
    defaults: everyStage(0.9),
  }),
  humanReviewClaimMinutes: setting({
    type: 'integer',
    doc: 'How long a task stays with the reviewer who took it; unlabelled, it then goes back to the queue.',
    allowed: 'an integer from 1 to 120',
    parse: integer(1, 120),
    defaults: everyStage(10),
  }),
  humanReviewMfa: setting({
    type: 'string',
    doc: "Multi-factor sign-in of reviewers (authenticator apps): required, optional (each reviewer's choice) or off.",
    allowed: 'one of required, optional, off',
    parse: oneOf(['required', 'optional', 'off'] as const),
    defaults: { dev: 'optional', prod: 'required' },
  }),
  humanReviewThreatProtection: setting({
    type: 'string',
    doc: "Cognito threat protection of reviewers' sign-ins (compromised credentials, adaptive authentication). audit or enforced puts the user pool on Cognito's Plus plan, billed per active user.",
    allowed: 'one of off, audit, enforced',
    parse: oneOf(['off', 'audit', 'enforced'] as const),
    defaults: everyStage('off'),
  }),
  humanReviewThrottling: setting({
    type: 'json',
    doc: "The prediction API's throttling (requests per second, and the burst above it); keys left out keep their defaults.",
    allowed: 'a JSON object with rateLimit (1 to 10000) and burstLimit (1 to 5000)',
    parse: objectOf(DEFAULT_HUMAN_REVIEW_THROTTLING, {
      rateLimit: [isInteger(1, 10_000), 'an integer from 1 to 10000'],
      burstLimit: [isInteger(1, 5_000), 'an integer from 1 to 5000'],
    }),
    defaults: everyStage(DEFAULT_HUMAN_REVIEW_THROTTLING),
  }),
};

export type HumanReviewConfig = ConfigOf<typeof HUMAN_REVIEW_SETTINGS>;

/** Every human-review setting is without effect unless humanReview is true. */
export const HUMAN_REVIEW_IGNORED: readonly IgnoredSetting<HumanReviewConfig>[] = (Object.keys(HUMAN_REVIEW_SETTINGS) as (keyof HumanReviewConfig)[])
  .filter((key) => key !== 'humanReview')
  .map((key) => ({ key, because: (c: HumanReviewConfig) => (c.humanReview ? undefined : 'humanReview is false, so there is no human review to configure; expected humanReview=true') }));
