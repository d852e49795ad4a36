"""Shared fixtures of the step-code tests: the sample data and a tiny RoBERTa built here.

Nothing is downloaded: the tokenizer is a byte-level BPE trained on the sample reviews, and the
model is a two-layer RoBERTa of hidden size 32 made from a config.
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[2]
CODE_DIR = ROOT / "pipeline-definitions" / "bert_sentiment" / "code"
SAMPLE = ROOT / "data" / "sample" / "reviews" / "womens_clothing_ecommerce_reviews.csv"
RENDERED_DIR = Path(os.environ.get("PIPELINE_DEFINITIONS_DIR", ROOT / "build" / "pipeline-definitions"))
sys.path.insert(0, str(CODE_DIR))

TINY_MAX_SEQ_LENGTH = 32


@pytest.fixture(scope="session")
def sample_csv() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_texts() -> list[str]:
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        return [row["Review Text"] for row in csv.DictReader(handle) if row["Review Text"]]


@pytest.fixture(scope="session")
def tiny_pretrained(tmp_path_factory, sample_texts) -> Path:
    """A folder laid out like a pre-trained RoBERTa (config, weights, tokenizer), made offline."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaConfig, RobertaForSequenceClassification, RobertaTokenizerFast

    directory = tmp_path_factory.mktemp("pretrained")
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(sample_texts, vocab_size=400, min_frequency=2, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    bpe.save_model(str(directory))
    tokenizer = RobertaTokenizerFast(
        vocab_file=str(directory / "vocab.json"), merges_file=str(directory / "merges.txt"), model_max_length=TINY_MAX_SEQ_LENGTH
    )
    tokenizer.save_pretrained(directory)
    config = RobertaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=TINY_MAX_SEQ_LENGTH + 2,
        type_vocab_size=1,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        num_labels=3,
    )
    import torch

    torch.manual_seed(0)
    RobertaForSequenceClassification(config).save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_pretrained):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_pretrained)
