"""Data-quality baselines and checks in SageMaker Model Monitor's file formats, for any account.

- :func:`statistics` → ``statistics.json`` (dataset item count; per feature its inferred type,
  completeness and numeric or categorical statistics);
- :func:`suggest_constraints` → ``constraints.json`` (per feature its type, completeness, a
  non-negativity flag for numbers and the domain of low-cardinality strings, and the monitoring
  config with the distribution comparison threshold);
- :func:`check` → ``constraint_violations.json`` entries (``missing_column_check``,
  ``extra_column_check``, ``data_type_check``, ``completeness_check``, ``categorical_values_check``,
  ``baseline_drift_check``: categorical frequencies, or deciles of numbers relative to the
  baseline's range), comparing a dataset's statistics with a baseline;
- :func:`distance` → how far one feature's distribution moved from the baseline's (the measure the
  ``baseline_drift_check`` compares with the threshold).

:func:`project` gives the profiled columns of prepared records (:data:`COLUMNS`; the label is the
contract's ``labelFeature``); :func:`project_capture` the two of them an endpoint's data capture
holds (the review's word count, and the predicted sentiment under the label's column).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Iterable

from contract import LABEL_FEATURE

MAX_DOMAIN = 50
DEFAULT_DISTRIBUTION_THRESHOLD = 0.1
# The columns the data-quality baselines profile (the token ids are not a feature to profile); the
# label is the contract's labelFeature.
COLUMNS = [LABEL_FEATURE, "label_id", "product_category", "review_words"]
# The profiled columns an endpoint's data capture holds: the input feature and the prediction
# (profiled as the label column, so that its drift compares with the labels of the baseline).
CAPTURE_COLUMNS = ["review_words", LABEL_FEATURE]


def review_words(text: Any) -> int | None:
    """The number of words of a review (None when there is no text)."""
    return len(str(text).split()) if text else None


def project(records: Iterable[dict]) -> list[dict]:
    """The profiled columns of the prepared records (records already projected pass through)."""
    return [
        {
            LABEL_FEATURE: r.get(LABEL_FEATURE),
            "label_id": r.get("label_id"),
            "product_category": r.get("product_category"),
            "review_words": r["review_words"] if "review_words" in r else review_words(r.get("review_body")),
        }
        for r in records
    ]


def project_capture(text: str, predicted_label: int) -> dict:
    """The :data:`CAPTURE_COLUMNS` of one captured request line and its prediction."""
    return {"review_words": review_words(text), LABEL_FEATURE: predicted_label}


def _infer(values: list[Any]) -> str:
    present = [v for v in values if v is not None and v != ""]
    if present and all(isinstance(v, bool) is False and isinstance(v, int) for v in present):
        return "Integral"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "Fractional"
    return "String"


def statistics(records: Iterable[dict], columns: list[str]) -> dict:
    """Model Monitor-style statistics of the given columns."""
    rows = list(records)
    features = []
    for column in columns:
        values = [row.get(column) for row in rows]
        present = [v for v in values if v is not None and v != ""]
        kind = _infer(values)
        common = {"num_present": len(present), "num_missing": len(values) - len(present)}
        feature: dict[str, Any] = {"name": column, "inferred_type": kind}
        if kind in ("Integral", "Fractional"):
            numbers = [float(v) for v in present]
            mean = sum(numbers) / len(numbers) if numbers else 0.0
            feature["numerical_statistics"] = {
                "common": common,
                "mean": mean,
                "sum": sum(numbers),
                "std_dev": math.sqrt(sum((x - mean) ** 2 for x in numbers) / len(numbers)) if numbers else 0.0,
                "min": min(numbers) if numbers else 0.0,
                "max": max(numbers) if numbers else 0.0,
            }
            if kind == "Integral" and len(set(numbers)) <= MAX_DOMAIN:
                feature["numerical_statistics"]["distribution"] = {"categorical": {"buckets": _buckets(int(x) for x in numbers)}}
            elif numbers:
                feature["numerical_statistics"]["distribution"] = {"quantiles": _quantiles(Counter(numbers))}
        else:
            feature["string_statistics"] = {
                "common": common,
                "distinct_count": len(set(map(str, present))),
                "distribution": {"categorical": {"buckets": _buckets(str(v) for v in present)}},
            }
        features.append(feature)
    return {"version": 0.0, "dataset": {"item_count": len(rows)}, "features": features}


def _quantiles(counts: dict[float, int], points: int = 10) -> list[float]:
    """The minimum, the deciles and the maximum (nearest rank) of numbers given with their counts."""
    ordered = sorted(counts.items())
    total = sum(counts.values())
    result, below, index = [], 0, 0
    for rank in (min(total - 1, round(i * (total - 1) / points)) for i in range(points + 1)):
        while below + ordered[index][1] <= rank:
            below += ordered[index][1]
            index += 1
        result.append(ordered[index][0])
    return result


def _numeric_quantiles(feature: dict) -> list[float] | None:
    """A numeric feature's quantiles, also from the value counts of a low-cardinality one."""
    distribution = feature.get("numerical_statistics", {}).get("distribution", {})
    if distribution.get("quantiles"):
        return distribution["quantiles"]
    buckets = distribution.get("categorical", {}).get("buckets")
    return _quantiles({float(b["value"]): b["count"] for b in buckets}) if buckets else None


def distance(before: dict, now: dict) -> float | None:
    """How far a feature's distribution moved from the baseline's: the largest change of a value's
    frequency when both have value counts, else (numbers) the largest shift of a decile relative to
    the baseline's range; None when either side has no values."""
    p, q = _distribution(before), _distribution(now)
    if p and q:
        return max(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in set(p) | set(q))
    q0, q1 = _numeric_quantiles(before), _numeric_quantiles(now)
    if not q0 or not q1:
        return None
    spread = (q0[-1] - q0[0]) or 1.0
    return max(abs(a - b) for a, b in zip(q0, q1)) / spread


def _buckets(values: Iterable[Any]) -> list[dict]:
    counts: dict[Any, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return [{"value": value, "count": count} for value, count in sorted(counts.items(), key=lambda item: str(item[0]))]


def _completeness(feature: dict) -> float:
    common = (feature.get("numerical_statistics") or feature.get("string_statistics"))["common"]
    total = common["num_present"] + common["num_missing"]
    return common["num_present"] / total if total else 1.0


def _distribution(feature: dict) -> dict[str, float]:
    stats = feature.get("numerical_statistics") or feature.get("string_statistics")
    buckets = stats.get("distribution", {}).get("categorical", {}).get("buckets", [])
    total = sum(b["count"] for b in buckets)
    return {str(b["value"]): b["count"] / total for b in buckets} if total else {}


def suggest_constraints(stats: dict, distribution_threshold: float = DEFAULT_DISTRIBUTION_THRESHOLD) -> dict:
    """Model Monitor-style constraints suggested from a baseline's statistics."""
    features = []
    for feature in stats["features"]:
        constraint: dict[str, Any] = {"name": feature["name"], "inferred_type": feature["inferred_type"], "completeness": _completeness(feature)}
        if "numerical_statistics" in feature:
            constraint["num_constraints"] = {"is_non_negative": feature["numerical_statistics"]["min"] >= 0}
        elif feature["string_statistics"]["distinct_count"] <= MAX_DOMAIN:
            constraint["string_constraints"] = {"domains": sorted(_distribution(feature))}
        features.append(constraint)
    return {
        "version": 0.0,
        "features": features,
        "monitoring_config": {
            "evaluate_constraints": "Enabled",
            "emit_metrics": "Enabled",
            "distribution_constraints": {
                "perform_comparison": "Enabled",
                "comparison_threshold": distribution_threshold,
                "comparison_method": "Robust",
            },
        },
    }


def check(current: dict, constraints: dict, baseline: dict | None = None) -> list[dict]:
    """Violations of ``constraints`` (and of the ``baseline`` statistics' distributions) by ``current``."""
    found = []
    now = {f["name"]: f for f in current["features"]}
    expected = {c["name"]: c for c in constraints["features"]}
    for name in expected.keys() - now.keys():
        found.append(_violation(name, "missing_column_check", f"column {name} is missing"))
    for name in now.keys() - expected.keys():
        found.append(_violation(name, "extra_column_check", f"column {name} is not in the baseline"))
    for name in sorted(expected.keys() & now.keys()):
        rule, feature = expected[name], now[name]
        present = (feature.get("numerical_statistics") or feature.get("string_statistics"))["common"]["num_present"]
        if present and rule["inferred_type"] != feature["inferred_type"] and not (rule["inferred_type"] == "Fractional" and feature["inferred_type"] == "Integral"):
            found.append(_violation(name, "data_type_check", f"type {feature['inferred_type']}, expected {rule['inferred_type']}"))
        completeness = _completeness(feature)
        if completeness + 1e-9 < rule["completeness"]:
            found.append(_violation(name, "completeness_check", f"completeness {completeness:.4f} is below {rule['completeness']:.4f}"))
        domain = rule.get("string_constraints", {}).get("domains")
        if domain is not None:
            unknown = sorted(set(_distribution(feature)) - set(domain))
            if unknown:
                found.append(_violation(name, "categorical_values_check", f"values not in the baseline: {', '.join(unknown[:10])}"))
        if rule.get("num_constraints", {}).get("is_non_negative") and feature.get("numerical_statistics", {}).get("min", 0) < 0:
            found.append(_violation(name, "data_type_check", f"negative values (min {feature['numerical_statistics']['min']}) where the baseline has none"))
    config = constraints.get("monitoring_config", {}).get("distribution_constraints", {})
    if baseline is not None and config.get("perform_comparison") == "Enabled":
        threshold = config.get("comparison_threshold", DEFAULT_DISTRIBUTION_THRESHOLD)
        before = {f["name"]: f for f in baseline["features"]}
        for name in sorted(before.keys() & now.keys()):
            moved = distance(before[name], now[name])
            if moved is not None and moved > threshold:
                found.append(_violation(name, "baseline_drift_check", f"distance {moved:.4f} exceeds {threshold}"))
    return found


def _violation(feature: str, check_type: str, description: str) -> dict:
    return {"feature_name": feature, "constraint_check_type": check_type, "description": description}
