"""The last container of the BlazingText family's inference pipeline: BlazingText's answer → the
platform's response contract (serving.py writes it), so a caller cannot tell the family from the
others by its answers.

Headers of this hop: it reads BlazingText's answer, one object per text in order, ``{"label":
["__label__1", "__label__0", "__label__-1"], "prob": [0.91, 0.06, 0.03]}`` (the top k labels, most
likely first): a JSON array for ``application/json`` (BlazingText's Content-Type here), one object
a line for ``application/jsonlines`` (should the caller's Accept reach BlazingText); and answers in the caller's Accept: ``application/jsonlines``
(one line per record: batch transform's, with Content-Type equal to Accept) or
``application/json``. Each answer has the labels without ``__label__``, each label's probability
in the contract's label order (a label BlazingText did not return has 0), the most likely label
and its probability as the confidence.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import JSON, JSON_LINES, Predictions, RequestError, answers_of, contract_row, media_type, output_fn as write_response  # noqa: E402
from tokens import sentiment_of  # noqa: E402


def model_fn(model_dir: str) -> None:
    """Nothing to load."""
    return None


def input_fn(body, content_type: str | None) -> list:
    """BlazingText's answers, in order; RequestError when the body is not its answer."""
    kind = media_type(content_type) if content_type else None
    if kind not in (JSON, JSON_LINES):
        raise RequestError(f"content type {content_type!r} is not BlazingText's answer; expected {JSON} or {JSON_LINES}", 415)
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body).decode("utf-8")
    try:
        if kind == JSON_LINES:
            return [json.loads(line) for line in body.splitlines() if line.strip()]
        answers = json.loads(body)
    except json.JSONDecodeError as error:
        raise RequestError(f"BlazingText's {kind} answer is not JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(answers, list):
        raise RequestError(f"BlazingText's answer is {type(answers).__name__}, not a list of objects with label and prob")
    return answers


def _probabilities(item) -> list[float]:
    if not isinstance(item, dict) or not isinstance(item.get("label"), list) or not isinstance(item.get("prob"), list) or len(item["label"]) != len(item["prob"]):
        raise ValueError(f"{json.dumps(item)[:120]} is not an object with label and prob lists of one length")
    if not item["label"]:
        raise ValueError("BlazingText returned no label")
    return contract_row((label, sentiment_of(label), probability) for label, probability in zip(item["label"], item["prob"]))


def predict_fn(answers: list, model=None) -> Predictions:
    """The contract's answer for each of BlazingText's, in order (an error object for one it
    cannot read, in its place)."""
    return answers_of(answers, _probabilities, "item")


def output_fn(predictions: Predictions, accept: str | None) -> str:
    """The response in the accepted type (serving.output_fn)."""
    return write_response(predictions, accept)
