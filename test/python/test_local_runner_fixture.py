"""The local runner on a pipeline that has nothing to do with BERT (test/python/fixtures/numbers):
every step type, a substituted QualityCheck, the three kinds of seed and a declared model package,
all from the pipeline's own definition and local settings; and the runner's errors about them."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import boto3
import pytest

from conftest import ROOT
from local_runner import runner as local
from local_runner.aws_standins import AwsStandIns

FIXTURE = ROOT / "test" / "python" / "fixtures" / "numbers"
DEFINITION = json.loads((FIXTURE / "definition.json").read_text())
SETTINGS = json.loads((FIXTURE / "local.json").read_text())
DECLARED = "arn:aws:sagemaker:us-east-1:111122223333:model-package/numbers-models/7"


def run(work: Path, settings: dict | None = None, definition: dict | None = None, **parameters: str) -> dict:
    return local.LocalRun(definition or DEFINITION, work, local=settings or SETTINGS, parameters=parameters, log=lambda line: None).run()


def s3_path(work: Path, uri: str) -> Path:
    return local.LocalRun({"Steps": []}, work).s3_path(uri)


def step(report: dict, name: str) -> dict:
    return next(s for s in report["steps"] if s["name"] == name)


@pytest.fixture(scope="module")
def succeeded(tmp_path_factory):
    work = tmp_path_factory.mktemp("numbers")
    return work, run(work)


def test_the_fixture_pipeline_runs_every_step_type_and_registers(succeeded):
    work, report = succeeded
    assert report["status"] == "Succeeded", report["message"]
    assert report["pipeline"] == "numbers"
    assert [(s["name"], s["type"], s["status"]) for s in report["steps"]] == [
        ("MakeNumbers", "Processing", "Succeeded"),
        ("CheckNumbers", "QualityCheck", "Succeeded"),
        ("Fit", "Training", "Succeeded"),
        ("Evaluate", "Processing", "Succeeded"),
        ("ScoreCondition", "Condition", "Succeeded"),
        ("CreateModel", "Model", "Succeeded"),
        ("Predict", "Transform", "Succeeded"),
        ("Register", "RegisterModel", "Succeeded"),
        ("ScoreTooLow", "Fail", "Skipped"),
    ]
    assert report["parameters"]["Count"] == 200  # the local default
    assert step(report, "Fit")["metrics"]["train:mse"] < 1.0
    assert step(report, "CheckNumbers")["outputs"]["substitutedBy"] == "check_numbers.py (no QualityCheck service here)"
    [package] = (work / "registry" / "model-packages" / "numbers-models").glob("*.json")
    registered = json.loads(package.read_text())
    assert registered["ModelApprovalStatus"] == "PendingManualApproval"
    assert float(registered["CustomerMetadataProperties"]["score"]) > 0.9
    drift = registered["DriftCheckBaselines"]["ModelDataQuality"]
    assert drift["Constraints"]["S3Uri"] == "s3://numbers-bucket/baselines/constraints.json"  # the supplied baseline
    assert drift["Statistics"]["S3Uri"] == f"{step(report, 'CheckNumbers')['outputs']['report']}/statistics.json"
    # The declared package answered the evaluation's ListModelPackages and DescribeModelPackage.
    evaluation = json.loads((s3_path(work, step(report, "Evaluate")["outputs"]["evaluation"]) / "evaluation.json").read_text())
    assert (evaluation["approved"], evaluation["approvedScore"]) == (DECLARED, "0.5")
    predictions = [json.loads(line) for path in s3_path(work, step(report, "Predict")["outputs"]["predictions"]).rglob("*.out") for line in path.read_text().splitlines()]
    assert len(predictions) == 200 and all(abs(p["SageMakerOutput"]["prediction"] - p["y"]) < 3 for p in predictions)


def test_the_report_lists_the_seeds_the_substitution_and_the_stand_ins(succeeded):
    _, report = succeeded
    used = report["local"]
    assert [(s["uri"], s["kind"], s["description"]) for s in used["seeds"]] == [
        ("s3://numbers-bucket/code/", "path", "the step scripts"),
        ("s3://numbers-bucket/config/", "command", "the noise MakeNumbers adds"),
        ("s3://numbers-bucket/baselines/constraints.json", "content", "the supplied constraints of CheckNumbers"),
    ]
    assert [(s["step"], s["description"]) for s in used["substitutions"]] == [("CheckNumbers", "check_numbers.py (no QualityCheck service here)")]
    assert used["substitutions"][0]["command"][0] == "{python}"
    assert used["parameters"] == [{"name": "Count", "value": "200", "note": "fewer numbers: the wiring is what a local run checks", "overridden": False}]
    assert used["modelPackages"] == [DECLARED]
    calls = {s["api"]: s["calls"] for s in used["standIns"]}
    assert (calls["sagemaker:ListModelPackages"], calls["sagemaker:DescribeModelPackage"]) == (1, 1)
    lines = local.settings_lines(used)
    assert lines[0] == "local settings: the local settings"
    assert "  substitution CheckNumbers: check_numbers.py (no QualityCheck service here)" in lines


def test_a_once_seed_is_built_once_per_work_folder_and_the_fail_branch_ends_the_run(tmp_path):
    config = s3_path(tmp_path, "s3://numbers-bucket/config/") / "config.json"
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"noise": 0.5, "kept": True}))  # as an earlier run in this work folder left it
    report = run(tmp_path, MinScore="1.01", Count="100")
    assert json.loads(config.read_text())["kept"] is True
    assert [s["reused"] for s in report["local"]["seeds"]] == [False, True, False]
    assert [p["overridden"] for p in report["local"]["parameters"]] == [True]
    assert report["status"] == "Failed"
    assert step(report, "ScoreTooLow")["status"] == "Failed"
    assert report["message"].startswith("Score 0.9") and report["message"].endswith("is below MinScore 1.01")
    assert step(report, "Register")["status"] == "Skipped"


def test_the_supplied_constraints_gate_the_substituted_check(tmp_path):
    settings = copy.deepcopy(SETTINGS)
    settings["seeds"][2]["content"] = {"x": {"min_mean": 8, "max_mean": 9}, "y": {"min_mean": 0, "max_mean": 100}}
    report = run(tmp_path, settings)
    assert report["status"] == "Failed"
    assert "CheckNumbers failed: mean of x" in step(report, "CheckNumbers")["message"]
    assert "--constraints" in (tmp_path / "jobs" / "CheckNumbers" / "log.txt").read_text()
    assert step(report, "Fit")["status"] == "Skipped"
    assert run(tmp_path / "skipped", settings, SkipCheckNumbers="true")["status"] == "Succeeded"


def test_a_failing_seed_command_is_an_error_naming_the_seed(tmp_path):
    settings = copy.deepcopy(SETTINGS)
    settings["seeds"][1]["command"] = ["{python}", "-c", "import sys; sys.exit('no noise today')"]
    report = run(tmp_path, settings)
    assert report["status"] == "Failed"
    assert report["message"].startswith("seed s3://numbers-bucket/config/ (the noise MakeNumbers adds): ")
    assert "exited with 1" in report["message"] and "no noise today" in report["message"]
    assert {s["status"] for s in report["steps"]} == {"Skipped"}
    assert not s3_path(tmp_path, "s3://numbers-bucket/config/").exists()  # not taken as built
    settings["seeds"][1]["command"] = ["{python}", "-c", "pass"]
    assert "the command wrote nothing at {target}" in run(tmp_path / "nothing", settings)["message"]
    settings["seeds"][1]["command"] = ["{python}", "{nope}"]
    assert "unknown token {nope}" in run(tmp_path / "token", settings)["message"]


def test_an_unsupported_step_type_and_a_stray_substitution_are_clear_errors(tmp_path):
    settings = {**SETTINGS, "substitutions": {}}
    with pytest.raises(local.WiringError, match=r"^step CheckNumbers: type QualityCheck is not supported by the local runner, and no substitution of the step is declared"):
        local.LocalRun(DEFINITION, tmp_path, local=settings)
    stray = {**SETTINGS, "substitutions": {**SETTINGS["substitutions"], "CheckNumbrs": SETTINGS["substitutions"]["CheckNumbers"]}}
    with pytest.raises(local.WiringError, match="a substitution names step CheckNumbrs, which the pipeline does not have"):
        local.LocalRun(DEFINITION, tmp_path, local=stray)
    with pytest.raises(local.WiringError, match="unknown member seed; expected pipeline"):
        local.LocalRun(DEFINITION, tmp_path, local={"seed": []})
    with pytest.raises(local.WiringError, match="seed 1 needs a uri and one of path, content, command"):
        local.LocalRun(DEFINITION, tmp_path, local={"seeds": [{"uri": "s3://b/k", "path": "a", "content": 1}]})
    # A substitution that reads an input the step does not have stops the run at that step.
    wrong = copy.deepcopy(SETTINGS)
    wrong["substitutions"]["CheckNumbers"]["command"][3] = "{input:numbers}"
    report = run(tmp_path / "input", wrong)
    assert report["message"] == "step CheckNumbers: the substitution reads input 'numbers', which the step does not have; it has baseline_dataset_input"


def test_the_command_line_runs_a_definitions_folder_and_prints_the_local_settings(tmp_path, capsys):
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "numbers.json").write_text(json.dumps(DEFINITION))
    (definitions / "numbers.local.json").write_text(json.dumps(SETTINGS))
    report = tmp_path / "report.json"
    assert local.main(["numbers", "--definitions", str(definitions), "--work", str(tmp_path / "work"), "--report", str(report), "--param", "Count=120"]) == 0
    out = capsys.readouterr().out
    assert f"local settings: {definitions / 'numbers.local.json'}" in out
    assert "  parameter Count=200 (overridden by --param)" in out
    assert "  seed s3://numbers-bucket/config/: the noise MakeNumbers adds" in out
    assert f"  model package {DECLARED}" in out
    assert "stand-ins answered: sagemaker:ListModelPackages ×1, sagemaker:DescribeModelPackage ×1" in out
    assert json.loads(report.read_text())["local"]["substitutions"][0]["step"] == "CheckNumbers"


def test_the_stand_ins_list_s3_folders_and_record_cloudwatch_metrics(tmp_path):
    s3_root = tmp_path / "s3"
    for key in ("capture/A/2026/01/01/00/a.jsonl", "capture/A/2026/01/01/01/b.jsonl", "capture/B/x.jsonl", "other.txt"):
        (s3_root / "bucket" / key).parent.mkdir(parents=True, exist_ok=True)
        (s3_root / "bucket" / key).write_text("{}\n")
    packages = [{"ModelPackageArn": DECLARED, "ModelApprovalStatus": "Approved"}]
    with AwsStandIns({}, tmp_path / "fs", registry=tmp_path / "registry", s3_root=s3_root, cloudwatch=tmp_path / "cw", model_packages=packages) as standins:
        client = lambda name: boto3.client(name, region_name="us-east-1", endpoint_url=standins.endpoint, aws_access_key_id="x", aws_secret_access_key="x")  # noqa: E731
        s3 = client("s3")
        folders = s3.list_objects_v2(Bucket="bucket", Prefix="capture/", Delimiter="/")
        assert [p["Prefix"] for p in folders["CommonPrefixes"]] == ["capture/A/", "capture/B/"] and "Contents" not in folders
        keys = s3.list_objects_v2(Bucket="bucket", Prefix="capture/A/")["Contents"]
        assert [(k["Key"], k["Size"]) for k in keys] == [("capture/A/2026/01/01/00/a.jsonl", 3), ("capture/A/2026/01/01/01/b.jsonl", 3)]
        assert s3.get_object(Bucket="bucket", Key="other.txt")["Body"].read() == b"{}\n"
        client("cloudwatch").put_metric_data(
            Namespace="N", MetricData=[{"MetricName": "m", "Dimensions": [{"Name": "Endpoint", "Value": "e"}], "Value": 1.5, "Unit": "Count", "Timestamp": "2026-01-01T01:00:00Z"}]
        )
        described = client("sagemaker").describe_model_package(ModelPackageName=DECLARED)
        assert (described["ModelPackageGroupName"], described["ModelPackageVersion"]) == ("numbers-models", 7)
        assert dict(standins.calls) == {"s3:ListObjectsV2": 2, "s3:GetObject": 1, "cloudwatch:PutMetricData": 1, "sagemaker:DescribeModelPackage": 1}
    [metric] = [json.loads(line) for line in (tmp_path / "cw" / "metrics.jsonl").read_text().splitlines()]
    assert metric == {"Namespace": "N", "MetricName": "m", "Dimensions": [{"Name": "Endpoint", "Value": "e"}], "Value": 1.5, "Unit": "Count", "Timestamp": "2026-01-01T01:00:00+00:00"}
