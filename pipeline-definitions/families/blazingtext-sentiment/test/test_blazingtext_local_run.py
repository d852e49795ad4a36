"""The BlazingText pipeline, run end to end on this machine with the local runner, as the test
command renders it from the app: fastText stands in for BlazingText's training and for its
container in the three-container batch transform."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
RENDERED_DIR = Path(os.environ.get("PIPELINE_DEFINITIONS_DIR", ROOT / "build" / "pipeline-definitions"))
DEFINITION = RENDERED_DIR / "blazingtext-sentiment.json"
SETTINGS = RENDERED_DIR / "blazingtext-sentiment.local.json"
sys.path.insert(0, str(ROOT / "pipeline-definitions"))

from local_runner import runner as local  # noqa: E402

STAND_IN = "fastText (the algorithm BlazingText implements"


def load(path: Path) -> dict:
    assert path.exists(), f"{path} is missing: the test command renders the app's pipelines before the Python tests"
    return json.loads(path.read_text())


def run(work: Path, **parameters: str) -> dict:
    return local.LocalRun(load(DEFINITION), work, local=load(SETTINGS), parameters=parameters, log=lambda line: None).run()


def registered(work: Path) -> list[dict]:
    folder = work / "registry" / "model-packages" / "pds-dev-blazingtext-sentiment"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []


@pytest.fixture(scope="module")
def succeeded(tmp_path_factory):
    work = tmp_path_factory.mktemp("blazingtext-run")
    return work, run(work)


def step(report: dict, name: str) -> dict:
    return next(s for s in report["steps"] if s["name"] == name)


def test_it_runs_end_to_end_and_registers_the_three_container_package(succeeded):
    work, report = succeeded
    assert report["status"] == "Succeeded", report["message"]
    assert [(s["name"], s["status"]) for s in report["steps"]] == [
        ("Processing", "Succeeded"),
        ("PackageAdapters", "Succeeded"),
        ("Train", "Succeeded"),
        ("CreateModel", "Succeeded"),
        ("Transform", "Succeeded"),
        ("EvaluateModel", "Succeeded"),
        ("AccuracyCondition", "Succeeded"),
        ("CheckDataQuality", "Succeeded"),
        ("CheckModelQuality", "Succeeded"),
        ("RegisterModel", "Succeeded"),
        ("AccuracyTooLow", "Skipped"),
    ]
    [package] = registered(work)
    assert package["ModelApprovalStatus"] == "PendingManualApproval"
    # With the data-quality gate's baseline, which the endpoint's monitoring compares its capture with.
    assert set(package["ModelMetrics"]) == {"ModelQuality", "ModelDataQuality"}
    assert set(package["DriftCheckBaselines"]) == {"ModelQuality", "ModelDataQuality"}
    request, algorithm, response = package["InferenceSpecification"]["Containers"]
    assert request["Environment"]["SAGEMAKER_PROGRAM"] == "request_adapter.py" and request["Environment"]["SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"] == "application/json"
    assert "/blazingtext:" in algorithm["Image"] and algorithm["ModelDataUrl"].endswith("/output/model.tar.gz")
    assert response["Environment"]["SAGEMAKER_PROGRAM"] == "response_adapter.py"
    assert request["ModelDataUrl"] == response["ModelDataUrl"] and request["ModelDataUrl"].endswith("/code-packages/PackageAdapters/model.tar.gz")


def test_the_report_names_what_stood_in_for_blazingtext(succeeded):
    _, report = succeeded
    assert step(report, "Train")["outputs"]["substitutedBy"].startswith(STAND_IN)
    assert step(report, "Transform")["outputs"]["substitutedBy"].startswith(STAND_IN)
    assert report["local"]["algorithms"]["blazingtext"].startswith(STAND_IN)


def test_the_predictions_of_the_three_containers_answer_in_the_platform_contract_and_beat_the_majority_class(succeeded):
    work, report = succeeded
    runner = local.LocalRun(load(DEFINITION), work)
    outputs = sorted(runner.s3_path(step(report, "Transform")["outputs"]["predictions"]).glob("*.out"))
    records = [json.loads(line) for path in outputs for line in path.read_text().splitlines() if line.strip()]
    assert records
    for record in records:
        assert set(record["SageMakerOutput"]) == {"predicted_label", "confidence", "probabilities"}
    evaluation = json.loads(next(runner.s3_path(step(report, "EvaluateModel")["outputs"]["metrics"]).rglob("evaluation.json")).read_text())
    # The classes are balanced as BERT's are: a model that always answers one label scores its share.
    shares = [sum(r["sentiment"] == s for r in records) / len(records) for s in (-1, 0, 1)]
    assert max(shares) < 0.5
    assert evaluation["metrics"]["accuracy"]["value"] > max(shares) + 0.1


def test_an_unreachable_accuracy_ends_at_the_fail_step(tmp_path):
    report = run(tmp_path, MinAccuracyValue="1.01")
    assert report["status"] == "Failed"
    fail = step(report, "AccuracyTooLow")
    assert fail["status"] == "Failed" and "is below MinAccuracyValue 1.01" in fail["message"]
    assert registered(tmp_path) == []
