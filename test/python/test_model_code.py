"""The step-code library's model code: what training ships beside a model, how the steps after
training load it back, and evaluation through the handlers a model carries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import evaluate
import model_code

HANDLERS = '''
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import input_fn, output_fn, predict

def model_fn(model_dir):
    return {"unscorable": "boom"}

def predict_fn(records, model):
    # Every text gets "1" with certainty, except one the model fails on.
    def score(texts):
        if any(model["unscorable"] in t for t in texts):
            raise ValueError("cannot score it")
        return [[0.0, 0.0, 1.0] for _ in texts]
    return predict(records, score)
'''


@pytest.fixture
def model(tmp_path) -> Path:
    script = tmp_path / "handlers.py"
    script.write_text(HANDLERS)
    directory = tmp_path / "model"
    assert model_code.ship(str(directory), str(script)) == ["inference.py", "serving.py", "contract.py", "contract.json"]
    return directory


def write_test_split(directory: Path, *texts: str) -> Path:
    directory.mkdir()
    (directory / "test.jsonl").write_text("".join(json.dumps({"review_body": t, "sentiment": 1}) + "\n" for t in texts))
    return directory


def test_a_shipped_model_is_scored_through_its_own_handlers(tmp_path, model):
    handlers = model_code.load_handlers(str(model))
    assert handlers.predict_fn(["fine"], handlers.model_fn(str(model)))[0]["predicted_label"] == 1
    args = evaluate.parse_args(["--model-dir", str(model), "--test-dir", str(write_test_split(tmp_path / "test", "fine", "good")), "--output-dir", str(tmp_path / "out")])
    report = evaluate.run(args)
    assert report["metrics"]["accuracy"]["value"] == 1.0
    assert json.loads((tmp_path / "out" / "evaluation.json").read_text()) == report


def test_evaluation_stops_on_a_record_the_model_could_not_score_naming_it(tmp_path, model):
    args = evaluate.parse_args(["--model-dir", str(model), "--test-dir", str(write_test_split(tmp_path / "test", "fine", "boom")), "--output-dir", str(tmp_path / "out")])
    with pytest.raises(SystemExit, match=r"test record 2 was not scored: record 2: the model could not score it \(ValueError: cannot score it\)"):
        evaluate.run(args)
    assert not (tmp_path / "out" / "evaluation.json").exists()


def test_a_model_without_handlers_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"the model in .* carries no code/inference.py; training puts its handlers there"):
        model_code.load_handlers(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="the model's handlers .*missing.py do not exist"):
        model_code.ship(str(tmp_path / "model"), str(tmp_path / "missing.py"))
    assert not (tmp_path / "model").exists()
