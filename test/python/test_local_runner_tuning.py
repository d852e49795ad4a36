"""The local runner's Tuning executor, on the numbers fixture pipeline with its Training step
replaced by a Tuning step of the same training job: the fitted slope times a tuned ``shrink``,
whose objective (``train:mse``, minimized) is best near 1."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from conftest import ROOT
from local_runner import runner as local

FIXTURE = ROOT / "test" / "python" / "fixtures" / "numbers"
SETTINGS = json.loads((FIXTURE / "local.json").read_text())


def tuned_definition(strategy: str = "Random", jobs: int = 3, parallel: int = 2) -> dict:
    """The fixture with a Tuning step ``Fit`` (the Training step's request as its training job
    definition) whose best model the later steps read."""
    definition = json.loads((FIXTURE / "definition.json").read_text())
    fit = next(s for s in definition["Steps"] if s["Name"] == "Fit")
    request = copy.deepcopy(fit["Arguments"])
    request["StaticHyperParameters"] = request.pop("HyperParameters")
    fit["Type"] = "Tuning"
    fit["Arguments"] = {
        "HyperParameterTuningJobConfig": {
            "Strategy": strategy,
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "train:mse"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": jobs, "MaxParallelTrainingJobs": parallel},
            "ParameterRanges": {"ContinuousParameterRanges": [{"Name": "shrink", "MinValue": "0.5", "MaxValue": "1.5", "ScalingType": "Linear"}]},
            "TrainingJobEarlyStoppingType": "Off",
        },
        "TrainingJobDefinition": request,
    }
    best_model = {"Std:Join": {"On": "/", "Values": ["s3://numbers-bucket/models", {"Get": "Steps.Fit.TrainingJobSummaries[0].TrainingJobName"}, "output", "model.tar.gz"]}}
    text = json.dumps(definition).replace(json.dumps({"Get": "Steps.Fit.ModelArtifacts.S3ModelArtifacts"}), json.dumps(best_model))
    return json.loads(text)


def run(work: Path, definition: dict, settings: dict | None = None) -> dict:
    return local.LocalRun(definition, work, local=settings or SETTINGS, log=lambda line: None).run()


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    work = tmp_path_factory.mktemp("tuned")
    return work, run(work, tuned_definition())


def test_every_job_runs_with_its_hyperparameters_and_the_best_by_the_objective_goes_on(tuned):
    work, report = tuned
    assert report["status"] == "Succeeded", report["message"]
    fit = next(s for s in report["steps"] if s["name"] == "Fit")
    jobs = fit["outputs"]["trainingJobs"]
    execution = report["executionId"]
    assert [j["trainingJobName"] for j in jobs] == [f"Fit-{n:03d}-{execution}" for n in (1, 2, 3)]
    assert all(0.5 <= float(j["hyperParameters"]["shrink"]) <= 1.5 for j in jobs)
    assert len({j["hyperParameters"]["shrink"] for j in jobs}) == 3
    best = min(jobs, key=lambda j: j["objective"])
    assert fit["outputs"]["best"] == best["trainingJobName"] and fit["metrics"]["train:mse"] == best["objective"]
    # The steps after it read the best job's model: the registered package carries it.
    packages = list((work / "registry" / "model-packages").rglob("*.json"))
    assert len(packages) == 1
    container = json.loads(packages[0].read_text())["InferenceSpecification"]["Containers"][0]
    assert container["ModelDataUrl"] == best["model"] and f"/{best['trainingJobName']}/output/model.tar.gz" in best["model"]


def test_the_same_seed_draws_the_same_hyperparameters_and_another_seed_others(tmp_path, tuned):
    _, report = tuned
    drawn = [j["hyperParameters"] for j in next(s for s in report["steps"] if s["name"] == "Fit")["outputs"]["trainingJobs"]]
    again = run(tmp_path / "again", tuned_definition())
    assert [j["hyperParameters"] for j in next(s for s in again["steps"] if s["name"] == "Fit")["outputs"]["trainingJobs"]] == drawn
    other = run(tmp_path / "other", tuned_definition(), {**SETTINGS, "tuning": {"Fit": {"seed": 7}}})
    assert [j["hyperParameters"] for j in next(s for s in other["steps"] if s["name"] == "Fit")["outputs"]["trainingJobs"]] != drawn


def test_scaled_ranges_and_a_bayesian_strategy_are_said_in_the_report(tmp_path):
    settings = {**SETTINGS, "tuning": {"Fit": {"seed": 1, "ranges": {"shrink": {"min": 0.9, "max": 1.1}}, "note": "a narrower range for the test"}}}
    report = run(tmp_path, tuned_definition("Bayesian", jobs=2, parallel=1), settings)
    fit = next(s for s in report["steps"] if s["name"] == "Fit")
    assert report["status"] == "Succeeded", report["message"]
    assert all(0.9 <= float(j["hyperParameters"]["shrink"]) <= 1.1 for j in fit["outputs"]["trainingJobs"])
    assert fit["outputs"]["scaledRanges"] == {"ranges": {"shrink": {"min": 0.9, "max": 1.1}}, "note": "a narrower range for the test"}
    assert "Bayesian optimization does not run here" in fit["outputs"]["substitutedBy"]
    assert report["local"]["tuning"] == settings["tuning"]


def test_a_scaled_range_the_step_does_not_tune_is_a_wiring_error(tmp_path):
    settings = {**SETTINGS, "tuning": {"Fit": {"ranges": {"rate": {"min": 1, "max": 2}}, "note": "x"}}}
    report = run(tmp_path, tuned_definition(), settings)
    assert report["status"] == "Failed"
    assert "the local settings scale range rate, which the step does not tune; it tunes shrink" in report["message"]


def test_the_sampler_follows_each_scaling():
    from local_runner.steps.tuning import sample
    import random

    ranges = {
        "ContinuousParameterRanges": [
            {"Name": "lr", "MinValue": "0.00001", "MaxValue": "0.01", "ScalingType": "Logarithmic"},
            {"Name": "momentum", "MinValue": "0.9", "MaxValue": "0.999", "ScalingType": "ReverseLogarithmic"},
        ],
        "IntegerParameterRanges": [{"Name": "epochs", "MinValue": "1", "MaxValue": "4", "ScalingType": "Auto"}],
        "CategoricalParameterRanges": [{"Name": "batch", "Values": ["128", "256"]}],
    }
    rng = random.Random(3)
    draws = [sample(ranges, rng) for _ in range(200)]
    assert all(0.00001 <= float(d["lr"]) <= 0.01 and 0.9 <= float(d["momentum"]) <= 0.999 for d in draws)
    assert {d["epochs"] for d in draws} == {"1", "2", "3", "4"} and {d["batch"] for d in draws} == {"128", "256"}
    # Log scaling: about as many draws below the geometric middle (1e-3.5) as above it.
    below = sum(float(d["lr"]) < 10 ** -3.5 for d in draws)
    assert 60 < below < 140
