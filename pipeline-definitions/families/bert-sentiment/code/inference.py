"""RoBERTa's inference handlers for hosting and batch transform (the Hugging Face inference toolkit).

Shipped inside model.tar.gz as ``code/inference.py``, with the step-code library's ``serving.py``
and the contract, so that endpoints and transform jobs run under network isolation. The
container's handler service imports this module from the model's ``code/`` folder and calls
``model_fn(model_dir)`` once and, per request, ``input_fn``, ``predict_fn`` and ``output_fn``:
reading requests and writing responses is the platform's (serving.py: content types, records,
error records, Accept); this module loads the fine-tuned RoBERTa and scores texts with it.
"""

from __future__ import annotations

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import (  # noqa: E402,F401  (the toolkit's handlers, and what callers read of them)
    BATCH_SIZE,
    JSON,
    JSON_LINES,
    Predictions,
    Records,
    RequestError,
    Unscorable,
    input_fn,
    output_fn,
    predict,
    request_shapes,
    request_text,
    response_type,
)


def model_fn(model_dir: str):
    from transformers import AutoTokenizer, RobertaForSequenceClassification

    model = RobertaForSequenceClassification.from_pretrained(model_dir)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    return {"model": model, "tokenizer": tokenizer}


def predict_fn(records, loaded) -> Predictions:
    """One response object per record, in order (serving.predict), scored by the model."""
    return predict(records, lambda texts: _probabilities(list(texts), loaded))


def _probabilities(texts: list[str], loaded) -> list[list[float]]:
    model, tokenizer = loaded["model"], loaded["tokenizer"]
    # The training step stores the sequence length it trained on as the tokenizer's maximum.
    encoded = tokenizer(texts, padding="max_length", truncation=True, max_length=tokenizer.model_max_length, return_tensors="pt")
    with torch.no_grad():
        logits = model(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]).logits
    return torch.softmax(logits, dim=-1).tolist()
