"""Tests of the training, evaluation and inference code on a tiny RoBERTa built offline."""

from __future__ import annotations

import json
import re
import tarfile
from argparse import Namespace
from pathlib import Path

import pytest

import classification
import evaluate as evaluation
from conftest import MODEL_CODE, RENDERED_DIR, TINY_MAX_SEQ_LENGTH, bert
from training_health import HealthThresholds, TrainingHealth

inference = bert("inference")
prep = bert("prepare_data")
training = bert("train")


@pytest.fixture(scope="module")
def splits(tmp_path_factory, sample_csv, tiny_tokenizer) -> Path:
    """The sample, prepared as the Processing step writes it."""
    directory = tmp_path_factory.mktemp("splits")
    df = prep.clean(prep.load_reviews([str(sample_csv)]))
    df = prep.balance(df, seed=1)
    df["input_ids"] = prep.tokenize(df["review_body"].tolist(), tiny_tokenizer, TINY_MAX_SEQ_LENGTH)
    for name, part in prep.split(df, 0.8, 0.1, 0.1, seed=1).items():
        prep.write_jsonl(part, str(directory / name / f"{name}.jsonl"))
    return directory


def train_args(tmp_path: Path, splits: Path, pretrained: Path, **overrides) -> Namespace:
    args = training.parse_args([])
    values = dict(
        epochs=3,
        learning_rate=5e-3,
        train_batch_size=16,
        train_steps_per_epoch=10,
        validation_batch_size=32,
        validation_steps_per_epoch=3,
        train=str(splits / "train"),
        validation=str(splits / "validation"),
        pretrained=str(pretrained),
        model_dir=str(tmp_path / "model"),
        output_data_dir=str(tmp_path / "output"),
        checkpoint_dir=str(tmp_path / "checkpoints"),
    )
    values.update(overrides)
    for key, value in values.items():
        setattr(args, key, value)
    return args


@pytest.fixture(scope="module")
def trained(tmp_path_factory, splits, tiny_pretrained):
    """A short real training run, its printed lines and the model directory."""
    import contextlib
    import io

    tmp = tmp_path_factory.mktemp("trained")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        report = training.train(train_args(tmp, splits, tiny_pretrained))
    return {"report": report, "stdout": out.getvalue(), "model_dir": tmp / "model", "output": tmp / "output"}


def metric_definitions() -> list[dict]:
    """The training step's metric definitions, from the rendered pipeline definition."""
    path = RENDERED_DIR / "bert-sentiment.json"
    assert path.exists(), f"{path} is missing: `npm test` renders the pipeline definitions before the Python tests"
    definition = json.loads(path.read_text())
    train = next(step for step in definition["Steps"] if step["Type"] == "Training")
    return train["Arguments"]["AlgorithmSpecification"]["MetricDefinitions"]


def test_the_pipeline_metric_regexes_match_what_training_prints(trained):
    definitions = {d["Name"]: d["Regex"] for d in metric_definitions()}
    assert set(definitions) >= {"validation:loss", "validation:accuracy"}
    for name, regex in definitions.items():
        values = [float(m.group(1)) for m in re.finditer(regex, trained["stdout"])]
        assert len(values) == 3, f"{name} ({regex}) matched {len(values)} times"
        if name == "validation:accuracy":
            assert all(0.0 <= v <= 1.0 for v in values)


def test_training_writes_model_tokenizer_inference_code_and_health(trained):
    model_dir = trained["model_dir"]
    for name in ("config.json", "tokenizer_config.json", "code/inference.py", "training_health.json"):
        assert (model_dir / name).exists(), name
    assert (trained["output"] / "training_health.json").exists()
    config = json.loads((model_dir / "config.json").read_text())
    assert config["id2label"] == {"0": "-1", "1": "0", "2": "1"}


def test_the_model_code_folder_serves_on_its_own(trained):
    """Hosting and batch transform load code/inference.py from the model alone: the contract it
    reads must be beside it, and nothing from the step code folder."""
    import subprocess
    import sys

    code = trained["model_dir"] / "code"
    assert sorted(p.name for p in code.iterdir()) == sorted(MODEL_CODE)
    script = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('inference', {str(code / 'inference.py')!r})\n"
        "handlers = importlib.util.module_from_spec(spec); spec.loader.exec_module(handlers)\n"
        f"loaded = handlers.model_fn({str(trained['model_dir'])!r})\n"
        "out = handlers.output_fn(handlers.predict_fn(handlers.input_fn(b'{\"review_body\": \"nice\"}', 'application/jsonlines'), loaded))\n"
        "print(json.dumps({'contract': sys.modules['contract'].__file__, 'line': json.loads(out)}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=str(trained["model_dir"]), capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.splitlines()[-1])
    assert answer["contract"] == str(code / "contract.py")
    assert set(answer["line"]) == {"predicted_label", "confidence", "probabilities"}


def test_a_healthy_run_is_reported_healthy(trained):
    report = trained["report"]
    assert report["status"] == "healthy", report
    assert set(report["checks"]) == {"nan_or_inf", "exploding_gradient", "vanishing_gradient", "loss_not_decreasing", "overfitting"}
    assert report["summary"]["steps"] == 30


def test_a_diverging_run_is_reported_unhealthy(tmp_path, splits, tiny_pretrained, capsys):
    report = training.train(
        train_args(tmp_path, splits, tiny_pretrained, learning_rate=50.0, epochs=3, max_grad_norm_limit=5.0)
    )
    assert report["status"] == "unhealthy"
    failed = {name for name, check in report["checks"].items() if not check["passed"]}
    assert failed & {"exploding_gradient", "nan_or_inf", "loss_not_decreasing"}, report


def test_training_resumes_from_its_checkpoint(tmp_path, splits, tiny_pretrained, capsys):
    args = train_args(tmp_path, splits, tiny_pretrained, epochs=1)
    training.train(args)
    assert (tmp_path / "checkpoints" / "checkpoint.pt").exists()
    capsys.readouterr()
    args.epochs = 2
    report = training.train(args)
    out = capsys.readouterr().out
    assert "resumed after epoch 0" in out
    assert out.count("val_loss: ") == 1  # only the second epoch ran
    assert len(report["summary"]["validation_losses"]) == 2


def test_health_checks_on_hand_made_histories():
    vanishing = TrainingHealth()
    for i in range(10):
        vanishing.record_step(1.0 - i * 0.01, 1e-9)
    assert vanishing.report()["checks"]["vanishing_gradient"]["passed"] is False

    flat = TrainingHealth()
    for _ in range(12):
        flat.record_step(1.1, 0.5)
    assert flat.report()["checks"]["loss_not_decreasing"]["passed"] is False

    nan = TrainingHealth()
    nan.record_step(float("nan"), 0.5)
    assert nan.diverged
    assert nan.report()["checks"]["nan_or_inf"]["passed"] is False

    overfit = TrainingHealth(HealthThresholds(overfit_patience=2))
    for epoch, validation_loss in enumerate([1.0, 1.1, 1.2, 1.3]):
        for step in range(5):
            overfit.record_step(1.0 - epoch * 0.2 - step * 0.01, 0.5)
        overfit.record_validation(validation_loss)
    report = overfit.report()
    assert report["checks"]["overfitting"]["passed"] is False
    assert report["checks"]["loss_not_decreasing"]["passed"] is True


def test_classification_metrics_by_hand():
    actual = [-1, -1, 0, 1, 1, 1]
    predicted = [-1, 0, 0, 1, 1, -1]
    report = classification.classification_metrics(actual, predicted)
    metrics = report["multiclass_classification_metrics"]
    assert report["metrics"]["accuracy"]["value"] == pytest.approx(4 / 6)
    assert metrics["confusion_matrix"] == {"-1": {"-1": 1, "0": 1, "1": 0}, "0": {"-1": 0, "0": 1, "1": 0}, "1": {"-1": 1, "0": 0, "1": 2}}
    assert metrics["per_class"]["-1"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert metrics["per_class"]["0"]["precision"] == 0.5
    assert metrics["per_class"]["1"]["recall"] == pytest.approx(2 / 3)
    weighted_recall = (0.5 * 2 + 1.0 * 1 + (2 / 3) * 3) / 6
    assert metrics["weighted_recall"]["value"] == pytest.approx(weighted_recall)
    assert metrics["accuracy"] == report["metrics"]["accuracy"]


def test_evaluation_writes_the_property_file_from_model_tar_gz(tmp_path, trained, splits):
    model_input = tmp_path / "model-input"
    model_input.mkdir()
    with tarfile.open(model_input / "model.tar.gz", "w:gz") as tar:
        for path in trained["model_dir"].iterdir():
            tar.add(path, arcname=path.name)
    args = evaluation.parse_args(
        ["--model-dir", str(model_input), "--test-dir", str(splits / "test"), "--output-dir", str(tmp_path / "metrics"), "--work-dir", str(tmp_path / "work")]
    )
    evaluation.run(args)
    report = json.loads((tmp_path / "metrics" / "evaluation.json").read_text())
    accuracy = report["metrics"]["accuracy"]["value"]
    assert 0.0 <= accuracy <= 1.0
    cells = report["multiclass_classification_metrics"]["confusion_matrix"]
    assert sum(sum(row.values()) for row in cells.values()) == len((splits / "test" / "test.jsonl").read_text().splitlines())


def test_inference_handlers_end_to_end(trained):
    loaded = inference.model_fn(str(trained["model_dir"] / ""))
    body = '{"features": ["I love this dress, it fits perfectly"]}\n{"review_body": "Poor quality, returned it"}\n'
    texts = inference.input_fn(body.encode(), "application/jsonlines")
    assert texts == ["I love this dress, it fits perfectly", "Poor quality, returned it"]
    output = inference.output_fn(inference.predict_fn(texts, loaded), "application/jsonlines")
    lines = [json.loads(line) for line in output.splitlines()]
    assert len(lines) == 2
    for prediction in lines:
        assert prediction["predicted_label"] in (-1, 0, 1)
        assert set(prediction["probabilities"]) == {"-1", "0", "1"}
        assert sum(prediction["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)
        assert prediction["confidence"] == max(prediction["probabilities"].values())


def test_inference_refuses_other_content_types():
    with pytest.raises(ValueError, match="not supported"):
        inference.input_fn(b"x", "text/csv")
    with pytest.raises(ValueError, match="not supported"):
        inference.output_fn([], "text/csv")


def test_a_line_without_a_text_is_an_error_record_in_its_place(trained):
    # One bad line must not fail its batch-transform mini-batch (test_serving_toolkit.py: through the toolkit).
    records = inference.input_fn(b'{"review_body": "nice"}\n{"other": 1}\n', "application/jsonlines")
    assert records[0] == "nice" and isinstance(records[1], inference.Unscorable)
    lines = [json.loads(line) for line in inference.output_fn(inference.predict_fn(records, inference.model_fn(str(trained["model_dir"])))).splitlines()]
    assert len(lines) == 2 and "predicted_label" in lines[0]
    assert lines[1] == {"error": 'line 2: the object has none of the text fields ("features", "review_body"); it must be ' + inference.request_shapes()}
