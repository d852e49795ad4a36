"""The endpoint against the contract: inference.py's requests, responses and error records, Model
Monitor's record preprocessor, and the managed engine's Clarify configurations."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import contract
from contract import Contract
from conftest import bert

from .common import TEXTS, attempt

# The endpoint's requests and responses.


def response_findings(c: Contract, model_dir: Path) -> list[str]:
    """inference.py against the contract: the content type it accepts and answers, the request
    fields it reads (in order), the response fields (exactly label, confidence, probabilities),
    the label of the model's most probable class and the probabilities keyed by label text, both
    by the contract's labels (the model's own softmax computed here)."""
    import torch

    inference = bert("inference")

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
    inference = bert("inference")

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
    # The configurations are BERT's (its label, facet and request field), shipped with its code.
    code_dir = Path(code_dir or Path(__file__).resolve().parents[3] / "pipeline-definitions" / "families" / "bert-sentiment" / "code")
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
