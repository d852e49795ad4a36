"""The BlazingText pipeline, run end to end on this machine with the local runner, as the test
command renders it from the app: fastText stands in for BlazingText's training and for its
container in the three-container batch transform."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "test" / "python"))
from family_runs import ROOT, RenderedPipeline, step  # noqa: E402

PIPELINE = RenderedPipeline("blazingtext-sentiment")

STAND_IN = "fastText (the algorithm BlazingText implements"


@pytest.fixture(scope="module")
def succeeded(tmp_path_factory):
    work = tmp_path_factory.mktemp("blazingtext-run")
    return work, PIPELINE.run(work)



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
    [package] = PIPELINE.registered(work)
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
    records = PIPELINE.predictions(work, report)
    assert records
    for record in records:
        assert set(record["SageMakerOutput"]) == {"predicted_label", "confidence", "probabilities"}
    evaluation = PIPELINE.evaluation(work, report)
    # The classes are balanced as BERT's are: a model that always answers one label scores its share.
    shares = [sum(r["sentiment"] == s for r in records) / len(records) for s in (-1, 0, 1)]
    assert max(shares) < 0.5
    assert evaluation["metrics"]["accuracy"]["value"] > max(shares) + 0.1


def test_an_unreachable_accuracy_ends_at_the_fail_step(tmp_path):
    report = PIPELINE.run(tmp_path, MinAccuracyValue="1.01")
    assert report["status"] == "Failed"
    fail = step(report, "AccuracyTooLow")
    assert fail["status"] == "Failed" and "is below MinAccuracyValue 1.01" in fail["message"]
    assert PIPELINE.registered(tmp_path) == []
