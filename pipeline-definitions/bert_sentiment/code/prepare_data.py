"""Feature engineering of the BERT pipeline's Processing step.

Reads the raw reviews CSV files, turns star ratings into sentiment labels (the column named by the
contract's ``labelFeature``, ``sentiment``; class ids by its ``labels``), drops empty reviews and
rare product categories, balances the classes when asked, splits into train, validation and test
(stratified on sentiment), tokenizes the review text for RoBERTa, and writes:

- one JSON-lines file per split (``input_ids``, ``label_id``, ``sentiment``, ``review_body``,
  ``product_category``, ``review_id``) for training and evaluation;
- the course's ``reviews`` table (``sentiment``, ``review_body``, ``product_category``) as Parquet,
  for the lake's Glue table;
- the feature records, put into the reviews feature group with the Feature Store runtime API: one
  value per feature of the contract's reviews feature group (contract.REVIEWS_FEATURES, each as
  text of its type), the event time in the contract's format;
- with ``--managed-baselines`` (the managed quality engine): the configured bias limits as Clarify
  baseline constraints for the facet values of the training and test splits, and the training
  split's profiled columns for Model Monitor (``managed-baselines/``).

The tokenizer is loaded from a local folder (the pre-trained model channel), never from a hub.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import sys
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Sequence

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bias_metrics  # noqa: E402
import data_quality  # noqa: E402
from cli import str2bool  # noqa: E402
from contract import EVENT_TIME_FEATURE, EVENT_TIME_FORMAT, LABEL_FEATURE, REVIEWS_FEATURES, SENTIMENT_TO_CLASS_ID, SENTIMENTS, SPLITS  # noqa: E402

# The course's column names for the dataset's columns.
RENAMES = {"Review Text": "review_body", "Rating": "star_rating", "Class Name": "product_category"}
SENTIMENT_TO_LABEL = dict(SENTIMENT_TO_CLASS_ID)
LABEL_TO_SENTIMENT = {label: sentiment for sentiment, label in SENTIMENT_TO_LABEL.items()}
# The feature this step fills with the split's name (one of SPLITS); the event time feature gets
# the run's event time, every other feature the prepared column of its name.
SPLIT_FEATURE = "split_type"


def to_sentiment(star_rating: int) -> int:
    """Course rule: 1-2 stars are -1, 3 stars are 0, 4-5 stars are 1."""
    rating = int(star_rating)
    if rating not in (1, 2, 3, 4, 5):
        raise ValueError(f"star_rating {star_rating!r} is not allowed; expected 1 to 5")
    return -1 if rating <= 2 else 0 if rating == 3 else 1


def to_label_id(sentiment: int) -> int:
    """Class index for training: sentiment -1, 0, 1 as 0, 1, 2."""
    try:
        return SENTIMENT_TO_LABEL[int(sentiment)]
    except KeyError:
        raise ValueError(f"sentiment {sentiment!r} is not allowed; expected {', '.join(map(str, SENTIMENTS[:-1]))} or {SENTIMENTS[-1]}") from None


def load_reviews(paths: Iterable[str]) -> pd.DataFrame:
    """Reads and concatenates the raw CSV files (header, quoted fields)."""
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in paths]
    if not frames:
        raise ValueError("no input CSV files found")
    return pd.concat(frames, ignore_index=True)


def review_id(row: dict) -> str:
    """A stable identifier of a review from its content: the same review gets the same id in every
    run, so Feature Store's latest-record-per-id view never mixes two reviews."""
    key = "\x1f".join(str(row.get(column, "")) for column in ("Clothing ID", "Age", "Title", "Review Text", "Rating"))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def clean(df: pd.DataFrame, min_reviews_per_category: int = 11) -> pd.DataFrame:
    """Renames the course's columns, adds sentiment and label_id, drops duplicate reviews, rows with
    missing values and categories with fewer than ``min_reviews_per_category`` reviews."""
    missing = [column for column in RENAMES if column not in df.columns]
    if missing:
        raise ValueError(f"input is missing columns {missing}; expected {list(RENAMES)}")
    out = df.rename(columns=RENAMES)
    if "review_id" not in out.columns:
        out = out.assign(review_id=[review_id(row) for row in df.to_dict(orient="records")])
    # The same review twice (same content, same id) is one record: no copy in two splits.
    out = out.drop_duplicates(subset="review_id")
    out = out[["review_id", "review_body", "star_rating", "product_category"]].copy()
    for column in ("review_body", "star_rating", "product_category"):
        out[column] = out[column].astype(str).str.strip()
        out = out[out[column] != ""]
    out[LABEL_FEATURE] = out["star_rating"].map(to_sentiment)
    out["label_id"] = out[LABEL_FEATURE].map(to_label_id)
    counts = out["product_category"].value_counts()
    keep = counts[counts >= min_reviews_per_category].index
    out = out[out["product_category"].isin(keep)]
    return out.drop(columns=["star_rating"]).reset_index(drop=True)


def balance(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Down-samples every sentiment class to the size of the smallest."""
    smallest = df[LABEL_FEATURE].value_counts().min()
    parts = [group.sample(n=smallest, random_state=seed) for _, group in df.groupby(LABEL_FEATURE, sort=True)]
    return pd.concat(parts).sample(frac=1.0, random_state=seed).reset_index(drop=True)


def split(
    df: pd.DataFrame, train: float, validation: float, test: float, seed: int
) -> dict[str, pd.DataFrame]:
    """Stratified split on sentiment: each class is split in the given proportions."""
    shares = (train, validation, test)
    if any(share < 0 for share in shares) or abs(sum(shares) - 1.0) > 1e-6:
        raise ValueError(f"split percentages {shares} must be non-negative and add up to 1")
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in SPLITS}
    for _, group in df.groupby(LABEL_FEATURE, sort=True):
        group = group.sample(frac=1.0, random_state=seed)
        n = len(group)
        n_train = int(round(n * train))
        n_validation = int(round(n * validation))
        n_validation = min(n_validation, n - n_train)
        parts["train"].append(group.iloc[:n_train])
        parts["validation"].append(group.iloc[n_train : n_train + n_validation])
        parts["test"].append(group.iloc[n_train + n_validation :])
    return {
        name: pd.concat(frames).sample(frac=1.0, random_state=seed).reset_index(drop=True)
        for name, frames in parts.items()
    }


def tokenize(texts: Sequence[str], tokenizer: Any, max_seq_length: int) -> list[list[int]]:
    """RoBERTa input ids of each text, padded or truncated to exactly ``max_seq_length``."""
    encoded = tokenizer(
        list(texts),
        padding="max_length",
        truncation=True,
        max_length=max_seq_length,
        return_attention_mask=False,
    )
    return [list(map(int, ids)) for ids in encoded["input_ids"]]


def feature_text(value: Any, feature_type: str) -> str:
    """A value as Feature Store's ``ValueAsString`` of a feature of the type: an Integral as the
    integer, a Fractional as the number, a String as the text (a list, e.g. token ids, as JSON)."""
    if feature_type == "Integral":
        return str(int(value))
    if feature_type == "Fractional":
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value))
    return str(value)


def feature_records(df: pd.DataFrame, split_type: str, event_time: str) -> list[list[dict[str, str]]]:
    """The reviews feature group's records (Feature Store's PutRecord format) of a split: every
    feature of REVIEWS_FEATURES, in its order."""
    records = []
    for row in df.to_dict(orient="records"):
        values = {}
        for name, feature_type in REVIEWS_FEATURES.items():
            if name == EVENT_TIME_FEATURE:
                values[name] = event_time
            elif name == SPLIT_FEATURE:
                values[name] = split_type
            elif name in row:
                values[name] = feature_text(row[name], feature_type)
            else:
                raise ValueError(f"the reviews feature group has a feature {name!r}, and the prepared data no such column")
        records.append([{"FeatureName": name, "ValueAsString": value} for name, value in values.items()])
    return records


def default_event_time(now: datetime | None = None) -> str:
    """The event time of a run without ``--event-time``: now (UTC) in EVENT_TIME_FORMAT."""
    return (now or datetime.now(timezone.utc)).strftime(EVENT_TIME_FORMAT)


def ingest(records: Iterable[list[dict[str, str]]], feature_group_name: str, client: Any) -> int:
    """Puts every record into the feature group; returns how many were put."""
    count = 0
    for record in records:
        client.put_record(FeatureGroupName=feature_group_name, Record=record)
        count += 1
    return count


def write_jsonl(df: pd.DataFrame, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    columns = ["review_id", "input_ids", "label_id", LABEL_FEATURE, "review_body", "product_category"]
    with open(path, "w", encoding="utf-8") as handle:
        for record in df[columns].to_dict(orient="records"):
            handle.write(json.dumps(record) + "\n")




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


def write_managed_baselines(parts: dict[str, pd.DataFrame], settings: dict, output_dir: str) -> None:
    """What the managed engine's checks read: Clarify baselines holding the configured limits
    (pre-training for the training split, post-training for the test split's predictions), and the
    training split's profiled columns for Model Monitor's data-quality baseline."""
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
    with open(os.path.join(profile_dir, "train.jsonl"), "w", encoding="utf-8") as handle:
        for row in data_quality.project(parts["train"].to_dict(orient="records")):
            handle.write(json.dumps(row) + "\n")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input-dir", default="/opt/ml/processing/input/data")
    parser.add_argument("--tokenizer-dir", default="/opt/ml/processing/input/model")
    parser.add_argument("--output-dir", default="/opt/ml/processing/output")
    parser.add_argument("--train-split-percentage", type=float, default=0.90)
    parser.add_argument("--validation-split-percentage", type=float, default=0.05)
    parser.add_argument("--test-split-percentage", type=float, default=0.05)
    parser.add_argument("--balance-dataset", type=str2bool, default=True)
    parser.add_argument("--max-seq-length", type=int, default=128)
    parser.add_argument("--min-reviews-per-category", type=int, default=11)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--feature-group-name", default="")
    parser.add_argument("--event-time", default="", help="ISO-8601 UTC; defaults to now")
    parser.add_argument("--managed-baselines", type=managed_baselines, default=None, help="JSON: data_bias, model_bias, min_group_size")
    return parser.parse_args(argv)


def run(
    args: argparse.Namespace,
    load_tokenizer: Callable[[str], Any] | None = None,
    featurestore_client: Any | None = None,
) -> dict[str, int]:
    """The step: returns the number of records per split."""
    paths = sorted(glob.glob(os.path.join(args.input_dir, "**", "*.csv"), recursive=True))
    df = clean(load_reviews(paths), args.min_reviews_per_category)
    # The course's reviews table holds every cleaned review (the imbalance the queries show);
    # balancing applies to the training data only.
    reviews_dir = os.path.join(args.output_dir, "reviews")
    os.makedirs(reviews_dir, exist_ok=True)
    df[[LABEL_FEATURE, "review_body", "product_category"]].astype({LABEL_FEATURE: "int32"}).to_parquet(
        os.path.join(reviews_dir, "reviews.parquet"), index=False
    )
    if args.balance_dataset:
        df = balance(df, args.seed)
    if load_tokenizer is None:
        from transformers import AutoTokenizer  # the container's transformers

        load_tokenizer = AutoTokenizer.from_pretrained
    tokenizer = load_tokenizer(args.tokenizer_dir)
    df["input_ids"] = tokenize(df["review_body"].tolist(), tokenizer, args.max_seq_length)
    parts = split(df, args.train_split_percentage, args.validation_split_percentage, args.test_split_percentage, args.seed)
    event_time = args.event_time or default_event_time()
    counts = {}
    for name, part in parts.items():
        write_jsonl(part, os.path.join(args.output_dir, "sentiment", name, f"{name}.jsonl"))
        counts[name] = len(part)
    if args.managed_baselines:
        write_managed_baselines(parts, args.managed_baselines, args.output_dir)
    if args.feature_group_name:
        if featurestore_client is None:
            import boto3

            featurestore_client = boto3.client("sagemaker-featurestore-runtime")
        for name, part in parts.items():
            ingest(feature_records(part, name, event_time), args.feature_group_name, featurestore_client)
    print(json.dumps({"records": counts, "feature_group": args.feature_group_name or None}))
    return counts


if __name__ == "__main__":
    run(parse_args(sys.argv[1:]))
