"""Multiclass classification metrics, and Model Monitor's model-quality constraints format.

- :func:`classification_metrics` → the metrics in the format of SageMaker's model-quality reports
  (accuracy, weighted and per-class precision, recall and F1, the confusion matrix; the labels are
  the contract's SENTIMENTS, keyed by their text);
- :func:`minimum_constraints` → a model-quality ``constraints.json`` holding minimums (the
  contract's MODEL_QUALITY_SECTION, each metric ``{threshold, comparison_operator}`` with
  MODEL_QUALITY_COMPARISON);
- :func:`constraint_rules` → metric → (comparison operator, threshold) of such a file, any of
  Model Monitor's :data:`COMPARISONS`; :func:`minimums` → metric → threshold when every rule is a
  minimum.
"""

from __future__ import annotations

import operator
from typing import Callable, Mapping, Sequence

from contract import MODEL_QUALITY_COMPARISON, MODEL_QUALITY_SECTION, SENTIMENTS

# Model Monitor's comparison operators: a metric is a violation when the comparison holds.
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
    "GreaterThanThreshold": operator.gt,
    "GreaterThanOrEqualToThreshold": operator.ge,
}


def classification_metrics(actual: Sequence[int], predicted: Sequence[int], labels: Sequence[int] = SENTIMENTS) -> dict:
    """Accuracy, per-class and weighted precision/recall/F1, and the confusion matrix."""
    if len(actual) != len(predicted) or not actual:
        raise ValueError("actual and predicted must be non-empty and of the same length")
    matrix = {str(a): {str(p): 0 for p in labels} for a in labels}
    for a, p in zip(actual, predicted):
        matrix[str(a)][str(p)] += 1
    per_class = {}
    for label in labels:
        key = str(label)
        tp = matrix[key][key]
        predicted_count = sum(matrix[str(a)][key] for a in labels)
        support = sum(matrix[key].values())
        precision = tp / predicted_count if predicted_count else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[key] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    total = len(actual)
    accuracy = sum(matrix[str(label)][str(label)] for label in labels) / total

    def weighted(name: str) -> float:
        return sum(per_class[str(label)][name] * per_class[str(label)]["support"] for label in labels) / total

    def metric(value: float) -> dict:
        return {"value": value, "standard_deviation": "NaN"}

    return {
        "metrics": {"accuracy": metric(accuracy)},
        "multiclass_classification_metrics": {
            "confusion_matrix": matrix,
            "accuracy": metric(accuracy),
            "weighted_precision": metric(weighted("precision")),
            "weighted_recall": metric(weighted("recall")),
            "weighted_f1": metric(weighted("f1")),
            "per_class": per_class,
        },
    }


def minimum_constraints(minimums: Mapping[str, float]) -> dict:
    """Model Monitor's model-quality constraints whose thresholds are these minimums."""
    return {
        "version": 0.0,
        MODEL_QUALITY_SECTION: {name: {"threshold": limit, "comparison_operator": MODEL_QUALITY_COMPARISON} for name, limit in minimums.items()},
    }


def constraint_rules(constraints: dict, where: str) -> dict[str, tuple[str, float]]:
    """Metric → (comparison operator, threshold) of Model Monitor's model-quality constraints;
    a ValueError, naming ``where`` the file is from, when it is not in that format."""
    rules = constraints.get(MODEL_QUALITY_SECTION) if isinstance(constraints, dict) else None
    if not isinstance(rules, dict):
        raise ValueError(f"{where} has no {MODEL_QUALITY_SECTION}")
    found = {}
    for metric, rule in rules.items():
        comparison = rule.get("comparison_operator") if isinstance(rule, dict) else None
        if comparison not in COMPARISONS or not isinstance(rule.get("threshold"), (int, float)):
            raise ValueError(f"{where}: {metric} needs a numeric threshold and a comparison_operator of {', '.join(COMPARISONS)}")
        found[metric] = (comparison, float(rule["threshold"]))
    return found


def minimums(constraints: dict, where: str) -> dict[str, float]:
    """Metric → threshold of model-quality constraints whose every rule is a minimum
    (MODEL_QUALITY_COMPARISON); a ValueError naming the metric otherwise."""
    found = {}
    for metric, (comparison, threshold) in constraint_rules(constraints, where).items():
        if comparison != MODEL_QUALITY_COMPARISON:
            raise ValueError(f"{where}: {metric} has comparison_operator {comparison}; a minimum is {MODEL_QUALITY_COMPARISON}")
        found[metric] = threshold
    return found
