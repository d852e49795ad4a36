"""The step code against the contract it shares with the TypeScript side (contract.json).

contract.py reads every key of the file (and fails naming a missing one); the step code's
behaviour agrees with each contract item (the contract_check package: inference's responses and
labels, the record preprocessor, prepare_data's feature records, splits and event time, the report
files, the model-quality constraints format, the monitor's namespace and metrics); and a drift
planted on either side, in a step module's value or in a copy of contract.json, is reported naming
the item.
(That contract.json is what contract.ts generates is the TypeScript side's test.)
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

import contract
import contract_check as check
from conftest import bert
from model_archive import load_model_dir

SHIPPED = json.loads(Path(contract.CONTRACT_FILE).read_text())


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, trained_model_archive) -> Path:
    """The tiny model, extracted as hosting extracts model.tar.gz."""
    return Path(load_model_dir(str(trained_model_archive), str(tmp_path_factory.mktemp("contract-model"))))


# contract.py reads the file.


def leaves(document, at: str = "") -> set[str]:
    """The dotted key paths of a document's objects (lists are values)."""
    if isinstance(document, dict):
        return {path for key, value in document.items() for path in leaves(value, f"{at}.{key}" if at else key)}
    return {at}


def test_contract_py_reads_every_key_of_the_file():
    c = contract.load()
    assert c == contract.CONTRACT
    assert contract.METRIC_NAMESPACE == SHIPPED["metricNamespace"]
    assert {check_: list(names) for check_, names in contract.MONITOR_METRICS.items()} == SHIPPED["monitorMetrics"]
    assert contract.EVENT_TIME_FORMAT == SHIPPED["eventTime"]["strftime"]
    assert [{"sentiment": s, "classId": contract.SENTIMENT_TO_CLASS_ID[s]} for s in contract.SENTIMENTS] == sorted(SHIPPED["labels"], key=lambda label: label["classId"])
    assert list(contract.SPLITS) == SHIPPED["splits"]
    assert contract.LABEL_FEATURE == SHIPPED["labelFeature"]
    reviews = SHIPPED["featureGroups"]["reviews"]
    assert (contract.RECORD_IDENTIFIER, contract.EVENT_TIME_FEATURE, dict(contract.REVIEWS_FEATURES)) == (reviews["recordIdentifier"], reviews["eventTime"], reviews["features"])
    response = {contract.RESPONSE_KEYS[name]: value for name, value in dataclasses.asdict(c.response).items()}
    assert response == {**SHIPPED["response"], "requestTextFields": tuple(SHIPPED["response"]["requestTextFields"])}
    assert (contract.CONTENT_TYPE, contract.RESPONSE_LABEL, contract.RESPONSE_CONFIDENCE, contract.RESPONSE_PROBABILITIES, contract.ERROR_FIELD, contract.TRANSFORM_OUTPUT_KEY) == (
        response["contentType"], response["label"], response["confidence"], response["probabilities"], response["error"], response["transformOutputKey"]
    )
    assert contract.REQUEST_TEXT_FIELDS == response["requestTextFields"]
    assert {contract.REPORT_KEYS[name]: value for name, value in dataclasses.asdict(contract.REPORT_FILES).items()} == SHIPPED["reports"]
    assert (contract.MODEL_QUALITY_SECTION, contract.MODEL_QUALITY_COMPARISON) == (SHIPPED["modelQualityConstraints"]["section"], SHIPPED["modelQualityConstraints"]["comparison"])
    assert list(contract.MODEL_QUALITY_METRICS) == SHIPPED["modelQualityMetrics"]
    # A key the TypeScript side adds is read here before the step code can use it.
    read = {
        "metricNamespace", "eventTime.strftime", "labels", "labelFeature", "splits", "modelQualityMetrics",
        "featureGroups.reviews.recordIdentifier", "featureGroups.reviews.eventTime",
        *(f"monitorMetrics.{name}" for name in contract.MONITOR_CHECKS),
        *(f"response.{key}" for key in contract.RESPONSE_KEYS.values()),
        *(f"reports.{key}" for key in contract.REPORT_KEYS.values()),
        "modelQualityConstraints.section", "modelQualityConstraints.comparison",
    }
    features = {p for p in leaves(SHIPPED) if p.startswith("featureGroups.reviews.features.")}
    assert leaves(SHIPPED) - features == read


@pytest.mark.parametrize(
    "key", ["metricNamespace", "monitorMetrics.dataDrift", "eventTime.strftime", "labels", "featureGroups.reviews.features", "response.label", "reports.gate", "modelQualityConstraints.section", "modelQualityMetrics"]
)
def test_a_missing_key_fails_naming_it(tmp_path, key):
    document = json.loads(json.dumps(SHIPPED))
    *parents, last = key.split(".")
    target = document
    for part in parents:
        target = target[part]
    del target[last]
    path = tmp_path / "contract.json"
    path.write_text(json.dumps(document))
    with pytest.raises(contract.ContractError, match=re.escape(f"{path}: {key} is missing (the file is generated: npx ts-node --swc pipeline-definitions/contract.ts)")):
        contract.load(str(path))


def test_a_missing_file_or_a_malformed_value_fails_clearly(tmp_path):
    with pytest.raises(contract.ContractError, match="contract.json is missing: the step code reads the contract from it"):
        contract.load(str(tmp_path / "contract.json"))
    for key, value, message in (
        ("labels", [{"sentiment": -1, "classId": 1}], "labels is .*: the class ids must be 0 to n-1"),
        ("featureGroups.reviews.eventTime", "when", "featureGroups.reviews.eventTime is 'when', which is not one of the features"),
        ("featureGroups.reviews.features.sentiment", "Number", "featureGroups.reviews.features.sentiment is \"Number\", not one of String, Integral, Fractional"),
        ("metricNamespace", 3, "metricNamespace is 3, not a string"),
    ):
        with pytest.raises(contract.ContractError, match=message):
            check.planted_contract(tmp_path, key, value)


# The shipped code agrees with the shipped contract.


def test_the_labels_agree():
    assert check.label_findings(contract.CONTRACT) == []


def test_the_true_label_is_read_from_the_contract_label_feature(tmp_path, trained_model_archive):
    assert check.label_feature_findings(contract.CONTRACT, tmp_path, trained_model_archive) == []


def test_inference_answers_with_the_contract_fields_and_labels(model_dir):
    assert check.response_findings(contract.CONTRACT, model_dir) == []


def test_the_record_preprocessor_reads_the_contract_fields_without_the_contract():
    assert check.preprocessor_findings(contract.CONTRACT) == []


def test_the_clarify_configurations_read_the_contract_fields():
    assert check.clarify_config_findings(contract.CONTRACT) == []


def test_feature_records_have_the_contract_features_splits_and_event_time():
    assert check.feature_findings(contract.CONTRACT) == []


def test_the_steps_write_the_contract_report_files(tmp_path, trained_model_archive):
    assert check.report_findings(contract.CONTRACT, tmp_path, trained_model_archive) == []


def test_the_model_quality_gate_speaks_the_contract_constraints_format(tmp_path):
    assert check.model_quality_findings(contract.CONTRACT, tmp_path) == []


def test_the_monitor_publishes_the_contract_metrics_under_its_namespace(tmp_path):
    assert check.monitor_findings(contract.CONTRACT, tmp_path) == []


# Planted drift is found, naming the item.


def run_check(name: str, c: contract.Contract, tmp_path: Path, model_dir: Path, archive: Path) -> list[str]:
    return {
        "labels": lambda: check.label_findings(c),
        "label-feature": lambda: check.label_feature_findings(c, tmp_path, archive),
        "response": lambda: check.response_findings(c, model_dir),
        "preprocessor": lambda: check.preprocessor_findings(c),
        "clarify": lambda: check.clarify_config_findings(c),
        "features": lambda: check.feature_findings(c),
        "reports": lambda: check.report_findings(c, tmp_path, archive),
        "model-quality": lambda: check.model_quality_findings(c, tmp_path),
        "monitor": lambda: check.monitor_findings(c, tmp_path),
    }[name]()


def without(mapping, key):
    return {k: v for k, v in mapping.items() if k != key}


PYTHON_DRIFT = [
    # (module, attribute, planted value (a function of the current one), check, item); bert:<module>
    # is a module of the BERT family's code, the others the step-code library's
    ("serving", "LABEL_TO_SENTIMENT", lambda m: {0: 1, 1: 0, 2: -1}, "response", "labels"),
    ("serving", "RESPONSE_LABEL", lambda v: "label", "response", "response.label"),
    ("serving", "REQUEST_TEXT_FIELDS", lambda v: v[::-1], "response", "response.requestTextFields"),
    ("reviews", "SENTIMENT_TO_LABEL", lambda m: {-1: 2, 0: 1, 1: 0}, "labels", "labels"),
    ("bert:train", "CLASS_ID_TO_SENTIMENT", lambda m: {0: 1, 1: 0, 2: -1}, "labels", "labels"),
    ("quality_gate", "LABEL_FEATURE", lambda v: "label", "label-feature", "labelFeature"),
    ("evaluate", "LABEL_FEATURE", lambda v: "label", "label-feature", "labelFeature"),
    ("bert:prepare_data", "REVIEWS_FEATURES", lambda m: without(m, "split_type"), "features", "featureGroups.reviews.features"),
    ("bert:prepare_data", "EVENT_TIME_FORMAT", lambda v: "%Y-%m-%d %H:%M", "features", "eventTime.strftime"),
    ("reviews", "SPLITS", lambda v: ("train", "valid", "test"), "features", "splits"),
    ("monitor_preprocessor", "RESPONSE_LABEL", lambda v: "label", "preprocessor", "response.label"),
    ("monitor", "DEFAULT_NAMESPACE", lambda v: "Other/Namespace", "monitor", "metricNamespace"),
    ("monitor", "QUALITY_METRICS", lambda v: v[:-1], "monitor", "monitorMetrics.modelQuality"),
    ("monitor", "FEATURE_DRIFT", lambda v: "feature_drift", "monitor", "monitorMetrics.dataDrift"),
    ("monitor", "RESPONSE_LABEL", lambda v: "label", "monitor", "response.label"),
    ("evaluate", "REPORT_FILES", lambda v: dataclasses.replace(v, evaluation="metrics.json"), "reports", "reports.evaluation"),
    ("quality_gate", "TRANSFORM_OUTPUT_KEY", lambda v: "Output", "model-quality", "response.transformOutputKey"),
    ("serving", "ERROR_FIELD", lambda v: "message", "response", "response.error"),
    ("monitor_preprocessor", "ERROR_FIELD", lambda v: "message", "preprocessor", "response.error"),
    ("quality_gate", "ERROR_FIELD", lambda v: "message", "model-quality", "response.error"),
]


@pytest.mark.parametrize("module, attribute, plant, name, item", PYTHON_DRIFT, ids=[f"{m}.{a}" for m, a, *_ in PYTHON_DRIFT])
def test_drift_planted_in_the_step_code_is_found(monkeypatch, tmp_path, model_dir, trained_model_archive, module, attribute, plant, name, item):
    target = bert(module.split(":", 1)[1]) if module.startswith("bert:") else __import__(module)
    monkeypatch.setattr(target, attribute, plant(getattr(target, attribute)))
    findings = run_check(name, contract.CONTRACT, tmp_path, model_dir, trained_model_archive)
    assert any(f.startswith(item) for f in findings), findings


def renamed(features: dict, old: str, new: str) -> dict:
    return {new if k == old else k: v for k, v in features.items()}


CONTRACT_DRIFT = [
    # (key in contract.json, planted value, check, item)
    ("labels", [{"sentiment": -1, "classId": 2}, {"sentiment": 0, "classId": 1}, {"sentiment": 1, "classId": 0}], "response", "labels"),
    ("labels", [{"sentiment": -1, "classId": 2}, {"sentiment": 0, "classId": 1}, {"sentiment": 1, "classId": 0}], "labels", "labels"),
    ("labelFeature", "label", "label-feature", "labelFeature"),
    ("response.label", "label", "response", "response.label"),
    ("response.confidence", "score", "response", "response.confidence"),
    ("response.probabilities", "scores", "response", "response.probabilities"),
    ("response.contentType", "application/x-ndjson", "response", "response.contentType"),
    ("response.requestTextFields", ["text", "features", "review_body"], "response", "response.requestTextFields"),
    ("response.requestTextFields", ["text", "features", "review_body"], "preprocessor", "response.requestTextFields"),
    ("response.label", "label", "monitor", "response.label"),
    ("response.probabilities", "scores", "clarify", "response.probabilities"),
    ("labels", [{"sentiment": -1, "classId": 0}, {"sentiment": 0, "classId": 1}, {"sentiment": 2, "classId": 2}], "clarify", "labels"),
    ("labelFeature", "label", "clarify", "labelFeature"),
    ("response.transformOutputKey", "Output", "clarify", "response.transformOutputKey"),
    ("response.transformOutputKey", "Output", "model-quality", "response.transformOutputKey"),
    ("response.error", "message", "response", "response.error"),
    ("response.error", "message", "preprocessor", "response.error"),
    ("response.error", "message", "model-quality", "response.error"),
    ("featureGroups.reviews.features", renamed(SHIPPED["featureGroups"]["reviews"]["features"], "product_category", "category"), "features", "featureGroups.reviews.features"),
    ("featureGroups.reviews.features.review_body", "Integral", "features", "featureGroups.reviews.features"),
    ("featureGroups.reviews.recordIdentifier", "input_ids", "features", "featureGroups.reviews.recordIdentifier"),
    ("featureGroups.reviews.eventTime", "review_id", "features", "featureGroups.reviews.eventTime"),
    ("eventTime.strftime", "%Y-%m-%d", "features", "eventTime.strftime"),
    ("splits", ["train", "valid", "test"], "features", "splits"),
    ("metricNamespace", "Other/Namespace", "monitor", "metricNamespace"),
    ("monitorMetrics.dataDrift", ["feature_drift", "prediction_baseline_drift_sentiment", "data_quality_violations", "captured_records"], "monitor", "monitorMetrics.dataDrift"),
    ("monitorMetrics.modelQuality", [*SHIPPED["monitorMetrics"]["modelQuality"], "balanced_accuracy"], "monitor", "monitorMetrics.modelQuality"),
    ("reports.evaluation", "metrics.json", "reports", "reports.evaluation"),
    ("reports.gate", "outcome.json", "reports", "reports.gate"),
    ("reports.trainingHealth", "health.json", "reports", "reports.trainingHealth"),
    ("reports.driftConstraints", "previous_constraints.json", "reports", "reports.driftConstraints"),
    ("reports.violations", "violations.json", "monitor", "reports.violations"),
    ("modelQualityConstraints.section", "binary_classification_constraints", "model-quality", "modelQualityConstraints.section"),
    ("modelQualityConstraints.comparison", "GreaterThanThreshold", "model-quality", "modelQualityConstraints.comparison"),
    ("modelQualityMetrics", [*SHIPPED["modelQualityMetrics"], "balanced_accuracy"], "model-quality", "modelQualityMetrics"),
]


@pytest.mark.parametrize("key, value, name, item", CONTRACT_DRIFT, ids=[f"{k}-{n}" for k, _, n, _ in CONTRACT_DRIFT])
def test_drift_planted_in_the_contract_is_found(tmp_path, model_dir, trained_model_archive, key, value, name, item):
    planted = check.planted_contract(tmp_path, key, value)
    findings = run_check(name, planted, tmp_path / "work", model_dir, trained_model_archive)
    assert any(f.startswith(item) for f in findings), findings
