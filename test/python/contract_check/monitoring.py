"""monitor.py against the contract: what it reads (captures, ground truth, baselines) and what it
publishes (namespace, metrics, report files)."""

from __future__ import annotations

import copy
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from contract import Contract

from .common import compare_reports

# The monitor: what it reads and what it publishes.

BUCKET = "lake"
ARN = "arn:aws:sagemaker:us-east-1:111122223333:model-package/contract-check/1"
END = datetime(2026, 11, 28, 15, tzinfo=timezone.utc)


class FakeS3:
    """The S3 calls the monitor makes, over an in-memory bucket (key → bytes)."""

    def __init__(self, objects: dict[str, bytes]):
        self.objects = objects

    def get_paginator(self, name: str):
        assert name == "list_objects_v2"
        return self

    def paginate(self, Bucket: str, Prefix: str, Delimiter: str | None = None):  # noqa: N803 (boto3's names)
        keys = sorted(k for k in self.objects if k.startswith(Prefix))
        if Delimiter:
            folders = sorted({Prefix + k[len(Prefix) :].split(Delimiter)[0] + Delimiter for k in keys if Delimiter in k[len(Prefix) :]})
            return [{"CommonPrefixes": [{"Prefix": f} for f in folders]}]
        return [{"Contents": [{"Key": k} for k in keys]}]

    def get_object(self, Bucket: str, Key: str):  # noqa: N803
        return {"Body": io.BytesIO(self.objects[Key])}


class FakeSageMaker:
    def __init__(self, baselines: dict):
        self.baselines = baselines

    def describe_model_package(self, ModelPackageName: str):  # noqa: N803
        return {"ModelPackageArn": ModelPackageName, "DriftCheckBaselines": self.baselines}


def recording_cloudwatch() -> tuple[Any, list[dict], Any]:
    """A real botocore CloudWatch client under botocore's Stubber (requests validated against the
    API, nothing sent) and the list its PutMetricData parameters are recorded in."""
    import boto3
    from botocore.stub import Stubber

    client = boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    calls: list[dict] = []
    client.meta.events.register("before-parameter-build.cloudwatch.PutMetricData", lambda params, **_: calls.append(copy.deepcopy(params)))
    return client, calls, Stubber(client)


def monitor_account(c: Contract) -> tuple[FakeS3, FakeSageMaker]:
    """A bucket with the package's baselines (the model-quality one in the contract's format, a
    minimum no model meets), an hour of captures in the contract's request and response fields,
    and their ground truth."""
    import data_quality

    r = c.response
    records = [
        {c.label_feature: s, "label_id": class_id, "product_category": "Dresses", "review_body": " ".join(["word"] * n)}
        for class_id, s in enumerate(c.sentiments)
        for n in range(3, 20)
    ]
    stats = data_quality.statistics(data_quality.project(records), data_quality.COLUMNS)
    constraints = data_quality.suggest_constraints(stats)
    quality = {"version": 0.0, c.model_quality_section: {"accuracy": {"threshold": 1.01, "comparison_operator": c.model_quality_comparison}}}
    captures, truths = [], []
    for i in range(6):
        field = r.request_text_fields[i % len(r.request_text_fields)]
        text = " ".join(["word"] * (3 + i))
        request = json.dumps({field: [text] if i % 2 else text}) + "\n"
        sentiment = c.sentiments[i % len(c.sentiments)]
        response = json.dumps({r.label: sentiment, r.confidence: 0.9, r.probabilities: {name: 1 / len(c.label_names) for name in c.label_names}}) + "\n"
        time = (END - timedelta(minutes=50 - i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        captures.append(
            {
                "captureData": {
                    "endpointInput": {"observedContentType": r.content_type, "mode": "INPUT", "data": request, "encoding": "JSON"},
                    "endpointOutput": {"observedContentType": r.content_type, "mode": "OUTPUT", "data": response, "encoding": "JSON"},
                },
                "eventMetadata": {"eventId": f"event-{i}", "inferenceTime": time},
                "eventVersion": "0",
            }
        )
        truths.append({"groundTruthData": {"data": str(sentiment), "encoding": "CSV"}, "eventMetadata": {"eventId": f"event-{i}"}, "eventVersion": "0"})
    hour = (END - timedelta(hours=1)).strftime("%Y/%m/%d/%H")
    objects = {
        "baselines/statistics.json": json.dumps(stats).encode(),
        "baselines/constraints.json": json.dumps(constraints).encode(),
        "baselines/quality.json": json.dumps(quality).encode(),
        f"capture/AllTraffic/{hour}/capture.jsonl": "".join(json.dumps(x) + "\n" for x in captures).encode(),
        f"truth/{hour}/truth.jsonl": "".join(json.dumps(x) + "\n" for x in truths).encode(),
    }
    uri = f"s3://{BUCKET}/baselines/"
    baselines = {
        "ModelDataQuality": {"Statistics": {"S3Uri": uri + "statistics.json"}, "Constraints": {"S3Uri": uri + "constraints.json"}},
        "ModelQuality": {"Constraints": {"S3Uri": uri + "quality.json"}},
    }
    return FakeS3(objects), FakeSageMaker(baselines)


def monitor_findings(c: Contract, work: Path) -> list[str]:
    """monitor.py's two checks (default namespace, stand-in S3 and SageMaker, a stubbed
    CloudWatch) against the contract: it reads captures in the contract's request and response
    fields and the contract's model-quality constraints format, publishes under
    ``metricNamespace`` exactly the check's ``monitorMetrics`` (including every
    ``modelQualityMetrics``), and writes the contract's report files."""
    import monitor

    work = Path(work)
    findings: list[str] = []
    s3, sagemaker = monitor_account(c)
    expected_records = 6
    for check, extra in (("data-drift", []), ("model-quality", ["--ground-truth-uri", f"s3://{BUCKET}/truth/"])):
        key = {"data-drift": "dataDrift", "model-quality": "modelQuality"}[check]
        output = work / check
        cloudwatch, calls, stub = recording_cloudwatch()
        stub.add_response("put_metric_data", {})
        args = monitor.parse_args(
            [check, "--capture-uri", f"s3://{BUCKET}/capture/", "--model-package-arn", ARN, "--endpoint-name", "contract-check", "--output-dir", str(output), "--end", END.isoformat(), *extra]
        )
        with stub:
            code = monitor.run(args, s3=s3, sagemaker=sagemaker, cloudwatch=cloudwatch, now=END + timedelta(minutes=5))
        if code != 0:
            findings.append(f"monitorMetrics.{key}: monitor.py {check} could not compute on data in the contract's formats")
            continue
        summary = json.loads((output / "monitor.json").read_text())
        if summary.get("problems"):
            findings.append(f"response.label / response.requestTextFields: monitor.py {check} could not read captures in the contract's fields: {summary['problems'][:2]}")
        if check == "model-quality":
            if summary.get("ground_truth_records") != expected_records:
                findings.append(f"response.label: monitor.py joined {summary.get('ground_truth_records')} of {expected_records} labelled captures")
            if len(summary.get("violations", [])) != 1:
                findings.append(f"modelQualityConstraints: the monitor did not flag accuracy below the contract format's threshold: {summary.get('violations')}")
        namespaces = sorted({call["Namespace"] for call in calls})
        if namespaces != [c.metric_namespace]:
            findings.append(f"metricNamespace: monitor.py {check} publishes to {namespaces}; the contract's namespace is {c.metric_namespace!r}")
        published = [datum["MetricName"] for call in calls for datum in call["MetricData"]]
        if sorted(published) != sorted(c.monitor_metrics[key]):
            missing = sorted(set(c.monitor_metrics[key]) - set(published))
            unknown = sorted(set(published) - set(c.monitor_metrics[key]))
            findings.append(f"monitorMetrics.{key}: monitor.py {check} publishes {unknown or 'no'} metrics the contract lacks and not {missing or 'none'} of the contract's")
        if check == "model-quality" and not set(c.model_quality_metrics) <= set(published):
            findings.append(f"modelQualityMetrics: monitor.py publishes no {sorted(set(c.model_quality_metrics) - set(published))}")
        findings += compare_reports(c, f"monitor.py {check}", output, {"statistics", "violations"}, frozenset({"monitor.json"}))
    return findings
