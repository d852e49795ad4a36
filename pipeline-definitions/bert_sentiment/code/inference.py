"""Inference handlers for hosting and batch transform (SageMaker PyTorch / Hugging Face serving).

Shipped inside model.tar.gz as ``code/inference.py`` so that endpoints and transform jobs run
under network isolation. Requests and responses are JSON lines (``application/jsonlines``):

    in:  {"features": ["I love this dress"]}      or  {"review_body": "I love this dress"}
    out: {"predicted_label": 1, "confidence": 0.97, "probabilities": {"-1": 0.01, "0": 0.02, "1": 0.97}}

``predicted_label`` is the sentiment (-1, 0, 1); ``confidence`` is its probability, on which the
human-review flow routes low-confidence predictions to people.
"""

from __future__ import annotations

import json

import torch

JSON_LINES = "application/jsonlines"
LABEL_TO_SENTIMENT = {0: -1, 1: 0, 2: 1}
BATCH_SIZE = 32


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
        record = json.loads(line)
        if isinstance(record, dict) and "features" in record:
            texts.append(str(record["features"][0]))
        elif isinstance(record, dict) and "review_body" in record:
            texts.append(str(record["review_body"]))
        elif isinstance(record, str):
            texts.append(record)
        else:
            raise ValueError('each line must be {"features": [text]}, {"review_body": text} or a JSON string')
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
                "predicted_label": LABEL_TO_SENTIMENT[label],
                "confidence": round(row[label], 6),
                "probabilities": {str(LABEL_TO_SENTIMENT[i]): round(p, 6) for i, p in enumerate(row)},
            }
        )
    return predictions


def output_fn(predictions: list[dict], accept: str = JSON_LINES):
    if accept.split(";")[0].strip() not in (JSON_LINES, "application/json", "*/*"):
        raise ValueError(f"accept type {accept!r} is not supported; expected {JSON_LINES}")
    return "".join(json.dumps(p) + "\n" for p in predictions)
