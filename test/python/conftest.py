"""Shared fixtures of the step-code tests: the sample data and a tiny RoBERTa built here.

Nothing is downloaded: the tokenizer is a byte-level BPE trained on the sample reviews, and the
model is a two-layer RoBERTa of hidden size 32 made from a config.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Sequence

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[2]
FAMILIES_DIR = ROOT / "pipeline-definitions" / "families"
CODE_DIR = FAMILIES_DIR / "bert-sentiment" / "code"
# The step-code library, shipped beside every family's code (one folder in the lake and the jobs).
LIBRARY_DIR = ROOT / "pipeline-definitions" / "step_library"
# What a job finds beside a script of BERT's: its own code and the library.
CODE_PATH = os.pathsep.join([str(CODE_DIR), str(LIBRARY_DIR)])
# What the BERT pipeline's local runs use (the tiny model, the monitoring fixture).
LOCAL_DIR = FAMILIES_DIR / "bert-sentiment" / "local"
# The sample reviews, as the part files the lake receives.
SAMPLE_DIR = ROOT / "data" / "sample" / "reviews"
RENDERED_DIR = Path(os.environ.get("PIPELINE_DEFINITIONS_DIR", ROOT / "build" / "pipeline-definitions"))
sys.path.insert(0, str(LIBRARY_DIR))
sys.path.insert(0, str(ROOT / "pipeline-definitions"))


def import_file(name: str, path: Path, search: Sequence[Path] = ()) -> ModuleType:
    """The module of a file, imported once under ``name`` (registered before it runs, as an import
    does), with ``search`` first on the path while it loads."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[name] = loaded
        sys.path[:0] = [str(folder) for folder in search]
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[name]
            raise
        finally:
            del sys.path[: len(search)]
    return sys.modules[name]


def family_module(family: str, module: str, folder: str = "code") -> ModuleType:
    """A family's Python module (``families/<family>/<folder>/<module>.py``), imported under the
    family's own name (``families.<family>.<folder>.<module>``, hyphens as underscores): two
    families' modules of one name (``train``, ``inference``) never meet in the tests."""
    return import_file(f"families.{family.replace('-', '_')}.{folder}.{module}", FAMILIES_DIR / family / folder / f"{module}.py")


def bert(module: str, folder: str = "code") -> ModuleType:
    """A module of the BERT family's package (its step code by default)."""
    return family_module("bert-sentiment", module, folder)

TINY_MAX_SEQ_LENGTH = 32
# What a trained model's code/ folder holds (model_code.ship).
MODEL_CODE = ("inference.py", "serving.py", "contract.py", "contract.json")


def sample_parts() -> list[Path]:
    parts = sorted(SAMPLE_DIR.glob("*.csv"))
    assert len(parts) > 1, f"the sample in {SAMPLE_DIR} should be several CSV files"
    return parts


@pytest.fixture(scope="session")
def sample_csv(tmp_path_factory) -> Path:
    """The sample's part files as one CSV file (the header once)."""
    whole = tmp_path_factory.mktemp("sample") / "reviews.csv"
    texts = [part.read_text(encoding="utf-8") for part in sample_parts()]
    whole.write_text(texts[0] + "".join(text.split("\n", 1)[1] for text in texts[1:]), encoding="utf-8")
    return whole


@pytest.fixture(scope="session")
def sample_texts(sample_csv) -> list[str]:
    with sample_csv.open(newline="", encoding="utf-8") as handle:
        return [row["Review Text"] for row in csv.DictReader(handle) if row["Review Text"]]


@pytest.fixture(scope="session")
def tiny_pretrained(tmp_path_factory, sample_texts) -> Path:
    """A folder laid out like a pre-trained RoBERTa (config, weights, tokenizer), made offline."""
    return bert("tiny_model", "local").build_tiny_roberta(tmp_path_factory.mktemp("pretrained"), sample_texts, max_positions=TINY_MAX_SEQ_LENGTH)


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_pretrained):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_pretrained)


@pytest.fixture(scope="session")
def test_split_dir(tmp_path_factory, sample_csv, tiny_tokenizer) -> Path:
    """The sample's test split, prepared as the Processing step writes it."""
    prep = bert("prepare_data")
    directory = tmp_path_factory.mktemp("test-split")
    df = prep.clean(prep.load_reviews([str(sample_csv)]))
    df["input_ids"] = prep.tokenize(df["review_body"].tolist(), tiny_tokenizer, TINY_MAX_SEQ_LENGTH)
    prep.write_jsonl(prep.split(df, 0.8, 0.1, 0.1, seed=3)["test"], str(directory / "test.jsonl"))
    return directory


@pytest.fixture(scope="session")
def trained_model_archive(tmp_path_factory, tiny_pretrained) -> Path:
    """A model folder as training leaves it (the tiny model and the inference code), as model.tar.gz."""
    import shutil
    import tarfile

    model = tmp_path_factory.mktemp("model")
    for path in tiny_pretrained.iterdir():
        shutil.copy(path, model / path.name)
    import model_code

    model_code.ship(str(model), str(CODE_DIR / "inference.py"))  # what training puts beside the model
    archive_dir = tmp_path_factory.mktemp("model-archive")
    with tarfile.open(archive_dir / "model.tar.gz", "w:gz") as tar:
        for path in model.iterdir():
            tar.add(path, arcname=path.name)
    return archive_dir
