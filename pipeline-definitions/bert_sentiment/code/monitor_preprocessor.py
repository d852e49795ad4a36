"""Reading SageMaker endpoint data capture, and Model Monitor's record preprocessor for this model.

On accounts that still have SageMaker Model Monitor, its data-quality job runs this file as the
record preprocessor (``DataQualityAppSpecification.RecordPreprocessorSourceUri``): it calls
:func:`preprocess_handler` once per captured record and profiles the flat dictionaries returned,

    {"review_words": <words in the review>, "sentiment": <predicted_label>}

the two columns of the data-quality baseline that a capture holds (data_quality.CAPTURE_COLUMNS).
Model Monitor profiles one row per captured request, so a request of several lines contributes its
first line and prediction.

The preprocessor source is one S3 object: Model Monitor downloads this file alone, without the
rest of the code directory, and runs it under its own Python. So this module imports nothing but
the standard library (and runs on older Pythons), and monitor.py imports its capture parsing from
here rather than the other way round. The two lines it cannot share are held equal to their
originals by test/python/test_monitor.py: :func:`request_texts` reads the request shapes of
inference.input_fn (which needs torch), and :func:`preprocess_handler` counts words as
data_quality.review_words does.
"""

from __future__ import annotations

import base64
import json
from typing import Any

TEXT_ENCODINGS = ("JSON", "CSV")


def decode(data: Any, encoding: str) -> str:
    """The text of a captured payload: ``BASE64`` is decoded, ``JSON`` and ``CSV`` are text."""
    if encoding == "BASE64":
        return base64.b64decode(data).decode("utf-8")
    if encoding not in TEXT_ENCODINGS:
        raise ValueError(f"capture encoding {encoding!r} is not supported; expected BASE64, JSON or CSV")
    if isinstance(data, (bytes, bytearray)):
        return data.decode("utf-8")
    return data if isinstance(data, str) else json.dumps(data)


def request_texts(text: str) -> list[str]:
    """The review of each line of a request: {"features": [text]}, {"review_body": text} or a JSON string."""
    texts = []
    for line in text.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if isinstance(record, dict) and "features" in record:
            texts.append(str(record["features"][0]))
        elif isinstance(record, dict) and "review_body" in record:
            texts.append(str(record["review_body"]))
        elif isinstance(record, str):
            texts.append(record)
        else:
            raise ValueError('each request line must be {"features": [text]}, {"review_body": text} or a JSON string')
    return texts


def response_labels(text: str) -> list[int]:
    """The ``predicted_label`` of each line of a response."""
    labels = []
    for line in text.splitlines():
        if line.strip():
            record = json.loads(line)
            if not isinstance(record, dict) or "predicted_label" not in record:
                raise ValueError('each response line must be {"predicted_label": ..., ...}')
            labels.append(int(record["predicted_label"]))
    return labels


def request_pairs(endpoint_input: dict, endpoint_output: dict) -> list[tuple[str, int]]:
    """(review, predicted label) of each line of a captured request, line i with prediction i;
    the arguments are a capture's ``endpointInput`` and ``endpointOutput``."""
    texts = request_texts(decode(endpoint_input["data"], endpoint_input.get("encoding", "JSON")))
    labels = response_labels(decode(endpoint_output["data"], endpoint_output.get("encoding", "JSON")))
    if len(texts) != len(labels) or not texts:
        raise ValueError(f"the request has {len(texts)} reviews and the response {len(labels)} predictions")
    return list(zip(texts, labels))


def preprocess_handler(inference_record) -> dict:
    """Model Monitor's entry point: the profiled columns of a captured record's first line."""
    sides = ({"data": side.data, "encoding": side.encoding} for side in (inference_record.endpoint_input, inference_record.endpoint_output))
    text, label = request_pairs(*sides)[0]
    # data_quality.review_words (the baseline's count of words)
    return {"review_words": len(str(text).split()) if text else None, "sentiment": label}
