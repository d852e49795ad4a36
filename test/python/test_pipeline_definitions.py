"""Checks of the rendered pipeline definitions (written by `npm test` before the Python tests).

1. API shape (always): each step's Arguments against its SageMaker API request, from botocore.
2. Structure (contributor check): the official pipeline-definition JSON schema, when
   PIPELINE_SCHEMA_PATH names it (`.ci/run` sets it to the shared reference copy).
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from api_shapes import check_definition, check_request
from conftest import RENDERED_DIR
from schema_check import OVERLAY, check_structure

RENDERED = sorted(p for p in RENDERED_DIR.glob("*.json") if not p.name.endswith(".local.json"))
# Definitions of library steps no pipeline of the app uses yet (test/fixtures/definitions/library-samples.ts).
SAMPLES = sorted((RENDERED_DIR / "library-samples").glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_the_definitions_are_rendered():
    assert RENDERED, f"no rendered definitions in {RENDERED_DIR}: `npm test` renders them first"
    assert [p.stem for p in SAMPLES] == ["tuning"], f"the library samples are not in {RENDERED_DIR / 'library-samples'}: `npm test` writes them first"


@pytest.mark.parametrize("path", RENDERED + SAMPLES, ids=lambda p: p.stem)
def test_every_step_matches_its_api_request(path):
    assert check_definition(load(path)) == []


def test_the_checker_finds_what_the_service_would_reject():
    definition = load(RENDERED_DIR / "bert-sentiment.json")
    broken = copy.deepcopy(definition)
    train = next(s for s in broken["Steps"] if s["Type"] == "Training")
    train["Arguments"]["ResourceConfig"]["VolumeSizeInGB"] = "lots"
    train["Arguments"]["Misspelled"] = 1
    del train["Arguments"]["RoleArn"]
    train["Arguments"]["AlgorithmSpecification"]["TrainingInputMode"] = "Streaming"
    problems = check_definition(broken)
    prefix = "step Train (CreateTrainingJob): CreateTrainingJob"
    assert f"{prefix}.RoleArn: required by CreateTrainingJobRequest but missing" in problems
    assert f"{prefix}.AlgorithmSpecification.TrainingInputMode: 'Streaming' is not one of ['Pipe', 'File', 'FastFile']" in problems
    assert f"{prefix}.ResourceConfig.VolumeSizeInGB: expected an integer, got 'lots'" in problems
    assert any(p.startswith(f"{prefix}.Misspelled: not a member of CreateTrainingJobRequest") for p in problems)
    assert len(problems) == 4


def test_pipeline_functions_stand_in_for_any_value():
    assert check_request("CreateModel", {"ExecutionRoleArn": {"Get": "Parameters.Role"}, "PrimaryContainer": {"Image": {"Std:Join": {"On": "", "Values": []}}}}) == []


def test_bert_pipeline_shape():
    definition = load(RENDERED_DIR / "bert-sentiment.json")
    names = [s["Name"] for s in definition["Steps"]]
    assert names == ["Processing", "CheckDataBias", "CheckDataQuality", "Train", "CheckTrainingHealth", "EvaluateModel", "AccuracyCondition"]
    condition = definition["Steps"][6]["Arguments"]
    assert [s["Name"] for s in condition["IfSteps"]] == ["CreateModel", "Transform", "CheckModelQuality", "CheckModelBias", "RegisterModel"]
    assert [s["Type"] for s in condition["ElseSteps"]] == ["Fail"]
    train = definition["Steps"][3]["Arguments"]
    assert train["EnableNetworkIsolation"] is True
    assert "DebugRuleConfigurations" not in train and "ProfilerConfig" not in train
    parameters = {p["Name"]: p for p in definition["Parameters"]}
    assert parameters["MinAccuracyValue"]["DefaultValue"] == 0.33
    assert parameters["ModelApprovalStatus"]["DefaultValue"] == "PendingManualApproval"


def reference_dir() -> Path:
    """The shared reference folder, when the contributor checks are on."""
    reference = os.environ.get("PIPELINE_REFERENCE_DIR")
    if not reference:
        pytest.skip("PIPELINE_REFERENCE_DIR is not set (a contributor check that .ci/run turns on)")
    directory = Path(reference)
    for name in ("pipeline-definition.schema.json", "course-bert-pipeline.sdk-definition.json"):
        assert (directory / name).exists(), f"PIPELINE_REFERENCE_DIR is set but {directory / name} is missing"
    return directory


@pytest.mark.parametrize("path", RENDERED + SAMPLES, ids=lambda p: p.stem)
def test_every_definition_matches_the_official_schema(path):
    assert check_structure(load(path), reference_dir() / "pipeline-definition.schema.json") == []


def test_the_course_definition_matches_the_official_schema():
    directory = reference_dir()
    definition = load(directory / "course-bert-pipeline.sdk-definition.json")
    assert check_structure(definition, directory / "pipeline-definition.schema.json") == []


def test_the_schema_check_finds_structural_mistakes():
    directory = reference_dir()
    definition = load(RENDERED_DIR / "bert-sentiment.json")
    broken = copy.deepcopy(definition)
    broken["Parameters"][0]["Type"] = "Text"
    condition = next(s for s in broken["Steps"] if s["Type"] == "Condition")
    condition["Arguments"]["Conditions"][0]["Type"] = "Bigger"
    condition["Arguments"]["ElseSteps"][0]["Arguments"]["ErrorMessage"] = {"Std:Join": {"Values": "not a list"}}
    broken["Extra"] = True
    problems = check_structure(broken, directory / "pipeline-definition.schema.json")
    text = "\n".join(problems)
    assert "definition: Additional properties are not allowed ('Extra' was unexpected)" in text
    assert "definition['Parameters'][0]" in text
    assert "step AccuracyCondition['Arguments']['Conditions'][0]" in text
    assert "step AccuracyTooLow['Arguments']['ErrorMessage']" in text


def test_every_overlay_entry_says_why():
    assert all(len(reason) > 20 for reason, _patch in OVERLAY)


def test_the_course_definition_passes_the_api_shape_check():
    """The SDK-generated course definition is the conformance vector (contributor check)."""
    assert check_definition(load(reference_dir() / "course-bert-pipeline.sdk-definition.json")) == []
