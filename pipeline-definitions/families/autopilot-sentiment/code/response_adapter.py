"""The last container of the Autopilot family's inference pipeline: the best candidate's CSV answer
→ the platform's response contract (serving.py writes it), so a caller cannot tell the family from
the others by its answers.

Headers of this hop: it reads the candidate's ``text/csv`` answer, a row per record in order with
the columns ``SAGEMAKER_INFERENCE_OUTPUT`` names, which the model sets to
``predicted_label,probability,probabilities,labels`` (the candidate answers ``predicted_label``
alone otherwise), e.g. ``1,0.91,"[0.03, 0.06, 0.91]","['-1', '0', '1']"``; and answers in the
caller's Accept: ``application/jsonlines`` (one line per record: batch transform's, with
Content-Type equal to Accept) or ``application/json``. Each answer has every label's probability
in the contract's label order (a label the candidate did not return has 0), the most likely label
and its probability as the confidence.
"""

from __future__ import annotations

import ast
import csv
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import Predictions, RequestError, answers_of, contract_row, media_type, output_fn as write_response  # noqa: E402

CSV = "text/csv"
# The inference output the model asks the candidate for (SAGEMAKER_INFERENCE_OUTPUT), in its order.
INFERENCE_OUTPUT = ("predicted_label", "probability", "probabilities", "labels")


def model_fn(model_dir: str) -> None:
    """Nothing to load."""
    return None


def input_fn(body, content_type: str | None) -> list[list[str]]:
    """The candidate's rows, in order; RequestError when the body is not its CSV answer."""
    if content_type is None or media_type(content_type) != CSV:
        raise RequestError(f"content type {content_type!r} is not the candidate's answer; expected {CSV}", 415)
    text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else str(body)
    return [row for row in csv.reader(io.StringIO(text)) if row]


def _list(value: str, what: str) -> list:
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise ValueError(f"{what} {value!r} is not a list") from None
    if not isinstance(parsed, (list, tuple)):
        raise ValueError(f"{what} {value!r} is not a list")
    return list(parsed)


def _probabilities(row: list[str]) -> list[float]:
    if len(row) != len(INFERENCE_OUTPUT):
        raise ValueError(f"{len(row)} columns, expected {len(INFERENCE_OUTPUT)} ({', '.join(INFERENCE_OUTPUT)}): is SAGEMAKER_INFERENCE_OUTPUT set on the candidate?")
    values = dict(zip(INFERENCE_OUTPUT, row))
    probabilities, labels = _list(values["probabilities"], "probabilities"), _list(values["labels"], "labels")
    if not labels or len(labels) != len(probabilities):
        raise ValueError(f"labels {values['labels']} and probabilities {values['probabilities']} are not lists of one length")
    return contract_row((label, _sentiment(label), probability) for label, probability in zip(labels, probabilities))


def _sentiment(label) -> int | None:
    try:
        return int(float(str(label)))
    except ValueError:
        return None


def predict_fn(rows: list[list[str]], model=None) -> Predictions:
    """The contract's answer for each of the candidate's rows, in order (an error object for one it
    cannot read, in its place)."""
    return answers_of(rows, _probabilities, "row")


def output_fn(predictions: Predictions, accept: str | None) -> str:
    """The response in the accepted type (serving.output_fn)."""
    return write_response(predictions, accept)
