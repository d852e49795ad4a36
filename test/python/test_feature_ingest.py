"""Feature Store ingestion (feature_ingest.py, and the Processing step's use of it): many records in
flight, retried on throttling and transient errors by boto3's standard retries, the records that
still fail written with their error and the step failing naming how many.

boto3 talks HTTP to the local runner's Feature Store stand-in, which answers after a latency and
injects errors where a test asks, so the real client, its retry mode and its connection pool are
what is tested."""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest

import feature_ingest
from conftest import bert
from local_runner.aws_standins import AwsStandIns

prep = bert("prepare_data")

GROUP = "pds-test-reviews"
SCHEMA = {
    "featureGroupName": GROUP,
    "recordIdentifier": "review_id",
    "eventTime": "date",
    "features": [{"name": "review_id", "type": "String"}, {"name": "date", "type": "String"}, {"name": "sentiment", "type": "Integral"}],
}


def records(n: int) -> list[list[dict]]:
    return [
        [{"FeatureName": "review_id", "ValueAsString": f"r{i}"}, {"FeatureName": "date", "ValueAsString": "2026-01-02T03:04:05Z"}, {"FeatureName": "sentiment", "ValueAsString": "1"}]
        for i in range(n)
    ]


def review_id(record: list[dict]) -> str:
    return next(v["ValueAsString"] for v in record if v["FeatureName"] == "review_id")


@pytest.fixture
def client_for(monkeypatch):
    """A real boto3 Feature Store client pointed at a stand-in."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    def make(standin: AwsStandIns, in_flight: int = feature_ingest.DEFAULT_IN_FLIGHT, max_attempts: int = feature_ingest.DEFAULT_MAX_ATTEMPTS):
        monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_FEATURESTORE_RUNTIME", standin.endpoint)
        return feature_ingest.client(in_flight, max_attempts)

    return make


def test_sixteen_records_are_in_flight_by_default_and_every_one_is_put(tmp_path, client_for):
    with AwsStandIns({GROUP: SCHEMA}, tmp_path, put_record_latency=0.25) as standin:
        done = feature_ingest.ingest(records(64), GROUP, client_for(standin))
    assert (done.put, done.failed) == (64, [])
    assert standin.in_flight_peak == feature_ingest.DEFAULT_IN_FLIGHT == 16
    stored = [json.loads(line)["record"] for line in (tmp_path / f"{GROUP}.jsonl").read_text().splitlines()]
    assert sorted(review_id(r) for r in stored) == sorted(f"r{i}" for i in range(64))


def test_throttled_and_unavailable_calls_are_retried_until_they_land(tmp_path, client_for):
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def faults(record):  # each record throttled once, then the service unavailable once
        with lock:
            seen[review_id(record)] += 1
            return {1: "ThrottlingException", 2: "ServiceUnavailable"}.get(seen[review_id(record)])

    with AwsStandIns({GROUP: SCHEMA}, tmp_path, put_record_faults=faults) as standin:
        done = feature_ingest.ingest(records(20), GROUP, client_for(standin, in_flight=4))
    assert (done.put, done.failed) == (20, [])
    assert set(seen.values()) == {3}
    assert standin.calls["sagemaker-featurestore-runtime:PutRecord"] == 60


def test_sustained_throttling_is_retried_for_every_record_with_no_retry_quota(tmp_path, client_for):
    # 64 records throttled twice each: 128 retries, more than botocore's standard mode allows a
    # client (its quota of 500 spends 5 per throttled retry) before successes refund it.
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def faults(record):
        with lock:
            seen[review_id(record)] += 1
            return "ThrottlingException" if seen[review_id(record)] <= 2 else None

    with AwsStandIns({GROUP: SCHEMA}, tmp_path, put_record_faults=faults) as standin:
        done = feature_ingest.ingest(records(64), GROUP, client_for(standin), in_flight=16)
    assert (done.put, [error for _, error in done.failed]) == (64, [])
    assert set(seen.values()) == {3}


def test_records_that_still_fail_are_kept_with_their_error_and_the_others_go_on(tmp_path, client_for):
    def faults(record):
        return "InternalFailure" if review_id(record) == "r3" else None

    bad = records(8)
    bad[5][2]["ValueAsString"] = "one"  # not Integral: refused, not retried
    with AwsStandIns({GROUP: SCHEMA}, tmp_path, put_record_faults=faults) as standin:
        done = feature_ingest.ingest(bad, GROUP, client_for(standin, in_flight=4, max_attempts=2))
    assert done.put == 6
    errors = {review_id(record): error for record, error in done.failed}
    assert errors["r3"] == "InternalFailure: InternalFailure (injected) (after 2 attempts)"
    assert errors["r5"].startswith("ValidationError: feature 'sentiment' is Integral but got 'one'") and errors["r5"].endswith("(after 1 attempt)")
    feature_ingest.write_failures(done.failed, str(tmp_path / "failed.jsonl"))
    written = [json.loads(line) for line in (tmp_path / "failed.jsonl").read_text().splitlines()]
    assert [w["record"]["review_id"] for w in written] == ["r3", "r5"]
    assert written[0] == {"record": {"review_id": "r3", "date": "2026-01-02T03:04:05Z", "sentiment": "1"}, "error": errors["r3"]}


def test_in_flight_must_be_at_least_one():
    with pytest.raises(ValueError, match=r"--ingest-in-flight \(FeatureIngestInFlight\) is 0; at least 1"):
        feature_ingest.ingest(records(1), GROUP, object(), in_flight=0)
    with pytest.raises(SystemExit):
        prep.parse_args(["--ingest-in-flight", "0"])


def test_the_step_writes_the_records_it_could_not_ingest_and_fails_naming_how_many(tmp_path, sample_csv, tiny_pretrained, client_for):
    from test_prepare_data import step_args

    input_dir = tmp_path / "input"
    input_dir.mkdir()
    (input_dir / "reviews.csv").write_bytes(sample_csv.read_bytes())
    args = step_args(tmp_path, input_dir, "--tokenizer-dir", str(tiny_pretrained), "--workers", "1")
    schema = {**SCHEMA, "features": [{"name": name, "type": kind} for name, kind in prep.REVIEWS_FEATURES.items()]}
    refused = set()

    def faults(record):
        if review_id(record).startswith("0"):  # about one in 16 ids (hex)
            refused.add(review_id(record))
            return "InternalFailure"
        return None

    with AwsStandIns({GROUP: schema}, tmp_path / "fs", put_record_faults=faults) as standin:
        with pytest.raises(prep.IngestFailed) as failed:
            prep.run(args, featurestore_client=client_for(standin, max_attempts=1))
    failures = tmp_path / "output" / "ingest-failures" / "failed-algo-1.jsonl"
    written = [json.loads(line) for line in failures.read_text().splitlines()]
    assert {w["record"]["review_id"] for w in written} == refused and refused
    total = sum(1 for split in ("train", "validation", "test") for _ in (tmp_path / "output" / "sentiment" / split / f"{split}-algo-1.jsonl").open())
    assert str(failed.value).startswith(f"{len(refused)} of {total} records could not be put into feature group {GROUP}")
    assert str(failures) in str(failed.value)
    assert standin.accepted[GROUP] == total - len(refused)


def test_records_shared_over_processes_are_all_put_and_their_failures_gathered(tmp_path, client_for):
    def faults(record):
        return "InternalFailure" if review_id(record) in ("r2", "r7") else None

    with AwsStandIns({GROUP: SCHEMA}, tmp_path, put_record_faults=faults) as standin:
        client_for(standin)  # points the processes' clients at the stand-in
        done = feature_ingest.ingest_in_processes(records(12), GROUP, in_flight=4, processes=2, max_attempts=1)
    assert done.put == 10 and sorted(review_id(r) for r, _ in done.failed) == ["r2", "r7"]
    assert standin.accepted[GROUP] == 10
