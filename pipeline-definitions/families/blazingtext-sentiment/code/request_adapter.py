"""The first container of the BlazingText family's inference pipeline: the platform's request
(serving.py reads it: JSON Lines or JSON, the contract's text fields) → BlazingText's request, the
texts normalised as training normalised them (tokens.py), with ``k`` the number of labels so that
every label's probability comes back.

Headers of this hop: it reads the caller's Content-Type (``application/jsonlines`` from batch
transform, ``application/jsonlines`` or ``application/json`` from an endpoint's caller) and answers
in its Accept, which SageMaker passes on as BlazingText's Content-Type: ``application/json``
(its ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT``; also for no Accept or ``*/*``, which the serving
toolkit makes ``application/json``), ``{"instances": ["<normalised text>", ...], "configuration":
{"k": 3}}``; or, should the caller's ``application/jsonlines`` reach it, BlazingText's JSON Lines
form, ``{"source": "<normalised text>", "k": 3}`` per line. BlazingText reads both.

BlazingText's request carries the texts alone, so an error of one record cannot travel to the
response adapter in its place: a request with a record that cannot be scored (not JSON, no text
field, a text that is not a string) is refused as a whole (400), naming each such record and
what is wrong with it, where a one-container family answers that record with an error object.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contract import SENTIMENTS  # noqa: E402
from serving import JSON, JSON_LINES, response_type, whole_request  # noqa: E402
from tokens import normalise  # noqa: E402

# Every label, so the response adapter can put each one's probability in the contract's order.
TOP_K = len(SENTIMENTS)


def model_fn(model_dir: str) -> dict:
    """Nothing to load: the adapter's configuration."""
    return {"k": TOP_K}


def input_fn(body, content_type: str | None):
    """The request's texts, in order; RequestError for a request that cannot be read, or one with a
    record that cannot be scored."""
    return whole_request(body, content_type)


def predict_fn(texts, config: dict) -> dict:
    """BlazingText's request for the texts."""
    return {"instances": [normalise(text) for text in texts], "configuration": {"k": config["k"]}}


def output_fn(request: dict, accept: str | None) -> str:
    """BlazingText's request in the accepted form: JSON (by default), or JSON Lines."""
    if response_type(accept, JSON) == JSON_LINES:
        k = request["configuration"]["k"]
        return "".join(json.dumps({"source": text, "k": k}) + "\n" for text in request["instances"])
    return json.dumps(request)
