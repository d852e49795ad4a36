/**
 * What the BlazingText pipeline needs to run on this machine: the sample reviews as its raw input,
 * and fastText in place of BlazingText's container (the same algorithm and model format): its
 * training for the Train step, its answers in BlazingText's formats for the model's middle
 * container.
 */
import { managedCheckSubstitutions } from '../../gates';
import type { LocalDeclaration } from '../../rendering/local-settings';

const LOCAL = 'pipeline-definitions/families/blazingtext-sentiment/local';

export const blazingTextSentimentLocalRun: LocalDeclaration = (run) => ({
  seeds: [{ uri: run.parameterDefault('InputData'), path: 'data/sample/reviews', description: 'the sample reviews (data/sample/reviews) as the raw input' }],
  // With the managed engine, its checks run through the open gates of the same checks.
  substitutions: managedCheckSubstitutions(run.steps, run.codeUri),
  algorithms: {
    blazingtext: {
      description: 'fastText (the algorithm BlazingText implements, with its model.bin) in place of BlazingText: one thread, a fixed seed, no early stopping',
      training: ['{python}', `${LOCAL}/fasttext_train.py`],
      serving: `${LOCAL}/blazingtext_serving.py`,
    },
  },
});
