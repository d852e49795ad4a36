"""The first container of the Autopilot family's inference pipeline: the platform's request
(serving.py reads it: JSON Lines or JSON, the contract's text fields) → the CSV rows the best
candidate reads, the columns it was trained on without the target: ``review_body`` and
``product_category`` (a record's own ``product_category`` when it has one, else empty), no header.

Headers of this hop: it reads the caller's Content-Type (``application/jsonlines`` from batch
transform, ``application/jsonlines`` or ``application/json`` from an endpoint's caller) and answers
``text/csv``, its ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT``, which SageMaker passes on as the
candidate's Content-Type: CSV whatever Accept it is given, the candidate reading nothing else. The candidate's CSV carries the rows alone, so a request with a record
that cannot be scored is refused as a whole (400), naming each such record, where a
one-container family answers that record with an error object in its place.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import JSON, media_type, whole_request  # noqa: E402

CSV = "text/csv"
CATEGORY = "product_category"


def model_fn(model_dir: str) -> None:
    """Nothing to load."""
    return None


def _objects(body, content_type: str) -> list:
    """The request's records as parsed JSON, in order (the records serving.py read)."""
    text = body.decode("utf-8-sig") if isinstance(body, (bytes, bytearray)) else str(body).lstrip("\ufeff")
    if media_type(content_type) == JSON:
        document = json.loads(text)
        return document if isinstance(document, list) else [document]
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def input_fn(body, content_type: str | None) -> list[tuple[str, str]]:
    """(text, product category) of each record, in order; RequestError for a request that cannot be
    read, one without records, or one with a record that cannot be scored."""
    records = whole_request(body, content_type)
    objects = _objects(body, content_type)
    categories = [str(o.get(CATEGORY) or "") if isinstance(o, dict) else "" for o in objects]
    return list(zip(records, categories))


def predict_fn(rows: list[tuple[str, str]], model=None) -> list[tuple[str, str]]:
    """The rows as the candidate reads them: one line each (a line end inside a text is a space)."""
    return [(" ".join(text.split()), " ".join(category.split())) for text, category in rows]


def output_fn(rows: list[tuple[str, str]], accept: str | None) -> str:
    """The rows as CSV without a header, whatever ``accept`` says: the candidate reads text/csv alone."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
