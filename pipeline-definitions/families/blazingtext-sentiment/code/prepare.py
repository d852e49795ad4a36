"""Preparation step of the BlazingText family: the raw reviews, cleaned, balanced (by default, as
the BERT pipeline's) and split by review id with the step-code library's rules (reviews.py), so
the families are compared on the same test split.

Writes BlazingText's supervised input for training and validation,
``<output-dir>/blazingtext/<split>/<split>.txt``, one review per line: ``__label__<sentiment>``
then the normalised text (tokens.py); and the test split as JSON Lines for batch transform,
``<output-dir>/reviews/test/test.jsonl``: ``review_id``, ``review_body``, ``product_category`` and
the label feature (the contract's ``labelFeature``). Calls no AWS API.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contract import LABEL_FEATURE  # noqa: E402
from managed_baselines import managed_baselines, write_managed_baselines  # noqa: E402
from reviews import add_split_arguments, clean, load_reviews, prepared_splits, raw_review_files, write_records  # noqa: E402
from tokens import training_line  # noqa: E402

TRAINING_SPLITS = ("train", "validation")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input-dir", required=True)
    parser.add_argument("--output-dir", required=True)
    add_split_arguments(parser)
    parser.add_argument("--managed-baselines", type=managed_baselines, default=None, help="JSON: data_bias, model_bias, min_group_size")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, int]:
    paths = raw_review_files(args.input_dir)
    df, parts = prepared_splits(clean(load_reviews(paths)), args)
    counts = {}
    for name in TRAINING_SPLITS:
        directory = os.path.join(args.output_dir, "blazingtext", name)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, f"{name}.txt"), "w", encoding="utf-8") as handle:
            for sentiment, text in zip(parts[name][LABEL_FEATURE], parts[name]["review_body"]):
                handle.write(training_line(sentiment, text) + "\n")
        counts[name] = len(parts[name])
    write_records(parts, ("train", "test"), args.output_dir)
    if args.managed_baselines:
        write_managed_baselines(parts, args.managed_baselines, args.output_dir)
    counts["test"] = len(parts["test"])
    print(f"prepared {len(df)} reviews: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
    return counts


if __name__ == "__main__":
    run(parse_args(sys.argv[1:]))
