"""The tuned BERT pipeline (``bert-sentiment-tuning``), run here on the sample with the tiny model:
two training jobs with hyperparameters drawn from the tuning's ranges (the learning rate's scaled
for the tiny model, as its local run declares), the best evaluated, gated and registered into
BERT's group; an unreachable accuracy ends it at its Fail step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import RENDERED_DIR
from local_runner import runner as local

DEFINITION = RENDERED_DIR / "bert-sentiment-tuning.json"
SETTINGS = RENDERED_DIR / "bert-sentiment-tuning.local.json"
# The smallest settings that still learn: the wiring is under test.
QUICK = {"Epochs": "2", "TrainStepsPerEpoch": "10", "ValidationStepsPerEpoch": "2", "MaxSeqLength": "32"}


def run(work: Path, **parameters: str) -> dict:
    settings = json.loads(SETTINGS.read_text())
    return local.LocalRun(json.loads(DEFINITION.read_text()), work, local=settings, parameters={**QUICK, **parameters}, log=lambda line: None).run()


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    work = tmp_path_factory.mktemp("tuned-bert")
    return work, run(work)


def test_two_jobs_run_with_drawn_hyperparameters_and_the_best_is_registered(tuned):
    work, report = tuned
    assert report["status"] == "Succeeded", report["message"]
    tune = next(s for s in report["steps"] if s["name"] == "Tune")
    jobs = tune["outputs"]["trainingJobs"]
    assert len(jobs) == 2
    for job in jobs:
        assert 0.003 <= float(job["hyperParameters"]["learning_rate"]) <= 0.008
        assert job["hyperParameters"]["train_batch_size"] in ("32", "64")
        assert 0.0 <= job["objective"] <= 1.0
    best = max(jobs, key=lambda j: j["objective"])
    assert tune["outputs"]["best"] == best["trainingJobName"]
    assert tune["outputs"]["scaledRanges"]["note"]
    [package] = [json.loads(p.read_text()) for p in (work / "registry" / "model-packages" / "pds-dev-bert-sentiment").glob("*.json")]
    assert package["InferenceSpecification"]["Containers"][0]["ModelDataUrl"] == best["model"]
    assert report["local"]["tuning"]["Tune"]["seed"] == 42


def test_an_unreachable_accuracy_ends_at_the_fail_step(tmp_path, tuned):
    report = run(tmp_path, MinAccuracyValue="1.01")
    assert report["status"] == "Failed"
    fail = next(s for s in report["steps"] if s["name"] == "AccuracyTooLow")
    assert fail["status"] == "Failed" and "is below MinAccuracyValue 1.01" in fail["message"]
    assert not (tmp_path / "registry" / "model-packages").exists()
