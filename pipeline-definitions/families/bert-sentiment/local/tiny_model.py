"""A tiny RoBERTa made offline: a byte-level BPE tokenizer trained on given texts and a two-layer
model of hidden size 32 built from a config. It stands in for roberta-base wherever nothing may
be downloaded (tests, local pipeline runs); it learns, but only a little.

    python tiny_model.py --texts data/sample/reviews --text-column "Review Text" --out DIR [--max-positions 512]

writes DIR laid out as a pre-trained model folder (config, weights, tokenizer files), from the
non-empty ``--text-column`` of every CSV file under ``--texts``. The BERT pipeline's local
settings run it as the seed of its pre-trained model channel.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Iterable, Sequence

SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def build_tiny_roberta(directory: Path, texts: Iterable[str], max_positions: int = 512, vocab_size: int = 400, seed: int = 0) -> Path:
    """Writes config, weights and tokenizer files, laid out as a pre-trained model folder."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaConfig, RobertaForSequenceClassification, RobertaTokenizerFast

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(list(texts), vocab_size=vocab_size, min_frequency=2, special_tokens=SPECIAL_TOKENS, show_progress=False)
    bpe.save_model(str(directory))
    tokenizer = RobertaTokenizerFast(
        vocab_file=str(directory / "vocab.json"), merges_file=str(directory / "merges.txt"), model_max_length=max_positions
    )
    tokenizer.save_pretrained(directory)
    config = RobertaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=max_positions + 2,
        type_vocab_size=1,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        num_labels=3,
    )
    torch.manual_seed(seed)
    RobertaForSequenceClassification(config).save_pretrained(directory)
    return directory


def read_texts(folder: Path, column: str) -> list[str]:
    """The non-empty values of a column of every CSV file under a folder, in path order."""
    texts = []
    for path in sorted(Path(folder).rglob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if column not in (reader.fieldnames or []):
                raise SystemExit(f"{path}: no column {column!r}; it has {', '.join(reader.fieldnames or [])}")
            texts += [row[column] for row in reader if row[column]]
    if not texts:
        raise SystemExit(f"no texts in column {column!r} of the CSV files under {folder}")
    return texts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=Path, required=True, help="a folder of CSV files")
    parser.add_argument("--text-column", required=True, help="the column of the texts the tokenizer learns")
    parser.add_argument("--out", type=Path, required=True, help="the model folder to write")
    parser.add_argument("--max-positions", type=int, default=512, help="the longest sequence the model takes")
    args = parser.parse_args(argv)
    build_tiny_roberta(args.out, read_texts(args.texts, args.text_column), max_positions=args.max_positions)
    print(f"tiny RoBERTa written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
