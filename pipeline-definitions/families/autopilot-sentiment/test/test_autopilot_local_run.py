"""The Autopilot pipeline, run end to end on this machine with the local runner, as the test command
renders it from the app: a small search of the project's own stands in for Autopilot's job, and
the local transform runs its best candidate behind the same adapters as on AWS."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "test" / "python"))
from family_runs import ROOT, RenderedPipeline, step  # noqa: E402

PIPELINE = RenderedPipeline("autopilot-sentiment")


@pytest.fixture(scope="module")
def succeeded(tmp_path_factory):
    work = tmp_path_factory.mktemp("autopilot-run")
    return work, PIPELINE.run(work)


def test_it_runs_end_to_end_and_registers_the_best_candidate_between_the_adapters(succeeded):
    work, report = succeeded
    assert report["status"] == "Succeeded", report["message"]
    assert [(s["name"], s["status"]) for s in report["steps"]] == [
        ("Processing", "Succeeded"),
        ("PackageAdapters", "Succeeded"),
        ("AutoML", "Succeeded"),
        ("CreateModel", "Succeeded"),
        ("Transform", "Succeeded"),
        ("EvaluateModel", "Succeeded"),
        ("AccuracyCondition", "Succeeded"),
        ("CheckDataQuality", "Succeeded"),
        ("CheckModelQuality", "Succeeded"),
        ("RegisterModel", "Succeeded"),
        ("AccuracyTooLow", "Skipped"),
    ]
    [package] = PIPELINE.registered(work)
    request, candidate, response = package["InferenceSpecification"]["Containers"]
    assert request["Environment"]["SAGEMAKER_PROGRAM"] == "request_adapter.py" and response["Environment"]["SAGEMAKER_PROGRAM"] == "response_adapter.py"
    automl = step(report, "AutoML")
    assert candidate["ModelDataUrl"] == automl["outputs"]["model"]
    assert candidate["Environment"]["SAGEMAKER_INFERENCE_OUTPUT"] == "predicted_label,probability,probabilities,labels"
    assert candidate["Environment"]["MODEL_NAME"] == automl["outputs"]["bestCandidate"]
    # Autopilot's reports travel with the package.
    assert package["ModelMetrics"]["Explainability"]["Report"]["S3Uri"].endswith("/reports/explainability.json")
    assert package["CustomerMetadataProperties"]["automl_job"].startswith("AutoML-")
    assert package["CustomerMetadataProperties"]["automl_best_candidate"] == automl["outputs"]["bestCandidate"]
    # With the data-quality gate's baseline, which the endpoint's monitoring compares its capture with.
    assert set(package["ModelMetrics"]) == {"ModelQuality", "ModelDataQuality", "Explainability"}
    assert set(package["DriftCheckBaselines"]) == {"ModelQuality", "ModelDataQuality"}


def test_the_report_names_what_stood_in_for_autopilot_and_lists_every_candidate(succeeded):
    _, report = succeeded
    automl = step(report, "AutoML")
    assert automl["outputs"]["substitutedBy"].startswith("a search of the project's own in place of Autopilot")
    assert [c["CandidateName"] for c in automl["outputs"]["candidates"]] == ["logistic-regression", "complement-naive-bayes", "sgd-modified-huber"]
    assert "Accuracy" in automl["metrics"]


def test_autopilots_input_is_a_csv_of_the_three_columns_with_at_least_500_rows(succeeded):
    work, report = succeeded
    [path] = PIPELINE.s3_path(work, step(report, "Processing")["outputs"]["automl-input"]).glob("*.csv")
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0] == ["review_body", "product_category", "sentiment"]
    assert len(rows) - 1 >= 500


def test_the_predictions_of_the_three_containers_answer_in_the_platform_contract_and_beat_the_majority_class(succeeded):
    work, report = succeeded
    records = PIPELINE.predictions(work, report)
    assert records
    for record in records:
        assert set(record["SageMakerOutput"]) == {"predicted_label", "confidence", "probabilities"}
    evaluation = PIPELINE.evaluation(work, report)
    shares = [sum(r["sentiment"] == s for r in records) / len(records) for s in (-1, 0, 1)]
    assert evaluation["metrics"]["accuracy"]["value"] > max(shares) + 0.1


def test_an_unreachable_accuracy_ends_at_the_fail_step(tmp_path):
    report = PIPELINE.run(tmp_path, MinAccuracyValue="1.01")
    assert report["status"] == "Failed"
    fail = step(report, "AccuracyTooLow")
    assert fail["status"] == "Failed" and "is below MinAccuracyValue 1.01" in fail["message"]
    assert PIPELINE.registered(tmp_path) == []


def test_a_499_row_input_stops_at_preparation_with_the_count_and_the_minimum(tmp_path):
    header, rows = None, []
    for path in sorted((ROOT / "data" / "sample" / "reviews").glob("*.csv")):
        first, *rest = list(csv.reader(path.open(encoding="utf-8")))
        header, rows = first, rows + rest
    small = tmp_path / "small"
    small.mkdir()
    with (small / "reviews.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows[:499]])
    settings = PIPELINE.settings()
    raw_input = next(p["DefaultValue"] for p in PIPELINE.definition()["Parameters"] if p["Name"] == "InputData")
    settings["seeds"] = [{**seed, "path": str(small)} if seed["uri"] == raw_input else seed for seed in settings["seeds"]]
    report = PIPELINE.run(tmp_path / "work", settings)
    assert report["status"] == "Failed"
    processing = step(report, "Processing")
    assert processing["status"] == "Failed"
    assert "has 499 rows; Autopilot needs at least 500" in processing["message"]
    assert not any(s["name"] == "AutoML" and s["status"] == "Succeeded" for s in report["steps"])
