"""The endpoint-monitoring pipeline run locally end to end, from its rendering and local settings:
traffic and ground truth made from the sample (local_runner/fixtures/monitor_fixture.py), the served
packages declared with their baselines, the metrics recorded by the CloudWatch stand-in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import LIBRARY_DIR, RENDERED_DIR
from local_runner import runner as local

DEFINITION = RENDERED_DIR / "endpoint-monitor.json"
SETTINGS = RENDERED_DIR / "endpoint-monitor.local.json"
CONTRACT = json.loads((LIBRARY_DIR / "contract.json").read_text())


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def option(step: dict, name: str) -> str:
    arguments = step["Arguments"]["AppSpecification"]["ContainerArguments"]
    return arguments[arguments.index(name) + 1]


def served() -> dict[str, str]:
    """Variant → model package ARN, as the rendering monitors them."""
    return {option(s, "--variant"): option(s, "--model-package-arn") for s in load(DEFINITION)["Steps"]}


@pytest.fixture(scope="module")
def monitored(tmp_path_factory):
    work = tmp_path_factory.mktemp("monitor")
    return work, local.LocalRun(load(DEFINITION), work, local=load(SETTINGS), log=lambda line: None).run()


def test_both_checks_of_every_variant_succeed_and_publish_metrics(monitored):
    work, report = monitored
    assert report["status"] == "Succeeded", report["message"]
    variants = served()
    assert len(variants) == 2
    assert [(s["name"], s["status"]) for s in report["steps"]] == [(f"{check}-{v}", "Succeeded") for v in variants for check in ("DataDrift", "ModelQuality")]
    endpoint = option(load(DEFINITION)["Steps"][0], "--endpoint-name")
    metrics = [json.loads(line) for line in (work / "cloudwatch" / "metrics.jsonl").read_text().splitlines()]
    assert {m["Namespace"] for m in metrics} == {CONTRACT["metricNamespace"]}
    expected = set(CONTRACT["monitorMetrics"]["dataDrift"] + CONTRACT["monitorMetrics"]["modelQuality"])
    for variant in variants:
        mine = {m["MetricName"]: m["Value"] for m in metrics if m["Dimensions"] == [{"Name": "Endpoint", "Value": endpoint}, {"Name": "Variant", "Value": variant}]}
        assert set(mine) == expected, variant
        assert mine["captured_records"] > 0 and mine["ground_truth_records"] > 0
        assert 0.0 < mine["accuracy"] <= 1.0
    assert len(metrics) == len(expected) * len(variants)


def test_the_checks_read_the_declared_packages_baselines(monitored):
    work, report = monitored
    for name in ("DataDrift", "ModelQuality"):
        for variant, arn in served().items():
            entry = next(s for s in report["steps"] if s["name"] == f"{name}-{variant}")
            summary = json.loads((local.LocalRun({"Steps": []}, work).s3_path(entry["outputs"]["report"]) / "monitor.json").read_text())
            assert (summary["variant"], summary["model_package_arn"], summary["unreadable_records"]) == (variant, arn, 0)


def test_the_report_lists_the_seeds_and_the_model_packages(monitored):
    _, report = monitored
    settings = load(SETTINGS)
    used = report["local"]
    assert [(s["uri"], s["description"]) for s in used["seeds"]] == [(s["uri"], s["description"]) for s in settings["seeds"]]
    assert any(s["kind"] == "command" and not s["reused"] for s in used["seeds"])  # the traffic is made anew each run
    assert used["modelPackages"] == list(served().values())
    calls = {s["api"]: s["calls"] for s in used["standIns"]}
    assert calls["sagemaker:DescribeModelPackage"] == 4 and calls["cloudwatch:PutMetricData"] == 4
    assert calls["s3:ListObjectsV2"] > 0 and calls["s3:GetObject"] > 0
