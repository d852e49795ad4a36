"""What a family's preparation writes for the managed quality engine's checks (``--managed-baselines``):
the configured bias limits as Clarify baseline constraints for the facet values of the training and
test splits, and the training split's profiled columns for Model Monitor's data-quality baseline
(``managed-baselines/``, the outputs the managed engine adds to the preparation step).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bias_metrics  # noqa: E402
import data_quality  # noqa: E402
from contract import LABEL_FEATURE  # noqa: E402

MANAGED_BASELINE_KEYS = ("data_bias", "model_bias", "min_group_size")


def managed_baselines(text: str) -> dict:
    """``--managed-baselines``: JSON with the bias limits and the smallest gated group."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not JSON: {error}") from error
    missing = [key for key in MANAGED_BASELINE_KEYS if not isinstance(value, dict) or key not in value]
    if missing:
        raise argparse.ArgumentTypeError(f"missing {', '.join(missing)} (expected an object with {', '.join(MANAGED_BASELINE_KEYS)})")
    return value


def write_managed_baselines(parts: dict[str, pd.DataFrame], settings: dict, output_dir: str, host: str = "algo-1", first: bool = True) -> None:
    """What the managed engine's checks read: Clarify baselines holding the configured limits
    (pre-training for the training split, post-training for the test split's predictions; written
    by the ``first`` host, from its share), and the training split's profiled columns for Model
    Monitor's data-quality baseline (every host's share, ``train-<host>.jsonl``)."""
    if first:
        bias_dir = os.path.join(output_dir, "managed-baselines", "bias")
        os.makedirs(bias_dir, exist_ok=True)
        for section, split_name, limits, name in (
            ("pre_training_bias_metrics", "train", settings["data_bias"], "pre_training_constraints.json"),
            ("post_training_bias_metrics", "test", settings["model_bias"], "post_training_constraints.json"),
        ):
            sizes = bias_metrics.group_sizes(str(v) for v in parts[split_name]["product_category"])
            constraints = bias_metrics.threshold_constraints(section, LABEL_FEATURE, 1, "product_category", sizes, limits, settings["min_group_size"])
            with open(os.path.join(bias_dir, name), "w", encoding="utf-8") as handle:
                json.dump(constraints, handle, indent=2)
    profile_dir = os.path.join(output_dir, "managed-baselines", "data-quality")
    os.makedirs(profile_dir, exist_ok=True)
    train = parts["train"]
    # The profiled columns' sources alone (not, e.g., the token ids).
    columns = [c for c in ("review_body", "product_category", LABEL_FEATURE, "label_id", "review_words") if c in train.columns]
    with open(os.path.join(profile_dir, f"train-{host}.jsonl"), "w", encoding="utf-8") as handle:
        for row in data_quality.project(train[columns].to_dict(orient="records")):
            handle.write(json.dumps(row) + "\n")
