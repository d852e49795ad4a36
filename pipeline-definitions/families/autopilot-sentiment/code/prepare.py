"""Preparation step of the Autopilot family: the raw reviews, cleaned, balanced (by default, as the
BERT pipeline's) and split by review id with the step-code library's rules (reviews.py), so the
families are compared on the same test split.

Writes Autopilot's input, ``<output-dir>/automl/train.csv``: a header row, then one review per row
of the train and validation splits (Autopilot holds out its own validation share):
``review_body``, ``product_category`` and the label feature (the contract's ``labelFeature``,
the target); and the test split as JSON Lines for batch transform,
``<output-dir>/reviews/test/test.jsonl``. Autopilot needs at least 500 rows: a smaller input, or
one that leaves fewer for it, stops here, naming the count and the minimum. Calls no AWS API.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contract import LABEL_FEATURE  # noqa: E402
from managed_baselines import managed_baselines, write_managed_baselines  # noqa: E402
from reviews import add_split_arguments, clean, load_reviews, prepared_splits, raw_review_files, write_records  # noqa: E402

AUTOML_COLUMNS = ["review_body", "product_category", LABEL_FEATURE]
# CreateAutoMLJob refuses a dataset of fewer rows.
AUTOPILOT_MIN_ROWS = 500


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input-dir", required=True)
    parser.add_argument("--output-dir", required=True)
    add_split_arguments(parser)
    parser.add_argument("--managed-baselines", type=managed_baselines, default=None, help="JSON: data_bias, model_bias, min_group_size")
    return parser.parse_args(argv)


def too_few(rows: int, what: str) -> SystemExit:
    return SystemExit(f"prepare: {what} has {rows} rows; Autopilot needs at least {AUTOPILOT_MIN_ROWS}")


def run(args: argparse.Namespace) -> dict[str, int]:
    paths = raw_review_files(args.input_dir)
    raw = load_reviews(paths)
    if len(raw) < AUTOPILOT_MIN_ROWS:
        raise too_few(len(raw), f"the input ({len(paths)} CSV file{'' if len(paths) == 1 else 's'} under {args.input_dir})")
    df, parts = prepared_splits(clean(raw), args)
    automl = pd.concat([parts["train"], parts["validation"]], ignore_index=True)
    if len(automl) < AUTOPILOT_MIN_ROWS:
        raise too_few(len(automl), f"Autopilot's input (the train and validation splits of {len(raw)} reviews, {len(df)} after cleaning{' and balancing' if args.balance_dataset else ''})")
    automl_dir = os.path.join(args.output_dir, "automl")
    os.makedirs(automl_dir, exist_ok=True)
    automl[AUTOML_COLUMNS].to_csv(os.path.join(automl_dir, "train.csv"), index=False)
    write_records(parts, ("train", "test"), args.output_dir)
    if args.managed_baselines:
        write_managed_baselines(parts, args.managed_baselines, args.output_dir)
    counts = {"automl": len(automl), "test": len(parts["test"])}
    print(f"prepared {len(df)} reviews: Autopilot's input {counts['automl']}, test {counts['test']}")
    return counts


if __name__ == "__main__":
    run(parse_args(sys.argv[1:]))
