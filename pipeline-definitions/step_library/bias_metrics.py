"""Bias metrics as SageMaker Clarify defines them, computed by the project for any account.

For a facet (a column such as ``product_category``) and each of its values, the records with that
value are group *d* and all others group *a*. Labels are binarized at the positive label value (the
course: sentiment 1 is positive), as Clarify does with ``label_values_or_threshold``.

Pre-training (on labels): CI, DPL, KL, JS, LP, TVD, KS. Post-training (on predictions and labels):
DPPL, DI, AD (accuracy difference), RD (recall difference). A metric that is undefined for a group
(e.g. an empty group, or a division by zero) is ``None``; one that is unbounded (KL with a label
the other group never has) is ``inf``.

The report is shaped like Clarify's analysis.json (``pre_training_bias_metrics`` /
``post_training_bias_metrics`` with per-facet-value metric lists), so that switching to Clarify
changes the engine, not the contract.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

PRE_TRAINING = {
    "CI": "Class Imbalance (CI)",
    "DPL": "Difference in Positive Proportions in Labels (DPL)",
    "KL": "Kullback-Liebler Divergence (KL)",
    "JS": "Jensen-Shannon Divergence (JS)",
    "LP": "L-p Norm (LP)",
    "TVD": "Total Variation Distance (TVD)",
    "KS": "Kolmogorov-Smirnov Distance (KS)",
}
POST_TRAINING = {
    "DPPL": "Difference in Positive Proportions in Predicted Labels (DPPL)",
    "DI": "Disparate Impact (DI)",
    "AD": "Accuracy Difference (AD)",
    "RD": "Recall Difference (RD)",
}


def _distribution(positives: int, total: int) -> tuple[float, float]:
    q = positives / total
    return (q, 1.0 - q)


def _kl(p: Sequence[float], q: Sequence[float]) -> float:
    total = 0.0
    for pi, qi in zip(p, q):
        if pi == 0:
            continue
        if qi == 0:
            return math.inf
        total += pi * math.log(pi / qi)
    return total


def pre_training_metrics(labels_a: Sequence[bool], labels_d: Sequence[bool]) -> dict[str, float | None]:
    """The pre-training metrics of group d against group a (labels as positive or not)."""
    n_a, n_d = len(labels_a), len(labels_d)
    if n_a + n_d == 0:
        return {name: None for name in PRE_TRAINING}
    metrics: dict[str, float | None] = {"CI": (n_a - n_d) / (n_a + n_d)}
    if n_a == 0 or n_d == 0:
        metrics.update({name: None for name in PRE_TRAINING if name != "CI"})
        return metrics
    p_a = _distribution(sum(labels_a), n_a)
    p_d = _distribution(sum(labels_d), n_d)
    middle = [(x + y) / 2 for x, y in zip(p_a, p_d)]
    metrics.update(
        {
            "DPL": p_a[0] - p_d[0],
            "KL": _kl(p_a, p_d),
            "JS": 0.5 * (_kl(p_a, middle) + _kl(p_d, middle)),
            "LP": math.sqrt(sum((x - y) ** 2 for x, y in zip(p_a, p_d))),
            "TVD": 0.5 * sum(abs(x - y) for x, y in zip(p_a, p_d)),
            "KS": max(abs(x - y) for x, y in zip(p_a, p_d)),
        }
    )
    return metrics


def post_training_metrics(
    labels_a: Sequence[bool], predicted_a: Sequence[bool], labels_d: Sequence[bool], predicted_d: Sequence[bool]
) -> dict[str, float | None]:
    """The post-training metrics of group d against group a (labels and predictions as positive or not)."""
    def rate(values: Sequence[bool]) -> float | None:
        return sum(values) / len(values) if values else None

    def accuracy(labels: Sequence[bool], predicted: Sequence[bool]) -> float | None:
        return sum(l == p for l, p in zip(labels, predicted)) / len(labels) if labels else None

    def recall(labels: Sequence[bool], predicted: Sequence[bool]) -> float | None:
        positives = [p for l, p in zip(labels, predicted) if l]
        return sum(positives) / len(positives) if positives else None

    def difference(x: float | None, y: float | None) -> float | None:
        return None if x is None or y is None else x - y

    q_a, q_d = rate(predicted_a), rate(predicted_d)
    return {
        "DPPL": difference(q_a, q_d),
        "DI": None if q_a in (None, 0) or q_d is None else q_d / q_a,
        "AD": difference(accuracy(labels_a, predicted_a), accuracy(labels_d, predicted_d)),
        "RD": difference(recall(labels_a, predicted_a), recall(labels_d, predicted_d)),
    }


def _split(values: Sequence, facets: Sequence[str], facet_value: str) -> tuple[list, list]:
    a = [v for v, f in zip(values, facets) if f != facet_value]
    d = [v for v, f in zip(values, facets) if f == facet_value]
    return a, d


def _metric_list(metrics: dict[str, float | None], descriptions: dict[str, str]) -> list[dict]:
    return [{"name": name, "description": descriptions[name], "value": metrics[name]} for name in descriptions]


def pre_training_report(labels: Sequence, facets: Sequence[str], positive_label, label_name: str, facet_name: str) -> dict:
    """Clarify-shaped pre-training bias report for every value of the facet."""
    positive = [str(label) == str(positive_label) for label in labels]
    values = []
    for facet_value in sorted(set(facets)):
        a, d = _split(positive, facets, facet_value)
        values.append({"value_or_threshold": facet_value, "metrics": _metric_list(pre_training_metrics(a, d), PRE_TRAINING)})
    return {
        "version": "1.0",
        "pre_training_bias_metrics": {
            "label": label_name,
            "label_value_or_threshold": str(positive_label),
            "facets": {facet_name: values},
        },
    }


def post_training_report(
    labels: Sequence, predictions: Sequence, facets: Sequence[str], positive_label, label_name: str, facet_name: str
) -> dict:
    """Clarify-shaped post-training bias report for every value of the facet."""
    positive = [str(label) == str(positive_label) for label in labels]
    predicted = [str(p) == str(positive_label) for p in predictions]
    values = []
    for facet_value in sorted(set(facets)):
        la, ld = _split(positive, facets, facet_value)
        pa, pd = _split(predicted, facets, facet_value)
        values.append({"value_or_threshold": facet_value, "metrics": _metric_list(post_training_metrics(la, pa, ld, pd), POST_TRAINING)})
    return {
        "version": "1.0",
        "post_training_bias_metrics": {
            "label": label_name,
            "label_value_or_threshold": str(positive_label),
            "facets": {facet_name: values},
        },
    }


def _distance(name: str, value: float) -> float:
    """How far a metric is from fair: disparate impact is fair at 1, every other metric at 0."""
    return abs(1.0 - value) if name == "DI" else abs(value)


def _group_violations(report: dict, limits_for) -> list[str]:
    """Every metric farther from fair than the limit ``limits_for(facet, value)`` gives it (a dict
    by metric name, or None to leave the group out)."""
    found = []
    for section in ("pre_training_bias_metrics", "post_training_bias_metrics"):
        if section not in report:
            continue
        for facet, entries in report[section]["facets"].items():
            for entry in entries:
                limits = limits_for(facet, entry["value_or_threshold"])
                if limits is None:
                    continue
                for metric in entry["metrics"]:
                    limit = limits.get(metric["name"])
                    value = metric["value"]
                    if limit is None or value is None:
                        continue
                    distance = _distance(metric["name"], value)
                    if distance > limit:
                        bound = f"|1 - DI| {distance:.4f} exceeds {limit:g}" if metric["name"] == "DI" else f"exceeds {limit:g}"
                        found.append(f"{facet}={entry['value_or_threshold']}: {metric['name']} {value:.4f} {bound}")
    return found


def violations(report: dict, thresholds: dict[str, float], counts: dict[str, int] | None = None, min_group_size: int = 0) -> list[str]:
    """Every metric farther from fair than its threshold (|value|; |1 - value| for DI), as
    'facet=value: METRIC value exceeds threshold'.

    Groups smaller than ``min_group_size`` (per ``counts``) are left out: their metrics are noise.
    """
    return _group_violations(
        report,
        lambda facet, value: None if counts is not None and counts.get(value, 0) < min_group_size else thresholds,
    )


SECTIONS = {"pre_training_bias_metrics": PRE_TRAINING, "post_training_bias_metrics": POST_TRAINING}


def threshold_constraints(
    section: str,
    label: str,
    positive_label,
    facet: str,
    group_sizes_: dict[str, int],
    thresholds: dict[str, float],
    min_group_size: int,
) -> dict:
    """The thresholds as a Clarify baseline constraints file (analysis.json's shape).

    Clarify's bias checks flag a metric that is farther from fair than the baseline's value, so a
    baseline whose values are the limits (1 + limit for DI) gates on the same limits as
    :func:`violations`. Groups below ``min_group_size`` are left out, and so are not gated.
    """
    if section not in SECTIONS:
        raise ValueError(f"section {section!r}: expected one of {', '.join(SECTIONS)}")
    known = SECTIONS[section]
    kind = section.split("_bias_metrics")[0].replace("_", "-")
    for name in thresholds:
        if name not in known:
            raise ValueError(f"{name} is not a {kind} bias metric (expected one of {', '.join(known)})")
    entries = [
        {
            "value_or_threshold": value,
            "metrics": [
                {"name": name, "description": known[name], "value": 1.0 + limit if name == "DI" else limit}
                for name, limit in thresholds.items()
            ],
        }
        for value, size in sorted(group_sizes_.items())
        if size >= min_group_size
    ]
    return {"version": "1.0", section: {"label": label, "label_value_or_threshold": str(positive_label), "facets": {facet: entries}}}


def violations_of_constraints(report: dict, constraints: dict) -> list[str]:
    """Checks a report against a Clarify baseline constraints file, as Clarify does: a metric
    farther from fair than the baseline's value for the same facet value is a violation; facet
    values the baseline does not name are not checked."""
    limits: dict[tuple[str, str], dict[str, float]] = {}
    for section in SECTIONS:
        for facet, entries in constraints.get(section, {}).get("facets", {}).items():
            for entry in entries:
                limits[(facet, str(entry["value_or_threshold"]))] = {
                    m["name"]: _distance(m["name"], m["value"]) for m in entry["metrics"] if m.get("value") is not None
                }
    return _group_violations(report, lambda facet, value: limits.get((facet, str(value))))


def group_sizes(facets: Iterable[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for facet in facets:
        sizes[facet] = sizes.get(facet, 0) + 1
    return sizes
