"""Tests of the local pipeline runner on the rendered BERT pipeline and the shipped sample.

The pipeline's local settings (``bert-sentiment.local.json``, ``bert-sentiment.managed.local.json``)
come from the rendering. The first run builds the tiny model (its ``once`` seed); the later runs
start from a copy of it, as a second run in the same work folder would.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import LIBRARY_DIR, RENDERED_DIR
from local_runner import runner as local
from local_runner.aws_standins import AwsStandIns, check_record

DEFINITION = RENDERED_DIR / "bert-sentiment.json"
SETTINGS = RENDERED_DIR / "bert-sentiment.local.json"
MANAGED = RENDERED_DIR / "bert-sentiment.managed.json"
MANAGED_SETTINGS = RENDERED_DIR / "bert-sentiment.managed.local.json"
# Quick settings: the sample is small, the model tiny; the wiring is what is under test. Two
# epochs over the training split (about 9 steps each) take the tiny model clearly past chance, so
# the accuracy gate passes on what it learned, not on how the test split happens to fall.
QUICK = {"Epochs": "2", "TrainStepsPerEpoch": "10", "ValidationStepsPerEpoch": "2", "MaxSeqLength": "32"}


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def s3_path(work: Path, uri: str) -> Path:
    return local.LocalRun({"Steps": []}, work).s3_path(uri)


def run(work: Path, definition: dict | None = None, settings: Path | dict = SETTINGS, built: Path | None = None, **parameters: str) -> dict:
    """A run with the quick parameters; ``built``: a work folder whose ``once`` seeds to start from."""
    local_settings = load(settings) if isinstance(settings, Path) else settings
    if built is not None:
        for seed in (s for s in local_settings["seeds"] if s.get("once")):
            shutil.copytree(s3_path(built, seed["uri"]), s3_path(work, seed["uri"]))
    lines: list[str] = []
    result = local.LocalRun(definition or load(DEFINITION), work, local=local_settings, parameters={**QUICK, **parameters}, log=lines.append).run()
    result["log"] = lines
    return result


@pytest.fixture(scope="module")
def succeeded(tmp_path_factory):
    work = tmp_path_factory.mktemp("run")
    return work, run(work)


def step(report: dict, name: str) -> dict:
    return next(s for s in report["steps"] if s["name"] == name)


def test_a_run_goes_through_every_step_and_registers_the_model(succeeded):
    work, report = succeeded
    assert report["status"] == "Succeeded", report["message"]
    assert [(s["name"], s["type"], s["status"]) for s in report["steps"]] == [
        ("Processing", "Processing", "Succeeded"),
        ("CheckDataBias", "Processing", "Succeeded"),
        ("CheckDataQuality", "Processing", "Succeeded"),
        ("Train", "Training", "Succeeded"),
        ("CheckTrainingHealth", "Processing", "Succeeded"),
        ("EvaluateModel", "Processing", "Succeeded"),
        ("AccuracyCondition", "Condition", "Succeeded"),
        ("CreateModel", "Model", "Succeeded"),
        ("Transform", "Transform", "Succeeded"),
        ("CheckModelQuality", "Processing", "Succeeded"),
        ("CheckModelBias", "Processing", "Succeeded"),
        ("RegisterModel", "RegisterModel", "Succeeded"),
        ("AccuracyTooLow", "Fail", "Skipped"),
    ]
    for entry in report["steps"][:12]:
        assert entry["startedAt"] <= entry["endedAt"]
    packages = list((work / "registry" / "model-packages" / "pds-dev-bert-sentiment").glob("*.json"))
    assert len(packages) == 1
    package = json.loads(packages[0].read_text())
    assert package["ModelApprovalStatus"] == "PendingManualApproval"
    assert package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"].endswith("/evaluation/evaluation.json")
    assert package["DriftCheckBaselines"]["ModelDataQuality"]["Constraints"]["S3Uri"].endswith("/quality/CheckDataQuality/drift_constraints.json")
    assert package["ModelMetrics"]["Bias"]["PreTrainingReport"]["S3Uri"].endswith("/quality/CheckDataBias/analysis.json")


def test_the_report_lists_what_the_run_used_locally(succeeded):
    _, report = succeeded
    settings = load(SETTINGS)
    used = report["local"]
    assert used["settings"] == "the local settings"
    assert [(s["uri"], s["description"]) for s in used["seeds"]] == [(s["uri"], s["description"]) for s in settings["seeds"]]
    assert all(s["description"] for s in used["seeds"])
    assert not any(s["reused"] for s in used["seeds"])  # a new work folder: the tiny model is built
    [learning_rate] = [p for p in used["parameters"] if p["name"] == "LearningRate"]
    assert learning_rate["value"] == "0.005" and learning_rate["note"] and not learning_rate["overridden"]
    assert report["parameters"]["LearningRate"] == 0.005
    assert used["featureGroups"] == ["pds-dev-reviews"]
    assert used["substitutions"] == [] and used["modelPackages"] == []
    calls = {s["api"]: s["calls"] for s in used["standIns"]}
    assert calls["sagemaker-featurestore-runtime:PutRecord"] == step(report, "Processing")["outputs"]["featureStoreRecords"]["pds-dev-reviews"]


def test_the_gates_write_their_reports_where_registration_points(succeeded):
    work, report = succeeded
    runner = local.LocalRun(load(DEFINITION), work)
    for gate, files in {
        "CheckDataBias": ["analysis.json", "gate.json"],
        "CheckDataQuality": ["statistics.json", "constraints.json", "constraint_violations.json"],
        "CheckTrainingHealth": ["training_health.json"],
        "CheckModelQuality": ["statistics.json", "constraints.json"],
        "CheckModelBias": ["analysis.json"],
    }.items():
        folder = runner.s3_path(step(report, gate)["outputs"]["report"])
        for name in files:
            assert (folder / name).exists(), f"{gate}: {name}"
        assert json.loads((folder / "gate.json").read_text())["passed"] is True


def test_a_failed_gate_stops_the_run_naming_gate_metric_value_and_threshold(tmp_path, succeeded):
    definition = copy.deepcopy(load(DEFINITION))
    gate = next(s for s in definition["Steps"] if s["Name"] == "CheckDataBias")
    arguments = gate["Arguments"]["AppSpecification"]["ContainerArguments"]
    arguments[arguments.index("--thresholds") + 1] = '{"DPL": 0.0001}'
    arguments[arguments.index("--min-group-size") + 1] = "1"
    report = run(tmp_path, definition, built=succeeded[0])
    assert report["status"] == "Failed"
    assert step(report, "CheckDataBias")["status"] == "Failed"
    assert "CheckDataBias failed: product_category=" in report["message"]
    assert "exceeds 0.0001" in report["message"]
    assert step(report, "Train")["status"] == "Skipped"
    # Skipping the check lets the run go on.
    skipped = run(tmp_path / "skipped", definition, built=succeeded[0], SkipCheckDataBias="true")
    assert step(skipped, "CheckDataBias")["status"] == "Succeeded"


def test_training_metrics_come_from_the_definition_regexes(succeeded):
    _, report = succeeded
    metrics = step(report, "Train")["metrics"]
    assert set(metrics) == {"validation:loss", "validation:accuracy"}
    assert 0.0 <= metrics["validation:accuracy"] <= 1.0


def test_features_reach_the_feature_store_stand_in_and_match_the_schema(succeeded):
    work, report = succeeded
    ingested = step(report, "Processing")["outputs"]["featureStoreRecords"]["pds-dev-reviews"]
    lines = (work / "feature-store" / "pds-dev-reviews.jsonl").read_text().splitlines()
    assert len(lines) == ingested > 100
    names = {item["FeatureName"] for item in json.loads(lines[0])["record"]}
    assert names == {"review_id", "date", "sentiment", "label_id", "input_ids", "review_body", "product_category", "split_type"}


def test_transform_predicts_every_test_record_with_a_confidence(succeeded):
    work, report = succeeded
    output = local.LocalRun(load(DEFINITION), work).s3_path(step(report, "Transform")["outputs"]["predictions"])
    records = [json.loads(line) for path in output.rglob("*.out") for line in path.read_text().splitlines()]
    assert records
    for record in records:
        assert record["SageMakerOutput"]["predicted_label"] in (-1, 0, 1)
        assert 0.0 <= record["SageMakerOutput"]["confidence"] <= 1.0
        assert "review_body" in record  # JoinSource Input keeps the input


def splits_of(work: Path, report: dict) -> dict[str, str]:
    """review id -> split, from the Processing step's split files (every instance's)."""
    found = {}
    for split in ("train", "validation", "test"):
        for path in s3_path(work, step(report, "Processing")["outputs"][f"sentiment-{split}"]).glob("*.jsonl"):
            found.update({json.loads(line)["review_id"]: split for line in path.read_text().splitlines()})
    return found


def registered(work: Path) -> list[Path]:
    return list((work / "registry" / "model-packages" / "pds-dev-bert-sentiment").glob("*.json"))


def test_two_processing_instances_share_the_sample_files_and_split_each_review_as_one_does(tmp_path, succeeded):
    report = run(tmp_path, built=succeeded[0], ProcessingInstanceCount="2")
    assert report["status"] == "Succeeded", report["message"]
    assert step(report, "Processing")["outputs"]["instances"] == 2
    # Each instance got two of the four sample files and wrote its own files beside the other's.
    shares = [sorted(p.name for p in (tmp_path / "jobs" / "Processing" / host / "processing" / "input" / "data").rglob("*.csv")) for host in ("algo-1", "algo-2")]
    assert [len(files) for files in shares] == [2, 2] and not set(shares[0]) & set(shares[1])
    train = s3_path(tmp_path, step(report, "Processing")["outputs"]["sentiment-train"])
    assert sorted(p.name for p in train.iterdir()) == ["train-algo-1.jsonl", "train-algo-2.jsonl"]
    # A review's split is the same as on one instance (balancing, per shard, may keep other reviews).
    one, two = splits_of(succeeded[0], succeeded[1]), splits_of(tmp_path, report)
    both = set(one) & set(two)
    assert len(both) > len(one) / 2 and all(one[r] == two[r] for r in both)
    assert len(registered(tmp_path)) == 1


def test_two_training_instances_train_as_two_ranks_and_the_first_writes_the_model(tmp_path, succeeded):
    report = run(tmp_path, built=succeeded[0], TrainInstanceCount="2")
    assert report["status"] == "Succeeded", report["message"]
    assert step(report, "Train")["outputs"]["hosts"] == 2
    logs = {host: (tmp_path / "jobs" / "Train" / host / "log.txt").read_text() for host in ("algo-1", "algo-2")}
    assert "training health:" in logs["algo-1"] and "training health" not in logs["algo-2"]
    assert not any((tmp_path / "jobs" / "Train" / "algo-2" / "model").iterdir())
    assert len(registered(tmp_path)) == 1


def test_a_threshold_above_one_ends_at_the_fail_step(tmp_path, succeeded):
    report = run(tmp_path, built=succeeded[0], MinAccuracyValue="1.01")
    assert report["status"] == "Failed"
    fail = step(report, "AccuracyTooLow")
    assert fail["status"] == "Failed"
    assert "is below MinAccuracyValue 1.01" in fail["message"]
    assert step(report, "RegisterModel")["status"] == "Skipped"
    assert not (tmp_path / "registry" / "model-packages").exists()


def test_a_broken_wiring_names_the_step_and_the_reference(tmp_path, succeeded):
    definition = copy.deepcopy(load(DEFINITION))
    train = next(s for s in definition["Steps"] if s["Name"] == "Train")
    channel = train["Arguments"]["InputDataConfig"][0]["DataSource"]["S3DataSource"]
    channel["S3Uri"] = {"Get": "Steps.Processing.ProcessingOutputConfig.Outputs['sentiment-trian'].S3Output.S3Uri"}
    report = run(tmp_path, definition, built=succeeded[0])
    assert report["status"] == "Failed"
    assert report["message"].startswith(
        "step Train reads Steps.Processing.ProcessingOutputConfig.Outputs['sentiment-trian'].S3Output.S3Uri, which step Processing does not have"
    )
    assert step(report, "Processing")["status"] == "Succeeded"
    assert step(report, "Train")["status"] == "Failed"
    assert step(report, "RegisterModel")["status"] == "Skipped"


def test_managed_checks_run_through_the_open_gates_and_say_so(tmp_path, succeeded):
    report = run(tmp_path, load(MANAGED), settings=MANAGED_SETTINGS, built=succeeded[0])
    assert report["status"] == "Succeeded", report["message"]
    checks = {
        "CheckDataBias": "data-bias",
        "CheckDataQuality": "data-quality",
        "CheckModelQuality": "model-quality",
        "CheckModelBias": "model-bias",
        "CheckExplainability": "explainability",
    }
    for name, check in checks.items():
        entry = step(report, name)
        assert entry["type"] in ("ClarifyCheck", "QualityCheck")
        assert entry["status"] == "Succeeded"
        assert entry["outputs"]["substitutedBy"].startswith(f"open engine: quality_gate.py {check}")
    # The report says so too, and that the tiny model came from the earlier build.
    assert [s["step"] for s in report["local"]["substitutions"]] == list(checks)
    assert [s["reused"] for s in report["local"]["seeds"] if s["kind"] == "command"] == [True]
    package = json.loads(next((tmp_path / "registry" / "model-packages").rglob("*.json")).read_text())
    assert package["ModelMetrics"]["Bias"]["PreTrainingReport"]["S3Uri"].endswith("/quality/CheckDataBias/analysis.json")
    assert package["DriftCheckBaselines"]["ModelQuality"]["Statistics"]["S3Uri"].endswith("/quality/CheckModelQuality/statistics.json")
    assert package["ModelMetrics"]["Explainability"]["Report"]["S3Uri"].endswith("/quality/CheckExplainability/explanations.json")
    # The configured limits reach the managed checks as supplied baselines, and the stand-ins use them.
    bias = package["DriftCheckBaselines"]["Bias"]
    assert bias["PreTrainingConstraints"]["S3Uri"].endswith("/processing/managed-baselines/bias/pre_training_constraints.json")
    assert bias["PostTrainingConstraints"]["S3Uri"].endswith("/processing/managed-baselines/bias/post_training_constraints.json")
    logs = {name: (tmp_path / "jobs" / name / "log.txt").read_text() for name in ("CheckDataBias", "CheckModelQuality")}
    assert "--constraints-file" in logs["CheckDataBias"]
    # Model Monitor's model-quality constraints reach the open gate as its constraints file.
    supplied = s3_path(tmp_path, step_named(MANAGED, "CheckModelQuality")["SuppliedBaselineConstraints"])
    assert f"--constraints-file {supplied}" in logs["CheckModelQuality"]
    assert "--samples 3 --permutations 2" in (tmp_path / "jobs" / "CheckExplainability" / "log.txt").read_text()


def step_named(definition: Path, name: str) -> dict:
    return next(s for s in local.all_steps(load(definition)["Steps"]) if s["Name"] == name)


def model_quality_gate_reads_constraints_files(work: Path) -> bool:
    """Whether quality_gate.py model-quality gates on Model Monitor's constraints in --constraints-file
    (the step code's side of the substitution), tried on predictions that miss the minimum."""
    predictions, constraints = write_predictions(work / "probe"), write_constraints(work / "probe" / "constraints.json", 0.9)
    gate = [sys.executable, str(LIBRARY_DIR / "quality_gate.py"), "model-quality", "--predictions-dir", str(predictions), "--output-dir", str(work / "probe" / "out")]
    return subprocess.run(gate + ["--constraints-file", str(constraints)], capture_output=True).returncode != 0


def write_predictions(directory: Path) -> Path:
    """Three joined transform outputs, two of them right (accuracy 2/3)."""
    directory.mkdir(parents=True, exist_ok=True)
    rows = [(1, 1), (0, 0), (-1, 1)]
    lines = [json.dumps({"sentiment": true, "product_category": "Dresses", "SageMakerOutput": {"predicted_label": predicted}}) for true, predicted in rows]
    (directory / "test.jsonl.out").write_text("".join(line + "\n" for line in lines))
    return directory


def write_constraints(path: Path, accuracy: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 0.0, "multiclass_classification_constraints": {"accuracy": {"threshold": accuracy, "comparison_operator": "LessThanThreshold"}}}))
    return path


def test_the_model_quality_substitution_gates_on_the_supplied_constraints(tmp_path):
    if not model_quality_gate_reads_constraints_files(tmp_path):
        pytest.skip("quality_gate.py model-quality does not apply --constraints-file yet (the step code's side)")
    # CheckModelQuality alone, on seeded predictions and supplied constraints, with its substitution.
    managed = load(MANAGED)
    check = copy.deepcopy(step_named(MANAGED, "CheckModelQuality"))
    check["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] = "s3://fixture/predictions/"
    check["SuppliedBaselineConstraints"] = "s3://fixture/constraints.json"
    settings = load(MANAGED_SETTINGS)
    settings["seeds"] = [s for s in settings["seeds"] if "command" not in s] + [
        {"uri": "s3://fixture/predictions/", "path": str(write_predictions(tmp_path / "predictions")), "description": "predictions, 2 of 3 right"}
    ]
    settings["substitutions"] = {"CheckModelQuality": settings["substitutions"]["CheckModelQuality"]}
    seeds = settings["seeds"]
    for minimum, status in ((0.9, "Failed"), (0.5, "Succeeded")):
        constraints = {"uri": "s3://fixture/constraints.json", "path": str(write_constraints(tmp_path / f"{minimum}.json", minimum)), "description": "the minimums"}
        report = run(tmp_path / str(minimum), {**managed, "Steps": [check]}, settings={**settings, "seeds": seeds + [constraints]})
        assert step(report, "CheckModelQuality")["status"] == status, report["message"]
        if status == "Failed":
            assert "CheckModelQuality failed" in report["message"] and "accuracy" in report["message"]


def test_managed_checks_need_their_substitutions(tmp_path):
    with pytest.raises(local.WiringError, match=r"step CheckDataBias: type ClarifyCheck is not supported by the local runner, and no substitution of the step is declared \(the local settings\)"):
        local.LocalRun(load(MANAGED), tmp_path, local=load(SETTINGS))


def test_parameters_are_type_checked_but_not_range_checked():
    definition = load(DEFINITION)
    with pytest.raises(local.WiringError, match=r"parameter Epochs \(Integer\): 'three' is not allowed; expected an integer"):
        local.LocalRun(definition, Path("/tmp/unused"), parameters={"Epochs": "three"})
    with pytest.raises(local.WiringError, match="parameter Nope is not declared"):
        local.LocalRun(definition, Path("/tmp/unused"), parameters={"Nope": "1"})
    with pytest.raises(local.WiringError, match="is not one of"):
        local.LocalRun(definition, Path("/tmp/unused"), parameters={"TrainInstanceType": "ml.t2.nano"})
    runner = local.LocalRun(definition, Path("/tmp/unused"), parameters={"MinAccuracyValue": "1.5", "BalanceDataset": "false"})
    assert runner.parameters["MinAccuracyValue"] == 1.5
    assert runner.parameters["BalanceDataset"] is False


def test_values_resolve_like_the_service(tmp_path):
    runner = local.LocalRun(load(DEFINITION), tmp_path, parameters={"Epochs": "2"})
    assert runner.resolve({"Std:Join": {"On": "-", "Values": ["a", {"Get": "Parameters.Epochs"}, {"Get": "Parameters.BalanceDataset"}]}}, "S") == "a-2-true"
    assert runner.resolve({"Get": "Execution.PipelineExecutionId"}, "S").startswith("local-")
    with pytest.raises(local.WiringError, match="step S reads Steps.Train.ModelArtifacts.S3ModelArtifacts, but step Train has not run"):
        runner.resolve({"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}, "S")
    report = tmp_path / "e.json"
    report.write_text(json.dumps({"metrics": {"accuracy": {"value": 0.75}}}))
    runner.property_files["EvaluateModel"] = {"EvaluationReport": report}
    json_get = {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.EvaluateModel.PropertyFiles.EvaluationReport"}, "Path": "metrics.accuracy.value"}}
    assert runner.resolve(json_get, "S") == 0.75
    assert runner.condition({"Type": "GreaterThanOrEqualTo", "LeftValue": json_get, "RightValue": 0.75}, "S") is True
    assert runner.condition({"Type": "Not", "Expression": {"Type": "Equals", "LeftValue": 1, "RightValue": 1}}, "S") is False


SCHEMA = {
    "featureGroupName": "g",
    "recordIdentifier": "id",
    "eventTime": "date",
    "features": [{"name": "id", "type": "String"}, {"name": "date", "type": "String"}, {"name": "n", "type": "Integral"}],
}


def test_the_feature_store_stand_in_checks_records_against_the_schema(tmp_path):
    good = [{"FeatureName": "id", "ValueAsString": "1"}, {"FeatureName": "date", "ValueAsString": "2026-01-01T00:00:00Z"}]
    assert check_record(SCHEMA, good) == []
    assert check_record(SCHEMA, good + [{"FeatureName": "n", "ValueAsString": "x"}]) == ["feature 'n' is Integral but got 'x'"]
    assert check_record(SCHEMA, good[:1]) == ["the eventTime 'date' is missing"]
    assert check_record(SCHEMA, [good[0], {"FeatureName": "date", "ValueAsString": "yesterday"}]) == [
        "event time 'yesterday' is not ISO-8601 (yyyy-MM-ddTHH:mm:ssZ)"
    ]
    with AwsStandIns({"g": SCHEMA}, tmp_path) as standin:
        client = boto3.client(
            "sagemaker-featurestore-runtime", region_name="us-east-1", endpoint_url=standin.endpoint, aws_access_key_id="x", aws_secret_access_key="x"
        )
        client.put_record(FeatureGroupName="g", Record=good)
        with pytest.raises(ClientError, match="ValidationError"):
            client.put_record(FeatureGroupName="g", Record=[{"FeatureName": "other", "ValueAsString": "1"}])
        assert standin.accepted == {"g": 1}


def test_the_command_line_says_what_pipelines_exist(tmp_path, capsys):
    assert local.main(["nope", "--definitions", str(RENDERED_DIR)]) == 2
    error = capsys.readouterr().err
    assert "no pipeline 'nope'; expected one of " in error and "bert-sentiment," in error
    assert local.main(["bert-sentiment", "--definitions", str(RENDERED_DIR), "--param", "Epochs"]) == 2
    assert local.main(["bert-sentiment", "--definitions", str(RENDERED_DIR), "--variant", "nope"]) == 2
    assert "no variant 'nope' of bert-sentiment; expected one of managed" in capsys.readouterr().err


def test_a_condition_waits_for_what_its_branches_read_or_depend_on_outside_them(tmp_path):
    fail = lambda name, **extra: {"Name": name, "Type": "Fail", "Arguments": {"ErrorMessage": name}, **extra}  # noqa: E731
    inner = fail("Inner", DependsOn=["Outside"])
    reads = fail("Reads", Arguments={"ErrorMessage": {"Get": "Steps.Elsewhere.ModelName"}})
    condition = {"Name": "Cond", "Type": "Condition", "Arguments": {"Conditions": [], "IfSteps": [inner], "ElseSteps": [reads, fail("Sibling", DependsOn=["Reads"])]}}
    definition = {"Parameters": [], "Steps": [condition, fail("Outside"), fail("Elsewhere")]}
    runner = local.LocalRun(definition, tmp_path)
    pending = {s["Name"]: s for s in definition["Steps"]}
    # The branch steps' own edges to steps outside the branches count; edges inside them do not.
    assert runner.dependencies(condition, pending) == {"Outside", "Elsewhere"}
