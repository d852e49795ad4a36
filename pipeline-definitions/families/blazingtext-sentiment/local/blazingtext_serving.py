"""What stands in here for BlazingText's serving container: its request and response formats for
text classification, answered by fastText from the trained ``model.bin``.

Requests: ``application/json``, ``{"instances": ["<text>", ...], "configuration": {"k": 3}}`` (k,
the labels per text, 1 by default); ``application/jsonlines``, one ``{"source": "<text>"}`` per
line (batch transform's form, with ``"k"`` per line). Answers, per text in order,
``{"label": ["__label__1", ...], "prob": [0.9, ...]}``, the most likely first: a JSON array for
``application/json``, one line each for ``application/jsonlines``. Anything else is refused, as
the container answers a client error.
"""

from __future__ import annotations

import json
import os

JSON = "application/json"
JSON_LINES = "application/jsonlines"


def model_fn(model_dir: str):
    import fasttext

    return fasttext.load_model(os.path.join(model_dir, "model.bin"))


def _media(value) -> str:
    return str(value or "").split(";")[0].strip().lower()


def input_fn(body, content_type: str | None) -> list[tuple[str, int]]:
    """(text, k) of each text of the request."""
    text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else str(body)
    kind = _media(content_type)
    if kind == JSON:
        request = json.loads(text)
        if not isinstance(request, dict) or not isinstance(request.get("instances"), list) or not all(isinstance(i, str) for i in request["instances"]):
            raise ValueError('the application/json request must be {"instances": ["<text>", ...], "configuration": {"k": <labels>}}')
        k = int((request.get("configuration") or {}).get("k", 1))
        return [(instance, k) for instance in request["instances"]]
    if kind == JSON_LINES:
        lines = [json.loads(line) for line in text.splitlines() if line.strip()]
        if not all(isinstance(line, dict) and isinstance(line.get("source"), str) for line in lines):
            raise ValueError('each application/jsonlines line must be {"source": "<text>"}')
        return [(line["source"], int(line.get("k", 1))) for line in lines]
    raise ValueError(f"content type {content_type!r} is not one BlazingText reads ({JSON} or {JSON_LINES})")


def predict_fn(requests: list[tuple[str, int]], model) -> list[dict]:
    answers = []
    for text, k in requests:
        labels, probabilities = model.predict(text.replace("\n", " "), k=k)
        answers.append({"label": list(labels), "prob": [round(min(float(p), 1.0), 6) for p in probabilities]})
    return answers


def output_fn(answers: list[dict], accept: str | None) -> str:
    kind = _media(accept) or JSON
    if kind == JSON:
        return json.dumps(answers)
    if kind == JSON_LINES:
        return "".join(json.dumps(answer) + "\n" for answer in answers)
    raise ValueError(f"accept type {accept!r} is not one BlazingText answers ({JSON} or {JSON_LINES})")
