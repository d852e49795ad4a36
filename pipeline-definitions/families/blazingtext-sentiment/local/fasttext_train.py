"""What stands in here for BlazingText's training container: fastText, the algorithm BlazingText
implements, in supervised mode, writing the same model format (``model.bin``).

Run as a training program runs (the local runner's training step): the train channel
(``SM_CHANNEL_TRAIN``, one ``.txt`` file of ``__label__<label> <text>`` lines), the validation
channel when the job has one, the hyperparameters as BlazingText takes them (``SM_HPS``: mode,
epochs, learning_rate, word_ngrams, vector_dim, min_count, ...), the model to ``SM_MODEL_DIR``.
It logs ``#train_accuracy`` and ``#validation_accuracy`` as BlazingText does. Differences: one
thread and a fixed seed (the same model on every run); early stopping is not simulated (the
training runs its epochs).
"""

from __future__ import annotations

import glob
import json
import os
import sys

# BlazingText's hyperparameters (supervised mode) → fastText's train_supervised arguments.
ARGUMENTS = {"epochs": ("epoch", int), "learning_rate": ("lr", float), "word_ngrams": ("wordNgrams", int), "vector_dim": ("dim", int), "min_count": ("minCount", int)}
# Taken, and not simulated here (BlazingText's early stopping and its buckets).
IGNORED = {"early_stopping", "patience", "min_epochs", "buckets", "mode"}


def channel_file(name: str) -> str | None:
    folder = os.environ.get(f"SM_CHANNEL_{name.upper()}")
    if not folder:
        return None
    files = sorted(glob.glob(os.path.join(folder, "**", "*"), recursive=True))
    files = [f for f in files if os.path.isfile(f)]
    if len(files) != 1:
        raise SystemExit(f"channel {name}: expected one file, found {len(files)} in {folder}")
    return files[0]


def arguments(hyperparameters: dict) -> dict:
    mode = hyperparameters.get("mode")
    if mode != "supervised":
        raise SystemExit(f"mode {mode!r}: only supervised (text classification) stands in here")
    unknown = sorted(set(hyperparameters) - set(ARGUMENTS) - IGNORED)
    if unknown:
        raise SystemExit(f"hyperparameter {', '.join(unknown)} is not one this stand-in takes ({', '.join(sorted([*ARGUMENTS, *IGNORED]))})")
    return {target: kind(hyperparameters[name]) for name, (target, kind) in ARGUMENTS.items() if name in hyperparameters}


def accuracy(model, path: str) -> float:
    examples, precision, _ = model.test(path, k=1)
    return float(precision) if examples else 0.0


def main() -> None:
    import fasttext

    hyperparameters = json.loads(os.environ.get("SM_HPS", "{}"))
    train = channel_file("train")
    if train is None:
        raise SystemExit("no train channel (SM_CHANNEL_TRAIN)")
    model = fasttext.train_supervised(input=train, thread=1, seed=1, verbose=0, **arguments(hyperparameters))
    print(f"#train_accuracy: {accuracy(model, train):.4f}")
    validation = channel_file("validation")
    if validation is not None:
        print(f"#validation_accuracy: {accuracy(model, validation):.4f}")
    model.save_model(os.path.join(os.environ["SM_MODEL_DIR"], "model.bin"))


if __name__ == "__main__":
    sys.exit(main())
