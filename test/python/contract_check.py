"""The step code's behaviour checked against a contract (contract.json, as contract.Contract).

Each ``*_findings`` function runs the real step code (inference handlers, feature records, report
writers, the monitor with stand-in AWS clients, the model-quality gate) and returns a list of drift
findings, one line each, starting with the contract item it concerns (``labels``,
``response.label``, ``featureGroups.reviews.features``, ``eventTime.strftime``, ``splits``,
``reports.<key>``, ``metricNamespace``, ``monitorMetrics.<check>``, ``modelQualityConstraints.<key>``,
``modelQualityMetrics``, ...). The shipped code against the shipped contract has none; a contract
copy with a changed value, or a step module whose value was changed, has one naming the item.

The step code reads the shipped contract.json when it is imported, so checking it against another
contract (:func:`planted_contract`) is checking what would drift if the file changed and the code
did not follow.
"""

from __future__ import annotations

import copy
import io
import json
import math
import shutil
import tarfile
import tempfile
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import contract
from contract import Contract

# Texts for the inference and report checks.
TEXTS = ["I love this dress, it fits perfectly", "Poor quality, returned it", "It is fine I guess"]


def planted_contract(directory: Path, key: str, value: Any) -> Contract:
    """A copy of the shipped contract.json with ``key`` (dotted path) set to ``value``, loaded."""
    document = json.loads(Path(contract.CONTRACT_FILE).read_text())
    target = document
    *parents, last = key.split(".")
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    path = Path(directory) / "contract.json"
    path.write_text(json.dumps(document, indent=2))
    return contract.load(str(path))


def attempt(findings: list[str], item: str, what: str, action: Callable[[], Any]) -> Any:
    """``action()``; an exception becomes a finding on ``item`` (and the result None)."""
    try:
        return action()
    except Exception as error:  # drift shows as any failure of the code on contract data
        findings.append(f"{item}: {what} failed: {type(error).__name__}: {error}")
        return None


def report_keys() -> dict[str, str]:
    """ReportFiles attribute → the contract's key under ``reports``."""
    return dict(contract.REPORT_KEYS)


# Labels.


def label_findings(c: Contract) -> list[str]:
    """The label mapping of prepare_data (sentiment → class id), train (the model config's
    id2label / label2id), classification (the labels of the metrics) and monitor (the sentiments
    ground truth may hold) against the contract's labels."""
    import classification
    import monitor
    import prepare_data
    import train

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


# The endpoint's requests and responses.


def response_findings(c: Contract, model_dir: Path) -> list[str]:
    """inference.py against the contract: the content type it accepts and answers, the request
    fields it reads (in order), the response fields (exactly label, confidence, probabilities),
    the label of the model's most probable class and the probabilities keyed by label text, both
    by the contract's labels (the model's own softmax computed here)."""
    import torch

    import inference

    findings: list[str] = []
    r = c.response
    for what, action in (
        ("input_fn", lambda: inference.input_fn(b'"a review"\n', r.content_type)),
        ("output_fn", lambda: inference.output_fn([], r.content_type)),
    ):
        attempt(findings, "response.contentType", f"inference.{what} with {r.content_type!r}", action)
    ordered = {field: f"text of {field}" for field in r.request_text_fields}
    for field in r.request_text_fields:
        for value in (f"text of {field}", [f"text of {field}"]):
            line = json.dumps({field: value})
            texts = attempt(findings, "response.requestTextFields", f"inference.input_fn({line})", lambda: inference.input_fn(line.encode(), inference.JSON_LINES))
            if texts is not None and texts != [f"text of {field}"]:
                findings.append(f"response.requestTextFields: inference reads {line} as {texts}")
    texts = attempt(findings, "response.requestTextFields", "inference.input_fn of a line with every field", lambda: inference.input_fn(json.dumps(ordered).encode(), inference.JSON_LINES))
    first = r.request_text_fields[0]
    if texts is not None and texts != [ordered[first]]:
        findings.append(f"response.requestTextFields: a line with every field is read as {texts}; the contract reads {first!r} first")

    loaded = inference.model_fn(str(model_dir))
    predictions = inference.predict_fn(TEXTS, loaded)
    lines = [json.loads(line) for line in inference.output_fn(predictions, inference.JSON_LINES).splitlines()]
    tokenizer, model = loaded["tokenizer"], loaded["model"]
    encoded = tokenizer(TEXTS, padding="max_length", truncation=True, max_length=tokenizer.model_max_length, return_tensors="pt")
    with torch.no_grad():
        softmax = torch.softmax(model(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]).logits, dim=-1).tolist()
    expected_fields = {"label": r.label, "confidence": r.confidence, "probabilities": r.probabilities}
    if len(lines) != len(TEXTS):
        findings.append(f"response: {len(TEXTS)} texts got {len(lines)} response lines")
    for line, row in zip(lines, softmax):
        for item, name in expected_fields.items():
            if name not in line:
                findings.append(f"response.{item}: the response has no {name!r} field (it has {sorted(line)})")
        extra = sorted(set(line) - set(expected_fields.values()))
        if extra:
            findings.append(f"response: the response has fields {extra} the contract does not name")
        class_id = max(range(len(row)), key=row.__getitem__)
        label = line.get(r.label)
        if r.label in line and (type(label) is not int or label != c.class_id_to_sentiment.get(class_id)):
            findings.append(f"labels: the model's class {class_id} is answered as {r.label}={label!r}; the contract's label of class {class_id} is {c.class_id_to_sentiment.get(class_id)}")
        probabilities = line.get(r.probabilities)
        if isinstance(probabilities, dict):
            if sorted(probabilities) != sorted(c.label_names):
                findings.append(f"labels: the probabilities are keyed {sorted(probabilities)}; the contract's label texts are {list(c.label_names)}")
            else:
                for class_index, p in enumerate(row):
                    key = c.label_names[class_index] if class_index < len(c.label_names) else None
                    if key is not None and not math.isclose(probabilities[key], p, abs_tol=1e-5):
                        findings.append(f"labels: probability of {key!r} is {probabilities[key]}, the model's class {class_index} (the contract's label {key}) has {p:.6f}")
                        break
        confidence = line.get(r.confidence)
        if isinstance(probabilities, dict) and r.confidence in line and str(label) in probabilities and confidence != probabilities[str(label)]:
            findings.append(f"response.confidence: {confidence!r} is not the probability of the predicted label ({probabilities[str(label)]})")
    findings += error_record_findings(c, loaded)
    return findings


def error_record_findings(c: Contract, loaded: Any) -> list[str]:
    """A line inference.py cannot score is answered in its place with the contract's error record,
    ``{response.error: "line N: ..."}``, and the lines after it are scored."""
    import inference

    r = c.response
    findings: list[str] = []
    field = r.request_text_fields[0]
    request = "".join(json.dumps({field: value}) + "\n" for value in (7, TEXTS[0])).encode()
    answered = attempt(
        findings, "response.error", "inference on a line it cannot score",
        lambda: [json.loads(line) for line in inference.output_fn(inference.predict_fn(inference.input_fn(request, r.content_type), loaded), r.content_type).splitlines()],
    )
    if answered is None:
        return findings
    if len(answered) != 2:
        findings.append(f"response.error: 2 lines, one that cannot be scored, got {len(answered)} answers")
    elif set(answered[0]) != {r.error} or not str(answered[0][r.error]).startswith("line 1: "):
        findings.append(f"response.error: a line that cannot be scored is answered {answered[0]}; the contract's error record is {{{r.error!r}: 'line 1: ...'}}")
    elif r.label not in answered[1]:
        findings.append(f"response.error: the line after an error record is answered {answered[1]}, not scored")
    return findings


def preprocessor_findings(c: Contract) -> list[str]:
    """Model Monitor's record preprocessor (stand-alone, without contract.json) reads a capture in
    the contract's request and response fields."""
    from types import SimpleNamespace

    import data_quality
    import monitor_preprocessor as preprocessor

    findings: list[str] = []
    r = c.response
    if tuple(preprocessor.REQUEST_TEXT_FIELDS) != tuple(r.request_text_fields):
        findings.append(f"response.requestTextFields: monitor_preprocessor reads {list(preprocessor.REQUEST_TEXT_FIELDS)}; the contract {list(r.request_text_fields)}")
    for field in r.request_text_fields:
        request = json.dumps({field: [f"three words {field}"]}) + "\n"
        response = json.dumps({r.label: c.sentiments[-1], r.confidence: 0.9, r.probabilities: {}}) + "\n"
        record = SimpleNamespace(endpoint_input=SimpleNamespace(data=request, encoding="JSON"), endpoint_output=SimpleNamespace(data=response, encoding="JSON"))
        item = f"response.label / response.requestTextFields ({field})"
        row = attempt(findings, item, "monitor_preprocessor.preprocess_handler", lambda: preprocessor.preprocess_handler(record))
        if row is None:
            continue
        if sorted(row) != sorted(data_quality.CAPTURE_COLUMNS) or c.label_feature not in row:
            findings.append(f"labelFeature: the preprocessor profiles {sorted(row)}; the baseline's capture columns are {sorted(data_quality.CAPTURE_COLUMNS)}, the prediction as {c.label_feature!r}")
        elif row[c.label_feature] != c.sentiments[-1]:
            findings.append(f"response.label: the preprocessor read the prediction as {row[c.label_feature]!r}")
    # A request whose first line was answered with an error record is profiled by its next line.
    field = r.request_text_fields[0]
    request = "".join(json.dumps({field: text}) + "\n" for text in ("unscored", "scored text"))
    response = json.dumps({r.error: "line 1: the model could not score it"}) + "\n" + json.dumps({r.label: c.sentiments[0], r.confidence: 0.9, r.probabilities: {}}) + "\n"
    record = SimpleNamespace(endpoint_input=SimpleNamespace(data=request, encoding="JSON"), endpoint_output=SimpleNamespace(data=response, encoding="JSON"))
    row = attempt(findings, "response.error", "monitor_preprocessor.preprocess_handler with an error record", lambda: preprocessor.preprocess_handler(record))
    if row is not None and row.get(c.label_feature) != c.sentiments[0]:
        findings.append(f"response.error: after an error record the preprocessor profiled {row}, not the scored line")
    return findings


# The managed engine's Clarify configurations (hand-written JSON shipped with the step code).


def clarify_config_findings(c: Contract, code_dir: Path | None = None) -> list[str]:
    """``clarify/<check>/analysis_config.json`` against the contract: the content type, the label
    column (``labelFeature``), the predicted label under batch transform's output key, the
    request's text field, the probabilities' keys and label headers (the labels as text)."""
    import re

    r = c.response
    code_dir = Path(code_dir or Path(contract.CONTRACT_FILE).parent)
    findings: list[str] = []
    configs = {check: json.loads((code_dir / "clarify" / check / "analysis_config.json").read_text()) for check in ("data_bias", "model_bias", "explainability")}
    for check, config in configs.items():
        where = f"clarify/{check}/analysis_config.json"
        if config.get("dataset_type") != r.content_type:
            findings.append(f"response.contentType: {where} has dataset_type {config.get('dataset_type')!r}")
        if config.get("label") != c.label_feature or c.label_feature not in config.get("headers", []):
            findings.append(f"labelFeature: {where} has label {config.get('label')!r} (headers {config.get('headers')})")
    where = "clarify/model_bias/analysis_config.json"
    if configs["model_bias"].get("predicted_label") != f"{r.transform_output_key}.{r.label}":
        findings.append(f"response.transformOutputKey / response.label: {where} reads the prediction at {configs['model_bias'].get('predicted_label')!r}")
    predictor = configs["explainability"].get("predictor", {})
    where = "clarify/explainability/analysis_config.json"
    for key in ("content_type", "accept_type"):
        if predictor.get(key) != r.content_type:
            findings.append(f"response.contentType: {where} has predictor.{key} {predictor.get(key)!r}")
    fields = re.findall(r'"(\w+)"\s*:', predictor.get("content_template", ""))
    if not fields or any(field not in r.request_text_fields for field in fields):
        findings.append(f"response.requestTextFields: {where} sends {predictor.get('content_template')!r}")
    probability = "[" + ", ".join(f'{r.probabilities}."{name}"' for name in c.label_names) + "]"
    if predictor.get("probability") != probability:
        findings.append(f"response.probabilities: {where} reads the probabilities as {predictor.get('probability')!r}; the contract's are {probability!r}")
    if predictor.get("label_headers") != list(c.label_names):
        findings.append(f"labels: {where} has label_headers {predictor.get('label_headers')}; the contract's labels as text are {list(c.label_names)}")
    return findings


# The reviews feature group's records.


def raw_reviews(n: int = 24):
    """Raw rows in the dataset's columns: every rating, two categories."""
    import pandas as pd

    return pd.DataFrame(
        [
            {"Clothing ID": str(i), "Age": "30", "Title": f"t{i}", "Review Text": f"review number {i} is here", "Rating": str(1 + i % 5), "Class Name": ("Dresses", "Knits")[i % 2]}
            for i in range(n)
        ]
    )


def feature_findings(c: Contract) -> list[str]:
    """prepare_data's splits and feature records against the contract: the split names, exactly
    the reviews feature group's features in every record (each value text that parses as its
    type), the record identifier and event time features, and the event time's format."""
    import prepare_data

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
    import prepare_data

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


# Report files.


def prepared_records(c: Contract) -> list[dict]:
    """Prepared records (the processing step's JSON lines) of two categories and every label."""
    return [
        {
            "review_id": f"r{i}",
            "input_ids": [0, 5, 2],
            "label_id": i % len(c.sentiments),
            c.label_feature: c.sentiments[i % len(c.sentiments)],
            "review_body": f"a review of {i} words",
            "product_category": ("Dresses", "Knits")[i % 2],
        }
        for i in range(30)
    ]


def write_jsonl(directory: Path, name: str, records: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text("".join(json.dumps(r) + "\n" for r in records))
    return directory


def prediction_records(c: Contract, pairs: list[tuple[int, int, str]]) -> list[dict]:
    """Batch transform's joined output (input record, response under the contract's key)."""
    r = c.response
    return [
        {c.label_feature: actual, "product_category": facet, r.transform_output_key: {r.label: predicted, r.confidence: 0.9, r.probabilities: {}}}
        for actual, predicted, facet in pairs
    ]


def files(directory: Path) -> set[str]:
    return {p.name for p in Path(directory).iterdir() if p.is_file()} if Path(directory).exists() else set()


def compare_reports(c: Contract, writer: str, directory: Path, keys: set[str], allowed: frozenset[str] = frozenset()) -> list[str]:
    """Findings when ``writer`` did not write the contract's report files ``keys`` (contract keys)
    into ``directory``, or wrote files the contract does not name."""
    to_key = report_keys()
    expected = {to_key[f.name]: getattr(c.reports, f.name) for f in dataclass_fields(c.reports) if to_key[f.name] in keys}
    written = files(directory)
    findings = [f"reports.{key}: {writer} wrote no {name} (it wrote {sorted(written)})" for key, name in sorted(expected.items()) if name not in written]
    known = {getattr(c.reports, f.name) for f in dataclass_fields(c.reports)} | set(allowed)
    findings += [f"reports: {writer} wrote {name}, which is not one of the contract's report files" for name in sorted(written - known)]
    return findings


def gate(argv: list[str]) -> tuple[int, dict | None]:
    """quality_gate.py's command line; the exit code and gate.json (the shipped name) when written."""
    import quality_gate

    args = quality_gate.parse_args(argv)
    code = quality_gate.run(args)
    outcome = Path(args.output_dir) / contract.REPORT_FILES.gate
    return code, json.loads(outcome.read_text()) if outcome.exists() else None


def report_findings(c: Contract, work: Path, model_archive_dir: Path | None = None) -> list[str]:
    """The report files evaluate.py, the training-health writer and every quality gate write
    (and the names the gates read) against the contract's ``reports``. With a model
    (``model_archive_dir``: a folder with model.tar.gz), evaluation and the explainability gate too."""
    import evaluate
    import training_health

    work = Path(work)
    findings: list[str] = []
    data = write_jsonl(work / "data", "train.jsonl", prepared_records(c))
    pairs = [(i % 3 - 1, (i % 3 - 1) if i % 4 else 1, ("a", "b")[i % 2]) for i in range(24)]
    predictions = write_jsonl(work / "predictions", "test.jsonl.out", prediction_records(c, pairs))

    def run_gate(name: str, out: str, *argv: str) -> Path:
        output = work / out
        attempt(findings, f"reports ({name})", f"quality_gate.py {name}", lambda: gate([name, *argv, "--output-dir", str(output)]))
        return output

    out = run_gate("data-bias", "data-bias", "--data-dir", str(data), "--thresholds", '{"CI": 1}')
    findings += compare_reports(c, "quality_gate.py data-bias", out, {"bias", "gate"})
    first = run_gate("data-quality", "data-quality-baseline", "--data-dir", str(data))
    findings += compare_reports(c, "quality_gate.py data-quality", first, {"statistics", "constraints", "violations", "driftStatistics", "driftConstraints", "gate"})
    # A baseline folder in the contract's names: the drift check must read it and record it.
    baseline = work / "baseline"
    baseline.mkdir()
    for name in (c.reports.statistics, c.reports.constraints):
        if (first / name).exists():
            shutil.copy(first / name, baseline / name)
    second = run_gate("data-quality", "data-quality", "--data-dir", str(data), "--baseline-dir", str(baseline), "--distribution-threshold", "0.5")
    if (baseline / c.reports.constraints).exists() and (second / c.reports.drift_constraints).exists():
        if json.loads((second / c.reports.drift_constraints).read_text()) != json.loads((baseline / c.reports.constraints).read_text()):
            findings.append(f"reports.constraints: the data-quality gate did not read the baseline's {c.reports.constraints}")
    model = work / "model-archive"
    model.mkdir()
    health = {"status": "healthy", "checks": {"nan_or_inf": {"passed": True, "detail": "0 non-finite values"}}}
    body = json.dumps(health).encode()
    with tarfile.open(model / "model.tar.gz", "w:gz") as tar:
        info = tarfile.TarInfo(c.reports.training_health)
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    out = work / "training-health"
    result = attempt(findings, "reports.trainingHealth", "quality_gate.py training-health", lambda: gate(["training-health", "--model-dir", str(model), "--output-dir", str(out)]))
    if result is not None and result[0] != 0:
        findings.append(f"reports.trainingHealth: the training-health gate did not find the model's {c.reports.training_health}: {result[1] and result[1].get('violations')}")
    findings += compare_reports(c, "quality_gate.py training-health", out, {"trainingHealth", "gate"})
    out = run_gate("model-quality", "model-quality", "--predictions-dir", str(predictions), "--thresholds", '{"accuracy": 0.1}')
    findings += compare_reports(c, "quality_gate.py model-quality", out, {"statistics", "constraints", "driftStatistics", "driftConstraints", "gate"})
    out = run_gate("model-bias", "model-bias", "--predictions-dir", str(predictions), "--thresholds", '{"DPPL": 1}')
    findings += compare_reports(c, "quality_gate.py model-bias", out, {"bias", "gate"})
    out = work / "training-health-writer"
    training_health.TrainingHealth().write(str(out))
    findings += compare_reports(c, "training_health.TrainingHealth.write", out, {"trainingHealth"})
    if model_archive_dir is not None:
        test_dir = write_jsonl(work / "test", "test.jsonl", prepared_records(c)[:6])
        out = work / "evaluation"
        args = evaluate.parse_args(["--model-dir", str(model_archive_dir), "--test-dir", str(test_dir), "--output-dir", str(out), "--work-dir", str(work / "evaluate-model")])
        attempt(findings, "reports.evaluation", "evaluate.py", lambda: evaluate.run(args))
        findings += compare_reports(c, "evaluate.py", out, {"evaluation"})
        out = run_gate("explainability", "explainability", "--model-dir", str(model_archive_dir), "--data-dir", str(test_dir), "--samples", "1", "--permutations", "1")
        findings += compare_reports(c, "quality_gate.py explainability", out, {"explainability", "gate"})
    return findings


# Model quality: the gate's constraints format and metrics.


def model_quality_findings(c: Contract, work: Path) -> list[str]:
    """The model-quality gate against the contract: it reads batch transform's output under
    ``response.transformOutputKey`` / ``response.label``; its constraints.json is Model Monitor's
    model-quality format (``modelQualityConstraints``: the section, each metric's threshold and
    comparison operator); ``--constraints-file`` in that format gates on its minimums; the
    metrics computed include ``modelQualityMetrics``; the monitor reads the format too."""
    import classification
    import monitor

    work = Path(work)
    findings: list[str] = []
    pairs = [(1, 1, "a"), (0, 0, "a"), (-1, -1, "b"), (1, 0, "b")]  # accuracy 0.75
    predictions = write_jsonl(work / "predictions", "test.jsonl.out", prediction_records(c, pairs))
    out = work / "thresholds"
    result = attempt(
        findings, "response.transformOutputKey", "quality_gate.py model-quality on the contract's transform output",
        lambda: gate(["model-quality", "--predictions-dir", str(predictions), "--thresholds", '{"accuracy": 0.5}', "--output-dir", str(out)]),
    )
    if result is not None and result[0] != 0:
        findings.append(f"response.transformOutputKey: the model-quality gate failed on predictions in the contract's format: {result[1] and result[1].get('violations')}")
    written = out / contract.REPORT_FILES.constraints
    if written.exists():
        document = json.loads(written.read_text())
        section = document.get(c.model_quality_section)
        if not isinstance(section, dict):
            findings.append(f"modelQualityConstraints.section: the gate's constraints have sections {sorted(k for k in document if k != 'version')}; the contract's is {c.model_quality_section!r}")
        else:
            for metric, rule in section.items():
                if rule.get("comparison_operator") != c.model_quality_comparison:
                    findings.append(f"modelQualityConstraints.comparison: the gate writes {metric} with {rule.get('comparison_operator')!r}; the contract's minimum is {c.model_quality_comparison!r}")
                if rule.get("threshold") != 0.5:
                    findings.append(f"modelQualityConstraints: the gate writes {metric}'s threshold as {rule.get('threshold')!r}, not the minimum 0.5")
    for threshold, should_pass in ((0.7, True), (0.8, False)):
        constraints = work / f"constraints-{threshold}.json"
        constraints.write_text(json.dumps({"version": 0.0, c.model_quality_section: {"accuracy": {"threshold": threshold, "comparison_operator": c.model_quality_comparison}}}))
        out = work / f"constraints-file-{threshold}"
        result = attempt(
            findings, "modelQualityConstraints", "quality_gate.py model-quality --constraints-file",
            lambda: gate(["model-quality", "--predictions-dir", str(predictions), "--constraints-file", str(constraints), "--output-dir", str(out)]),
        )
        if result is None:
            continue
        code, outcome = result
        violations = (outcome or {}).get("violations", [])
        if should_pass and code != 0:
            findings.append(f"modelQualityConstraints: the gate refuses constraints in the contract's format ({c.model_quality_section}, {c.model_quality_comparison}): {violations}")
        if not should_pass and not any(v.startswith("accuracy 0.7500 is below") for v in violations):
            findings.append(f"modelQualityConstraints: the gate did not take the contract format's accuracy threshold {threshold} as a minimum: {violations}")
    findings += error_share_findings(c, work, pairs)
    metrics = classification.classification_metrics([1, 0, -1], [1, 0, 0])["multiclass_classification_metrics"]
    for name in c.model_quality_metrics:
        if not isinstance(metrics.get(name, {}).get("value"), (int, float)):
            findings.append(f"modelQualityMetrics: classification_metrics computes no {name}")
    rules_document = {"version": 0.0, c.model_quality_section: {name: {"threshold": 0.5, "comparison_operator": c.model_quality_comparison} for name in c.model_quality_metrics}}
    rules = attempt(findings, "modelQualityConstraints", "monitor.quality_rules on the contract's format", lambda: monitor.quality_rules(rules_document, "arn"))
    if rules is not None and set(rules) != set(c.model_quality_metrics):
        findings.append(f"modelQualityConstraints: the monitor reads rules for {sorted(rules)}")
    return findings


def error_share_findings(c: Contract, work: Path, pairs: list[tuple[int, int, str]]) -> list[str]:
    """The model gates count the records answered with the contract's error record: above
    ``--max-error-share`` the gate fails quoting the first one; within it the gate reads the rest."""
    r = c.response
    findings: list[str] = []
    unscored = {c.label_feature: 1, "product_category": "a", r.transform_output_key: {r.error: "line 5: 7 is not a text"}}
    predictions = write_jsonl(work / "with-error-record", "test.jsonl.out", [*prediction_records(c, pairs), unscored])
    for share, should_pass in (("0", False), ("0.5", True)):
        out = work / f"error-share-{share}"
        argv = ["model-quality", "--predictions-dir", str(predictions), "--thresholds", '{"accuracy": 0.5}', "--max-error-share", share, "--output-dir", str(out)]
        result = attempt(findings, "response.error", f"quality_gate.py model-quality --max-error-share {share}", lambda: gate(argv))
        if result is None:
            continue
        code, outcome = result
        violations = (outcome or {}).get("violations", [])
        if should_pass and code != 0:
            findings.append(f"response.error: one error record in 5 failed the gate at --max-error-share {share}: {violations}")
        if not should_pass and not any("record 5: line 5: 7 is not a text" in v for v in violations):
            findings.append(f"response.error: the gate at --max-error-share {share} did not fail quoting the error record (record 5: line 5: ...): {violations}")
    return findings


# The monitor: what it reads and what it publishes.

BUCKET = "lake"
ARN = "arn:aws:sagemaker:us-east-1:111122223333:model-package/contract-check/1"
END = datetime(2026, 11, 28, 15, tzinfo=timezone.utc)


class FakeS3:
    """The S3 calls the monitor makes, over an in-memory bucket (key → bytes)."""

    def __init__(self, objects: dict[str, bytes]):
        self.objects = objects

    def get_paginator(self, name: str):
        assert name == "list_objects_v2"
        return self

    def paginate(self, Bucket: str, Prefix: str, Delimiter: str | None = None):  # noqa: N803 (boto3's names)
        keys = sorted(k for k in self.objects if k.startswith(Prefix))
        if Delimiter:
            folders = sorted({Prefix + k[len(Prefix) :].split(Delimiter)[0] + Delimiter for k in keys if Delimiter in k[len(Prefix) :]})
            return [{"CommonPrefixes": [{"Prefix": f} for f in folders]}]
        return [{"Contents": [{"Key": k} for k in keys]}]

    def get_object(self, Bucket: str, Key: str):  # noqa: N803
        return {"Body": io.BytesIO(self.objects[Key])}


class FakeSageMaker:
    def __init__(self, baselines: dict):
        self.baselines = baselines

    def describe_model_package(self, ModelPackageName: str):  # noqa: N803
        return {"ModelPackageArn": ModelPackageName, "DriftCheckBaselines": self.baselines}


def recording_cloudwatch() -> tuple[Any, list[dict], Any]:
    """A real botocore CloudWatch client under botocore's Stubber (requests validated against the
    API, nothing sent) and the list its PutMetricData parameters are recorded in."""
    import boto3
    from botocore.stub import Stubber

    client = boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    calls: list[dict] = []
    client.meta.events.register("before-parameter-build.cloudwatch.PutMetricData", lambda params, **_: calls.append(copy.deepcopy(params)))
    return client, calls, Stubber(client)


def monitor_account(c: Contract) -> tuple[FakeS3, FakeSageMaker]:
    """A bucket with the package's baselines (the model-quality one in the contract's format, a
    minimum no model meets), an hour of captures in the contract's request and response fields,
    and their ground truth."""
    import data_quality

    r = c.response
    records = [
        {c.label_feature: s, "label_id": class_id, "product_category": "Dresses", "review_body": " ".join(["word"] * n)}
        for class_id, s in enumerate(c.sentiments)
        for n in range(3, 20)
    ]
    stats = data_quality.statistics(data_quality.project(records), data_quality.COLUMNS)
    constraints = data_quality.suggest_constraints(stats)
    quality = {"version": 0.0, c.model_quality_section: {"accuracy": {"threshold": 1.01, "comparison_operator": c.model_quality_comparison}}}
    captures, truths = [], []
    for i in range(6):
        field = r.request_text_fields[i % len(r.request_text_fields)]
        text = " ".join(["word"] * (3 + i))
        request = json.dumps({field: [text] if i % 2 else text}) + "\n"
        sentiment = c.sentiments[i % len(c.sentiments)]
        response = json.dumps({r.label: sentiment, r.confidence: 0.9, r.probabilities: {name: 1 / len(c.label_names) for name in c.label_names}}) + "\n"
        time = (END - timedelta(minutes=50 - i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        captures.append(
            {
                "captureData": {
                    "endpointInput": {"observedContentType": r.content_type, "mode": "INPUT", "data": request, "encoding": "JSON"},
                    "endpointOutput": {"observedContentType": r.content_type, "mode": "OUTPUT", "data": response, "encoding": "JSON"},
                },
                "eventMetadata": {"eventId": f"event-{i}", "inferenceTime": time},
                "eventVersion": "0",
            }
        )
        truths.append({"groundTruthData": {"data": str(sentiment), "encoding": "CSV"}, "eventMetadata": {"eventId": f"event-{i}"}, "eventVersion": "0"})
    hour = (END - timedelta(hours=1)).strftime("%Y/%m/%d/%H")
    objects = {
        "baselines/statistics.json": json.dumps(stats).encode(),
        "baselines/constraints.json": json.dumps(constraints).encode(),
        "baselines/quality.json": json.dumps(quality).encode(),
        f"capture/AllTraffic/{hour}/capture.jsonl": "".join(json.dumps(x) + "\n" for x in captures).encode(),
        f"truth/{hour}/truth.jsonl": "".join(json.dumps(x) + "\n" for x in truths).encode(),
    }
    uri = f"s3://{BUCKET}/baselines/"
    baselines = {
        "ModelDataQuality": {"Statistics": {"S3Uri": uri + "statistics.json"}, "Constraints": {"S3Uri": uri + "constraints.json"}},
        "ModelQuality": {"Constraints": {"S3Uri": uri + "quality.json"}},
    }
    return FakeS3(objects), FakeSageMaker(baselines)


def monitor_findings(c: Contract, work: Path) -> list[str]:
    """monitor.py's two checks (default namespace, stand-in S3 and SageMaker, a stubbed
    CloudWatch) against the contract: it reads captures in the contract's request and response
    fields and the contract's model-quality constraints format, publishes under
    ``metricNamespace`` exactly the check's ``monitorMetrics`` (including every
    ``modelQualityMetrics``), and writes the contract's report files."""
    import monitor

    work = Path(work)
    findings: list[str] = []
    s3, sagemaker = monitor_account(c)
    expected_records = 6
    for check, extra in (("data-drift", []), ("model-quality", ["--ground-truth-uri", f"s3://{BUCKET}/truth/"])):
        key = {"data-drift": "dataDrift", "model-quality": "modelQuality"}[check]
        output = work / check
        cloudwatch, calls, stub = recording_cloudwatch()
        stub.add_response("put_metric_data", {})
        args = monitor.parse_args(
            [check, "--capture-uri", f"s3://{BUCKET}/capture/", "--model-package-arn", ARN, "--endpoint-name", "contract-check", "--output-dir", str(output), "--end", END.isoformat(), *extra]
        )
        with stub:
            code = monitor.run(args, s3=s3, sagemaker=sagemaker, cloudwatch=cloudwatch, now=END + timedelta(minutes=5))
        if code != 0:
            findings.append(f"monitorMetrics.{key}: monitor.py {check} could not compute on data in the contract's formats")
            continue
        summary = json.loads((output / "monitor.json").read_text())
        if summary.get("problems"):
            findings.append(f"response.label / response.requestTextFields: monitor.py {check} could not read captures in the contract's fields: {summary['problems'][:2]}")
        if check == "model-quality":
            if summary.get("ground_truth_records") != expected_records:
                findings.append(f"response.label: monitor.py joined {summary.get('ground_truth_records')} of {expected_records} labelled captures")
            if len(summary.get("violations", [])) != 1:
                findings.append(f"modelQualityConstraints: the monitor did not flag accuracy below the contract format's threshold: {summary.get('violations')}")
        namespaces = sorted({call["Namespace"] for call in calls})
        if namespaces != [c.metric_namespace]:
            findings.append(f"metricNamespace: monitor.py {check} publishes to {namespaces}; the contract's namespace is {c.metric_namespace!r}")
        published = [datum["MetricName"] for call in calls for datum in call["MetricData"]]
        if sorted(published) != sorted(c.monitor_metrics[key]):
            missing = sorted(set(c.monitor_metrics[key]) - set(published))
            unknown = sorted(set(published) - set(c.monitor_metrics[key]))
            findings.append(f"monitorMetrics.{key}: monitor.py {check} publishes {unknown or 'no'} metrics the contract lacks and not {missing or 'none'} of the contract's")
        if check == "model-quality" and not set(c.model_quality_metrics) <= set(published):
            findings.append(f"modelQualityMetrics: monitor.py publishes no {sorted(set(c.model_quality_metrics) - set(published))}")
        findings += compare_reports(c, f"monitor.py {check}", output, {"statistics", "violations"}, frozenset({"monitor.json"}))
    return findings


def all_findings(c: Contract, work: Path, model_dir: Path, model_archive_dir: Path) -> list[str]:
    """Every check (``model_dir``: the extracted model; ``model_archive_dir``: a folder with its model.tar.gz)."""
    work = Path(work)
    return (
        label_findings(c)
        + label_feature_findings(c, Path(tempfile.mkdtemp(dir=work)), model_archive_dir)
        + response_findings(c, model_dir)
        + preprocessor_findings(c)
        + clarify_config_findings(c)
        + feature_findings(c)
        + report_findings(c, Path(tempfile.mkdtemp(dir=work)), model_archive_dir)
        + model_quality_findings(c, Path(tempfile.mkdtemp(dir=work)))
        + monitor_findings(c, Path(tempfile.mkdtemp(dir=work)))
    )
