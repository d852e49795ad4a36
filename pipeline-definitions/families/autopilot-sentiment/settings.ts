/**
 * The Autopilot family's settings: how long and how widely Autopilot searches (`autopilot`), small
 * in dev. The platform reads them with every other setting (from the CDK context, validated before
 * any construct is made) and shows them in the configuration reference.
 */
import { isInteger, NotAllowed, objectOf, setting } from '../../../lib/settings/setting';
import { AUTOML_LIMITS, autoMLProblems } from '../../dsl/automl';

/** What the Autopilot job may spend. */
export interface AutopilotSetting {
  /** Candidates Autopilot trains at most. */
  readonly maxCandidates: number;
  /** Seconds the whole job may run. */
  readonly maxRuntimeSeconds: number;
}

/** The course's search is small; dev keeps it so, prod searches more widely. */
export const AUTOPILOT_DEFAULTS = {
  dev: { maxCandidates: 3, maxRuntimeSeconds: 3600 },
  prod: { maxCandidates: 10, maxRuntimeSeconds: 14400 },
} as const satisfies Record<string, AutopilotSetting>;

const fields = objectOf<AutopilotSetting>(AUTOPILOT_DEFAULTS.dev, {
  maxCandidates: [isInteger(1, AUTOML_LIMITS.maxCandidates), `a whole number from 1 to ${AUTOML_LIMITS.maxCandidates}`],
  maxRuntimeSeconds: [isInteger(600, AUTOML_LIMITS.maxRuntimeSeconds), `a whole number of seconds from 600 to ${AUTOML_LIMITS.maxRuntimeSeconds}`],
});

/** `autopilot`: the keys given replace dev's defaults, checked as the API checks them. */
function autopilotSetting(raw: unknown): AutopilotSetting | undefined {
  const value = fields(raw);
  if (value === undefined) return undefined;
  const problems = autoMLProblems({ target: 'sentiment', problemType: 'MulticlassClassification', objective: 'Accuracy', ...value });
  if (problems.length > 0) throw new NotAllowed(problems.join('; '));
  return value;
}

export const AUTOPILOT_SENTIMENT_SETTINGS = {
  autopilot: setting({
    type: 'json',
    doc:
      'The Autopilot pipeline\'s search: the candidates Autopilot trains at most and the seconds the whole job may run ' +
      '(dev: 3 candidates in 1 hour; prod: 10 in 4 hours); keys left out keep dev\'s values.',
    allowed: `a JSON object of maxCandidates (a whole number from 1 to ${AUTOML_LIMITS.maxCandidates}) and maxRuntimeSeconds (a whole number of seconds from 600 to ${AUTOML_LIMITS.maxRuntimeSeconds})`,
    parse: autopilotSetting,
    defaults: AUTOPILOT_DEFAULTS,
  }),
};
