"""Data-quality statistics, constraints and checks against hand-computed cases."""

from __future__ import annotations

import math

import pytest

import data_quality as dq

ROWS = [
    {"sentiment": 1, "product_category": "Dresses", "length": 10.0},
    {"sentiment": 1, "product_category": "Dresses", "length": 20.0},
    {"sentiment": 0, "product_category": "Knits", "length": 30.0},
    {"sentiment": -1, "product_category": "Knits", "length": None},
]
COLUMNS = ["sentiment", "product_category", "length"]


def feature(stats, name):
    return next(f for f in stats["features"] if f["name"] == name)


def test_statistics_by_hand():
    stats = dq.statistics(ROWS, COLUMNS)
    assert stats["dataset"] == {"item_count": 4}
    sentiment = feature(stats, "sentiment")
    assert sentiment["inferred_type"] == "Integral"
    numbers = sentiment["numerical_statistics"]
    assert numbers["common"] == {"num_present": 4, "num_missing": 0}
    assert numbers["mean"] == pytest.approx(0.25)
    assert numbers["std_dev"] == pytest.approx(math.sqrt(((0.75**2) * 2 + 0.25**2 + 1.25**2) / 4))
    assert (numbers["min"], numbers["max"], numbers["sum"]) == (-1.0, 1.0, 1.0)
    assert numbers["distribution"]["categorical"]["buckets"] == [{"value": -1, "count": 1}, {"value": 0, "count": 1}, {"value": 1, "count": 2}]
    category = feature(stats, "product_category")
    assert category["inferred_type"] == "String"
    assert category["string_statistics"]["distinct_count"] == 2
    length = feature(stats, "length")
    assert length["inferred_type"] == "Fractional"
    assert length["numerical_statistics"]["common"] == {"num_present": 3, "num_missing": 1}


def test_suggested_constraints():
    constraints = dq.suggest_constraints(dq.statistics(ROWS, COLUMNS), distribution_threshold=0.2)
    by_name = {c["name"]: c for c in constraints["features"]}
    assert by_name["length"]["completeness"] == pytest.approx(0.75)
    assert by_name["sentiment"]["num_constraints"] == {"is_non_negative": False}
    assert by_name["length"]["num_constraints"] == {"is_non_negative": True}
    assert by_name["product_category"]["string_constraints"] == {"domains": ["Dresses", "Knits"]}
    assert constraints["monitoring_config"]["distribution_constraints"]["comparison_threshold"] == 0.2


def test_the_same_data_has_no_violations():
    stats = dq.statistics(ROWS, COLUMNS)
    assert dq.check(stats, dq.suggest_constraints(stats), stats) == []


def test_each_kind_of_violation():
    baseline = dq.statistics(ROWS, COLUMNS)
    constraints = dq.suggest_constraints(baseline)
    changed = [
        {"sentiment": "positive", "product_category": "Jeans", "extra": 1},
        {"sentiment": "negative", "product_category": "Dresses", "extra": 2},
    ]
    current = dq.statistics(changed, ["sentiment", "product_category", "extra"])
    kinds = {(v["feature_name"], v["constraint_check_type"]) for v in dq.check(current, constraints, baseline)}
    assert ("length", "missing_column_check") in kinds
    assert ("extra", "extra_column_check") in kinds
    assert ("sentiment", "data_type_check") in kinds
    assert ("product_category", "categorical_values_check") in kinds
    assert ("product_category", "baseline_drift_check") in kinds


def test_completeness_below_the_baseline():
    baseline = dq.statistics(ROWS, COLUMNS)
    worse = [dict(row, length=None) for row in ROWS]
    violations = dq.check(dq.statistics(worse, COLUMNS), dq.suggest_constraints(baseline))
    assert violations == [{"feature_name": "length", "constraint_check_type": "completeness_check", "description": "completeness 0.0000 is below 0.7500"}]


def test_distribution_distance_threshold():
    baseline = dq.statistics([{"c": "a"}] * 5 + [{"c": "b"}] * 5, ["c"])
    shifted = dq.statistics([{"c": "a"}] * 7 + [{"c": "b"}] * 3, ["c"])
    assert dq.check(shifted, dq.suggest_constraints(baseline, 0.25), baseline) == []
    [violation] = dq.check(shifted, dq.suggest_constraints(baseline, 0.1), baseline)
    assert violation["constraint_check_type"] == "baseline_drift_check"
    assert violation["description"] == "distance 0.2000 exceeds 0.1"


def test_an_empty_dataset_is_described_not_crashed():
    stats = dq.statistics([], ["c"])
    assert stats["dataset"]["item_count"] == 0
    assert feature(stats, "c")["string_statistics"]["common"] == {"num_present": 0, "num_missing": 0}


def test_numeric_drift_is_caught_by_deciles():
    baseline = dq.statistics([{"words": float(n)} for n in range(10, 60)], ["words"])
    tripled = dq.statistics([{"words": float(n * 3)} for n in range(10, 60)], ["words"])
    constraints = dq.suggest_constraints(baseline, 0.2)
    [violation] = dq.check(tripled, constraints, baseline)
    assert violation["constraint_check_type"] == "baseline_drift_check"
    assert dq.check(baseline, constraints, baseline) == []


def test_the_projection_profiles_the_same_columns_from_prepared_or_projected_records():
    prepared = [{"sentiment": 1, "label_id": 2, "product_category": "Dresses", "review_body": "a nice dress", "input_ids": [0, 5, 2]}, {"sentiment": 0, "label_id": 1, "product_category": "Knits", "review_body": ""}]
    projected = dq.project(prepared)
    assert projected == [
        {"sentiment": 1, "label_id": 2, "product_category": "Dresses", "review_words": 3},
        {"sentiment": 0, "label_id": 1, "product_category": "Knits", "review_words": None},
    ]
    assert dq.project(projected) == projected
    assert [f["name"] for f in dq.statistics(projected, dq.COLUMNS)["features"]] == dq.COLUMNS
