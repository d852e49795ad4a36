"""Scheduled drift monitoring of a deployed real-time endpoint, on a plain Processing job.

The work of SageMaker Model Monitor's data-quality and model-quality jobs for any account (Model
Monitor is closed to new customers): one script, one subcommand per monitor, reading the
endpoint's data capture and the served model package's drift-check baselines.

    python3 monitor.py data-drift    --capture-uri s3://B/data-capture/<endpoint>/ --model-package-arn ARN --endpoint-name E --output-dir O
                                     [--variant V] [--window-hours 1] [--end 2026-11-28T15:00:00Z] [--namespace N] [--publish true|false]
    python3 monitor.py model-quality --capture-uri s3://B/data-capture/<endpoint>/ --ground-truth-uri s3://B/ground-truth/<endpoint>/
                                     --model-package-arn ARN --endpoint-name E --output-dir O
                                     [--variant V] [--window-hours 24] [--end ...] [--namespace N] [--publish true|false]

The window is [end - window-hours, end); ``--end`` defaults to the start of the current UTC hour
(an empty value too, as a pipeline parameter passes it). Captured requests are read from
``<capture-uri><variant>/yyyy/mm/dd/hh/*.jsonl``: every variant, or only ``--variant``'s, the hour
folders of the window, the records whose ``inferenceTime`` is in the window.

data-drift profiles each captured request line as ``review_words`` (the input feature: the words
of the review) and ``sentiment`` (the predicted label) with data_quality.statistics, and checks
them against the package's ``DriftCheckBaselines.ModelDataQuality`` statistics and constraints
restricted to those two columns (the baseline's other columns are not captured, so they are not
violations). Only the input feature's violations are counted in ``data_quality_violations``: the
training baseline is class-balanced, so the sentiments predicted for real traffic are expected to
differ from it; their distance and violations are reported, not counted.

model-quality joins each captured request's first prediction (one record per request, as Model
Monitor does) to its ground truth by the capture's ``inferenceId``, else its ``eventId``. Ground
truth is Model Monitor's format under ``<ground-truth-uri>yyyy/mm/dd/hh/*.jsonl``, read from the
window start up to now, as labels arrive after the predictions. It computes
classification.classification_metrics and checks the package's ``DriftCheckBaselines.ModelQuality``
constraints (Model Monitor's model-quality format, any of its comparison operators).

A captured request line carries its text in one of the contract's ``response.requestTextFields``
and each response line its prediction in ``response.label`` (monitor_preprocessor.request_pairs).

Each writes ``statistics.json`` and ``constraint_violations.json`` (Model Monitor's formats; a
model-quality window without labelled records has no statistics) and ``monitor.json`` (window,
record counts, distances, violations, metrics) to the output directory, and publishes the metrics
to CloudWatch (namespace ``--namespace``, default the contract's ``metricNamespace``; dimension
``Endpoint``, and ``Variant`` with ``--variant``; timestamp the window end) unless
``--publish false``. The metrics are the contract's ``monitorMetrics`` of the check (a name the
contract does not have fails the import):

- data-drift: ``feature_baseline_drift_review_words``, ``prediction_baseline_drift_sentiment``,
  ``data_quality_violations``, ``captured_records``;
- model-quality: the contract's ``modelQualityMetrics`` (``accuracy``, ``weighted_precision``,
  ``weighted_recall``, ``weighted_f1``), ``model_quality_violations``, ``ground_truth_records``.

:func:`data_drift` and :func:`model_quality` take typed parameters; the command line is their
adapter (:data:`MONITORS`).

A window without records publishes only its record count (0). The job succeeds when there are
violations (alarms on the metrics act on them); it fails, naming what is wrong, only when it cannot
compute: a package without the baseline, an unreadable baseline, an AWS error. Captured or
ground-truth lines it cannot read are skipped, counted and named in monitor.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

import boto3
from botocore.exceptions import BotoCoreError, ClientError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data_quality  # noqa: E402
from classification import COMPARISONS, classification_metrics, constraint_rules  # noqa: E402
from cli import str2bool  # noqa: E402
from contract import LABEL_FEATURE, METRIC_NAMESPACE, MODEL_QUALITY_METRICS, REPORT_FILES, REQUEST_TEXT_FIELDS, RESPONSE_LABEL, SENTIMENTS, require_monitor_metrics  # noqa: E402
from monitor_preprocessor import decode, request_lines  # noqa: E402
from registry import BASELINE_FILES, package_baseline  # noqa: E402
from reports import finite, write_json  # noqa: E402
from s3_uris import s3_location  # noqa: E402

DEFAULT_NAMESPACE = METRIC_NAMESPACE
INPUT_FEATURE = "review_words"
PREDICTION = LABEL_FEATURE  # the prediction is profiled as the label column (data_quality.CAPTURE_COLUMNS)
# The metrics each check publishes (names of the contract's monitorMetrics; checked on import).
FEATURE_DRIFT, PREDICTION_DRIFT, DATA_QUALITY_VIOLATIONS, CAPTURED_RECORDS = require_monitor_metrics(
    "dataDrift", f"feature_baseline_drift_{INPUT_FEATURE}", f"prediction_baseline_drift_{PREDICTION}", "data_quality_violations", "captured_records"
)
QUALITY_METRICS = require_monitor_metrics("modelQuality", *MODEL_QUALITY_METRICS)
MODEL_QUALITY_VIOLATIONS, GROUND_TRUTH_RECORDS = require_monitor_metrics("modelQuality", "model_quality_violations", "ground_truth_records")
METRICS_PER_CALL = 20
PROBLEMS_SHOWN = 10
HOUR = timedelta(hours=1)


class MonitorError(Exception):
    """The monitor cannot compute; the message names what is wrong."""


@dataclass
class Window:
    start: datetime
    end: datetime


@dataclass
class Capture:
    """A captured request: the id its ground truth carries, its time, its scored (review,
    prediction) records, and the prediction of its first record (None when that record was answered
    with an error record), which its ground truth labels."""

    request_id: str
    time: datetime
    pairs: list[tuple[str, int]]
    first_label: int | None = None


@dataclass
class Metric:
    name: str
    value: float | None
    unit: str = "None"


def parse_time(text: str) -> datetime:
    """An ISO 8601 time (``Z``, an offset, or none for UTC) in UTC."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def window_end(text: str) -> datetime | None:
    """``--end``: a time, or None (the default) when empty."""
    return parse_time(text) if text else None


def s3_folder(uri: str) -> str:
    """An ``s3://bucket/prefix/`` URI, with its final slash."""
    try:
        s3_location(uri)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    return uri if uri.endswith("/") else uri + "/"


def start_of_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def hours(start: datetime, end: datetime) -> list[datetime]:
    """The hours whose folders hold the records of [start, end)."""
    found, hour = [], start_of_hour(start)
    while hour < end:
        found.append(hour)
        hour += HOUR
    return found


def hour_folder(prefix: str, hour: datetime) -> str:
    return f"{prefix}{hour:%Y/%m/%d/%H}/"


def list_folders(s3, bucket: str, prefix: str) -> list[str]:
    """The folders right under a prefix (the variants of a capture)."""
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/")
    return sorted(folder["Prefix"] for page in pages for folder in page.get("CommonPrefixes", []))


def list_jsonl(s3, bucket: str, prefix: str) -> list[str]:
    """The keys of the JSON-lines objects under a prefix."""
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []) if item["Key"].endswith(".jsonl"))


def read_records(s3, bucket: str, keys: Sequence[str], problems: list[str]) -> Iterator[tuple[str, dict]]:
    """(where, record) of every line of the objects; lines that are not JSON go to ``problems``."""
    for key in keys:
        lines = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"s3://{bucket}/{key} line {number}"
            try:
                yield where, json.loads(line)
            except json.JSONDecodeError as error:
                problems.append(f"{where}: {error}")


def problem(where: str, error: Exception) -> str:
    return f"{where}: no {error} field" if isinstance(error, KeyError) else f"{where}: {error}"


def read_captures(s3, capture_uri: str, variant: str, window: Window, problems: list[str]) -> list[Capture]:
    """The requests captured in the window, from the hour folders of the variant (all when empty)."""
    bucket, prefix = s3_location(capture_uri)
    variants = [f"{prefix}{variant}/"] if variant else list_folders(s3, bucket, prefix)
    folders = [hour_folder(folder, hour) for folder in variants for hour in hours(window.start, window.end)]
    keys = [key for folder in folders for key in list_jsonl(s3, bucket, folder)]
    captures = []
    for where, record in read_records(s3, bucket, keys, problems):
        try:
            metadata = record["eventMetadata"]
            time = parse_time(metadata["inferenceTime"])
            if window.start <= time < window.end:
                data = record["captureData"]
                lines = request_lines(data["endpointInput"], data["endpointOutput"], REQUEST_TEXT_FIELDS, RESPONSE_LABEL)
                pairs = [(text, label) for text, label in lines if text is not None and label is not None]
                captures.append(Capture(metadata.get("inferenceId") or metadata["eventId"], time, pairs, lines[0][1]))
        except (KeyError, TypeError, ValueError) as error:
            problems.append(problem(where, error))
    return captures


def true_sentiment(ground_truth: dict) -> int:
    """The label of a ``groundTruthData`` entry: -1, 0 or 1 as CSV text or a JSON number."""
    encoding = ground_truth.get("encoding", "CSV")
    text = decode(ground_truth["data"], encoding).strip()
    try:
        label = float(json.loads(text) if encoding == "JSON" else text)
    except (TypeError, ValueError):
        label = None
    if label not in SENTIMENTS:
        raise ValueError(f"ground truth {text!r} is not a sentiment ({', '.join(map(str, SENTIMENTS))})")
    return int(label)


def read_ground_truth(s3, ground_truth_uri: str, start: datetime, now: datetime, problems: list[str]) -> dict[str, int]:
    """The true sentiment of each event id, from the hour folders of [start, now]."""
    bucket, prefix = s3_location(ground_truth_uri)
    keys = [key for hour in hours(start, now) for key in list_jsonl(s3, bucket, hour_folder(prefix, hour))]
    labels = {}
    for where, record in read_records(s3, bucket, keys, problems):
        try:
            labels[record["eventMetadata"]["eventId"]] = true_sentiment(record["groundTruthData"])
        except (KeyError, TypeError, ValueError) as error:
            problems.append(problem(where, error))
    return labels


def join(captures: Sequence[Capture], labels: dict[str, int]) -> tuple[list[int], list[int]]:
    """(true, predicted) sentiments of the captured requests that have ground truth (first lines).

    A request captured twice under one inference id (called again after a timeout that the model
    did answer) counts once: its earliest scored capture."""
    joined, seen = [], set()
    for c in sorted(captures, key=lambda capture: capture.time):
        if c.request_id in labels and c.first_label is not None and c.request_id not in seen:
            seen.add(c.request_id)
            joined.append((labels[c.request_id], c.first_label))
    return [actual for actual, _ in joined], [predicted for _, predicted in joined]


def load_baseline(arn: str, kind: str, members: Sequence[str], s3, sagemaker) -> dict[str, dict]:
    """The package's ``DriftCheckBaselines.<kind>`` members (Statistics, Constraints) as JSON."""
    with tempfile.TemporaryDirectory() as work:
        directory = package_baseline(arn, kind, Path(work), sagemaker, s3)
        if directory is None:
            raise MonitorError(f"the model package {arn} has no DriftCheckBaselines.{kind}")
        found = {}
        for member in members:
            path = directory / BASELINE_FILES[member]
            if not path.exists():
                raise MonitorError(f"the model package {arn} has no DriftCheckBaselines.{kind}.{member}")
            try:
                found[member] = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                raise MonitorError(f"DriftCheckBaselines.{kind}.{member} of {arn} is not JSON: {error}") from error
    return found


def restrict(document: dict, columns: Sequence[str], name: str) -> dict:
    """A statistics or constraints document with only the given features (all of which it must have)."""
    features = [f for f in document.get("features", []) if f.get("name") in columns]
    missing = sorted(set(columns) - {f["name"] for f in features})
    if missing:
        raise MonitorError(f"{name} has no {', '.join(missing)} feature")
    return {**document, "features": features}


def data_drift(*, model_package_arn: str, capture_uri: str, variant: str, window: Window, output_dir: Path, s3, sagemaker) -> tuple[dict, list[Metric]]:
    """The captured input feature and predictions against the package's data-quality baseline;
    writes the reports to ``output_dir``, returns the summary and the metrics."""
    columns = data_quality.CAPTURE_COLUMNS
    baseline = load_baseline(model_package_arn, "ModelDataQuality", ("Statistics", "Constraints"), s3, sagemaker)
    before = restrict(baseline["Statistics"], columns, "DriftCheckBaselines.ModelDataQuality.Statistics")
    constraints = restrict(baseline["Constraints"], columns, "DriftCheckBaselines.ModelDataQuality.Constraints")
    problems: list[str] = []
    captures = read_captures(s3, capture_uri, variant, window, problems)
    rows = [data_quality.project_capture(text, label) for capture in captures for text, label in capture.pairs]
    stats = data_quality.statistics(rows, columns)
    violations, distances = [], {}
    if rows:
        violations = data_quality.check(stats, constraints, before)
        now_features = {f["name"]: f for f in stats["features"]}
        distances = {f["name"]: data_quality.distance(f, now_features[f["name"]]) for f in before["features"]}
    write_json(output_dir, REPORT_FILES.statistics, stats)
    write_json(output_dir, REPORT_FILES.violations, {"violations": violations})
    counted = [v for v in violations if v["feature_name"] == INPUT_FEATURE]
    summary = {
        "captured_requests": len(captures),
        "captured_records": len(rows),
        "distances": distances,
        "violations": counted,
        "prediction_violations": [v for v in violations if v["feature_name"] != INPUT_FEATURE],
        **unreadable(problems),
    }
    metrics = [Metric(CAPTURED_RECORDS, len(rows), "Count")]
    if rows:
        metrics = [
            Metric(FEATURE_DRIFT, distances[INPUT_FEATURE]),
            Metric(PREDICTION_DRIFT, distances[PREDICTION]),
            Metric(DATA_QUALITY_VIOLATIONS, len(counted), "Count"),
        ] + metrics
    return summary, metrics


def quality_rules(constraints: dict, arn: str) -> dict[str, tuple[str, float]]:
    """Metric → (comparison operator, threshold) of Model Monitor's multiclass constraints."""
    try:
        return constraint_rules(constraints, f"DriftCheckBaselines.ModelQuality.Constraints of {arn}")
    except ValueError as error:
        raise MonitorError(str(error)) from error


def quality_violations(metrics: dict, rules: dict[str, tuple[str, float]]) -> list[dict]:
    """Model Monitor's model-quality violations: a metric on the wrong side of its threshold."""
    found = []
    for metric, (comparison, threshold) in sorted(rules.items()):
        value = metrics.get(metric, {}).get("value")
        if not isinstance(value, (int, float)):
            description = f"Metric {metric} is not a multiclass metric (expected one of {', '.join(QUALITY_METRICS)})"
        elif COMPARISONS[comparison](value, threshold):
            description = f"Metric {metric} with {value:.4f} was {comparison} '{threshold:g}'"
        else:
            continue
        found.append({"constraint_check_type": comparison, "metric_name": metric, "description": description})
    return found


def model_quality(
    *, model_package_arn: str, capture_uri: str, ground_truth_uri: str, variant: str, window: Window, now: datetime, output_dir: Path, s3, sagemaker
) -> tuple[dict, list[Metric]]:
    """The labelled predictions' metrics against the package's model-quality constraints; writes
    the reports to ``output_dir``, returns the summary and the metrics."""
    baseline = load_baseline(model_package_arn, "ModelQuality", ("Constraints",), s3, sagemaker)
    rules = quality_rules(baseline["Constraints"], model_package_arn)
    problems: list[str] = []
    captures = read_captures(s3, capture_uri, variant, window, problems)
    labels = read_ground_truth(s3, ground_truth_uri, window.start, now, problems)
    actual, predicted = join(captures, labels)
    violations, values = [], {}
    if actual:
        report = classification_metrics(actual, predicted)
        write_json(output_dir, REPORT_FILES.statistics, report)
        values = report["multiclass_classification_metrics"]
        violations = quality_violations(values, rules)
    write_json(output_dir, REPORT_FILES.violations, {"violations": violations})
    summary = {
        "captured_requests": len(captures),
        "ground_truth_labels": len(labels),
        "ground_truth_records": len(actual),
        "violations": violations,
        **unreadable(problems),
    }
    metrics = [Metric(GROUND_TRUTH_RECORDS, len(actual), "Count")]
    if actual:
        metrics = [Metric(name, values[name]["value"]) for name in QUALITY_METRICS] + [Metric(MODEL_QUALITY_VIOLATIONS, len(violations), "Count")] + metrics
    return summary, metrics


def unreadable(problems: list[str]) -> dict:
    return {"unreadable_records": len(problems), "problems": problems[:PROBLEMS_SHOWN]}


def metric_dimensions(endpoint: str, variant: str) -> list[dict]:
    return [{"Name": "Endpoint", "Value": endpoint}] + ([{"Name": "Variant", "Value": variant}] if variant else [])


def publish(cloudwatch, namespace: str, dimensions: list[dict], timestamp: datetime, metrics: Sequence[Metric]) -> None:
    """PutMetricData, at most METRICS_PER_CALL metrics a call."""
    data = [{"MetricName": m.name, "Dimensions": dimensions, "Timestamp": timestamp, "Value": float(m.value), "Unit": m.unit} for m in metrics]
    for start in range(0, len(data), METRICS_PER_CALL):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[start : start + METRICS_PER_CALL])


# The command line: each monitor's options → its typed call.
MONITORS: dict[str, Callable[[argparse.Namespace, Window, datetime, object, object], tuple[dict, list[Metric]]]] = {
    "data-drift": lambda a, window, now, s3, sagemaker: data_drift(
        model_package_arn=a.model_package_arn, capture_uri=a.capture_uri, variant=a.variant, window=window, output_dir=a.output_dir, s3=s3, sagemaker=sagemaker
    ),
    "model-quality": lambda a, window, now, s3, sagemaker: model_quality(
        model_package_arn=a.model_package_arn,
        capture_uri=a.capture_uri,
        ground_truth_uri=a.ground_truth_uri,
        variant=a.variant,
        window=window,
        now=now,
        output_dir=a.output_dir,
        s3=s3,
        sagemaker=sagemaker,
    ),
}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--capture-uri", type=s3_folder, required=True, help="the endpoint's data capture: s3://B/data-capture/<endpoint>/")
    common.add_argument("--model-package-arn", required=True, help="the served model package, whose DriftCheckBaselines are the baseline")
    common.add_argument("--endpoint-name", required=True, help="the Endpoint dimension of the metrics")
    common.add_argument("--variant", default="", help="only this production variant's captures, and the Variant dimension of the metrics")
    common.add_argument("--output-dir", type=Path, required=True)
    common.add_argument("--end", type=window_end, default=None, help="the window end (ISO 8601; default: the start of the current UTC hour)")
    common.add_argument("--namespace", default=DEFAULT_NAMESPACE, help="the CloudWatch namespace of the metrics")
    common.add_argument("--publish", type=str2bool, default=True, help="false: write the reports, publish nothing")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    monitors = parser.add_subparsers(dest="monitor", required=True)
    drift = monitors.add_parser("data-drift", parents=[common], help="input and prediction drift against ModelDataQuality")
    drift.add_argument("--window-hours", type=int, default=1)
    quality = monitors.add_parser("model-quality", parents=[common], help="metrics on ground truth against ModelQuality")
    quality.add_argument("--ground-truth-uri", type=s3_folder, required=True, help="Model Monitor ground truth: s3://B/ground-truth/<endpoint>/")
    quality.add_argument("--window-hours", type=int, default=24)
    args = parser.parse_args(argv)
    if args.window_hours < 1:
        parser.error(f"--window-hours must be at least 1, not {args.window_hours}")
    return args


def run(args: argparse.Namespace, s3=None, sagemaker=None, cloudwatch=None, now: datetime | None = None) -> int:
    """Runs a monitor; returns the exit code (1 when it cannot compute). The AWS clients default to boto3's."""
    now = now or datetime.now(timezone.utc)
    end = args.end or start_of_hour(now)
    window = Window(end - timedelta(hours=args.window_hours), end)
    try:
        summary, metrics = MONITORS[args.monitor](args, window, now, s3 or boto3.client("s3"), sagemaker or boto3.client("sagemaker"))
        metrics = [m for m in metrics if finite(m.value) is not None]
        head = {
            "monitor": args.monitor,
            "endpoint": args.endpoint_name,
            "variant": args.variant or None,
            "model_package_arn": args.model_package_arn,
            "window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
        }
        write_json(args.output_dir, "monitor.json", {**head, **summary, "metrics": {m.name: m.value for m in metrics}})
        if args.publish:
            publish(cloudwatch or boto3.client("cloudwatch"), args.namespace, metric_dimensions(args.endpoint_name, args.variant), window.end, metrics)
    except (MonitorError, BotoCoreError, ClientError) as error:
        print(f"{args.monitor}: cannot compute: {error}", file=sys.stderr)
        return 1
    for line in summary["problems"]:
        print(f"skipped {line}", file=sys.stderr)
    print(f"{args.monitor} [{window.start:%Y-%m-%dT%H:%M}Z, {window.end:%Y-%m-%dT%H:%M}Z): " + ", ".join(f"{m.name}={m.value:g}" for m in metrics))
    return 0


if __name__ == "__main__":
    sys.exit(run(parse_args(sys.argv[1:])))
