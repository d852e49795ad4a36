"""The report files and the model-quality format against the contract: what evaluate.py, the
training-health writer and every quality gate write and read, and the gates' error-record share."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import contract
from contract import Contract

from .common import attempt, compare_reports, gate, prediction_records, prepared_records, write_jsonl

# Report files.


def report_findings(c: Contract, work: Path, model_archive_dir: Path | None = None) -> list[str]:
    """The report files evaluate.py, the training-health writer and every quality gate write
    (and the names the gates read) against the contract's ``reports``. With a model
    (``model_archive_dir``: a folder with model.tar.gz), evaluation and the explainability gate too."""
    import evaluate
    import training_health

    work = Path(work)
    findings: list[str] = []
    data = write_jsonl(work / "data", "train.jsonl", prepared_records(c))
    pairs = [(i % 3 - 1, (i % 3 - 1) if i % 4 else 1, ("a", "b")[i % 2]) for i in range(24)]
    predictions = write_jsonl(work / "predictions", "test.jsonl.out", prediction_records(c, pairs))

    def run_gate(name: str, out: str, *argv: str) -> Path:
        output = work / out
        attempt(findings, f"reports ({name})", f"quality_gate.py {name}", lambda: gate([name, *argv, "--output-dir", str(output)]))
        return output

    out = run_gate("data-bias", "data-bias", "--data-dir", str(data), "--thresholds", '{"CI": 1}')
    findings += compare_reports(c, "quality_gate.py data-bias", out, {"bias", "gate"})
    first = run_gate("data-quality", "data-quality-baseline", "--data-dir", str(data))
    findings += compare_reports(c, "quality_gate.py data-quality", first, {"statistics", "constraints", "violations", "driftStatistics", "driftConstraints", "gate"})
    # A baseline folder in the contract's names: the drift check must read it and record it.
    baseline = work / "baseline"
    baseline.mkdir()
    for name in (c.reports.statistics, c.reports.constraints):
        if (first / name).exists():
            shutil.copy(first / name, baseline / name)
    second = run_gate("data-quality", "data-quality", "--data-dir", str(data), "--baseline-dir", str(baseline), "--distribution-threshold", "0.5")
    if (baseline / c.reports.constraints).exists() and (second / c.reports.drift_constraints).exists():
        if json.loads((second / c.reports.drift_constraints).read_text()) != json.loads((baseline / c.reports.constraints).read_text()):
            findings.append(f"reports.constraints: the data-quality gate did not read the baseline's {c.reports.constraints}")
    model = work / "model-archive"
    model.mkdir()
    health = {"status": "healthy", "checks": {"nan_or_inf": {"passed": True, "detail": "0 non-finite values"}}}
    body = json.dumps(health).encode()
    with tarfile.open(model / "model.tar.gz", "w:gz") as tar:
        info = tarfile.TarInfo(c.reports.training_health)
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    out = work / "training-health"
    result = attempt(findings, "reports.trainingHealth", "quality_gate.py training-health", lambda: gate(["training-health", "--model-dir", str(model), "--output-dir", str(out)]))
    if result is not None and result[0] != 0:
        findings.append(f"reports.trainingHealth: the training-health gate did not find the model's {c.reports.training_health}: {result[1] and result[1].get('violations')}")
    findings += compare_reports(c, "quality_gate.py training-health", out, {"trainingHealth", "gate"})
    out = run_gate("model-quality", "model-quality", "--predictions-dir", str(predictions), "--thresholds", '{"accuracy": 0.1}')
    findings += compare_reports(c, "quality_gate.py model-quality", out, {"statistics", "constraints", "driftStatistics", "driftConstraints", "gate"})
    out = run_gate("model-bias", "model-bias", "--predictions-dir", str(predictions), "--thresholds", '{"DPPL": 1}')
    findings += compare_reports(c, "quality_gate.py model-bias", out, {"bias", "gate"})
    out = work / "training-health-writer"
    training_health.TrainingHealth().write(str(out))
    findings += compare_reports(c, "training_health.TrainingHealth.write", out, {"trainingHealth"})
    if model_archive_dir is not None:
        test_dir = write_jsonl(work / "test", "test.jsonl", prepared_records(c)[:6])
        out = work / "evaluation"
        args = evaluate.parse_args(["--model-dir", str(model_archive_dir), "--test-dir", str(test_dir), "--output-dir", str(out), "--work-dir", str(work / "evaluate-model")])
        attempt(findings, "reports.evaluation", "evaluate.py", lambda: evaluate.run(args))
        findings += compare_reports(c, "evaluate.py", out, {"evaluation"})
        out = run_gate("explainability", "explainability", "--model-dir", str(model_archive_dir), "--data-dir", str(test_dir), "--samples", "1", "--permutations", "1")
        findings += compare_reports(c, "quality_gate.py explainability", out, {"explainability", "gate"})
    return findings


# Model quality: the gate's constraints format and metrics.


def model_quality_findings(c: Contract, work: Path) -> list[str]:
    """The model-quality gate against the contract: it reads batch transform's output under
    ``response.transformOutputKey`` / ``response.label``; its constraints.json is Model Monitor's
    model-quality format (``modelQualityConstraints``: the section, each metric's threshold and
    comparison operator); ``--constraints-file`` in that format gates on its minimums; the
    metrics computed include ``modelQualityMetrics``; the monitor reads the format too."""
    import classification
    import monitor

    work = Path(work)
    findings: list[str] = []
    pairs = [(1, 1, "a"), (0, 0, "a"), (-1, -1, "b"), (1, 0, "b")]  # accuracy 0.75
    predictions = write_jsonl(work / "predictions", "test.jsonl.out", prediction_records(c, pairs))
    out = work / "thresholds"
    result = attempt(
        findings, "response.transformOutputKey", "quality_gate.py model-quality on the contract's transform output",
        lambda: gate(["model-quality", "--predictions-dir", str(predictions), "--thresholds", '{"accuracy": 0.5}', "--output-dir", str(out)]),
    )
    if result is not None and result[0] != 0:
        findings.append(f"response.transformOutputKey: the model-quality gate failed on predictions in the contract's format: {result[1] and result[1].get('violations')}")
    written = out / contract.REPORT_FILES.constraints
    if written.exists():
        document = json.loads(written.read_text())
        section = document.get(c.model_quality_section)
        if not isinstance(section, dict):
            findings.append(f"modelQualityConstraints.section: the gate's constraints have sections {sorted(k for k in document if k != 'version')}; the contract's is {c.model_quality_section!r}")
        else:
            for metric, rule in section.items():
                if rule.get("comparison_operator") != c.model_quality_comparison:
                    findings.append(f"modelQualityConstraints.comparison: the gate writes {metric} with {rule.get('comparison_operator')!r}; the contract's minimum is {c.model_quality_comparison!r}")
                if rule.get("threshold") != 0.5:
                    findings.append(f"modelQualityConstraints: the gate writes {metric}'s threshold as {rule.get('threshold')!r}, not the minimum 0.5")
    for threshold, should_pass in ((0.7, True), (0.8, False)):
        constraints = work / f"constraints-{threshold}.json"
        constraints.write_text(json.dumps({"version": 0.0, c.model_quality_section: {"accuracy": {"threshold": threshold, "comparison_operator": c.model_quality_comparison}}}))
        out = work / f"constraints-file-{threshold}"
        result = attempt(
            findings, "modelQualityConstraints", "quality_gate.py model-quality --constraints-file",
            lambda: gate(["model-quality", "--predictions-dir", str(predictions), "--constraints-file", str(constraints), "--output-dir", str(out)]),
        )
        if result is None:
            continue
        code, outcome = result
        violations = (outcome or {}).get("violations", [])
        if should_pass and code != 0:
            findings.append(f"modelQualityConstraints: the gate refuses constraints in the contract's format ({c.model_quality_section}, {c.model_quality_comparison}): {violations}")
        if not should_pass and not any(v.startswith("accuracy 0.7500 is below") for v in violations):
            findings.append(f"modelQualityConstraints: the gate did not take the contract format's accuracy threshold {threshold} as a minimum: {violations}")
    findings += error_share_findings(c, work, pairs)
    metrics = classification.classification_metrics([1, 0, -1], [1, 0, 0])["multiclass_classification_metrics"]
    for name in c.model_quality_metrics:
        if not isinstance(metrics.get(name, {}).get("value"), (int, float)):
            findings.append(f"modelQualityMetrics: classification_metrics computes no {name}")
    rules_document = {"version": 0.0, c.model_quality_section: {name: {"threshold": 0.5, "comparison_operator": c.model_quality_comparison} for name in c.model_quality_metrics}}
    rules = attempt(findings, "modelQualityConstraints", "monitor.quality_rules on the contract's format", lambda: monitor.quality_rules(rules_document, "arn"))
    if rules is not None and set(rules) != set(c.model_quality_metrics):
        findings.append(f"modelQualityConstraints: the monitor reads rules for {sorted(rules)}")
    return findings


def error_share_findings(c: Contract, work: Path, pairs: list[tuple[int, int, str]]) -> list[str]:
    """The model gates count the records answered with the contract's error record: above
    ``--max-error-share`` the gate fails quoting the first one; within it the gate reads the rest."""
    r = c.response
    findings: list[str] = []
    unscored = {c.label_feature: 1, "product_category": "a", r.transform_output_key: {r.error: "line 5: 7 is not a text"}}
    predictions = write_jsonl(work / "with-error-record", "test.jsonl.out", [*prediction_records(c, pairs), unscored])
    for share, should_pass in (("0", False), ("0.5", True)):
        out = work / f"error-share-{share}"
        argv = ["model-quality", "--predictions-dir", str(predictions), "--thresholds", '{"accuracy": 0.5}', "--max-error-share", share, "--output-dir", str(out)]
        result = attempt(findings, "response.error", f"quality_gate.py model-quality --max-error-share {share}", lambda: gate(argv))
        if result is None:
            continue
        code, outcome = result
        violations = (outcome or {}).get("violations", [])
        if should_pass and code != 0:
            findings.append(f"response.error: one error record in 5 failed the gate at --max-error-share {share}: {violations}")
        if not should_pass and not any("record 5: line 5: 7 is not a text" in v for v in violations):
            findings.append(f"response.error: the gate at --max-error-share {share} did not fail quoting the error record (record 5: line 5: ...): {violations}")
    return findings
