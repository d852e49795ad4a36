/**
 * What the BERT pipeline needs to run on this machine: the sample reviews as its raw input, a tiny
 * RoBERTa made from them in place of roberta-base (and the learning rate it learns at), no
 * downloads from the model hub, where train.py checkpoints and where prepare_data.py finds the
 * processing cluster's description, and, in the managed rendering, the open gates that stand in
 * for Clarify and Model Monitor (explaining a small sample).
 */
import { managedCheckSubstitutions } from '../../gates';
import type { LocalDeclaration } from '../../rendering/local-settings';

export const bertSentimentLocalRun: LocalDeclaration = (run) => ({
  parameters: { LearningRate: '0.005' },
  notes: { LearningRate: 'the tiny stand-in for roberta-base learns only at a larger rate' },
  seeds: [
    { uri: run.parameterDefault('InputData'), path: 'data/sample/reviews', description: 'the sample reviews (data/sample/reviews) as the raw input' },
    {
      uri: run.parameterDefault('PretrainedModelUri'),
      command: ['{python}', 'pipeline-definitions/families/bert-sentiment/local/tiny_model.py', '--texts', 'data/sample/reviews', '--text-column', 'Review Text', '--out', '{target}'],
      once: true,
      description: 'a tiny RoBERTa and tokenizer trained on the sample, in place of roberta-base',
    },
  ],
  // The jobs run without internet access on AWS; here nothing may reach the model hub either.
  environment: { HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', TOKENIZERS_PARALLELISM: 'false' },
  // SageMaker syncs /opt/ml/checkpoints with CheckpointConfig, and describes a processing cluster
  // in /opt/ml/config; the scripts take those paths as options.
  jobArguments: {
    Train: ['--checkpoint_dir', '{job:/opt/ml/checkpoints}'],
    Processing: ['--resource-config', '{job:/opt/ml/config/resourceconfig.json}'],
  },
  // The managed engine's checks run through the open gates of the same checks; the tiny model's
  // explanations only show the wiring, so a small sample.
  substitutions: managedCheckSubstitutions(run.steps, run.codeUri, { MODEL_EXPLAINABILITY: ['--samples', '3', '--permutations', '2'] }),
});

/**
 * The tuned BERT pipeline here: as the BERT pipeline, with the training jobs' checkpoints under the
 * Tune step, and the learning rate's range scaled for the tiny stand-in (which learns only at a
 * larger rate) and small batch sizes for the sample, sampled with a fixed seed.
 */
const TINY_MODEL_RANGES = { learning_rate: { min: 0.003, max: 0.008 }, train_batch_size: { values: [32, 64] } };

export const bertSentimentTuningLocalRun: LocalDeclaration = (run) => {
  const base = bertSentimentLocalRun(run);
  const { Train: checkpoints, ...jobArguments } = base.jobArguments ?? {};
  const { LearningRate: _rate, ...parameters } = base.parameters ?? {};
  const { LearningRate: _note, ...notes } = base.notes ?? {};
  // Scaled: those of these ranges that the configuration tunes.
  const config = run.stepArguments('Tune').HyperParameterTuningJobConfig as { ParameterRanges?: Record<string, { Name: string }[]> };
  const tuned = Object.values(config.ParameterRanges ?? {}).flat().map((range) => range.Name);
  const scaled = Object.fromEntries(Object.entries(TINY_MODEL_RANGES).filter(([name]) => tuned.includes(name)));
  return {
    ...base,
    parameters,
    notes,
    jobArguments: { ...jobArguments, Tune: checkpoints ?? [] },
    tuning: {
      Tune: {
        seed: 42,
        ...(Object.keys(scaled).length > 0
          ? { ranges: scaled, note: 'the tiny stand-in for roberta-base learns only at a larger rate, and batches of 32 or 64 fit the sample' }
          : {}),
      },
    },
  };
};
