"""The step code's side of the contract with the TypeScript side (definitions, stacks, dashboards,
alarms): ``contract.json``, read from this module's own folder.

contract.json is generated from ``pipeline-definitions/contract.ts`` (``npx ts-node --swc
pipeline-definitions/contract.ts``) and never edited by hand; it ships with the step code and, with
this module, inside every model's ``code/`` folder (train.py copies both beside inference.py). The
module reads it once, checks that every key the step code uses is there with the expected type,
and exposes the values by name. A missing file or key fails the import with a
:class:`ContractError` that names the file and the key.

    METRIC_NAMESPACE                 the CloudWatch namespace of the monitoring metrics
    MONITOR_METRICS                  check ("dataDrift", "modelQuality") -> the metric names it publishes
    EVENT_TIME_FORMAT                strftime format of the reviews feature group's event time
    SENTIMENTS                       the sentiment labels, by class id: (-1, 0, 1)
    SENTIMENT_TO_CLASS_ID            -1 -> 0, 0 -> 1, 1 -> 2
    CLASS_ID_TO_SENTIMENT            0 -> -1, 1 -> 0, 2 -> 1
    LABEL_NAMES                      each class id's label as text ("-1", "0", "1"): the keys of
                                     the response's probabilities and of the per-class reports
    LABEL_FEATURE                    the prepared data's column of the true label (a sentiment):
                                     the checks' ground truth
    SPLITS                           the dataset splits: ("train", "validation", "test")
    REVIEWS_FEATURES                 the reviews feature group's features: name -> Feature Store type
    RECORD_IDENTIFIER                its record identifier feature
    EVENT_TIME_FEATURE               its event time feature
    CONTENT_TYPE                     the content type of requests and responses (JSON lines)
    RESPONSE_LABEL                   the response field of the predicted label (a sentiment)
    RESPONSE_CONFIDENCE              the response field of the predicted label's probability
    RESPONSE_PROBABILITIES           the response field of each label's probability (by LABEL_NAMES)
    ERROR_FIELD                      the one field of an error record, the answer to a line that
                                     could not be scored
    TRANSFORM_OUTPUT_KEY             batch transform's key of the response in a joined output line
    REQUEST_TEXT_FIELDS              the request fields a line may carry its text in, in reading order
    REPORT_FILES                     the report file names (:class:`ReportFiles`: .evaluation, .gate, ...)
    MODEL_QUALITY_SECTION            the section of Model Monitor's model-quality constraints
    MODEL_QUALITY_COMPARISON         the comparison operator of a minimum in that format
    MODEL_QUALITY_METRICS            the model-quality metrics gated, monitored and published

:func:`load` reads another copy of the file (the contract test plants drift in one); ``CONTRACT``
is the :class:`Contract` the values above come from.

Standard library only, and Python 3.8 compatible: inference.py imports it in the serving container.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any, Mapping, Tuple

CONTRACT_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "contract.json")
REGENERATE = "npx ts-node --swc pipeline-definitions/contract.ts"
FEATURE_TYPES = ("String", "Integral", "Fractional")
MONITOR_CHECKS = ("dataDrift", "modelQuality")
JSON_TYPES = {str: "a string", int: "an integer", list: "a list", dict: "an object"}


class ContractError(Exception):
    """contract.json is missing, is not JSON, or lacks a key (or has one of the wrong type)."""


@dataclass(frozen=True)
class ReportFiles:
    """The report file names (the contract's ``reports``; the managed services' formats)."""

    evaluation: str
    gate: str
    bias: str
    explainability: str
    training_health: str
    statistics: str
    constraints: str
    violations: str
    drift_statistics: str
    drift_constraints: str


def _camel(name: str) -> str:
    return "".join(word if i == 0 else word.capitalize() for i, word in enumerate(name.split("_")))


# ReportFiles attribute -> the contract's key under "reports".
REPORT_KEYS = {f.name: _camel(f.name) for f in fields(ReportFiles)}


@dataclass(frozen=True)
class Response:
    """What the endpoint answers per input line (the contract's ``response``)."""

    content_type: str
    label: str
    confidence: str
    probabilities: str
    error: str
    transform_output_key: str
    request_text_fields: Tuple[str, ...]


# Response attribute -> the contract's key under "response".
RESPONSE_KEYS = {f.name: _camel(f.name) for f in fields(Response)}


@dataclass(frozen=True)
class Contract:
    metric_namespace: str
    monitor_metrics: Mapping[str, Tuple[str, ...]]
    event_time_format: str
    sentiments: Tuple[int, ...]
    label_feature: str
    splits: Tuple[str, ...]
    record_identifier: str
    event_time_feature: str
    reviews_features: Mapping[str, str]
    response: Response
    reports: ReportFiles
    model_quality_section: str
    model_quality_comparison: str
    model_quality_metrics: Tuple[str, ...]
    path: str = CONTRACT_FILE

    @property
    def sentiment_to_class_id(self) -> Mapping[int, int]:
        return MappingProxyType({sentiment: class_id for class_id, sentiment in enumerate(self.sentiments)})

    @property
    def class_id_to_sentiment(self) -> Mapping[int, int]:
        return MappingProxyType(dict(enumerate(self.sentiments)))

    @property
    def label_names(self) -> Tuple[str, ...]:
        return tuple(str(sentiment) for sentiment in self.sentiments)


class _Reader:
    def __init__(self, document: Any, path: str):
        self.document, self.path = document, path

    def fail(self, key: str, problem: str) -> ContractError:
        return ContractError(f"{self.path}: {key} {problem} (the file is generated: {REGENERATE})")

    def get(self, key: str, kind: type) -> Any:
        value = self.document
        for part in key.split("."):
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, dict) and part in value:
                value = value[part]
            else:
                raise self.fail(key, "is missing")
        if not isinstance(value, kind) or isinstance(value, bool):
            raise self.fail(key, f"is {json.dumps(value)}, not {JSON_TYPES.get(kind, kind.__name__)}")
        return value

    def text(self, key: str) -> str:
        value = self.get(key, str)
        if not value:
            raise self.fail(key, "is empty")
        return value

    def texts(self, key: str) -> Tuple[str, ...]:
        values = self.get(key, list)
        if not values or not all(isinstance(v, str) and v for v in values) or len(set(values)) != len(values):
            raise self.fail(key, f"is {json.dumps(values)}, not a list of distinct names")
        return tuple(values)


def parse(document: Any, path: str = CONTRACT_FILE) -> Contract:
    """The contract of a parsed contract.json (``path`` names it in errors)."""
    read = _Reader(document, path)
    labels = read.get("labels", list)
    by_class: dict[int, int] = {}
    for index in range(len(labels)):
        by_class[read.get(f"labels.{index}.classId", int)] = read.get(f"labels.{index}.sentiment", int)
    if sorted(by_class) != list(range(len(labels))) or len(set(by_class.values())) != len(labels) or not labels:
        raise read.fail("labels", f"is {json.dumps(labels)}: the class ids must be 0 to n-1 and the sentiments distinct")
    features = read.get("featureGroups.reviews.features", dict)
    for name, kind in features.items():
        if kind not in FEATURE_TYPES:
            raise read.fail(f"featureGroups.reviews.features.{name}", f"is {json.dumps(kind)}, not one of {', '.join(FEATURE_TYPES)}")
    record_identifier = read.text("featureGroups.reviews.recordIdentifier")
    event_time_feature = read.text("featureGroups.reviews.eventTime")
    for key, name in (("recordIdentifier", record_identifier), ("eventTime", event_time_feature)):
        if name not in features:
            raise read.fail(f"featureGroups.reviews.{key}", f"is {name!r}, which is not one of the features")
    read.get("monitorMetrics", dict)
    return Contract(
        metric_namespace=read.text("metricNamespace"),
        monitor_metrics=MappingProxyType({check: read.texts(f"monitorMetrics.{check}") for check in MONITOR_CHECKS}),
        event_time_format=read.text("eventTime.strftime"),
        sentiments=tuple(by_class[class_id] for class_id in range(len(labels))),
        label_feature=read.text("labelFeature"),
        splits=read.texts("splits"),
        record_identifier=record_identifier,
        event_time_feature=event_time_feature,
        reviews_features=MappingProxyType(dict(features)),
        response=Response(
            **{attribute: (read.texts if attribute == "request_text_fields" else read.text)(f"response.{key}") for attribute, key in RESPONSE_KEYS.items()}
        ),
        reports=ReportFiles(**{attribute: read.text(f"reports.{key}") for attribute, key in REPORT_KEYS.items()}),
        model_quality_section=read.text("modelQualityConstraints.section"),
        model_quality_comparison=read.text("modelQualityConstraints.comparison"),
        model_quality_metrics=read.texts("modelQualityMetrics"),
        path=path,
    )


def load(path: str = CONTRACT_FILE) -> Contract:
    """Reads and checks a contract.json."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise ContractError(f"{path} is missing: the step code reads the contract from it (generate it: {REGENERATE})") from None
    except json.JSONDecodeError as error:
        raise ContractError(f"{path} is not JSON: {error} (the file is generated: {REGENERATE})") from None
    return parse(document, path)


CONTRACT = load()

METRIC_NAMESPACE: str = CONTRACT.metric_namespace
MONITOR_METRICS: Mapping[str, Tuple[str, ...]] = CONTRACT.monitor_metrics
EVENT_TIME_FORMAT: str = CONTRACT.event_time_format
SENTIMENTS: Tuple[int, ...] = CONTRACT.sentiments
SENTIMENT_TO_CLASS_ID: Mapping[int, int] = CONTRACT.sentiment_to_class_id
CLASS_ID_TO_SENTIMENT: Mapping[int, int] = CONTRACT.class_id_to_sentiment
LABEL_NAMES: Tuple[str, ...] = CONTRACT.label_names
LABEL_FEATURE: str = CONTRACT.label_feature
SPLITS: Tuple[str, ...] = CONTRACT.splits
REVIEWS_FEATURES: Mapping[str, str] = CONTRACT.reviews_features
RECORD_IDENTIFIER: str = CONTRACT.record_identifier
EVENT_TIME_FEATURE: str = CONTRACT.event_time_feature
CONTENT_TYPE: str = CONTRACT.response.content_type
RESPONSE_LABEL: str = CONTRACT.response.label
RESPONSE_CONFIDENCE: str = CONTRACT.response.confidence
RESPONSE_PROBABILITIES: str = CONTRACT.response.probabilities
ERROR_FIELD: str = CONTRACT.response.error
TRANSFORM_OUTPUT_KEY: str = CONTRACT.response.transform_output_key
REQUEST_TEXT_FIELDS: Tuple[str, ...] = CONTRACT.response.request_text_fields
REPORT_FILES: ReportFiles = CONTRACT.reports
MODEL_QUALITY_SECTION: str = CONTRACT.model_quality_section
MODEL_QUALITY_COMPARISON: str = CONTRACT.model_quality_comparison
MODEL_QUALITY_METRICS: Tuple[str, ...] = CONTRACT.model_quality_metrics


def require_monitor_metrics(check: str, *names: str) -> Tuple[str, ...]:
    """The names, when every one is a metric of the check's ``monitorMetrics``; else a ContractError
    (the monitor publishes nothing the dashboards and alarms do not know)."""
    unknown = [name for name in names if name not in MONITOR_METRICS[check]]
    if unknown:
        raise ContractError(f"{CONTRACT.path}: monitorMetrics.{check} has no {', '.join(unknown)} (it has {', '.join(MONITOR_METRICS[check])})")
    return names
