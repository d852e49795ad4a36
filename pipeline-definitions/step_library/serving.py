"""The platform's request and response handling, for every family's serving handlers.

A family's ``inference.py`` (shipped in its model's ``code/`` folder with this module and the
contract) supplies its model: ``model_fn(model_dir)`` and how a batch of texts is scored; this
module reads the request, answers each record in its place and writes the response, so every
family answers alike. The serving container's toolkit calls, per request, ``input_fn(body,
content_type)``, ``predict_fn(records, model)`` and ``output_fn(predictions, accept)``.
Requests, by content type:

    application/jsonlines  one record per line; blank lines are not records (batch transform's
                           MultiRecord mini-batches: SplitType Line)
    application/json       one JSON document: a record, or an array of records (pretty-printed or not)

A record is an object with one of the contract's text fields, read in order (the text, or a list
whose first item is the text), or a JSON string, e.g. ``{"features": ["I love this dress"]}`` or
``{"review_body": "I love this dress"}``. Each record gets one answer, in its place:

    {"predicted_label": 1, "confidence": 0.97, "probabilities": {"-1": 0.01, "0": 0.02, "1": 0.97}}

``predicted_label`` is the sentiment (-1, 0, 1); ``confidence`` is its probability, on which the
human-review flow routes low-confidence predictions to people. A record that cannot be scored
(not JSON, no text field, an empty list, a text that is not a string, or one the model fails on)
gets ``{"error": "line 3: ..."}`` (``item 3`` in a JSON array, ``the document`` for a single JSON
document) naming the problem, and the request still succeeds: batch transform joins output line i
with input line i, so one bad record must not fail its mini-batch nor shift the others.

Responses, by Accept: ``application/jsonlines``, one line per record; ``application/json``, the
answer as an object for a one-record request (a JSON object or string, or one JSON line), else an
array. No Accept, or ``*/*``, answers in the request's content type when the handlers are called
directly; the toolkit turns both into ``application/json`` before calling :func:`output_fn` and
labels the response so, so the body is then JSON. A request that cannot be answered at all (no
content type, one not supported, an Accept not supported, an application/json body that is not
JSON) raises :class:`RequestError`, whose text names the problem and the supported types: the
Hugging Face toolkit answers it with a 400 and that text (toolkits built on sagemaker-inference's
transformer, with its ``status_code``: 415, 406 or 400).

The content type, the request's text fields, the response's fields and the labels are the
contract's (contract.py, which reads ``contract.json``; both ship beside this file).
Standard library only: it runs in any serving container.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Callable, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contract import (  # noqa: E402
    CLASS_ID_TO_SENTIMENT,
    CONTENT_TYPE,
    ERROR_FIELD,
    REQUEST_TEXT_FIELDS,
    RESPONSE_CONFIDENCE,
    RESPONSE_LABEL,
    RESPONSE_PROBABILITIES,
)

JSON_LINES = CONTENT_TYPE
JSON = "application/json"
LABEL_TO_SENTIMENT = dict(CLASS_ID_TO_SENTIMENT)
BATCH_SIZE = 32

# How a family scores texts: one row of class probabilities (in class-id order) per text.
Scorer = Callable[[Sequence[str]], Sequence[Sequence[float]]]

try:  # the serving toolkits' error with an HTTP status (sagemaker-inference, in the serving containers)
    from sagemaker_inference.errors import GenericInferenceToolkitError as _StatusError
except ImportError:  # elsewhere (training and processing containers): the same shape

    class _StatusError(Exception):  # type: ignore[no-redef]
        def __init__(self, status_code, message=None, phrase=None):
            self.status_code, self.message, self.phrase = status_code, message, phrase or message
            super().__init__(status_code, message, phrase)


class RequestError(_StatusError, ValueError):
    """A request that cannot be answered at all: a client error (``status_code``: 400, 406 or 415).

    Its text is the message alone. The Hugging Face toolkit answers any exception of the handlers
    with a 400 carrying ``str(error)``; sagemaker-inference's transformer (other serving
    containers) answers this class with its ``status_code``."""

    def __init__(self, message: str, status_code: int = 400):
        super().__init__(status_code, message, message)

    def __str__(self) -> str:
        return self.message


class Unscorable:
    """A request record that cannot be scored: where it is (``line 3``, ``item 2``) and why.
    :func:`predict_fn` answers it with ``{"error": "<where>: <problem>"}``."""

    __slots__ = ("where", "problem")

    def __init__(self, where: str, problem: str):
        self.where, self.problem = where, problem

    @property
    def message(self) -> str:
        return f"{self.where}: {self.problem}"

    def __eq__(self, other) -> bool:
        return isinstance(other, Unscorable) and (self.where, self.problem) == (other.where, other.problem)

    def __repr__(self) -> str:
        return f"Unscorable({self.message!r})"


class Records(list):
    """What :func:`input_fn` reads: one item per record, in order, the text (``str``) or an
    :class:`Unscorable`. It compares equal to the list of its items; ``shape`` is how the request
    held them (``lines``, ``object`` or ``array``), ``content_type`` its media type and ``places``
    each record's place (``line 3``)."""

    def __init__(self, items=(), places=None, shape: str = "lines", content_type: str = JSON_LINES):
        super().__init__(items)
        self.places = list(places) if places is not None else [f"record {i + 1}" for i in range(len(self))]
        self.shape, self.content_type = shape, content_type


class Predictions(list):
    """What :func:`predict_fn` answers: one response object per record, in order (an error
    object for an unscorable record), with the request's ``shape`` and ``content_type``."""

    def __init__(self, items=(), shape: str = "lines", content_type: str = JSON_LINES):
        super().__init__(items)
        self.shape, self.content_type = shape, content_type


def supported() -> str:
    """The request content types, in words (for error messages)."""
    return f"{JSON_LINES} (one record per line) or {JSON} (a record, or an array of records)"


def media_type(value) -> str:
    """The media type of a Content-Type or Accept value, without parameters, in lower case."""
    return str(value).split(";")[0].strip().lower()


def request_shapes(fields=None) -> str:
    """The request records read, in words (for error messages)."""
    names = " or ".join(json.dumps(field) for field in (REQUEST_TEXT_FIELDS if fields is None else fields))
    return f"an object with {names} (the text, or a list whose first item is the text) or a JSON string"


def _read(record, fields) -> tuple[str | None, str | None]:
    if isinstance(record, str):
        return record, None
    if isinstance(record, dict):
        for field in fields:
            if field in record:
                value = record[field]
                if isinstance(value, list):
                    if not value:
                        return None, f"{json.dumps(field)} is an empty list; it must hold the text or a list whose first item is the text"
                    value = value[0]
                    if not isinstance(value, str):
                        return None, f"the first item of {json.dumps(field)} is {_shown(value)}, not a text (a JSON string)"
                if not isinstance(value, str):
                    return None, f"{json.dumps(field)} is {_shown(value)}, not a text (a JSON string)"
                return value, None
        return None, f"the object has none of the text fields ({', '.join(map(json.dumps, fields))}); it must be {request_shapes(fields)}"
    return None, f"the record is {_shown(record)}; it must be {request_shapes(fields)}"


def _shown(value, limit: int = 60) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def request_text(record, fields=None) -> str | None:
    """The text of a parsed request record: the first of ``fields`` (default REQUEST_TEXT_FIELDS)
    it has, holding the text or a list whose first item is the text, or the record itself when it
    is a JSON string; None when it has none."""
    return _read(record, REQUEST_TEXT_FIELDS if fields is None else fields)[0]


def input_fn(body, content_type: str | None = JSON_LINES) -> Records:
    """The request's records (:class:`Records`): each the text, or an :class:`Unscorable` saying
    why it has none. Raises :class:`RequestError` when the request as a whole cannot be read."""
    if content_type is None or not str(content_type).strip():
        raise RequestError(f"the request has no content type; send Content-Type {supported()}", 415)
    kind = media_type(content_type)
    if kind not in (JSON_LINES, JSON):
        raise RequestError(f"content type {content_type!r} is not supported; send {supported()}", 415)
    if body is None:
        body = b""
    if isinstance(body, (bytearray, memoryview)):
        body = bytes(body)
    if kind == JSON:
        return _json_document(body)
    items, places = [], []
    for number, raw in enumerate(body.split(b"\n" if isinstance(body, bytes) else "\n"), start=1):
        where = f"line {number}"
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                items.append(Unscorable(where, f"not UTF-8 text (byte {error.start + 1})"))
                places.append(where)
                continue
        line = raw.lstrip("\ufeff") if number == 1 else raw
        if not line.strip():
            continue  # not a record
        places.append(where)
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            items.append(Unscorable(where, f"not JSON ({error.msg} at column {error.colno}); each line must be {request_shapes()}"))
            continue
        text, problem = _read(record, REQUEST_TEXT_FIELDS)
        items.append(text if problem is None else Unscorable(where, problem))
    return Records(items, places, "lines", JSON_LINES)


def whole_request(body, content_type: str | None = JSON_LINES) -> list[str]:
    """The texts of a request that a model answers as a whole (it cannot answer an error object in
    a bad record's place): :class:`RequestError` for a request that cannot be read, one without
    records, or one with a record that cannot be scored (the first five named)."""
    records = input_fn(body, content_type)
    if not records:
        raise RequestError("the request has no records; send at least one review text")
    problems = [item.message for item in records if isinstance(item, Unscorable)]
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise RequestError(f"{len(problems)} of {len(records)} records cannot be scored, and this model answers a request as a whole: {shown}")
    return list(records)


def _json_document(body) -> Records:
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise RequestError(f"the application/json body is not UTF-8 text (byte {error.start + 1})") from None
    text = body.lstrip("\ufeff")
    if not text.strip():
        raise RequestError(f"the application/json body is empty; send {request_shapes()}, or an array of them")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise RequestError(
            f"the application/json body is not one JSON document ({error.msg} at line {error.lineno} column {error.colno}); "
            f"send {request_shapes()}, or an array of them, or use {JSON_LINES} for one record per line"
        ) from None
    if isinstance(document, list):
        items, places = [], []
        for number, record in enumerate(document, start=1):
            text, problem = _read(record, REQUEST_TEXT_FIELDS)
            places.append(f"item {number}")
            items.append(text if problem is None else Unscorable(f"item {number}", problem))
        return Records(items, places, "array", JSON)
    text, problem = _read(document, REQUEST_TEXT_FIELDS)
    return Records([text if problem is None else Unscorable("the document", problem)], ["the document"], "object", JSON)


def response_type(accept: str | None, request_type: str = JSON_LINES) -> str:
    """The media type to answer in: the first supported type of ``accept``; the request's own type
    for none, ``*/*`` or ``application/*``. Raises :class:`RequestError` (406) when it names none."""
    if accept is None or not str(accept).strip():
        return request_type
    for part in str(accept).split(","):
        kind = media_type(part)
        if kind in (JSON_LINES, JSON):
            return kind
        if kind in ("*/*", "application/*"):
            return request_type
    raise RequestError(f"accept type {accept!r} is not supported; accept {JSON_LINES} or {JSON}", 406)


def output_fn(predictions, accept: str | None = JSON_LINES) -> str:
    """The response body in the accepted type: JSON Lines, one line per record; JSON, an object
    for a one-record request (an object, or a single line), else an array."""
    kind = response_type(accept, getattr(predictions, "content_type", JSON_LINES))
    answers = list(predictions)
    if kind == JSON_LINES:
        return "".join(json.dumps(answer) + "\n" for answer in answers)
    shape = getattr(predictions, "shape", "lines")
    if shape == "object" or (shape == "lines" and len(answers) == 1):
        return json.dumps(answers[0])
    return json.dumps(answers)


def predict(records, score: Scorer, batch_size: int = BATCH_SIZE) -> Predictions:
    """One response object per record, in order: the texts scored by ``score`` in batches of
    ``batch_size``, an error object for each :class:`Unscorable` (and for a record the model fails
    on, alone)."""
    items = list(records)
    places = getattr(records, "places", None) or [f"record {i + 1}" for i in range(len(items))]
    answers: list = [None] * len(items)
    scored = []
    for index, item in enumerate(items):
        if isinstance(item, Unscorable):
            answers[index] = {ERROR_FIELD: item.message}
        elif not isinstance(item, str):
            answers[index] = {ERROR_FIELD: f"{places[index]}: {_shown(item)} is not a text"}
        else:
            scored.append(index)
    # In batches: a batch-transform mini-batch may hold thousands of records.
    for start in range(0, len(scored), batch_size):
        chunk = scored[start : start + batch_size]
        try:
            rows = score([items[i] for i in chunk])
        except Exception:  # one record must not fail the others: score them one by one
            rows = []
            for index in chunk:
                try:
                    rows.append(score([items[index]])[0])
                except Exception as error:
                    rows.append(f"{places[index]}: the model could not score it ({type(error).__name__}: {error})")
        for index, row in zip(chunk, rows):
            answers[index] = {ERROR_FIELD: row} if isinstance(row, str) else answer(row)
    return Predictions(answers, getattr(records, "shape", "lines"), getattr(records, "content_type", JSON_LINES))


def answer(row: Sequence[float]) -> dict:
    """The contract's answer for one row of class probabilities: the most likely label, its
    probability as the confidence, and every label's probability."""
    label = max(range(len(row)), key=row.__getitem__)
    return {
        RESPONSE_LABEL: LABEL_TO_SENTIMENT[label],
        RESPONSE_CONFIDENCE: round(row[label], 6),
        RESPONSE_PROBABILITIES: {str(LABEL_TO_SENTIMENT[i]): round(p, 6) for i, p in enumerate(row)},
    }


def contract_row(scored) -> list[float]:
    """One row of class probabilities in the contract's label order from another model's answer:
    ``scored`` is ``(label as the model wrote it, its sentiment or None, its probability)`` per
    label the model returned; a label it did not return has 0. ValueError names a label that is
    not one of the contract's, or a probability that is not a number."""
    row = dict.fromkeys(LABEL_TO_SENTIMENT.values(), 0.0)
    for label, sentiment, probability in scored:
        if sentiment not in row:
            raise ValueError(f"label {label!r} is not one of the contract's labels ({', '.join(map(str, row))})")
        if isinstance(probability, bool) or not isinstance(probability, (int, float)):
            raise ValueError(f"the probability of {label} is {_shown(probability)}, not a number")
        row[sentiment] = float(probability)
    return list(row.values())


def answers_of(items, read: Callable[[object], Sequence[float]], place: str) -> Predictions:
    """The contract's answer for each of another model's answers, in order: ``read`` gives its row
    of class probabilities (:func:`contract_row`), or raises ValueError for one it cannot read,
    which is answered with an error object in its place (``<place> 3: ...``)."""
    results = []
    for number, item in enumerate(items, start=1):
        try:
            results.append(answer(read(item)))
        except ValueError as error:
            results.append({ERROR_FIELD: f"{place} {number}: {error}"})
    return Predictions(results)
