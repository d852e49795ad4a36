"""The open engine of the quality gates: one Processing script, one subcommand per gate.

    python3 quality_gate.py data-bias       --data-dir D --output-dir O [--thresholds JSON | --constraints-file F] [--skip true]
    python3 quality_gate.py data-quality    --data-dir D --output-dir O [--baseline-dir B] [--register-new-baseline true]
    python3 quality_gate.py training-health --model-dir M --output-dir O
    python3 quality_gate.py model-quality   --predictions-dir P --output-dir O [--thresholds JSON] [--baseline-dir B] [--tolerance T]
    python3 quality_gate.py model-bias      --predictions-dir P --output-dir O [--thresholds JSON | --constraints-file F]
    python3 quality_gate.py explainability  --model-dir M --data-dir D --output-dir O [--samples N]

Each writes its report in the managed service's format (Clarify's ``analysis.json``, Model
Monitor's ``statistics.json`` / ``constraints.json`` / ``constraint_violations.json``) and exits
non-zero when the gate fails, with a message that names the gate, the metric, its value and the
threshold. ``--skip true`` writes the reports and passes (the SDK's ``skip_check``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bias_metrics  # noqa: E402
import data_quality  # noqa: E402
from evaluate import classification_metrics  # noqa: E402
from training_health import finite  # noqa: E402
from cli import str2bool  # noqa: E402

GATE_NAMES = {
    "data-bias": "CheckDataBias",
    "data-quality": "CheckDataQuality",
    "training-health": "CheckTrainingHealth",
    "model-quality": "CheckModelQuality",
    "model-bias": "CheckModelBias",
    "explainability": "CheckExplainability",
}


class GateFailed(Exception):
    pass


def read_jsonl(directory: Path, suffixes: tuple[str, ...] = (".jsonl", ".out")) -> list[dict]:
    records = []
    for path in sorted(p for p in Path(directory).rglob("*") if p.is_file() and p.name.endswith(suffixes)):
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return records


def write_json(directory: Path, name: str, content: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(json.dumps(finite(content), indent=2, allow_nan=False), encoding="utf-8")



def data_bias(args) -> list[str]:
    records = read_jsonl(args.data_dir)
    labels = [r[args.label] for r in records]
    facets = [str(r[args.facet]) for r in records]
    report = bias_metrics.pre_training_report(labels, facets, args.positive_label, args.label, args.facet)
    write_json(args.output_dir, "analysis.json", report)
    return bias_violations(args, report, facets)


def s3_location(uri: str) -> tuple[str, str]:
    """The bucket and key (or prefix) of an ``s3://bucket/key`` URI."""
    if not uri.startswith("s3://") or not uri[len("s3://") :].partition("/")[0]:
        raise ValueError(f"{uri!r} is not an S3 URI (s3://bucket/key)")
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key


def approved_baseline(group: str, kind: str, directory: Path, sagemaker=None, s3=None) -> Path | None:
    """Downloads the drift-check baseline (``kind``: ModelDataQuality or ModelQuality) registered
    with the group's latest approved model into ``directory``; None when there is no such model."""
    import boto3

    sagemaker = sagemaker or boto3.client("sagemaker")
    summaries = sagemaker.list_model_packages(
        ModelPackageGroupName=group, ModelApprovalStatus="Approved", SortBy="CreationTime", SortOrder="Descending", MaxResults=1
    )["ModelPackageSummaryList"]
    if not summaries:
        return None
    return package_baseline(summaries[0]["ModelPackageArn"], kind, directory, sagemaker, s3)


def package_baseline(arn: str, kind: str, directory: Path, sagemaker=None, s3=None) -> Path | None:
    """Downloads the drift-check baseline (``kind``: ModelDataQuality or ModelQuality) registered
    with the model package ``arn`` into ``directory`` (its ``statistics.json`` and
    ``constraints.json``, those it has); None when the package has no such baseline."""
    import boto3

    sagemaker = sagemaker or boto3.client("sagemaker")
    s3 = s3 or boto3.client("s3")
    package = sagemaker.describe_model_package(ModelPackageName=arn)
    baseline = package.get("DriftCheckBaselines", {}).get(kind)
    if not baseline:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    for member, name in (("Statistics", "statistics.json"), ("Constraints", "constraints.json")):
        uri = baseline.get(member, {}).get("S3Uri")
        if uri:
            bucket, key = s3_location(uri)
            (directory / name).write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    return directory


def baseline_dir(args, kind: str) -> Path | None:
    """The baseline to check against: --baseline-dir, else the latest approved model's."""
    if args.baseline_dir:
        return args.baseline_dir
    if args.baseline_from_model_package_group:
        try:
            return approved_baseline(args.baseline_from_model_package_group, kind, Path(tempfile.mkdtemp()) / "baseline")
        except Exception as error:  # the gate must say why it could not compare
            raise GateFailed(f"{args.gate_name}: could not read the approved model's baseline: {error}") from error
    return None


def drift_baseline(output_dir: Path, used: Path | None) -> None:
    """Writes the baseline the drift check used (the previous one, else the new one) as
    drift_statistics.json / drift_constraints.json, which registration records."""
    for name in ("statistics.json", "constraints.json"):
        source = used / name if used is not None and (used / name).exists() else output_dir / name
        if source.exists():
            (output_dir / f"drift_{name}").write_bytes(source.read_bytes())


def data_quality_gate(args) -> list[str]:
    stats = data_quality.statistics(data_quality.project(read_jsonl(args.data_dir)), data_quality.COLUMNS)
    write_json(args.output_dir, "statistics.json", stats)
    write_json(args.output_dir, "constraints.json", data_quality.suggest_constraints(stats, args.distribution_threshold))
    violations = []
    baseline_dir_ = None if args.register_new_baseline else baseline_dir(args, "ModelDataQuality")
    if baseline_dir_ and (Path(baseline_dir_) / "constraints.json").exists():
        constraints = json.loads((Path(baseline_dir_) / "constraints.json").read_text())
        statistics_path = Path(baseline_dir_) / "statistics.json"
        baseline = json.loads(statistics_path.read_text()) if statistics_path.exists() else None
        violations = data_quality.check(stats, constraints, baseline)
    write_json(args.output_dir, "constraint_violations.json", {"violations": violations})
    drift_baseline(args.output_dir, Path(baseline_dir_) if baseline_dir_ else None)
    return [f"{v['feature_name']}: {v['constraint_check_type']}: {v['description']}" for v in violations]


def training_health(args) -> list[str]:
    archive = Path(args.model_dir) / "model.tar.gz"
    with tempfile.TemporaryDirectory() as work:
        if archive.exists():
            with tarfile.open(archive) as tar:
                members = [m for m in tar.getmembers() if m.name in ("training_health.json", "./training_health.json")]
                tar.extractall(work, members=members, filter="data")
            path = Path(work) / "training_health.json"
        else:
            path = Path(args.model_dir) / "training_health.json"
        if not path.exists():
            return ["training_health.json: the training step wrote no training-health report"]
        report = json.loads(path.read_text())
    write_json(args.output_dir, "training_health.json", report)
    return [f"{name}: {check['detail']}" for name, check in report["checks"].items() if not check["passed"]]


def predictions(args) -> tuple[list[int], list[int], list[str]]:
    records = read_jsonl(args.predictions_dir)
    if not records:
        raise GateFailed(f"{args.gate_name}: no predictions in {args.predictions_dir}")
    actual = [int(r["sentiment"]) for r in records]
    predicted = [int(r["SageMakerOutput"]["predicted_label"]) for r in records]
    facets = [str(r.get("product_category")) for r in records]
    return actual, predicted, facets


def model_quality(args) -> list[str]:
    actual, predicted, _ = predictions(args)
    report = classification_metrics(actual, predicted)
    write_json(args.output_dir, "statistics.json", report)
    metrics = report["multiclass_classification_metrics"]
    found = []
    for name, limit in args.thresholds.items():
        value = metrics.get(name, {}).get("value")
        if value is None:
            found.append(f"{name}: not a multiclass metric (expected one of {', '.join(k for k in metrics if k not in ('confusion_matrix', 'per_class'))})")
        elif value < limit:
            found.append(f"{name} {value:.4f} is below {limit}")
    previous = None if args.register_new_baseline else baseline_dir(args, "ModelQuality")
    baseline_path = Path(previous) / "statistics.json" if previous else None
    if baseline_path and baseline_path.exists():
        before = json.loads(baseline_path.read_text())["multiclass_classification_metrics"]
        for name in ("accuracy", "weighted_f1"):
            old, new = before[name]["value"], metrics[name]["value"]
            if new < old - args.tolerance:
                found.append(f"{name} {new:.4f} regressed from the approved model's {old:.4f} by more than {args.tolerance}")
    write_json(args.output_dir, "constraints.json", {"version": 0.0, "multiclass_classification_constraints": {name: {"threshold": limit, "comparison_operator": "LessThanThreshold"} for name, limit in args.thresholds.items()}})
    drift_baseline(args.output_dir, Path(previous) if baseline_path and baseline_path.exists() else None)
    return found


def model_bias(args) -> list[str]:
    actual, predicted, facets = predictions(args)
    report = bias_metrics.post_training_report(actual, predicted, facets, args.positive_label, "sentiment", "product_category")
    write_json(args.output_dir, "analysis.json", report)
    return bias_violations(args, report, facets)


def bias_violations(args, report: dict, facets: list[str]) -> list[str]:
    """Against --constraints-file (a Clarify baseline, compared as Clarify does) when given, else
    against --thresholds for every group of at least --min-group-size records."""
    if args.constraints_file:
        return bias_metrics.violations_of_constraints(report, json.loads(Path(args.constraints_file).read_text()))
    return bias_metrics.violations(report, args.thresholds, bias_metrics.group_sizes(facets), args.min_group_size)


def explainability_gate(args) -> list[str]:
    """Word attributions on a small sample of the test split (a report; it fails only on errors)."""
    import random

    import explainability
    import inference
    from evaluate import load_model_dir

    records = read_jsonl(args.data_dir)
    sample = random.Random(args.seed).sample(records, min(args.samples, len(records)))
    loaded = inference.model_fn(load_model_dir(str(args.model_dir), tempfile.mkdtemp()))

    def predict_proba(texts: list[str]) -> list[list[float]]:
        predictions = inference.predict_fn(texts, loaded)
        return [[p["probabilities"][key] for key in ("-1", "0", "1")] for p in predictions]

    explanations = explainability.explain_texts([r["review_body"] for r in sample], predict_proba, permutations=args.permutations, seed=args.seed)
    write_json(args.output_dir, "explanations.json", explainability.report(explanations, ["-1", "0", "1"], [str(r.get("review_id")) for r in sample]))
    return []


GATES = {
    "data-bias": data_bias,
    "data-quality": data_quality_gate,
    "training-health": training_health,
    "model-quality": model_quality,
    "model-bias": model_bias,
    "explainability": explainability_gate,
}




def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gate", choices=sorted(GATES))
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--model-dir", type=Path)
    parser.add_argument("--predictions-dir", type=Path)
    parser.add_argument("--baseline-dir", type=Path)
    parser.add_argument("--baseline-from-model-package-group", default="", help="compare with this group's latest approved model")
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("--thresholds", type=json.loads, default={})
    parser.add_argument("--constraints-file", type=Path, help="bias gates: a Clarify baseline constraints file instead of --thresholds")
    parser.add_argument("--label", default="sentiment")
    parser.add_argument("--positive-label", default="1")
    parser.add_argument("--facet", default="product_category")
    parser.add_argument("--min-group-size", type=int, default=10)
    parser.add_argument("--distribution-threshold", type=float, default=data_quality.DEFAULT_DISTRIBUTION_THRESHOLD)
    parser.add_argument("--tolerance", type=float, default=0.05)
    parser.add_argument("--samples", type=int, default=10, help="explainability: records explained")
    parser.add_argument("--permutations", type=int, default=8, help="explainability: orderings sampled per record")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip", type=str2bool, default=False)
    parser.add_argument("--register-new-baseline", type=str2bool, default=False)
    args = parser.parse_args(argv)
    args.gate_name = GATE_NAMES[args.gate]
    return args


def run(args: argparse.Namespace) -> int:
    """Runs a gate; returns the exit code (1 when it fails and is not skipped)."""
    try:
        found = GATES[args.gate](args)
    except GateFailed as error:
        found = [str(error)]
    outcome = {"gate": args.gate_name, "passed": not found, "skipped": args.skip, "violations": found}
    write_json(args.output_dir, "gate.json", outcome)
    if not found:
        print(f"{args.gate_name}: passed")
        return 0
    message = f"{args.gate_name} failed: " + "; ".join(found)
    if args.skip:
        print(f"{args.gate_name}: skipped (would have failed: {'; '.join(found)})")
        return 0
    print(message, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(run(parse_args(sys.argv[1:])))
