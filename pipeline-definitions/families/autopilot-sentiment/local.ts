/**
 * What the Autopilot pipeline needs to run on this machine: the sample reviews as its raw input,
 * and a small search of candidates of the project's own (TF-IDF features and a few scikit-learn
 * classifiers, the best by the objective on a held-out share) in Autopilot's place.
 */
import { managedCheckSubstitutions } from '../../gates';
import type { LocalDeclaration } from '../../rendering/local-settings';

const LOCAL = 'pipeline-definitions/families/autopilot-sentiment/local';

export const autopilotSentimentLocalRun: LocalDeclaration = (run) => ({
  seeds: [{ uri: run.parameterDefault('InputData'), path: 'data/sample/reviews', description: 'the sample reviews (data/sample/reviews) as the raw input' }],
  // With the managed engine, its checks run through the open gates of the same checks.
  substitutions: managedCheckSubstitutions(run.steps, run.codeUri),
  automl: {
    AutoML: {
      description: 'a search of the project\'s own in place of Autopilot: TF-IDF features and up to 3 scikit-learn classifiers, the best by the objective on a held-out share',
      command: [
        '{python}', `${LOCAL}/candidate_search.py`,
        '--input', '{input}', '--output', '{output}', '--target', '{target}', '--problem-type', '{problemType}',
        '--objective', '{objective}', '--max-candidates', '{maxCandidates}', '--validation-fraction', '{validationFraction}',
      ],
    },
  },
});
