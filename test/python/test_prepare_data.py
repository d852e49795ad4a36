"""Tests of the Processing step's feature engineering (prepare_data.py)."""

from __future__ import annotations

import json
from argparse import Namespace

import boto3
import pandas as pd
import pytest
from botocore.stub import Stubber

import prepare_data as prep


def raw(rows):
    return pd.DataFrame(rows, columns=["Review Text", "Rating", "Class Name"])


@pytest.mark.parametrize("rating, sentiment, label", [(1, -1, 0), (2, -1, 0), (3, 0, 1), (4, 1, 2), (5, 1, 2)])
def test_rating_to_sentiment_to_label(rating, sentiment, label):
    assert prep.to_sentiment(rating) == sentiment
    assert prep.to_label_id(sentiment) == label
    assert prep.LABEL_TO_SENTIMENT[label] == sentiment


@pytest.mark.parametrize("bad", [0, 6, "x"])
def test_bad_ratings_are_refused(bad):
    with pytest.raises(ValueError):
        prep.to_sentiment(bad)


def test_bad_sentiment_is_refused():
    with pytest.raises(ValueError, match="expected -1, 0 or 1"):
        prep.to_label_id(2)


def test_clean_drops_empty_reviews_and_rare_categories():
    rows = [(f"good {i}", "5", "Dresses") for i in range(11)] + [("", "5", "Dresses"), ("  ", "1", "Dresses")]
    rows += [(f"ok {i}", "3", "Chemises") for i in range(10)] + [("good 0", "5", "Dresses")]  # the last: a duplicate
    cleaned = prep.clean(raw(rows), min_reviews_per_category=11)
    assert len(cleaned) == 11
    assert set(cleaned["product_category"]) == {"Dresses"}
    assert list(cleaned.columns) == ["review_id", "review_body", "product_category", "sentiment", "label_id"]
    assert cleaned["review_id"].is_unique


def test_review_ids_are_stable_and_content_based(sample_csv):
    first = prep.clean(prep.load_reviews([str(sample_csv)]))
    second = prep.clean(prep.load_reviews([str(sample_csv)]).iloc[::-1].reset_index(drop=True))
    assert set(first["review_id"]) == set(second["review_id"])
    assert first.set_index("review_id").loc[second["review_id"][0], "review_body"] == second["review_body"][0]


def test_clean_names_missing_columns():
    with pytest.raises(ValueError, match="missing columns"):
        prep.clean(pd.DataFrame({"Review Text": ["x"]}))


def test_clean_on_the_sample_drops_the_rare_categories(sample_csv):
    cleaned = prep.clean(prep.load_reviews([str(sample_csv)]))
    assert "Chemises" not in set(cleaned["product_category"])
    assert "Casual bottoms" not in set(cleaned["product_category"])
    assert (cleaned["review_body"].str.len() > 0).all()
    assert set(cleaned["sentiment"]) == {-1, 0, 1}


def test_balance_makes_classes_equal_to_the_smallest():
    df = pd.DataFrame({"sentiment": [1] * 50 + [0] * 20 + [-1] * 10, "x": range(80)})
    balanced = prep.balance(df, seed=1)
    assert balanced["sentiment"].value_counts().to_dict() == {1: 10, 0: 10, -1: 10}
    assert prep.balance(df, seed=1).equals(balanced)


def test_split_ratios_and_stratification():
    df = pd.DataFrame({"sentiment": [1] * 600 + [0] * 200 + [-1] * 200, "review_id": range(1000)})
    parts = prep.split(df, 0.9, 0.05, 0.05, seed=42)
    assert {name: len(part) for name, part in parts.items()} == {"train": 900, "validation": 50, "test": 50}
    for part in parts.values():
        shares = part["sentiment"].value_counts(normalize=True)
        assert shares[1] == pytest.approx(0.6, abs=0.02)
        assert shares[-1] == pytest.approx(0.2, abs=0.02)
    ids = [set(part["review_id"]) for part in parts.values()]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    assert set().union(*ids) == set(range(1000))


@pytest.mark.parametrize("shares", [(0.9, 0.1, 0.1), (1.2, -0.1, -0.1)])
def test_split_refuses_shares_that_do_not_add_up(shares):
    with pytest.raises(ValueError, match="add up to 1"):
        prep.split(pd.DataFrame({"sentiment": [1, 0, -1]}), *shares, seed=0)


def test_tokenize_pads_and_truncates_to_max_seq_length(tiny_tokenizer):
    ids = prep.tokenize(["short", "a much longer review " * 40], tiny_tokenizer, max_seq_length=24)
    assert [len(x) for x in ids] == [24, 24]
    assert ids[0][0] == tiny_tokenizer.bos_token_id
    assert ids[0][-1] == tiny_tokenizer.pad_token_id
    assert ids[1][-1] == tiny_tokenizer.eos_token_id


def test_feature_records_follow_the_feature_group_schema():
    df = pd.DataFrame(
        {"review_id": ["7"], "sentiment": [-1], "label_id": [0], "input_ids": [[0, 5, 2]], "review_body": ["bad, \"really\""], "product_category": ["Knits"]}
    )
    [record] = prep.feature_records(df, "test", "2026-01-02T03:04:05Z")
    assert record == [
        {"FeatureName": "review_id", "ValueAsString": "7"},
        {"FeatureName": "date", "ValueAsString": "2026-01-02T03:04:05Z"},
        {"FeatureName": "sentiment", "ValueAsString": "-1"},
        {"FeatureName": "label_id", "ValueAsString": "0"},
        {"FeatureName": "input_ids", "ValueAsString": "[0, 5, 2]"},
        {"FeatureName": "review_body", "ValueAsString": 'bad, "really"'},
        {"FeatureName": "product_category", "ValueAsString": "Knits"},
        {"FeatureName": "split_type", "ValueAsString": "test"},
    ]


def stubbed_featurestore():
    client = boto3.client("sagemaker-featurestore-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def test_ingest_puts_every_record_into_the_group():
    client, stubber = stubbed_featurestore()
    records = [[{"FeatureName": "review_id", "ValueAsString": str(i)}] for i in range(3)]
    for record in records:
        stubber.add_response("put_record", {}, {"FeatureGroupName": "pds-test-reviews", "Record": record})
    with stubber:
        assert prep.ingest(records, "pds-test-reviews", client) == 3
    stubber.assert_no_pending_responses()


def test_the_step_end_to_end(tmp_path, sample_csv, tiny_pretrained):
    input_dir = tmp_path / "input"
    input_dir.mkdir()
    (input_dir / "reviews.csv").write_bytes(sample_csv.read_bytes())
    args = Namespace(
        input_dir=str(input_dir),
        tokenizer_dir=str(tiny_pretrained),
        output_dir=str(tmp_path / "output"),
        train_split_percentage=0.9,
        validation_split_percentage=0.05,
        test_split_percentage=0.05,
        balance_dataset=True,
        max_seq_length=16,
        min_reviews_per_category=11,
        seed=42,
        feature_group_name="pds-test-reviews",
        event_time="2026-01-02T03:04:05Z",
        managed_baselines={"data_bias": {"DPL": 0.5, "KL": 1.0}, "model_bias": {"DPPL": 0.5, "DI": 0.3}, "min_group_size": 2},
    )
    client, stubber = stubbed_featurestore()
    put = []
    client.put_record = lambda **kwargs: put.append(kwargs)  # counted here; the stubbed path is tested above
    counts = prep.run(args, featurestore_client=client)
    total = sum(counts.values())
    assert counts["train"] == pytest.approx(0.9 * total, abs=3)
    assert len(put) == total
    assert {kw["FeatureGroupName"] for kw in put} == {"pds-test-reviews"}
    lines = (tmp_path / "output" / "sentiment" / "train" / "train.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert set(first) == {"review_id", "input_ids", "label_id", "sentiment", "review_body", "product_category"}
    assert len(first["input_ids"]) == 16
    reviews = pd.read_parquet(tmp_path / "output" / "reviews" / "reviews.parquet")
    assert list(reviews.columns) == ["sentiment", "review_body", "product_category"]
    assert str(reviews["sentiment"].dtype) == "int32"
    # The table keeps the imbalance; the splits are balanced.
    assert reviews["sentiment"].value_counts().nunique() == 3
    assert len(reviews) > total
    train = [json.loads(line) for line in lines]
    assert len({r["sentiment"] for r in train}) == 3

    # For the managed engine: the configured bias limits as Clarify baselines, per facet value of
    # the split each check reads, and the columns Model Monitor profiles.
    baselines = tmp_path / "output" / "managed-baselines"
    pre = json.loads((baselines / "bias" / "pre_training_constraints.json").read_text())
    categories = {r["product_category"] for r in train}
    entries = pre["pre_training_bias_metrics"]["facets"]["product_category"]
    assert {e["value_or_threshold"] for e in entries} == categories
    assert entries[0]["metrics"][0] == {"name": "DPL", "description": "Difference in Positive Proportions in Labels (DPL)", "value": 0.5}
    post = json.loads((baselines / "bias" / "post_training_constraints.json").read_text())
    test_lines = (tmp_path / "output" / "sentiment" / "test" / "test.jsonl").read_text().splitlines()
    test_categories = {json.loads(line)["product_category"] for line in test_lines}
    assert {e["value_or_threshold"] for e in post["post_training_bias_metrics"]["facets"]["product_category"]} <= test_categories
    profiled = [json.loads(line) for line in (baselines / "data-quality" / "train.jsonl").read_text().splitlines()]
    assert len(profiled) == counts["train"] and set(profiled[0]) == {"sentiment", "label_id", "product_category", "review_words"}


def test_without_managed_baselines_nothing_is_written_for_them(tmp_path):
    args = prep.parse_args(["--output-dir", str(tmp_path)])
    assert args.managed_baselines is None
    with pytest.raises(SystemExit):
        prep.parse_args(["--managed-baselines", '{"data_bias": {}}'])
