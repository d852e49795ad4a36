"""The course's reviews: its cleaning rules, sentiment labels and the split by review id.

Every family prepares its data from the same raw reviews with these rules, so the families are
compared on the same test split: the course's column names (``review_body``, ``star_rating``,
``product_category``), star ratings as sentiment (the contract's ``labelFeature``; class ids by its
``labels``), a stable id per review from its content, no duplicates, no empty values, no rare
product categories, and each review's split (and its rank when classes are balanced) from its id
and the seed alone, so it is the same however many instances prepare the data.
"""

from __future__ import annotations

import glob
import hashlib
import os
import sys
from typing import Any, Iterable

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contract import LABEL_FEATURE, SENTIMENT_TO_CLASS_ID, SENTIMENTS, SPLITS  # noqa: E402

# The course's column names for the dataset's columns.
RENAMES = {"Review Text": "review_body", "Rating": "star_rating", "Class Name": "product_category"}
SENTIMENT_TO_LABEL = dict(SENTIMENT_TO_CLASS_ID)
LABEL_TO_SENTIMENT = {label: sentiment for sentiment, label in SENTIMENT_TO_LABEL.items()}


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
    paths = list(paths)
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in paths]
    if not frames:
        raise ValueError("no input CSV files found (--input-dir, the raw-input-data input)")
    return pd.concat(frames, ignore_index=True)


ID_COLUMNS = ("Clothing ID", "Age", "Title", "Review Text", "Rating")


def review_id(row: dict) -> str:
    """A stable identifier of a review from its content: the same review gets the same id in every
    run, so Feature Store's latest-record-per-id view never mixes two reviews."""
    return _id_of(*(row.get(column, "") for column in ID_COLUMNS))


def _id_of(*values: Any) -> str:
    return hashlib.sha256("\x1f".join(map(str, values)).encode("utf-8")).hexdigest()[:24]


def review_ids(df: pd.DataFrame) -> list[str]:
    """:func:`review_id` of every row of the raw data (a missing column counts as empty)."""
    columns = [df[c].tolist() if c in df.columns else [""] * len(df) for c in ID_COLUMNS]
    return [_id_of(*values) for values in zip(*columns)]


def clean(df: pd.DataFrame, min_reviews_per_category: int = 11) -> pd.DataFrame:
    """Renames the course's columns, adds sentiment and label_id, drops duplicate reviews, rows with
    missing values and categories with fewer than ``min_reviews_per_category`` reviews."""
    missing = [column for column in RENAMES if column not in df.columns]
    if missing:
        raise ValueError(f"input is missing columns {missing}; expected {list(RENAMES)}")
    out = df.rename(columns=RENAMES)
    if "review_id" not in out.columns:
        out = out.assign(review_id=review_ids(df))
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


ID_PURPOSES = ("split", "order", "balance")


def id_fractions(review_id: Any, seed: int) -> tuple[float, ...]:
    """Numbers in [0, 1), one per purpose of ID_PURPOSES, that depend only on the review's id and
    the seed: the same review gets the same numbers on every instance and in every run."""
    digest = hashlib.sha256(f"{seed}\x1f{review_id}".encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[8 * i : 8 * i + 8], "big") / 2**64 for i in range(len(ID_PURPOSES)))


def _by_id(df: pd.DataFrame, seed: int) -> dict[str, np.ndarray]:
    """Each row's :func:`id_fractions`, by purpose, in row order."""
    table = np.array([id_fractions(i, seed) for i in df["review_id"].tolist()], dtype=float).reshape(len(df), len(ID_PURPOSES))
    return {purpose: table[:, n] for n, purpose in enumerate(ID_PURPOSES)}


def balance(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Down-samples every sentiment class to the size of the smallest, keeping in each class the
    reviews whose id ranks first (:func:`id_fractions`, ``balance``): the same reviews for the
    same input, in an order set by their ids (``order``)."""
    smallest = df[LABEL_FEATURE].value_counts().min()
    fractions = _by_id(df, seed)
    labels = df[LABEL_FEATURE].to_numpy()
    kept = np.concatenate([rows[np.argsort(fractions["balance"][rows], kind="stable")[:smallest]] for rows in (np.flatnonzero(labels == label) for label in np.unique(labels))])
    return df.iloc[kept[np.argsort(fractions["order"][kept], kind="stable")]].reset_index(drop=True)


def split(
    df: pd.DataFrame, train: float, validation: float, test: float, seed: int
) -> dict[str, pd.DataFrame]:
    """The contract's splits (train, validation, test), each review's from its id (its
    :func:`id_fractions` ``split`` below ``train``: train; below ``train + validation``:
    validation; else test), so it does not depend on which reviews share its instance; each
    sentiment class is split in the given shares in expectation. Each part in an order set by the
    reviews' ids."""
    shares = (train, validation, test)
    if any(share < 0 for share in shares) or abs(sum(shares) - 1.0) > 1e-6:
        raise ValueError(f"split percentages {shares} must be non-negative and add up to 1")
    fractions = _by_id(df, seed)
    ordered = np.argsort(fractions["order"], kind="stable")
    where = fractions["split"][ordered]
    bounds = ((0.0, train), (train, train + validation), (train + validation, 2.0))
    return {name: df.iloc[ordered[(where >= low) & (where < high)]].reset_index(drop=True) for name, (low, high) in zip(SPLITS, bounds)}


RECORD_COLUMNS = ["review_id", "review_body", "product_category", LABEL_FEATURE, "label_id"]


def write_records(parts: dict[str, pd.DataFrame], names: Iterable[str], output_dir: str) -> None:
    """The named splits' reviews as JSON Lines, ``<output_dir>/reviews/<split>/<split>.jsonl``, one
    record each: ``review_id``, ``review_body``, ``product_category``, the label feature and its
    class id (``label_id``): what batch transform predicts and the data gates profile, for a family
    whose own training input is in another form."""
    for name in names:
        directory = os.path.join(output_dir, "reviews", name)
        os.makedirs(directory, exist_ok=True)
        part = parts[name].assign(label_id=[to_label_id(s) for s in parts[name][LABEL_FEATURE]])
        part[RECORD_COLUMNS].to_json(os.path.join(directory, f"{name}.jsonl"), orient="records", lines=True, force_ascii=False)


def add_split_arguments(parser) -> None:
    """A preparation's options for the course's split (its shares and seed) and balance, as the
    pipelines' parameters give them (``--train-split-percentage`` ... ``--balance-dataset``)."""
    from cli import str2bool

    parser.add_argument("--train-split-percentage", type=float, default=0.9)
    parser.add_argument("--validation-split-percentage", type=float, default=0.05)
    parser.add_argument("--test-split-percentage", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--balance-dataset", type=str2bool, default=True)


def raw_review_files(input_dir: str) -> list[str]:
    """The raw CSV files under a preparation's input folder, in path order; SystemExit when none."""
    paths = sorted(glob.glob(os.path.join(input_dir, "**", "*.csv"), recursive=True))
    if not paths:
        raise SystemExit(f"prepare: no CSV files under {input_dir}")
    return paths


def prepared_splits(df: pd.DataFrame, args) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Cleaned reviews balanced (``--balance-dataset``) and split as the options of
    :func:`add_split_arguments` say: the reviews kept, and the splits."""
    if args.balance_dataset:
        df = balance(df, args.seed)
    return df, split(df, args.train_split_percentage, args.validation_split_percentage, args.test_split_percentage, seed=args.seed)
