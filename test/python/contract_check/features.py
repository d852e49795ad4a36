"""Labels and features against the contract: the label mapping every step uses, the reviews
feature group's records, splits and event time, and the ground-truth column."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import contract
from contract import Contract
from conftest import bert

from .common import attempt, gate, prediction_records, prepared_records, raw_reviews, write_jsonl

# Labels.


def label_findings(c: Contract) -> list[str]:
    """The label mapping of prepare_data (sentiment → class id), train (the model config's
    id2label / label2id), classification (the labels of the metrics) and monitor (the sentiments
    ground truth may hold) against the contract's labels."""
    import classification
    import monitor
    prepare_data = bert("prepare_data")
    train = bert("train")

    findings: list[str] = []
    for sentiment, class_id in c.sentiment_to_class_id.items():
        got = attempt(findings, "labels", f"prepare_data.to_label_id({sentiment})", lambda: prepare_data.to_label_id(sentiment))
        if got is not None and got != class_id:
            findings.append(f"labels: prepare_data gives sentiment {sentiment} the class id {got}; the contract {class_id}")
    id2label, label2id = train.label_maps()
    expected = {class_id: str(sentiment) for class_id, sentiment in c.class_id_to_sentiment.items()}
    if dict(id2label) != expected or dict(label2id) != {v: k for k, v in expected.items()}:
        findings.append(f"labels: train.py's model config has id2label {id2label}, label2id {label2id}; the contract's labels give id2label {expected}")
    if train.NUM_LABELS != len(c.sentiments):
        findings.append(f"labels: train.py trains {train.NUM_LABELS} classes; the contract has {len(c.sentiments)} labels")
    matrix = classification.classification_metrics([c.sentiments[0]], [c.sentiments[0]])["multiclass_classification_metrics"]["confusion_matrix"]
    if list(matrix) != list(c.label_names):
        findings.append(f"labels: classification_metrics reports the labels {list(matrix)}; the contract's are {list(c.label_names)}")
    for sentiment in c.sentiments:
        got = attempt(findings, "labels", f"monitor.true_sentiment({sentiment})", lambda: monitor.true_sentiment({"data": str(sentiment), "encoding": "CSV"}))
        if got is not None and got != sentiment:
            findings.append(f"labels: the monitor reads ground truth {sentiment} as {got}")
    return findings


# The reviews feature group's records.


def feature_findings(c: Contract) -> list[str]:
    """prepare_data's splits and feature records against the contract: the split names, exactly
    the reviews feature group's features in every record (each value text that parses as its
    type), the record identifier and event time features, and the event time's format."""
    prepare_data = bert("prepare_data")

    findings: list[str] = []
    df = prepare_data.clean(raw_reviews(), min_reviews_per_category=1)
    df["input_ids"] = [[0, 5, 2]] * len(df)  # the same ids for different reviews, as short texts may have
    parts = attempt(findings, "splits", "prepare_data.split", lambda: prepare_data.split(df, 0.5, 0.25, 0.25, seed=1))
    if parts is None:
        return findings
    if tuple(parts) != tuple(c.splits):
        findings.append(f"splits: prepare_data splits into {list(parts)}; the contract's splits are {list(c.splits)}")
    moment = datetime(2026, 11, 28, 14, 5, 1, tzinfo=timezone.utc)
    event_time = prepare_data.default_event_time(moment)
    try:
        parsed = datetime.strptime(event_time, c.event_time_format)
        if parsed.replace(tzinfo=timezone.utc) != moment:
            findings.append(f"eventTime.strftime: the event time {event_time!r} reads back as {parsed} with {c.event_time_format!r}")
    except ValueError:
        findings.append(f"eventTime.strftime: the event time {event_time!r} does not parse with the contract's format {c.event_time_format!r}")
    names = list(c.reviews_features)
    seen_ids = set()
    for split_name, part in parts.items():
        records = attempt(findings, "featureGroups.reviews.features", f"prepare_data.feature_records ({split_name})", lambda: prepare_data.feature_records(part, split_name, event_time))
        if records is None:
            return findings
        for record in records:
            got = [entry["FeatureName"] for entry in record]
            values = {entry["FeatureName"]: entry["ValueAsString"] for entry in record}
            if len(set(got)) != len(got) or set(got) != set(names):
                findings.append(
                    f"featureGroups.reviews.features: a record has {sorted(set(got) - set(names)) or 'no'} features the contract lacks, "
                    f"lacks {sorted(set(names) - set(got)) or 'none'} of the contract's{', and repeats a feature' if len(set(got)) != len(got) else ''}"
                )
                return findings
            for name, value in values.items():
                problem = value_problem(value, c.reviews_features[name])
                if problem:
                    findings.append(f"featureGroups.reviews.features.{name}: {value!r} {problem}")
            identifier = values[c.record_identifier]
            if not identifier or identifier in seen_ids:
                findings.append(f"featureGroups.reviews.recordIdentifier: {c.record_identifier} {identifier!r} is empty or not unique")
            seen_ids.add(identifier)
            if values[c.event_time_feature] != event_time:
                findings.append(f"featureGroups.reviews.eventTime: {c.event_time_feature} holds {values[c.event_time_feature]!r}, not the event time {event_time!r}")
            split_value = values.get(prepare_data.SPLIT_FEATURE)
            if split_value not in c.splits:
                findings.append(f"splits: a record's {prepare_data.SPLIT_FEATURE} is {split_value!r}, not one of {list(c.splits)}")
    return sorted(set(findings), key=findings.index)


def value_problem(value: Any, feature_type: str) -> str | None:
    """Why a ValueAsString is not text of the Feature Store type (None when it is)."""
    if not isinstance(value, str):
        return "is not text"
    try:
        if feature_type == "Integral" and str(int(value)) != value:
            return "is not an integer"
        if feature_type == "Fractional":
            float(value)
    except ValueError:
        return f"does not parse as {feature_type}"
    return None


# The ground-truth column.


def label_feature_findings(c: Contract, work: Path, model_archive_dir: Path | None = None) -> list[str]:
    """The true label's column (``labelFeature``): prepare_data writes it in the prepared records
    (the sentiment, beside its class id), data_quality profiles it, the bias gates default to it,
    the model gates read it from batch transform's joined output, and (with a model) evaluate.py
    reads it from the test records."""
    import data_quality
    import evaluate
    prepare_data = bert("prepare_data")

    work = Path(work)
    findings: list[str] = []
    df = prepare_data.clean(raw_reviews(), min_reviews_per_category=1)
    df["input_ids"] = [[0, 5, 2]] * len(df)
    attempt(findings, "labelFeature", "prepare_data.write_jsonl", lambda: prepare_data.write_jsonl(df, str(work / "prepared" / "train.jsonl")))
    path = work / "prepared" / "train.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    if records and (c.label_feature not in records[0] or any(r.get(c.label_feature) != c.class_id_to_sentiment.get(r.get("label_id")) for r in records)):
        findings.append(f"labelFeature: prepare_data's records hold {sorted(records[0])}; the contract's true label is {c.label_feature!r}, the sentiment of label_id")
    profiled = data_quality.project(prepared_records(c))
    if [row.get(c.label_feature) for row in profiled] != [r[c.label_feature] for r in prepared_records(c)]:
        findings.append(f"labelFeature: data_quality profiles the columns {sorted(profiled[0])}, not the true label {c.label_feature!r}")
    data = write_jsonl(work / "data", "train.jsonl", prepared_records(c))
    out = work / "data-bias"
    if attempt(findings, "labelFeature", "quality_gate.py data-bias with the default label", lambda: gate(["data-bias", "--data-dir", str(data), "--output-dir", str(out)])):
        report = json.loads((out / contract.REPORT_FILES.bias).read_text())
        if report["pre_training_bias_metrics"]["label"] != c.label_feature:
            findings.append(f"labelFeature: the data-bias gate's default label is {report['pre_training_bias_metrics']['label']!r}")
    predictions = write_jsonl(work / "predictions", "test.jsonl.out", prediction_records(c, [(1, 1, "a"), (0, 0, "a"), (-1, 1, "b")]))
    for name in ("model-quality", "model-bias"):
        out = work / name
        result = attempt(findings, "labelFeature", f"quality_gate.py {name} reading the true label", lambda: gate([name, "--predictions-dir", str(predictions), "--output-dir", str(out)]))
        if name == "model-quality" and result is not None and (out / contract.REPORT_FILES.statistics).exists():
            accuracy = json.loads((out / contract.REPORT_FILES.statistics).read_text())["multiclass_classification_metrics"]["accuracy"]["value"]
            if not math.isclose(accuracy, 2 / 3):
                findings.append(f"labelFeature: the model-quality gate's accuracy is {accuracy}, not that of the true labels (2/3)")
    if model_archive_dir is not None:
        test_dir = write_jsonl(work / "test", "test.jsonl", prepared_records(c)[:3])
        args = evaluate.parse_args(["--model-dir", str(model_archive_dir), "--test-dir", str(test_dir), "--output-dir", str(work / "evaluation"), "--work-dir", str(work / "evaluate-model")])
        attempt(findings, "labelFeature", "evaluate.py reading the true label", lambda: evaluate.run(args))
    return findings
