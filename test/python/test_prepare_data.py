"""Tests of the Processing step's feature engineering (prepare_data.py)."""

from __future__ import annotations

import json

import boto3
import pandas as pd
import pytest
from botocore.stub import Stubber

import feature_ingest
from conftest import bert

prep = bert("prepare_data")


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
    df = pd.DataFrame({"sentiment": [1] * 50 + [0] * 20 + [-1] * 10, "review_id": [f"r{i}" for i in range(80)]})
    balanced = prep.balance(df, seed=1)
    assert balanced["sentiment"].value_counts().to_dict() == {1: 10, 0: 10, -1: 10}
    assert prep.balance(df, seed=1).equals(balanced)
    # The reviews kept depend on the reviews, not on the order they arrive in.
    shuffled = prep.balance(df.sample(frac=1.0, random_state=7), seed=1)
    assert set(shuffled["review_id"]) == set(balanced["review_id"])


def reviews(n: int, shares=(0.6, 0.2, 0.2)) -> pd.DataFrame:
    counts = [int(n * share) for share in shares]
    sentiments = [1] * counts[0] + [0] * counts[1] + [-1] * counts[2]
    return pd.DataFrame({"sentiment": sentiments, "review_id": [f"review-{i}" for i in range(len(sentiments))]})


def test_split_ratios_and_stratification():
    df = reviews(20_000)
    parts = prep.split(df, 0.9, 0.05, 0.05, seed=42)
    sizes = {name: len(part) for name, part in parts.items()}
    assert sizes["train"] == pytest.approx(18_000, rel=0.02)
    assert sizes["validation"] == pytest.approx(1_000, rel=0.1) and sizes["test"] == pytest.approx(1_000, rel=0.1)
    for sentiment, size in df["sentiment"].value_counts().items():  # each class split in the given shares
        share = {name: (part["sentiment"] == sentiment).sum() / size for name, part in parts.items()}
        assert share["train"] == pytest.approx(0.9, abs=0.02)
        assert share["validation"] == pytest.approx(0.05, abs=0.015) and share["test"] == pytest.approx(0.05, abs=0.015)
    ids = [set(part["review_id"]) for part in parts.values()]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    assert set().union(*ids) == set(df["review_id"])


def split_of(parts: dict) -> dict:
    return {review: name for name, part in parts.items() for review in part["review_id"]}


@pytest.mark.parametrize("shards", [2, 3, 5])
def test_a_reviews_split_does_not_depend_on_how_many_shards_prepared_it(shards):
    df = reviews(3_000).sample(frac=1.0, random_state=1).reset_index(drop=True)
    whole = split_of(prep.split(df, 0.8, 0.1, 0.1, seed=42))
    sharded = {}
    for index in range(shards):  # each shard a different subset, as ShardedByS3Key gives files
        sharded.update(split_of(prep.split(df.iloc[index::shards], 0.8, 0.1, 0.1, seed=42)))
    assert sharded == whole
    # Another seed is another split.
    assert split_of(prep.split(df, 0.8, 0.1, 0.1, seed=43)) != whole


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


def test_the_tokenizer_file_gives_the_ids_transformers_gives(tiny_pretrained, tiny_tokenizer, sample_texts):
    texts = [*sample_texts[:300], "", "a much longer review " * 40, "émigré café, “quoted”"]
    fast = prep.TokenizerFile(str(tiny_pretrained))
    for length in (24, 16):
        assert fast(texts, max_length=length)["input_ids"] == prep.tokenize(texts, tiny_tokenizer, length)
    assert isinstance(prep.load_tokenizer(str(tiny_pretrained)), prep.TokenizerFile)


def test_encoding_in_worker_processes_keeps_the_order(tiny_pretrained, sample_texts):
    fast = prep.TokenizerFile(str(tiny_pretrained))
    texts = (sample_texts * 3)[: prep.CHUNK_ROWS * 2 + 17]
    assert prep.encode(texts, fast, 16, workers=2) == prep.encode(texts, fast, 16, workers=1) == [prep.ids_text(ids) for ids in prep.tokenize(texts, fast, 16)]


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


def test_ingest_one_at_a_time_puts_every_record_into_the_group():
    client, stubber = stubbed_featurestore()
    records = [[{"FeatureName": "review_id", "ValueAsString": str(i)}] for i in range(3)]
    for record in records:
        stubber.add_response("put_record", {}, {"FeatureGroupName": "pds-test-reviews", "Record": record})
    with stubber:
        assert feature_ingest.ingest(records, "pds-test-reviews", client, in_flight=1).put == 3
    stubber.assert_no_pending_responses()


def step_args(tmp_path, input_dir, *extra: str):
    return prep.parse_args(
        [
            "--input-dir", str(input_dir), "--output-dir", str(tmp_path / "output"),
            "--train-split-percentage", "0.9", "--validation-split-percentage", "0.05", "--test-split-percentage", "0.05",
            "--max-seq-length", "16", "--seed", "42", "--feature-group-name", "pds-test-reviews", "--event-time", "2026-01-02T03:04:05Z",
            "--resource-config", str(tmp_path / "no-cluster.json"), *extra,
        ]
    )


def test_the_step_end_to_end(tmp_path, sample_csv, tiny_pretrained):
    input_dir = tmp_path / "input"
    input_dir.mkdir()
    (input_dir / "reviews.csv").write_bytes(sample_csv.read_bytes())
    args = step_args(
        tmp_path, input_dir, "--tokenizer-dir", str(tiny_pretrained), "--workers", "2",
        "--managed-baselines", json.dumps({"data_bias": {"DPL": 0.5, "KL": 1.0}, "model_bias": {"DPPL": 0.5, "DI": 0.3}, "min_group_size": 2}),
    )
    client, stubber = stubbed_featurestore()
    put = []
    client.put_record = lambda **kwargs: put.append(kwargs)  # counted here; the stubbed path is tested above
    counts = prep.run(args, featurestore_client=client)
    total = sum(counts.values())
    assert counts["train"] == pytest.approx(0.9 * total, abs=25)  # each review by its id: about 0.9
    assert len(put) == total
    assert {kw["FeatureGroupName"] for kw in put} == {"pds-test-reviews"}
    lines = (tmp_path / "output" / "sentiment" / "train" / "train-algo-1.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert set(first) == {"review_id", "input_ids", "label_id", "sentiment", "review_body", "product_category"}
    assert len(first["input_ids"]) == 16
    reviews = pd.read_parquet(tmp_path / "output" / "reviews" / "reviews-algo-1.parquet")
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
    test_lines = (tmp_path / "output" / "sentiment" / "test" / "test-algo-1.jsonl").read_text().splitlines()
    test_categories = {json.loads(line)["product_category"] for line in test_lines}
    assert {e["value_or_threshold"] for e in post["post_training_bias_metrics"]["facets"]["product_category"]} <= test_categories
    profiled = [json.loads(line) for line in (baselines / "data-quality" / "train-algo-1.jsonl").read_text().splitlines()]
    assert len(profiled) == counts["train"] and set(profiled[0]) == {"sentiment", "label_id", "product_category", "review_words"}


def test_without_managed_baselines_nothing_is_written_for_them(tmp_path):
    args = prep.parse_args(["--output-dir", str(tmp_path)])
    assert args.managed_baselines is None
    with pytest.raises(SystemExit):
        prep.parse_args(["--managed-baselines", '{"data_bias": {}}'])


def cluster(tmp_path, host: str, hosts: list[str]):
    path = tmp_path / f"resourceconfig-{host}.json"
    path.write_text(json.dumps({"current_host": host, "hosts": hosts}))
    return path


def test_an_instance_the_sharded_input_gave_no_file_finishes_cleanly(tmp_path, capsys):
    empty = tmp_path / "input"
    empty.mkdir()
    args = step_args(tmp_path, empty, "--resource-config", str(cluster(tmp_path, "algo-3", ["algo-1", "algo-2", "algo-3"])))
    assert prep.run(args) == {}
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"host": "algo-3", "hosts": 3, "records": {}, "note": "no input file on this instance"}
    assert not (tmp_path / "output" / "sentiment").exists()


def test_without_files_one_instance_and_the_first_of_a_managed_run_fail_clearly(tmp_path):
    empty = tmp_path / "input"
    empty.mkdir()
    with pytest.raises(ValueError, match=r"no input CSV files found \(--input-dir, the raw-input-data input\)"):
        prep.run(step_args(tmp_path, empty))
    managed = ["--managed-baselines", json.dumps({"data_bias": {}, "model_bias": {}, "min_group_size": 2})]
    first = step_args(tmp_path, empty, *managed, "--resource-config", str(cluster(tmp_path, "algo-1", ["algo-1", "algo-2"])))
    with pytest.raises(ValueError, match=r"algo-1 got no raw file, .* at least as many files as ProcessingInstanceCount \(2\)"):
        prep.run(first)


def test_every_instance_stamps_the_event_time_it_is_given_in_the_contracts_format():
    assert prep.parse_args(["--event-time", "2026-01-02T03:04:05.678Z"]).event_time == "2026-01-02T03:04:05Z"
    assert prep.parse_args(["--event-time", "2026-01-02T04:04:05+01:00"]).event_time == "2026-01-02T03:04:05Z"
    assert prep.parse_args([]).event_time == ""
    with pytest.raises(SystemExit):
        prep.parse_args(["--event-time", "yesterday"])
    with pytest.raises(SystemExit):
        prep.parse_args(["--workers", "0"])


def test_split_and_balance_pick_rows_by_position_whatever_the_index():
    df = reviews(600)
    df.index = [0] * len(df)  # an index of one repeated label
    parts = prep.split(df, 0.8, 0.1, 0.1, seed=42)
    assert sum(len(p) for p in parts.values()) == len(df)
    assert sorted(r for p in parts.values() for r in p["review_id"]) == sorted(df["review_id"])
    balanced = prep.balance(df, seed=1)
    assert balanced["sentiment"].value_counts().to_dict() == {1: 120, 0: 120, -1: 120}
