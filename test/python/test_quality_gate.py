"""The open quality gates' script (quality_gate.py) on small, hand-made inputs."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

import quality_gate as gate


def write_jsonl(directory: Path, name: str, records: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text("".join(json.dumps(r) + "\n" for r in records))
    return directory


def split_records(n_dresses: int = 20, n_knits: int = 20, positive_share_knits: float = 0.5) -> list[dict]:
    records = []
    for i in range(n_dresses):
        records.append({"sentiment": 1 if i % 2 == 0 else -1, "label_id": 2 if i % 2 == 0 else 0, "product_category": "Dresses", "review_body": "nice dress"})
    for i in range(n_knits):
        positive = i < n_knits * positive_share_knits
        records.append({"sentiment": 1 if positive else 0, "label_id": 2 if positive else 1, "product_category": "Knits", "review_body": "a knit top"})
    return records


def run(tmp_path: Path, *argv: str) -> tuple[int, dict]:
    out = tmp_path / "out"
    code = gate.run(gate.parse_args([*argv, "--output-dir", str(out)]))
    return code, json.loads((out / "gate.json").read_text())


def test_data_bias_passes_within_thresholds_and_fails_naming_metric_value_and_threshold(tmp_path):
    data = write_jsonl(tmp_path / "train", "train.jsonl", split_records())
    code, outcome = run(tmp_path, "data-bias", "--data-dir", str(data), "--thresholds", '{"DPL": 0.5, "CI": 0.5}')
    assert code == 0 and outcome["passed"]
    report = json.loads((tmp_path / "out" / "analysis.json").read_text())
    assert report["pre_training_bias_metrics"]["facets"]["product_category"][0]["value_or_threshold"] == "Dresses"
    skewed = write_jsonl(tmp_path / "skewed", "train.jsonl", split_records(positive_share_knits=1.0))
    code, outcome = run(tmp_path, "data-bias", "--data-dir", str(skewed), "--thresholds", '{"DPL": 0.3}')
    assert code == 1
    assert outcome["violations"] == ["product_category=Dresses: DPL 0.5000 exceeds 0.3", "product_category=Knits: DPL -0.5000 exceeds 0.3"]


def test_a_skipped_gate_reports_and_passes(tmp_path, capsys):
    skewed = write_jsonl(tmp_path / "skewed", "train.jsonl", split_records(positive_share_knits=1.0))
    code, outcome = run(tmp_path, "data-bias", "--data-dir", str(skewed), "--thresholds", '{"DPL": 0.3}', "--skip", "true")
    assert code == 0 and outcome["skipped"] and not outcome["passed"]
    assert "CheckDataBias: skipped (would have failed: product_category=Dresses: DPL 0.5000 exceeds 0.3" in capsys.readouterr().out


def test_small_groups_do_not_fail_the_bias_gate(tmp_path):
    data = write_jsonl(tmp_path / "train", "train.jsonl", split_records(n_knits=4, positive_share_knits=1.0))
    code, _ = run(tmp_path, "data-bias", "--data-dir", str(data), "--thresholds", '{"DPL": 0.1}', "--min-group-size", "5")
    assert code == 1  # Dresses (20 records) still counts
    code, _ = run(tmp_path, "data-bias", "--data-dir", str(data), "--thresholds", '{"DPL": 0.1}', "--min-group-size", "50")
    assert code == 0


def test_data_quality_baselines_then_checks_against_the_baseline(tmp_path):
    data = write_jsonl(tmp_path / "train", "train.jsonl", split_records())
    code, _ = run(tmp_path, "data-quality", "--data-dir", str(data))
    assert code == 0
    baseline = tmp_path / "baseline"
    (tmp_path / "out").rename(baseline)
    assert {p.name for p in baseline.iterdir()} >= {"statistics.json", "constraints.json", "constraint_violations.json"}
    drifted = write_jsonl(tmp_path / "drifted", "train.jsonl", split_records(n_dresses=2, n_knits=38) + [{"sentiment": 1, "label_id": 2, "product_category": "Jeans", "review_body": "ok"}])
    code, outcome = run(tmp_path, "data-quality", "--data-dir", str(drifted), "--baseline-dir", str(baseline))
    assert code == 1
    assert any(v.startswith("product_category: categorical_values_check: values not in the baseline: Jeans") for v in outcome["violations"])
    assert any("baseline_drift_check" in v for v in outcome["violations"])
    # The baseline the check used is what registration records as the drift baseline.
    assert (tmp_path / "out" / "drift_constraints.json").read_text() == (baseline / "constraints.json").read_text()
    code, _ = run(tmp_path, "data-quality", "--data-dir", str(drifted), "--baseline-dir", str(baseline), "--register-new-baseline", "true")
    assert code == 0
    assert (tmp_path / "out" / "drift_constraints.json").read_text() == (tmp_path / "out" / "constraints.json").read_text()


def model_archive(directory: Path, report: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    data = json.dumps(report).encode()
    with tarfile.open(directory / "model.tar.gz", "w:gz") as tar:
        info = tarfile.TarInfo("training_health.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return directory


def test_training_health_gate(tmp_path):
    healthy = {"status": "healthy", "checks": {"nan_or_inf": {"passed": True, "detail": "0 non-finite values"}}}
    code, _ = run(tmp_path, "training-health", "--model-dir", str(model_archive(tmp_path / "ok", healthy)))
    assert code == 0
    sick = {"status": "unhealthy", "checks": {"exploding_gradient": {"passed": False, "detail": "largest gradient norm 5e+03 (limit 1000)"}}}
    code, outcome = run(tmp_path, "training-health", "--model-dir", str(model_archive(tmp_path / "sick", sick)))
    assert code == 1
    assert outcome["violations"] == ["exploding_gradient: largest gradient norm 5e+03 (limit 1000)"]


def predictions(directory: Path, pairs: list[tuple[int, int, str]]) -> Path:
    records = [{"sentiment": a, "product_category": f, "SageMakerOutput": {"predicted_label": p, "confidence": 0.9}} for a, p, f in pairs]
    return write_jsonl(directory, "test.jsonl.out", records)


def test_model_quality_thresholds_and_regression(tmp_path):
    good = predictions(tmp_path / "good", [(1, 1, "a"), (0, 0, "a"), (-1, -1, "b"), (1, 0, "b")])
    code, _ = run(tmp_path, "model-quality", "--predictions-dir", str(good), "--thresholds", '{"accuracy": 0.7}')
    assert code == 0
    baseline = tmp_path / "baseline"
    (tmp_path / "out").rename(baseline)
    worse = predictions(tmp_path / "worse", [(1, 1, "a"), (0, 1, "a"), (-1, 1, "b"), (1, 0, "b")])
    code, outcome = run(tmp_path, "model-quality", "--predictions-dir", str(worse), "--thresholds", '{"accuracy": 0.5}', "--baseline-dir", str(baseline))
    assert code == 1
    assert "accuracy 0.2500 is below 0.5" in outcome["violations"]
    assert "accuracy 0.2500 regressed from the approved model's 0.7500 by more than 0.05" in outcome["violations"]


def test_model_bias_gate(tmp_path):
    pairs = [(1, 1, "a")] * 10 + [(1, 0, "b")] * 10
    data = predictions(tmp_path / "p", pairs)
    code, outcome = run(tmp_path, "model-bias", "--predictions-dir", str(data), "--thresholds", '{"DPPL": 0.5}')
    assert code == 1
    assert outcome["violations"][0] == "product_category=a: DPPL -1.0000 exceeds 0.5"
    code, _ = run(tmp_path, "model-bias", "--predictions-dir", str(data), "--thresholds", '{"DPPL": 1.0}')
    assert code == 0


def test_bias_gates_check_a_clarify_baseline_as_clarify_does(tmp_path):
    # The local stand-in of the managed ClarifyCheck: the same gate, against the supplied baseline.
    pairs = [(1, 1, "a")] * 10 + [(1, 0, "b")] * 10
    data = predictions(tmp_path / "p", pairs)
    baseline = tmp_path / "post_training_constraints.json"
    constraints = gate.bias_metrics.threshold_constraints("post_training_bias_metrics", "sentiment", 1, "product_category", {"a": 10, "b": 10}, {"DPPL": 0.5}, 1)
    baseline.write_text(json.dumps(constraints))
    code, outcome = run(tmp_path, "model-bias", "--predictions-dir", str(data), "--constraints-file", str(baseline))
    assert code == 1
    assert outcome["violations"] == ["product_category=a: DPPL -1.0000 exceeds 0.5", "product_category=b: DPPL 1.0000 exceeds 0.5"]
    skewed = write_jsonl(tmp_path / "skewed", "train.jsonl", split_records(positive_share_knits=1.0))
    baseline.write_text(json.dumps(gate.bias_metrics.threshold_constraints("pre_training_bias_metrics", "sentiment", 1, "product_category", {"Knits": 20}, {"DPL": 0.3}, 1)))
    code, outcome = run(tmp_path, "data-bias", "--data-dir", str(skewed), "--constraints-file", str(baseline))
    assert code == 1 and outcome["violations"] == ["product_category=Knits: DPL -0.5000 exceeds 0.3"]


def test_no_predictions_fail_the_model_gates(tmp_path):
    (tmp_path / "empty").mkdir()
    code, outcome = run(tmp_path, "model-quality", "--predictions-dir", str(tmp_path / "empty"))
    assert code == 1
    assert outcome["violations"][0].startswith("CheckModelQuality: no predictions in")


def test_model_quality_reads_model_monitor_constraints_as_minimums(tmp_path):
    # The local stand-in of the managed QualityCheck: its supplied baseline constraints are the minimums.
    data = predictions(tmp_path / "p", [(1, 1, "a"), (0, 0, "a"), (-1, -1, "b"), (1, 0, "b")])  # accuracy 0.75
    constraints = tmp_path / "constraints.json"

    def minimums(**rules) -> Path:
        constraints.write_text(json.dumps({"version": 0.0, "multiclass_classification_constraints": rules}))
        return constraints

    code, _ = run(tmp_path, "model-quality", "--predictions-dir", str(data), "--constraints-file", str(minimums(accuracy={"threshold": 0.7, "comparison_operator": "LessThanThreshold"})))
    assert code == 0
    written = json.loads((tmp_path / "out" / "constraints.json").read_text())
    assert written == {"version": 0.0, "multiclass_classification_constraints": {"accuracy": {"threshold": 0.7, "comparison_operator": "LessThanThreshold"}}}
    strict = minimums(accuracy={"threshold": 0.8, "comparison_operator": "LessThanThreshold"}, weighted_f1={"threshold": 0.1, "comparison_operator": "LessThanThreshold"})
    # The file replaces --thresholds.
    code, outcome = run(tmp_path, "model-quality", "--predictions-dir", str(data), "--thresholds", '{"accuracy": 0.1}', "--constraints-file", str(strict))
    assert code == 1 and outcome["violations"] == ["accuracy 0.7500 is below 0.8"]
    code, outcome = run(tmp_path, "model-quality", "--predictions-dir", str(data), "--constraints-file", str(minimums(accuracy={"threshold": 0.8, "comparison_operator": "GreaterThanThreshold"})))
    assert code == 1 and outcome["violations"] == [f"CheckModelQuality: {constraints}: accuracy has comparison_operator GreaterThanThreshold; a minimum is LessThanThreshold"]
    constraints.write_text(json.dumps({"version": 0.0}))
    code, outcome = run(tmp_path, "model-quality", "--predictions-dir", str(data), "--constraints-file", str(constraints))
    assert code == 1 and outcome["violations"] == [f"CheckModelQuality: {constraints} has no multiclass_classification_constraints"]


def test_the_gates_are_typed_functions_returning_their_violations(tmp_path):
    data = predictions(tmp_path / "p", [(1, 1, "a"), (0, 1, "a"), (-1, 1, "b"), (1, 0, "b")])
    assert gate.model_quality(data, tmp_path / "quality", thresholds={"accuracy": 0.5}) == ["accuracy 0.2500 is below 0.5"]
    assert (tmp_path / "quality" / "statistics.json").exists() and not (tmp_path / "quality" / "gate.json").exists()
    skewed = write_jsonl(tmp_path / "skewed", "train.jsonl", split_records(positive_share_knits=1.0))
    assert gate.data_bias(skewed, tmp_path / "bias", thresholds={"DPL": 0.3}, min_group_size=30) == []
    assert len(gate.data_bias(skewed, tmp_path / "bias", thresholds={"DPL": 0.3})) == 2
    baseline = tmp_path / "bias"  # no statistics.json / constraints.json: nothing to compare with
    assert gate.data_quality_gate(skewed, tmp_path / "dq", baseline=gate.Baseline(directory=baseline)) == []


def test_a_gate_without_its_input_folder_is_refused(capsys):
    with pytest.raises(SystemExit):
        gate.parse_args(["model-quality", "--output-dir", "out"])
    assert "model-quality needs --predictions-dir" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        gate.parse_args(["explainability", "--output-dir", "out"])
    assert "explainability needs --model-dir and --data-dir" in capsys.readouterr().err
