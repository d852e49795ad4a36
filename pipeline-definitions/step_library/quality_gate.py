"""The open engine of the quality gates: one Processing script, one subcommand per gate.

    python3 quality_gate.py data-bias       --data-dir D --output-dir O [--thresholds JSON | --constraints-file F] [--min-group-size N]
    python3 quality_gate.py data-quality    --data-dir D --output-dir O [--distribution-threshold T] [--baseline-dir B | --baseline-from-model-package-group G] [--register-new-baseline true]
    python3 quality_gate.py training-health --model-dir M --output-dir O
    python3 quality_gate.py model-quality   --predictions-dir P --output-dir O [--thresholds JSON | --constraints-file F] [--tolerance T] [--baseline-dir B | --baseline-from-model-package-group G] [--register-new-baseline true] [--max-error-share S]
    python3 quality_gate.py model-bias      --predictions-dir P --output-dir O [--thresholds JSON | --constraints-file F] [--min-group-size N] [--max-error-share S]
    python3 quality_gate.py explainability  --model-dir M --data-dir D --output-dir O [--samples N] [--permutations K] [--seed S]

and every gate takes ``--skip true``. Each writes its report in the managed service's format
(Clarify's ``analysis.json`` / ``explanations.json``, Model Monitor's ``statistics.json`` /
``constraints.json`` / ``constraint_violations.json``, and ``drift_statistics.json`` /
``drift_constraints.json``, the baseline its drift check used; the names are the contract's
``reports``) and ``gate.json``, and exits non-zero when the gate fails, with a message that names
the gate, the metric, its value and the threshold. ``--skip true`` writes the reports and passes
(the SDK's ``skip_check``).

``--constraints-file F`` replaces ``--thresholds``:

- data-bias, model-bias: a Clarify baseline constraints file (analysis.json's shape), checked as
  Clarify does (bias_metrics.violations_of_constraints);
- model-quality: Model Monitor's model-quality constraints format (the contract's
  ``modelQualityConstraints``), ``{"multiclass_classification_constraints": {"<metric>":
  {"threshold": t, "comparison_operator": "LessThanThreshold"}}}``: each metric's threshold is its
  minimum. A rule with another comparison operator, or a file not in that format, fails the gate
  naming it. The local runner passes the managed QualityCheck's supplied baseline constraints so.

The predictions the model gates read are batch transform's output joined with its input: each
line the test record (its true label in the contract's ``labelFeature``, ``sentiment``, and
``product_category``) with the endpoint's response under the contract's
``response.transformOutputKey`` (``SageMakerOutput``). A record the endpoint could not score has
an error record there (``{"error": "line 3: ..."}``, inference.py): model-quality and model-bias
count them and fail when their share of the predictions is above ``--max-error-share`` (default 0:
any error record fails the gate), naming how many there were; within it, they gate on the others.

Each gate is a function with typed parameters that writes its reports and returns its violations
(:func:`data_bias`, :func:`data_quality_gate`, :func:`training_health`, :func:`model_quality`,
:func:`model_bias`, :func:`explainability_gate`); the command line is a thin adapter
(:data:`GATES`: argparse options → the typed call).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bias_metrics  # noqa: E402
import classification  # noqa: E402
import data_quality  # noqa: E402
import model_archive  # noqa: E402
import registry  # noqa: E402
from classification import classification_metrics  # noqa: E402
from cli import str2bool  # noqa: E402
from contract import ERROR_FIELD, LABEL_FEATURE, LABEL_NAMES, MODEL_QUALITY_METRICS, REPORT_FILES, RESPONSE_LABEL, RESPONSE_PROBABILITIES, TRANSFORM_OUTPUT_KEY  # noqa: E402
from model_archive import load_model_dir  # noqa: E402
from reports import read_jsonl, write_json  # noqa: E402

GATE_NAMES = {
    "data-bias": "CheckDataBias",
    "data-quality": "CheckDataQuality",
    "training-health": "CheckTrainingHealth",
    "model-quality": "CheckModelQuality",
    "model-bias": "CheckModelBias",
    "explainability": "CheckExplainability",
}
# The metrics model-quality compares with the approved model's (a regression beyond --tolerance fails).
REGRESSION_METRICS = ("accuracy", "weighted_f1")
# Each drift check's baseline report and the name registration records it under.
DRIFT_FILES = ((REPORT_FILES.statistics, REPORT_FILES.drift_statistics), (REPORT_FILES.constraints, REPORT_FILES.drift_constraints))


class GateFailed(Exception):
    pass


@dataclass(frozen=True)
class Baseline:
    """Where a drift check's previous baseline is: a folder (``statistics.json``,
    ``constraints.json``), else the latest approved model of a model package group; neither: the
    check has nothing to compare with."""

    directory: Path | None = None
    model_package_group: str = ""

    def locate(self, kind: str, gate_name: str) -> Path | None:
        """The folder of the baseline (``kind``: ModelDataQuality or ModelQuality), or None."""
        if self.directory:
            return Path(self.directory)
        if self.model_package_group:
            try:
                return registry.approved_baseline(self.model_package_group, kind, Path(tempfile.mkdtemp()) / "baseline")
            except Exception as error:  # the gate must say why it could not compare
                raise GateFailed(f"{gate_name}: could not read the approved model's baseline: {error}") from error
        return None


def drift_baseline(output_dir: Path, used: Path | None) -> None:
    """Writes the baseline the drift check used (the previous one, else the new one) as
    drift_statistics.json / drift_constraints.json, which registration records."""
    for name, drift_name in DRIFT_FILES:
        source = used / name if used is not None and (used / name).exists() else output_dir / name
        if source.exists():
            (output_dir / drift_name).write_bytes(source.read_bytes())


def bias_violations(report: dict, facets: list[str], thresholds: Mapping[str, float], constraints_file: Path | None, min_group_size: int) -> list[str]:
    """Against ``constraints_file`` (a Clarify baseline, compared as Clarify does) when given, else
    against ``thresholds`` for every group of at least ``min_group_size`` records."""
    if constraints_file:
        return bias_metrics.violations_of_constraints(report, json.loads(Path(constraints_file).read_text()))
    return bias_metrics.violations(report, dict(thresholds), bias_metrics.group_sizes(facets), min_group_size)


def data_bias(
    data_dir: Path,
    output_dir: Path,
    *,
    thresholds: Mapping[str, float] | None = None,
    constraints_file: Path | None = None,
    min_group_size: int = 10,
    label: str = LABEL_FEATURE,
    facet: str = "product_category",
    positive_label: str = "1",
) -> list[str]:
    """Pre-training bias of the records' labels per facet value (Clarify's analysis.json)."""
    records = read_jsonl(data_dir)
    labels = [r[label] for r in records]
    facets = [str(r[facet]) for r in records]
    report = bias_metrics.pre_training_report(labels, facets, positive_label, label, facet)
    write_json(Path(output_dir), REPORT_FILES.bias, report)
    return bias_violations(report, facets, thresholds or {}, constraints_file, min_group_size)


def data_quality_gate(
    data_dir: Path,
    output_dir: Path,
    *,
    distribution_threshold: float = data_quality.DEFAULT_DISTRIBUTION_THRESHOLD,
    baseline: Baseline = Baseline(),
    register_new_baseline: bool = False,
) -> list[str]:
    """The records' statistics and suggested constraints, checked against the previous baseline
    (none with ``register_new_baseline``)."""
    output_dir = Path(output_dir)
    stats = data_quality.statistics(data_quality.project(read_jsonl(data_dir)), data_quality.COLUMNS)
    write_json(output_dir, REPORT_FILES.statistics, stats)
    write_json(output_dir, REPORT_FILES.constraints, data_quality.suggest_constraints(stats, distribution_threshold))
    violations = []
    previous = None if register_new_baseline else baseline.locate("ModelDataQuality", GATE_NAMES["data-quality"])
    if previous and (previous / REPORT_FILES.constraints).exists():
        constraints = json.loads((previous / REPORT_FILES.constraints).read_text())
        statistics_path = previous / REPORT_FILES.statistics
        before = json.loads(statistics_path.read_text()) if statistics_path.exists() else None
        violations = data_quality.check(stats, constraints, before)
    write_json(output_dir, REPORT_FILES.violations, {"violations": violations})
    drift_baseline(output_dir, previous)
    return [f"{v['feature_name']}: {v['constraint_check_type']}: {v['description']}" for v in violations]


def training_health(model_dir: Path, output_dir: Path) -> list[str]:
    """The failed checks of the training-health report in the model (model.tar.gz or a folder)."""
    name = REPORT_FILES.training_health
    archive = Path(model_dir) / "model.tar.gz"
    with tempfile.TemporaryDirectory() as work:
        if archive.exists():
            with tarfile.open(archive) as tar:
                members = [m for m in tar.getmembers() if m.name in (name, f"./{name}")]
                model_archive.extract(tar, work, members)
            path = Path(work) / name
        else:
            path = Path(model_dir) / name
        if not path.exists():
            return [f"{name}: the training step wrote no training-health report"]
        report = json.loads(path.read_text())
    write_json(Path(output_dir), name, report)
    return [f"{check_name}: {check['detail']}" for check_name, check in report["checks"].items() if not check["passed"]]


def predictions(
    predictions_dir: Path, gate_name: str, label: str = LABEL_FEATURE, facet: str = "product_category", max_error_share: float = 0.0
) -> tuple[list[int], list[int], list[str]]:
    """(true labels, predicted labels, facet values) of batch transform's joined output, without
    its error records (an answer without the contract's label: ``{"error": ...}``). GateFailed when
    their share of the records is above ``max_error_share``, naming how many there were."""
    records = read_jsonl(predictions_dir)
    if not records:
        raise GateFailed(f"{gate_name}: no predictions in {predictions_dir}")
    failed = [(number, r.get(TRANSFORM_OUTPUT_KEY)) for number, r in enumerate(records, start=1) if not is_prediction(r.get(TRANSFORM_OUTPUT_KEY))]
    if failed:
        share = len(failed) / len(records)
        number, answer = failed[0]
        first = answer.get(ERROR_FIELD) if isinstance(answer, dict) and ERROR_FIELD in answer else f"{TRANSFORM_OUTPUT_KEY} is {json.dumps(answer)[:120]}, without {RESPONSE_LABEL!r}"
        summary = f"{len(failed)} of {len(records)} predictions are error records ({share:.2%}; allowed: --max-error-share {max_error_share}); the first, record {number}: {first}"
        if share > max_error_share:
            raise GateFailed(f"{gate_name}: {summary}")
        print(f"{gate_name}: {summary}; the gate reads the other {len(records) - len(failed)}")
        records = [r for r in records if is_prediction(r.get(TRANSFORM_OUTPUT_KEY))]
        if not records:
            raise GateFailed(f"{gate_name}: every prediction in {predictions_dir} is an error record")
    actual = [int(r[label]) for r in records]
    predicted = [int(r[TRANSFORM_OUTPUT_KEY][RESPONSE_LABEL]) for r in records]
    facets = [str(r.get(facet)) for r in records]
    return actual, predicted, facets


def is_prediction(answer) -> bool:
    """Whether a joined output's answer is a prediction (has the contract's label), not an error record."""
    return isinstance(answer, dict) and RESPONSE_LABEL in answer and ERROR_FIELD not in answer


def read_minimums(constraints_file: Path, gate_name: str) -> dict[str, float]:
    """The minimums of a Model Monitor model-quality constraints file."""
    try:
        return classification.minimums(json.loads(Path(constraints_file).read_text()), str(constraints_file))
    except (OSError, ValueError) as error:
        raise GateFailed(f"{gate_name}: {error}") from error


def model_quality(
    predictions_dir: Path,
    output_dir: Path,
    *,
    thresholds: Mapping[str, float] | None = None,
    constraints_file: Path | None = None,
    tolerance: float = 0.05,
    baseline: Baseline = Baseline(),
    register_new_baseline: bool = False,
    max_error_share: float = 0.0,
) -> list[str]:
    """The predictions' multiclass metrics against minimums (``thresholds``, or those of a Model
    Monitor model-quality ``constraints_file``) and against the previous baseline's accuracy and
    weighted F1 (a drop beyond ``tolerance``; none with ``register_new_baseline``), on the
    predictions that are not error records (at most ``max_error_share`` of them may be)."""
    gate_name = GATE_NAMES["model-quality"]
    output_dir = Path(output_dir)
    limits = read_minimums(constraints_file, gate_name) if constraints_file else dict(thresholds or {})
    actual, predicted, _ = predictions(predictions_dir, gate_name, max_error_share=max_error_share)
    report = classification_metrics(actual, predicted)
    write_json(output_dir, REPORT_FILES.statistics, report)
    metrics = report["multiclass_classification_metrics"]
    found = []
    for name, limit in limits.items():
        value = metrics.get(name, {}).get("value")
        if value is None:
            found.append(f"{name}: not a multiclass metric (expected one of {', '.join(MODEL_QUALITY_METRICS)})")
        elif value < limit:
            found.append(f"{name} {value:.4f} is below {limit}")
    previous = None if register_new_baseline else baseline.locate("ModelQuality", gate_name)
    baseline_path = previous / REPORT_FILES.statistics if previous else None
    if baseline_path and baseline_path.exists():
        before = json.loads(baseline_path.read_text())["multiclass_classification_metrics"]
        for name in REGRESSION_METRICS:
            old, new = before[name]["value"], metrics[name]["value"]
            if new < old - tolerance:
                found.append(f"{name} {new:.4f} regressed from the approved model's {old:.4f} by more than {tolerance}")
    write_json(output_dir, REPORT_FILES.constraints, classification.minimum_constraints(limits))
    drift_baseline(output_dir, previous if baseline_path and baseline_path.exists() else None)
    return found


def model_bias(
    predictions_dir: Path,
    output_dir: Path,
    *,
    thresholds: Mapping[str, float] | None = None,
    constraints_file: Path | None = None,
    min_group_size: int = 10,
    label: str = LABEL_FEATURE,
    facet: str = "product_category",
    positive_label: str = "1",
    max_error_share: float = 0.0,
) -> list[str]:
    """Post-training bias of the predictions per facet value (Clarify's analysis.json), on the
    predictions that are not error records (at most ``max_error_share`` of them may be)."""
    actual, predicted, facets = predictions(predictions_dir, GATE_NAMES["model-bias"], label, facet, max_error_share)
    report = bias_metrics.post_training_report(actual, predicted, facets, positive_label, label, facet)
    write_json(Path(output_dir), REPORT_FILES.bias, report)
    return bias_violations(report, facets, thresholds or {}, constraints_file, min_group_size)


def explainability_gate(model_dir: Path, data_dir: Path, output_dir: Path, *, samples: int = 10, permutations: int = 8, seed: int = 42) -> list[str]:
    """Word attributions on a small sample of the test split, scored through the handlers the model
    carries (a report; it fails only on errors)."""
    import random

    import explainability
    from model_code import load_handlers

    records = read_jsonl(data_dir)
    sample = random.Random(seed).sample(records, min(samples, len(records)))
    unpacked = load_model_dir(str(model_dir), tempfile.mkdtemp())
    inference = load_handlers(unpacked)
    loaded = inference.model_fn(unpacked)

    def predict_proba(texts: list[str]) -> list[list[float]]:
        return [[p[RESPONSE_PROBABILITIES][key] for key in LABEL_NAMES] for p in inference.predict_fn(texts, loaded)]

    explanations = explainability.explain_texts([r["review_body"] for r in sample], predict_proba, permutations=permutations, seed=seed)
    report = explainability.report(explanations, list(LABEL_NAMES), [str(r.get("review_id")) for r in sample])
    write_json(Path(output_dir), REPORT_FILES.explainability, report)
    return []


def _baseline(args: argparse.Namespace) -> Baseline:
    return Baseline(args.baseline_dir, args.baseline_from_model_package_group)


# The command line: each gate's options → its typed call.
GATES: dict[str, Callable[[argparse.Namespace], list[str]]] = {
    "data-bias": lambda a: data_bias(
        a.data_dir, a.output_dir, thresholds=a.thresholds, constraints_file=a.constraints_file, min_group_size=a.min_group_size,
        label=a.label, facet=a.facet, positive_label=a.positive_label,
    ),
    "data-quality": lambda a: data_quality_gate(
        a.data_dir, a.output_dir, distribution_threshold=a.distribution_threshold, baseline=_baseline(a), register_new_baseline=a.register_new_baseline,
    ),
    "training-health": lambda a: training_health(a.model_dir, a.output_dir),
    "model-quality": lambda a: model_quality(
        a.predictions_dir, a.output_dir, thresholds=a.thresholds, constraints_file=a.constraints_file, tolerance=a.tolerance,
        baseline=_baseline(a), register_new_baseline=a.register_new_baseline, max_error_share=a.max_error_share,
    ),
    "model-bias": lambda a: model_bias(
        a.predictions_dir, a.output_dir, thresholds=a.thresholds, constraints_file=a.constraints_file, min_group_size=a.min_group_size,
        label=a.label, facet=a.facet, positive_label=a.positive_label, max_error_share=a.max_error_share,
    ),
    "explainability": lambda a: explainability_gate(a.model_dir, a.data_dir, a.output_dir, samples=a.samples, permutations=a.permutations, seed=a.seed),
}
# The folders each gate needs.
REQUIRED = {
    "data-bias": ("data_dir",),
    "data-quality": ("data_dir",),
    "training-health": ("model_dir",),
    "model-quality": ("predictions_dir",),
    "model-bias": ("predictions_dir",),
    "explainability": ("model_dir", "data_dir"),
}


def share(value: str) -> float:
    """A share between 0 and 1 (an argument)."""
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a share between 0 and 1")
    return number


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
    parser.add_argument(
        "--constraints-file",
        type=Path,
        help="instead of --thresholds: the bias gates a Clarify baseline constraints file, model-quality Model Monitor's model-quality constraints (minimums)",
    )
    parser.add_argument("--label", default=LABEL_FEATURE, help="the bias gates' label column (default: the contract's labelFeature)")
    parser.add_argument("--positive-label", default="1")
    parser.add_argument("--facet", default="product_category")
    parser.add_argument("--min-group-size", type=int, default=10)
    parser.add_argument("--distribution-threshold", type=float, default=data_quality.DEFAULT_DISTRIBUTION_THRESHOLD)
    parser.add_argument("--tolerance", type=float, default=0.05)
    parser.add_argument(
        "--max-error-share",
        type=share,
        default=0.0,
        help="model-quality, model-bias: the largest share (0 to 1) of the predictions that may be error records (default 0: none)",
    )
    parser.add_argument("--samples", type=int, default=10, help="explainability: records explained")
    parser.add_argument("--permutations", type=int, default=8, help="explainability: orderings sampled per record")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip", type=str2bool, default=False)
    parser.add_argument("--register-new-baseline", type=str2bool, default=False)
    args = parser.parse_args(argv)
    missing = [f"--{name.replace('_', '-')}" for name in REQUIRED[args.gate] if getattr(args, name) is None]
    if missing:
        parser.error(f"{args.gate} needs {' and '.join(missing)}")
    args.gate_name = GATE_NAMES[args.gate]
    return args


def run(args: argparse.Namespace) -> int:
    """Runs a gate; returns the exit code (1 when it fails and is not skipped)."""
    try:
        found = GATES[args.gate](args)
    except GateFailed as error:
        found = [str(error)]
    outcome = {"gate": args.gate_name, "passed": not found, "skipped": args.skip, "violations": found}
    write_json(args.output_dir, REPORT_FILES.gate, outcome)
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
