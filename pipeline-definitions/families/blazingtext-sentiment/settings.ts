/**
 * The BlazingText family's settings: the algorithm's hyperparameters (`blazingTextHyperparameters`),
 * BlazingText's own defaults unless the configuration says otherwise. The platform reads them with
 * every other setting (from the CDK context, validated before any construct is made) and shows them
 * in the configuration reference.
 */
import { everyStage, FieldCheck, isInteger, isNumberIn, objectOf, setting } from '../../../lib/settings/setting';

/** BlazingText's supervised-mode hyperparameters the family sets (`mode` is always `supervised`). */
export interface BlazingTextHyperparameters {
  readonly epochs: number;
  readonly learning_rate: number;
  readonly word_ngrams: number;
  readonly vector_dim: number;
  readonly min_count: number;
  /** Stop when the validation accuracy stops improving (the training then reads a validation channel). */
  readonly early_stopping: boolean;
  /** Epochs without improvement before stopping (with early stopping). */
  readonly patience: number;
  /** Epochs before early stopping may stop the training. */
  readonly min_epochs: number;
}

/** BlazingText's defaults in supervised mode (its documentation's hyperparameter table). */
export const BLAZINGTEXT_DEFAULTS: BlazingTextHyperparameters = {
  epochs: 5,
  learning_rate: 0.05,
  word_ngrams: 2,
  vector_dim: 100,
  min_count: 5,
  early_stopping: false,
  patience: 4,
  min_epochs: 5,
};

const CHECKS: { readonly [K in keyof BlazingTextHyperparameters]: FieldCheck } = {
  epochs: [isInteger(1, 1000), 'a whole number from 1 to 1000'],
  learning_rate: [(v) => isNumberIn(0, 1)(v) && v !== 0, 'a number above 0, at most 1'],
  word_ngrams: [isInteger(1, 5), 'a whole number from 1 to 5'],
  vector_dim: [isInteger(1, 1000), 'a whole number from 1 to 1000'],
  min_count: [isInteger(0, 1000000), 'a whole number from 0 to 1000000'],
  early_stopping: [(v) => typeof v === 'boolean', 'true or false'],
  patience: [isInteger(1, 1000), 'a whole number from 1 to 1000'],
  min_epochs: [isInteger(1, 1000), 'a whole number from 1 to 1000'],
};

export const BLAZINGTEXT_SENTIMENT_SETTINGS = {
  blazingTextHyperparameters: setting({
    type: 'json',
    doc:
      'The BlazingText pipeline\'s hyperparameters (supervised mode), each key optional: BlazingText\'s defaults otherwise ' +
      '(epochs 5, learning_rate 0.05, word_ngrams 2, vector_dim 100, min_count 5, early_stopping false, patience 4, min_epochs 5); ' +
      'with early_stopping the training reads the validation split too.',
    allowed: `a JSON object of ${Object.entries(CHECKS).map(([key, [, allowed]]) => `${key} (${allowed})`).join(', ')}`,
    parse: objectOf(BLAZINGTEXT_DEFAULTS, CHECKS),
    defaults: everyStage(BLAZINGTEXT_DEFAULTS),
  }),
};
