"""Reading SageMaker endpoint data capture, and Model Monitor's record preprocessor for this model.

On accounts that still have SageMaker Model Monitor, its data-quality job runs this file as the
record preprocessor (``DataQualityAppSpecification.RecordPreprocessorSourceUri``): it calls
:func:`preprocess_handler` once per captured record and profiles the flat dictionaries returned,

    {"review_words": <words in the review>, "sentiment": <predicted_label>}

the two columns of the data-quality baseline that a capture holds (data_quality.CAPTURE_COLUMNS).
Model Monitor profiles one row per captured request, so a request of several records contributes its
first scored record and prediction. A request is JSON Lines, or one JSON document (an object or an
array of objects) when captured as ``application/json``; a record the endpoint answered with an
error record (``{"error": ...}``) is left out.

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


JSON = "application/json"
# The contract's response.error: the one field of the answer to a line the endpoint could not score.
ERROR_FIELD = "error"


def _records(text: str, content_type: str | None) -> list[Any]:
    """The records of a payload: the items of one JSON document (``application/json``: an object
    or an array of objects), else one per non-blank line (JSON Lines)."""
    if content_type is not None and content_type.split(";")[0].strip().lower() == JSON:
        document = json.loads(text)
        return document if isinstance(document, list) else [document]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _text_of(record: Any, fields: Sequence[str]) -> str | None:
    """The review a request record carries, or None when it carries none the endpoint reads."""
    if isinstance(record, str):
        return record
    if isinstance(record, dict):
        field = next((f for f in fields if f in record), None)
        if field is not None:
            value = record[field]
            if isinstance(value, str):
                return value
            if isinstance(value, list) and value and isinstance(value[0], str):
                return value[0]
    return None


def request_texts(text: str, fields: Sequence[str] | None = None, content_type: str | None = None) -> list[str]:
    """The review of each record of a request: an object with one of ``fields`` (default
    :data:`REQUEST_TEXT_FIELDS`, read in that order) holding the text or a list whose first item is
    the text, e.g. {"features": [text]} or {"review_body": text}; or a JSON string."""
    fields = REQUEST_TEXT_FIELDS if fields is None else tuple(fields)
    texts = [_text_of(record, fields) for record in _records(text, content_type)]
    if any(found is None for found in texts):
        names = " or ".join(json.dumps(f) for f in fields)
        raise ValueError(f"each request line must be an object with {names} (the text, or a list of it) or a JSON string")
    return texts  # type: ignore[return-value]


def _label_of(record: Any, label_field: str) -> int | None:
    """The predicted label of a response record; None for an error record (a line the endpoint
    could not score)."""
    if isinstance(record, dict) and label_field in record:
        return int(record[label_field])
    if isinstance(record, dict) and ERROR_FIELD in record:
        return None
    raise ValueError(f'each response line must be {{"{label_field}": ..., ...}} or an error record {{"{ERROR_FIELD}": ...}}')


def response_labels(text: str, label_field: str | None = None, content_type: str | None = None) -> list[int | None]:
    """The predicted label (field ``label_field``, default :data:`RESPONSE_LABEL`) of each record
    of a response, None for an error record."""
    label_field = RESPONSE_LABEL if label_field is None else label_field
    return [_label_of(record, label_field) for record in _records(text, content_type)]


def request_lines(
    endpoint_input: dict, endpoint_output: dict, text_fields: Sequence[str] | None = None, label_field: str | None = None
) -> list[tuple[str | None, int | None]]:
    """(review, predicted label) of each record of a captured request, record i with answer i, in
    either content type the endpoint takes (``observedContentType``); None where the record has no
    review the endpoint reads or its answer is an error record. The arguments are a capture's
    ``endpointInput`` and ``endpointOutput``, and the request's text fields and the response's label
    field (default :data:`REQUEST_TEXT_FIELDS`, :data:`RESPONSE_LABEL`)."""
    fields = REQUEST_TEXT_FIELDS if text_fields is None else tuple(text_fields)
    request = decode(endpoint_input["data"], endpoint_input.get("encoding", "JSON"))
    texts = [_text_of(record, fields) for record in _records(request, endpoint_input.get("observedContentType"))]
    response = decode(endpoint_output["data"], endpoint_output.get("encoding", "JSON"))
    labels = response_labels(response, label_field, endpoint_output.get("observedContentType"))
    if len(texts) != len(labels) or not texts:
        raise ValueError(f"the request has {len(texts)} reviews and the response {len(labels)} predictions")
    return [(text, label if text is not None else None) for text, label in zip(texts, labels)]


def request_pairs(
    endpoint_input: dict, endpoint_output: dict, text_fields: Sequence[str] | None = None, label_field: str | None = None
) -> list[tuple[str, int]]:
    """The scored records of a captured request as (review, predicted label), in order (records
    answered with an error record left out; see :func:`request_lines`)."""
    lines = request_lines(endpoint_input, endpoint_output, text_fields, label_field)
    return [(text, label) for text, label in lines if text is not None and label is not None]


def preprocess_handler(inference_record) -> dict:
    """Model Monitor's entry point: the profiled columns of a captured record's first line."""
    sides = ({"data": side.data, "encoding": side.encoding} for side in (inference_record.endpoint_input, inference_record.endpoint_output))
    pairs = request_pairs(*sides)
    if not pairs:
        raise ValueError("no record of the captured request was scored (every answer is an error record)")
    text, label = pairs[0]
    # data_quality.review_words (the baseline's count of words)
    return {"review_words": len(str(text).split()) if text else None, "sentiment": label}
