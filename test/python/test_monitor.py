"""The drift monitor (monitor.py) and Model Monitor's record preprocessor on hand-made captures.

S3, SageMaker and CloudWatch are real boto3 clients with botocore's Stubber: every call the
monitor makes must be one the test expects, with exactly these parameters, in this order.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

import data_quality as dq
import monitor
import monitor_preprocessor as preprocessor
from classification import classification_metrics
from conftest import bert

ARN = "arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-dev-bert-sentiment/3"
ENDPOINT = "pds-dev-bert-sentiment"
BUCKET = "pds-dev-lake"
CAPTURE = f"data-capture/{ENDPOINT}/"
GROUND_TRUTH = f"ground-truth/{ENDPOINT}/"
END = datetime(2026, 11, 28, 15, tzinfo=timezone.utc)
NAMESPACE = "PracticalDataScience/ModelMonitoring"
WORDS = range(5, 61)  # the review lengths of the baseline: 56 distinct, so profiled by deciles


@pytest.fixture(autouse=True)
def no_real_credentials(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


# Captures and ground truth as the endpoint and the labellers write them.


def review(words: int) -> dict:
    return {"features": [" ".join(["fine"] * words)]}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def capture(requests: list, labels: list[int], *, time: str = "2026-11-28T14:05:01Z", event_id: str = "event-1", inference_id: str | None = None, encoding: str = "JSON") -> dict:
    request = "".join(json.dumps(line) + "\n" for line in requests)
    response = "".join(json.dumps({"predicted_label": label, "confidence": 0.9, "probabilities": {"-1": 0.05, "0": 0.05, "1": 0.9}}) + "\n" for label in labels)
    if encoding == "BASE64":
        request, response = b64(request), b64(response)
    metadata = {"eventId": event_id, "inferenceTime": time, **({"inferenceId": inference_id} if inference_id else {})}
    return {
        "captureData": {
            "endpointInput": {"observedContentType": "application/jsonlines", "mode": "INPUT", "data": request, "encoding": encoding},
            "endpointOutput": {"observedContentType": "application/jsonlines", "mode": "OUTPUT", "data": response, "encoding": encoding},
        },
        "eventMetadata": metadata,
        "eventVersion": "0",
    }


def ground_truth(event_id: str, label, encoding: str = "CSV") -> dict:
    return {"groundTruthData": {"data": label, "encoding": encoding}, "eventMetadata": {"eventId": event_id}, "eventVersion": "0"}


def data_quality_baseline() -> tuple[dict, dict]:
    """Statistics and constraints of a class-balanced training split, as the data-quality gate writes them."""
    records = [
        {"sentiment": sentiment, "label_id": sentiment + 1, "product_category": "Dresses", "review_body": review(words)["features"][0]}
        for sentiment in (-1, 0, 1)
        for words in WORDS
    ]
    stats = dq.statistics(dq.project(records), dq.COLUMNS)
    return stats, dq.suggest_constraints(stats)


MODEL_QUALITY_CONSTRAINTS = {"version": 0.0, "multiclass_classification_constraints": {"accuracy": {"threshold": 0.8, "comparison_operator": "LessThanThreshold"}}}


# The stubbed account.


class Aws:
    """Stubbed clients over a bucket whose objects are ``key → records`` (JSON lines) or a document."""

    def __init__(self, objects: dict[str, list | dict] | None = None):
        names = ("s3", "sagemaker", "cloudwatch")
        self.clients = {name: boto3.client(name, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test") for name in names}
        self.stubs = {name: Stubber(client) for name, client in self.clients.items()}
        self.objects = objects or {}

    def body(self, key: str) -> bytes:
        content = self.objects[key]
        return ("".join(json.dumps(r) + "\n" for r in content) if isinstance(content, list) else json.dumps(content)).encode()

    def read(self, key: str) -> None:
        data = self.body(key)
        self.stubs["s3"].add_response("get_object", {"Body": StreamingBody(io.BytesIO(data), len(data))}, {"Bucket": BUCKET, "Key": key})

    def package(self, read: str | None = None, **baselines: dict[str, str]) -> None:
        """DescribeModelPackage answering with these DriftCheckBaselines (kind → member → key), then
        the reads of the ``read`` kind's members."""
        drift = {kind: {member: {"ContentType": "application/json", "S3Uri": f"s3://{BUCKET}/{key}"} for member, key in members.items()} for kind, members in baselines.items()}
        response = {
            "ModelPackageName": "pds-dev-bert-sentiment",
            "ModelPackageArn": ARN,
            "CreationTime": datetime(2026, 11, 1, tzinfo=timezone.utc),
            "ModelPackageStatus": "Completed",
            "ModelPackageStatusDetails": {"ValidationStatuses": []},
            **({"DriftCheckBaselines": drift} if drift else {}),
        }
        self.stubs["sagemaker"].add_response("describe_model_package", response, {"ModelPackageName": ARN})
        for member in ("Statistics", "Constraints"):
            if read and member in baselines[read]:
                self.read(baselines[read][member])

    def list(self, prefix: str, folders: bool = False) -> list[str]:
        under = sorted(key for key in self.objects if key.startswith(prefix))
        if folders:
            found = sorted({prefix + key[len(prefix) :].split("/")[0] + "/" for key in under if "/" in key[len(prefix) :]})
            response, params = {"CommonPrefixes": [{"Prefix": p} for p in found]}, {"Delimiter": "/"}
        else:
            found = under
            response, params = {"Contents": [{"Key": key, "Size": len(self.body(key))} for key in found]}, {}
        self.stubs["s3"].add_response("list_objects_v2", response, {"Bucket": BUCKET, "Prefix": prefix, **params})
        return found

    def captures(self, hours: list[str], variant: str = "") -> None:
        """The monitor's reading of the capture: the variants (unless one is given), each one's hour
        folders, then the objects."""
        variants = [f"{CAPTURE}{variant}/"] if variant else self.list(CAPTURE, folders=True)
        keys = [key for folder in variants for hour in hours for key in self.list(f"{folder}{hour}/")]
        for key in keys:
            if key.endswith(".jsonl"):
                self.read(key)

    def ground_truth(self, hours: list[str]) -> None:
        keys = [key for hour in hours for key in self.list(f"{GROUND_TRUTH}{hour}/")]
        for key in keys:
            self.read(key)

    def metrics(self, *batches: list[tuple[str, float, str]], dimensions: list[dict] | None = None) -> None:
        dimensions = dimensions or [{"Name": "Endpoint", "Value": ENDPOINT}]
        for batch in batches:
            data = [{"MetricName": name, "Dimensions": dimensions, "Timestamp": END, "Value": value, "Unit": unit} for name, value, unit in batch]
            self.stubs["cloudwatch"].add_response("put_metric_data", {}, {"Namespace": NAMESPACE, "MetricData": data})

    def run(self, tmp_path: Path, *argv: str, now: datetime = END + timedelta(minutes=20)) -> tuple[int, dict]:
        out = tmp_path / "out"
        for stub in self.stubs.values():
            stub.activate()
        try:
            code = monitor.run(monitor.parse_args([*argv, "--endpoint-name", ENDPOINT, "--model-package-arn", ARN, "--output-dir", str(out)]), **self.clients, now=now)
        finally:
            for stub in self.stubs.values():
                stub.deactivate()
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()
        report = out / "monitor.json"
        return code, json.loads(report.read_text()) if report.exists() else {}


def drift_account(objects: dict) -> Aws:
    stats, constraints = data_quality_baseline()
    aws = Aws({"baselines/statistics.json": stats, "baselines/constraints.json": constraints, **objects})
    aws.package("ModelDataQuality", ModelDataQuality={"Statistics": "baselines/statistics.json", "Constraints": "baselines/constraints.json"})
    return aws


DRIFT = ("data-drift", "--capture-uri", f"s3://{BUCKET}/{CAPTURE}", "--end", "2026-11-28T15:00:00Z")


# Reading captures.


def test_a_capture_pairs_each_request_line_with_its_prediction_in_every_encoding_and_input_shape():
    shapes = [{"features": ["I love this dress"]}, {"review_body": "too small"}, "runs large"]
    for encoding in ("JSON", "BASE64"):
        record = capture(shapes, [1, -1, 0], encoding=encoding)["captureData"]
        assert preprocessor.request_pairs(record["endpointInput"], record["endpointOutput"]) == [("I love this dress", 1), ("too small", -1), ("runs large", 0)]


def test_the_request_shapes_are_those_the_endpoint_accepts():
    inference = bert("inference")
    body = '{"features": ["I love this dress"]}\n{"review_body": "too small"}\n"runs large"\n'
    assert preprocessor.request_texts(body) == inference.input_fn(body)
    with pytest.raises(ValueError, match="each request line must be"):
        preprocessor.request_texts('{"text": "no"}')


def test_a_capture_that_cannot_be_paired_says_why():
    record = capture([review(3), review(4)], [1])["captureData"]
    with pytest.raises(ValueError, match="the request has 2 reviews and the response 1 predictions"):
        preprocessor.request_pairs(record["endpointInput"], record["endpointOutput"])
    with pytest.raises(ValueError, match="capture encoding 'XML' is not supported"):
        preprocessor.decode("<a/>", "XML")


def test_records_answered_with_an_error_record_are_left_out_and_json_documents_are_read_whole():
    record = capture([{"features": ["fine"]}, {"text": "unreadable"}, {"features": ["also fine"]}], [1, 0, -1])["captureData"]
    answers = [{"predicted_label": 1, "confidence": 0.9}, {"error": "line 2: no text"}, {"predicted_label": -1, "confidence": 0.8}]
    record["endpointOutput"]["data"] = "".join(json.dumps(a) + "\n" for a in answers)
    assert preprocessor.request_lines(record["endpointInput"], record["endpointOutput"]) == [("fine", 1), (None, None), ("also fine", -1)]
    assert preprocessor.request_pairs(record["endpointInput"], record["endpointOutput"]) == [("fine", 1), ("also fine", -1)]
    # A captured application/json request: one document, an array of objects, answered with an array.
    document = {"observedContentType": "application/json", "mode": "INPUT", "encoding": "JSON",
                "data": json.dumps([{"features": ["a"]}, {"review_body": "b"}], indent=2)}
    answer = {"observedContentType": "application/json", "mode": "OUTPUT", "encoding": "JSON",
              "data": json.dumps([{"predicted_label": 0}, {"error": "item 2: model failed"}])}
    assert preprocessor.request_pairs(document, answer) == [("a", 0)]
    with pytest.raises(ValueError, match="each response line must be"):
        preprocessor.request_pairs(document, {**answer, "data": json.dumps([{"x": 1}, {"x": 2}])})


def test_ground_truth_labels_a_request_only_when_its_first_record_was_scored():
    first_failed = monitor.Capture("r1", END, [("b", 1)], None)
    scored = monitor.Capture("r2", END, [("c", -1)], -1)
    assert monitor.join([first_failed, scored], {"r1": 1, "r2": 0}) == ([0], [-1])


def test_a_request_captured_twice_under_one_inference_id_counts_once():
    # Human review calls the endpoint again, with the same inference id, when a call timed out.
    first = monitor.Capture("r1", END, [("a", 1)], 1)
    again = monitor.Capture("r1", END, [("a", 1)], 0)
    other = monitor.Capture("r2", END, [("b", -1)], -1)
    assert monitor.join([first, again, other], {"r1": 1, "r2": -1}) == ([1, -1], [1, -1])


def test_the_hour_folders_of_a_window():
    hours = monitor.hours(datetime(2026, 11, 28, 13, 30, tzinfo=timezone.utc), datetime(2026, 11, 28, 15, 30, tzinfo=timezone.utc))
    assert [f"{h:%H}" for h in hours] == ["13", "14", "15"]
    assert monitor.parse_time("2026-11-28T14:05:01.123Z") == datetime(2026, 11, 28, 14, 5, 1, 123000, tzinfo=timezone.utc)


def test_the_window_reads_every_variant_in_its_hour_folders_and_skips_records_outside_it(tmp_path):
    aws = drift_account(
        {
            # Never listed: the hour before the window.
            f"{CAPTURE}VariantA/2026/11/28/12/a.jsonl": [capture([review(10)], [1], time="2026-11-28T12:30:00Z")],
            f"{CAPTURE}VariantA/2026/11/28/13/a.jsonl": [capture([review(10)], [1], time="2026-11-28T13:10:00Z"), capture([review(10)], [1], time="2026-11-28T12:59:59Z")],
            f"{CAPTURE}VariantA/2026/11/28/14/a.jsonl": [capture([review(10), review(12)], [1, 0], time="2026-11-28T14:59:59Z"), capture([review(10)], [1], time="2026-11-28T15:00:00Z")],
            f"{CAPTURE}VariantB/2026/11/28/14/b.jsonl": [capture([review(20)], [-1], time="2026-11-28T14:20:00Z", encoding="BASE64"), {"captureData": {}}],
            f"{CAPTURE}VariantB/2026/11/28/14/notes.txt": "not a capture",
        }
    )
    aws.captures(["2026/11/28/13", "2026/11/28/14"])
    code, report = aws.run(tmp_path, *DRIFT, "--window-hours", "2", "--publish", "false")
    assert code == 0
    assert report["window"] == {"start": "2026-11-28T13:00:00+00:00", "end": "2026-11-28T15:00:00+00:00"}
    assert (report["captured_requests"], report["captured_records"]) == (3, 4)
    assert report["unreadable_records"] == 1
    assert report["problems"] == [f"s3://{BUCKET}/{CAPTURE}VariantB/2026/11/28/14/b.jsonl line 2: no 'eventMetadata' field"]


# data-drift


def test_no_input_drift_and_prediction_drift_that_is_reported_not_counted(tmp_path):
    # The baseline's review lengths, three lines a request, all predicted positive.
    requests = [capture([review(words)] * 3, [1, 1, 1], event_id=f"e-{words}") for words in WORDS]
    aws = drift_account({f"{CAPTURE}VariantA/2026/11/28/14/a.jsonl": requests})
    aws.captures(["2026/11/28/14"])
    aws.metrics(
        [
            ("feature_baseline_drift_review_words", 0.0, "None"),
            ("prediction_baseline_drift_sentiment", pytest.approx(2 / 3), "None"),
            ("data_quality_violations", 0, "Count"),
            ("captured_records", 168, "Count"),
        ]
    )
    code, report = aws.run(tmp_path, *DRIFT)
    assert code == 0
    assert report["distances"] == {"review_words": 0.0, "sentiment": pytest.approx(2 / 3)}
    assert report["violations"] == []
    assert [(v["feature_name"], v["constraint_check_type"]) for v in report["prediction_violations"]] == [("sentiment", "baseline_drift_check")]
    # The baseline's label_id and product_category are not captured: they are not violations.
    violations = json.loads((tmp_path / "out" / "constraint_violations.json").read_text())["violations"]
    assert violations == report["prediction_violations"]
    stats = json.loads((tmp_path / "out" / "statistics.json").read_text())
    assert stats["dataset"] == {"item_count": 168}
    assert [f["name"] for f in stats["features"]] == ["review_words", "sentiment"]


def test_input_drift_is_a_counted_violation(tmp_path):
    requests = [capture([review(150)], [label], event_id=f"e-{i}") for i, label in enumerate([-1, 0, 1] * 4)]
    aws = drift_account({f"{CAPTURE}VariantA/2026/11/28/14/a.jsonl": requests})
    aws.captures(["2026/11/28/14"])
    code, report = aws.run(tmp_path, *DRIFT, "--publish", "false")  # no CloudWatch response is stubbed: a call would fail
    assert code == 0
    [violation] = report["violations"]
    assert violation["feature_name"] == "review_words" and violation["constraint_check_type"] == "baseline_drift_check"
    assert report["distances"]["review_words"] == pytest.approx((150 - 5) / (60 - 5))
    assert report["metrics"]["data_quality_violations"] == 1
    assert report["prediction_violations"] == []


def test_the_distance_compares_value_counts_with_deciles():
    baseline = dq.statistics([{"n": n} for n in range(100)], ["n"])
    few = dq.statistics([{"n": 10}] * 5 + [{"n": 90}] * 5, ["n"])
    assert "quantiles" in baseline["features"][0]["numerical_statistics"]["distribution"]
    assert "categorical" in few["features"][0]["numerical_statistics"]["distribution"]
    # deciles of the baseline 0, 10, 20, ... 99; of the few 10 ×6 then 90 ×5
    assert dq.distance(baseline["features"][0], few["features"][0]) == pytest.approx(40 / 99)
    assert dq.distance(few["features"][0], baseline["features"][0]) == pytest.approx(40 / 80)


def test_an_empty_window_reports_zero_records_and_publishes_only_that(tmp_path):
    aws = drift_account({f"{CAPTURE}VariantA/2026/11/28/13/old.jsonl": [capture([review(3)], [1], time="2026-11-28T13:01:00Z")]})
    aws.captures(["2026/11/28/14"])
    aws.metrics([("captured_records", 0, "Count")])
    # No --end: the window ends at the start of the current hour (now is 15:20).
    code, report = aws.run(tmp_path, "data-drift", "--capture-uri", f"s3://{BUCKET}/{CAPTURE}")
    assert code == 0
    assert report["captured_records"] == 0 and report["metrics"] == {"captured_records": 0}
    assert json.loads((tmp_path / "out" / "statistics.json").read_text())["dataset"] == {"item_count": 0}
    assert json.loads((tmp_path / "out" / "constraint_violations.json").read_text()) == {"violations": []}


def test_a_package_without_the_baseline_fails_naming_what_is_missing(tmp_path, capsys):
    aws = Aws()
    aws.package(ModelQuality={"Constraints": "quality/constraints.json"})
    code, report = aws.run(tmp_path, *DRIFT)
    assert code == 1 and report == {}
    assert capsys.readouterr().err.strip() == f"data-drift: cannot compute: the model package {ARN} has no DriftCheckBaselines.ModelDataQuality"

    stats, _ = data_quality_baseline()
    aws = Aws({"baselines/statistics.json": stats})
    aws.package("ModelDataQuality", ModelDataQuality={"Statistics": "baselines/statistics.json"})
    assert aws.run(tmp_path, *DRIFT)[0] == 1
    assert capsys.readouterr().err.strip().endswith("has no DriftCheckBaselines.ModelDataQuality.Constraints")

    aws = Aws()
    aws.stubs["sagemaker"].add_client_error("describe_model_package", "ValidationException", f"ModelPackage {ARN} does not exist.")
    assert aws.run(tmp_path, *DRIFT)[0] == 1
    assert "DescribeModelPackage operation: ModelPackage" in capsys.readouterr().err


# model-quality


QUALITY = ("model-quality", "--capture-uri", f"s3://{BUCKET}/{CAPTURE}", "--ground-truth-uri", f"s3://{BUCKET}/{GROUND_TRUTH}", "--end", "2026-11-28T15:00:00Z", "--window-hours", "2")


def quality_account(objects: dict) -> Aws:
    aws = Aws({"quality/constraints.json": MODEL_QUALITY_CONSTRAINTS, "quality/statistics.json": {"multiclass_classification_metrics": {}}, **objects})
    aws.package("ModelQuality", ModelQuality={"Statistics": "quality/statistics.json", "Constraints": "quality/constraints.json"})
    return aws


def test_predictions_join_ground_truth_by_inference_id_else_event_id(tmp_path):
    captured = [
        capture([review(5)], [1], event_id="e-1", inference_id="order-1", time="2026-11-28T13:10:00Z"),
        capture([review(5)], [0], event_id="e-2", time="2026-11-28T13:20:00Z"),  # no inferenceId: joined by eventId
        capture([review(5), review(6)], [-1, 1], event_id="e-3", inference_id="order-3", time="2026-11-28T14:10:00Z"),  # first line scored
        capture([review(5)], [1], event_id="e-4", inference_id="order-4", time="2026-11-28T14:20:00Z"),  # no label yet
        capture([review(5)], [1], event_id="e-5", inference_id="order-5", time="2026-11-28T12:59:00Z"),  # before the window
    ]
    aws = quality_account(
        {
            f"{CAPTURE}VariantA/2026/11/28/13/a.jsonl": captured[:2] + captured[4:],
            f"{CAPTURE}VariantA/2026/11/28/14/a.jsonl": captured[2:4],
            f"{GROUND_TRUTH}2026/11/28/13/labels.jsonl": [ground_truth("order-1", "1"), ground_truth("e-1", "-1")],
            f"{GROUND_TRUTH}2026/11/28/15/labels.jsonl": [ground_truth("e-2", 1, "JSON"), ground_truth("order-3", "-1"), ground_truth("order-5", "0"), ground_truth("order-9", "maybe")],
        }
    )
    aws.captures(["2026/11/28/13", "2026/11/28/14"])
    aws.ground_truth(["2026/11/28/13", "2026/11/28/14", "2026/11/28/15"])  # from the window start to now (15:20)
    expected = classification_metrics([1, 1, -1], [1, 0, -1])["multiclass_classification_metrics"]
    aws.metrics(
        [(name, pytest.approx(expected[name]["value"]), "None") for name in ("accuracy", "weighted_precision", "weighted_recall", "weighted_f1")]
        + [("model_quality_violations", 1, "Count"), ("ground_truth_records", 3, "Count")]
    )
    code, report = aws.run(tmp_path, *QUALITY)
    assert code == 0
    assert (report["captured_requests"], report["ground_truth_labels"], report["ground_truth_records"]) == (4, 5, 3)
    assert report["problems"] == [f"s3://{BUCKET}/{GROUND_TRUTH}2026/11/28/15/labels.jsonl line 4: ground truth 'maybe' is not a sentiment (-1, 0, 1)"]
    assert json.loads((tmp_path / "out" / "statistics.json").read_text())["multiclass_classification_metrics"]["accuracy"]["value"] == pytest.approx(2 / 3)
    violations = json.loads((tmp_path / "out" / "constraint_violations.json").read_text())["violations"]
    assert violations == [{"constraint_check_type": "LessThanThreshold", "metric_name": "accuracy", "description": "Metric accuracy with 0.6667 was LessThanThreshold '0.8'"}]
    assert report["violations"] == violations


def test_one_variant_is_read_alone_and_is_a_dimension_of_the_metrics(tmp_path):
    aws = quality_account(
        {
            f"{CAPTURE}VariantA/2026/11/28/14/a.jsonl": [capture([review(5)], [1], inference_id="order-1")],
            f"{CAPTURE}VariantB/2026/11/28/14/b.jsonl": [capture([review(5)], [0], inference_id="order-2")],
            f"{GROUND_TRUTH}2026/11/28/14/labels.jsonl": [ground_truth("order-1", "1"), ground_truth("order-2", "1")],
        }
    )
    aws.captures(["2026/11/28/13", "2026/11/28/14"], variant="VariantB")
    aws.ground_truth(["2026/11/28/13", "2026/11/28/14", "2026/11/28/15"])
    metrics = [(name, 0.0, "None") for name in ("accuracy", "weighted_precision", "weighted_recall", "weighted_f1")]
    aws.metrics(metrics + [("model_quality_violations", 1, "Count"), ("ground_truth_records", 1, "Count")], dimensions=[{"Name": "Endpoint", "Value": ENDPOINT}, {"Name": "Variant", "Value": "VariantB"}])
    code, report = aws.run(tmp_path, *QUALITY, "--variant", "VariantB")
    assert code == 0
    assert (report["variant"], report["captured_requests"], report["ground_truth_records"]) == ("VariantB", 1, 1)


def test_without_labelled_records_only_the_count_is_published(tmp_path):
    aws = quality_account({f"{CAPTURE}VariantA/2026/11/28/14/a.jsonl": [capture([review(5)], [1], inference_id="order-1")]})
    aws.captures(["2026/11/28/13", "2026/11/28/14"])
    aws.ground_truth(["2026/11/28/13", "2026/11/28/14", "2026/11/28/15"])
    aws.metrics([("ground_truth_records", 0, "Count")])
    code, report = aws.run(tmp_path, *QUALITY)
    assert code == 0
    assert report["metrics"] == {"ground_truth_records": 0}
    assert not (tmp_path / "out" / "statistics.json").exists()


def test_model_quality_needs_its_baseline(tmp_path, capsys):
    aws = Aws()
    aws.package()
    assert aws.run(tmp_path, *QUALITY)[0] == 1
    assert capsys.readouterr().err.strip() == f"model-quality: cannot compute: the model package {ARN} has no DriftCheckBaselines.ModelQuality"
    aws = Aws({"quality/constraints.json": {"multiclass_classification_constraints": {"accuracy": {"threshold": 0.8, "comparison_operator": "Below"}}}})
    aws.package("ModelQuality", ModelQuality={"Constraints": "quality/constraints.json"})
    assert aws.run(tmp_path, *QUALITY)[0] == 1
    assert "accuracy needs a numeric threshold and a comparison_operator of LessThanThreshold" in capsys.readouterr().err


def test_a_model_quality_threshold_the_metric_passes_is_no_violation():
    metrics = classification_metrics([1, 0, -1], [1, 0, -1])["multiclass_classification_metrics"]
    rules = monitor.quality_rules({"multiclass_classification_constraints": {"accuracy": {"threshold": 0.33, "comparison_operator": "LessThanThreshold"}, "recall": {"threshold": 0.5, "comparison_operator": "LessThanThreshold"}}}, ARN)
    assert monitor.quality_violations(metrics, rules) == [
        {"constraint_check_type": "LessThanThreshold", "metric_name": "recall", "description": "Metric recall is not a multiclass metric (expected one of accuracy, weighted_precision, weighted_recall, weighted_f1)"}
    ]


# Publishing


def test_metrics_are_published_twenty_a_call():
    aws = Aws()
    metrics = [monitor.Metric(f"m{i}", i, "Count") for i in range(25)]
    aws.metrics([(f"m{i}", i, "Count") for i in range(20)], [(f"m{i}", i, "Count") for i in range(20, 25)])
    with aws.stubs["cloudwatch"]:
        monitor.publish(aws.clients["cloudwatch"], NAMESPACE, [{"Name": "Endpoint", "Value": ENDPOINT}], END, metrics)
    aws.stubs["cloudwatch"].assert_no_pending_responses()


def test_the_arguments_and_their_defaults():
    args = monitor.parse_args(["data-drift", "--capture-uri", "s3://b/data-capture/e", "--model-package-arn", ARN, "--endpoint-name", "e", "--output-dir", "o", "--end", ""])
    assert (args.capture_uri, args.variant, args.window_hours, args.end, args.namespace, args.publish) == ("s3://b/data-capture/e/", "", 1, None, NAMESPACE, True)
    args = monitor.parse_args(["model-quality", "--capture-uri", "s3://b/c/", "--ground-truth-uri", "s3://b/g/", "--model-package-arn", ARN, "--endpoint-name", "e", "--output-dir", "o"])
    assert args.window_hours == 24
    with pytest.raises(SystemExit):
        monitor.parse_args(["model-quality", "--capture-uri", "s3://b/c/", "--model-package-arn", ARN, "--endpoint-name", "e", "--output-dir", "o"])


# Model Monitor's record preprocessor


def test_the_preprocessor_profiles_a_record_as_the_monitor_does():
    def side(part: dict):
        return SimpleNamespace(data=part["data"], encoding=part["encoding"], observed_content_type=part["observedContentType"], mode=part["mode"])

    for encoding in ("JSON", "BASE64"):
        data = capture([{"review_body": "too small in the waist"}, review(3)], [-1, 1], encoding=encoding)["captureData"]
        record = SimpleNamespace(endpoint_input=side(data["endpointInput"]), endpoint_output=side(data["endpointOutput"]))
        assert preprocessor.preprocess_handler(record) == {"review_words": 5, "sentiment": -1}
        assert preprocessor.preprocess_handler(record) == dq.project_capture("too small in the waist", -1)
    empty = SimpleNamespace(endpoint_input=SimpleNamespace(data='""', encoding="JSON"), endpoint_output=SimpleNamespace(data='{"predicted_label": 0}', encoding="JSON"))
    assert preprocessor.preprocess_handler(empty) == dq.project_capture("", 0) == {"review_words": None, "sentiment": 0}
