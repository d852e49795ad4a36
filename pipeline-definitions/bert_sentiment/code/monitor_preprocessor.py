"""Reading SageMaker endpoint data capture, and Model Monitor's record preprocessor for this model.

On accounts that still have SageMaker Model Monitor, its data-quality job runs this file as the
record preprocessor (``DataQualityAppSpecification.RecordPreprocessorSourceUri``): it calls
:func:`preprocess_handler` once per captured record and profiles the flat dictionaries returned,

    {"review_words": <words in the review>, "sentiment": <predicted_label>}

the two columns of the data-quality baseline that a capture holds (data_quality.CAPTURE_COLUMNS).
Model Monitor profiles one row per captured request, so a request of several lines contributes its
first line and prediction.

The preprocessor source is one S3 object: Model Monitor downloads this file alone, without the
rest of the code directory (contract.json included), and runs it under its own Python. So this
module imports nothing but the standard library (and runs on older Pythons), and monitor.py imports
its capture parsing from here rather than the other way round. What it cannot share is held equal
to its original by the tests: the contract's request text fields and response label field
(:data:`REQUEST_TEXT_FIELDS`, :data:`RESPONSE_LABEL`; monitor.py passes the contract's own) by
test/python/test_contract.py; the request shapes of inference.input_fn (which needs torch) and
:func:`preprocess_handler`'s count of words (data_quality.review_words) by
test/python/test_monitor.py.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Sequence

TEXT_ENCODINGS = ("JSON", "CSV")
# The contract's response.requestTextFields and response.label (contract.json is not here).
REQUEST_TEXT_FIELDS = ("features", "review_body")
RESPONSE_LABEL = "predicted_label"


def decode(data: Any, encoding: str) -> str:
    """The text of a captured payload: ``BASE64`` is decoded, ``JSON`` and ``CSV`` are text."""
    if encoding == "BASE64":
        return base64.b64decode(data).decode("utf-8")
    if encoding not in TEXT_ENCODINGS:
        raise ValueError(f"capture encoding {encoding!r} is not supported; expected BASE64, JSON or CSV")
    if isinstance(data, (bytes, bytearray)):
        return data.decode("utf-8")
    return data if isinstance(data, str) else json.dumps(data)


def request_texts(text: str, fields: Sequence[str] | None = None) -> list[str]:
    """The review of each line of a request: an object with one of ``fields`` (default
    :data:`REQUEST_TEXT_FIELDS`, read in that order) holding the text or a list whose first item is
    the text, e.g. {"features": [text]} or {"review_body": text}; or a JSON string."""
    fields = REQUEST_TEXT_FIELDS if fields is None else tuple(fields)
    texts = []
    for line in text.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        found = None
        if isinstance(record, str):
            found = record
        elif isinstance(record, dict):
            field = next((f for f in fields if f in record), None)
            if field is not None:
                value = record[field]
                if not isinstance(value, list):
                    found = str(value)
                elif value:
                    found = str(value[0])
        if found is None:
            names = " or ".join(json.dumps(f) for f in fields)
            raise ValueError(f"each request line must be an object with {names} (the text, or a list of it) or a JSON string")
        texts.append(found)
    return texts


def response_labels(text: str, label_field: str | None = None) -> list[int]:
    """The predicted label (field ``label_field``, default :data:`RESPONSE_LABEL`) of each line of a response."""
    label_field = RESPONSE_LABEL if label_field is None else label_field
    labels = []
    for line in text.splitlines():
        if line.strip():
            record = json.loads(line)
            if not isinstance(record, dict) or label_field not in record:
                raise ValueError(f'each response line must be {{"{label_field}": ..., ...}}')
            labels.append(int(record[label_field]))
    return labels


def request_pairs(
    endpoint_input: dict, endpoint_output: dict, text_fields: Sequence[str] | None = None, label_field: str | None = None
) -> list[tuple[str, int]]:
    """(review, predicted label) of each line of a captured request, line i with prediction i;
    the arguments are a capture's ``endpointInput`` and ``endpointOutput``, and the request's text
    fields and the response's label field (default :data:`REQUEST_TEXT_FIELDS`, :data:`RESPONSE_LABEL`)."""
    texts = request_texts(decode(endpoint_input["data"], endpoint_input.get("encoding", "JSON")), text_fields)
    labels = response_labels(decode(endpoint_output["data"], endpoint_output.get("encoding", "JSON")), label_field)
    if len(texts) != len(labels) or not texts:
        raise ValueError(f"the request has {len(texts)} reviews and the response {len(labels)} predictions")
    return list(zip(texts, labels))


def preprocess_handler(inference_record) -> dict:
    """Model Monitor's entry point: the profiled columns of a captured record's first line."""
    sides = ({"data": side.data, "encoding": side.encoding} for side in (inference_record.endpoint_input, inference_record.endpoint_output))
    text, label = request_pairs(*sides)[0]
    # data_quality.review_words (the baseline's count of words)
    return {"review_words": len(str(text).split()) if text else None, "sentiment": label}
