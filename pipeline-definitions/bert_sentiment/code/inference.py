"""Inference handlers for hosting and batch transform (SageMaker PyTorch / Hugging Face serving).

Shipped inside model.tar.gz as ``code/inference.py`` so that endpoints and transform jobs run
under network isolation. Requests and responses are JSON lines (``application/jsonlines``):

    in:  {"features": ["I love this dress"]}      or  {"review_body": "I love this dress"}
    out: {"predicted_label": 1, "confidence": 0.97, "probabilities": {"-1": 0.01, "0": 0.02, "1": 0.97}}

``predicted_label`` is the sentiment (-1, 0, 1); ``confidence`` is its probability, on which the
human-review flow routes low-confidence predictions to people. The content type, the request's
text fields (a field holds the text, or a list whose first item is the text), the response's
fields and the labels are the contract's (contract.py, which reads ``contract.json``; training
copies both beside this file).
"""

from __future__ import annotations

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contract import (  # noqa: E402
    CLASS_ID_TO_SENTIMENT,
    CONTENT_TYPE,
    REQUEST_TEXT_FIELDS,
    RESPONSE_CONFIDENCE,
    RESPONSE_LABEL,
    RESPONSE_PROBABILITIES,
)

JSON_LINES = CONTENT_TYPE
LABEL_TO_SENTIMENT = dict(CLASS_ID_TO_SENTIMENT)
BATCH_SIZE = 32


def request_text(record, fields=None) -> str | None:
    """The text of a request line: the first of ``fields`` (default REQUEST_TEXT_FIELDS) it has
    (the text, or a list whose first item is it), or the line itself when it is a JSON string;
    None when it has none."""
    if isinstance(record, str):
        return record
    if isinstance(record, dict):
        for field in REQUEST_TEXT_FIELDS if fields is None else fields:
            if field in record:
                value = record[field]
                if isinstance(value, list):
                    if not value:
                        return None
                    value = value[0]
                return str(value)
    return None


def request_shapes(fields=None) -> str:
    """The request lines read, in words (for error messages)."""
    names = " or ".join(json.dumps(field) for field in (REQUEST_TEXT_FIELDS if fields is None else fields))
    return f"an object with {names} (the text, or a list of it) or a JSON string"


def model_fn(model_dir: str):
    from transformers import AutoTokenizer, RobertaForSequenceClassification

    model = RobertaForSequenceClassification.from_pretrained(model_dir)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    return {"model": model, "tokenizer": tokenizer}


def input_fn(body, content_type: str = JSON_LINES) -> list[str]:
    if content_type.split(";")[0].strip() not in (JSON_LINES, "application/json"):
        raise ValueError(f"content type {content_type!r} is not supported; expected {JSON_LINES}")
    text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else str(body)
    texts = []
    for line in text.splitlines():
        if not line.strip():
            continue
        found = request_text(json.loads(line))
        if found is None:
            raise ValueError(f"each line must be {request_shapes()}")
        texts.append(found)
    return texts


def predict_fn(texts: list[str], loaded) -> list[dict]:
    if not texts:
        return []
    model, tokenizer = loaded["model"], loaded["tokenizer"]
    rows = []
    # In chunks: a batch-transform request may hold thousands of lines.
    for start in range(0, len(texts), BATCH_SIZE):
        # The training step stores the sequence length it trained on as the tokenizer's maximum.
        encoded = tokenizer(texts[start : start + BATCH_SIZE], padding="max_length", truncation=True, max_length=tokenizer.model_max_length, return_tensors="pt")
        with torch.no_grad():
            logits = model(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]).logits
        rows += torch.softmax(logits, dim=-1).tolist()
    predictions = []
    for row in rows:
        label = max(range(len(row)), key=row.__getitem__)
        predictions.append(
            {
                RESPONSE_LABEL: LABEL_TO_SENTIMENT[label],
                RESPONSE_CONFIDENCE: round(row[label], 6),
                RESPONSE_PROBABILITIES: {str(LABEL_TO_SENTIMENT[i]): round(p, 6) for i, p in enumerate(row)},
            }
        )
    return predictions


def output_fn(predictions: list[dict], accept: str = JSON_LINES):
    if accept.split(";")[0].strip() not in (JSON_LINES, "application/json", "*/*"):
        raise ValueError(f"accept type {accept!r} is not supported; expected {JSON_LINES}")
    return "".join(json.dumps(p) + "\n" for p in predictions)
