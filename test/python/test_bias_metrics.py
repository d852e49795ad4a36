"""Bias metrics against hand-computed cases."""

from __future__ import annotations

import math

import pytest

import bias_metrics as bias


def test_pre_training_metrics_by_hand():
    # Group a: 6 records, 4 positive (q_a = 2/3); group d: 2 records, 1 positive (q_d = 1/2).
    a = [True, True, True, True, False, False]
    d = [True, False]
    m = bias.pre_training_metrics(a, d)
    assert m["CI"] == pytest.approx((6 - 2) / 8)
    assert m["DPL"] == pytest.approx(2 / 3 - 1 / 2)
    p_a, p_d = (2 / 3, 1 / 3), (1 / 2, 1 / 2)
    kl = p_a[0] * math.log(p_a[0] / p_d[0]) + p_a[1] * math.log(p_a[1] / p_d[1])
    assert m["KL"] == pytest.approx(kl)
    mid = ((2 / 3 + 1 / 2) / 2, (1 / 3 + 1 / 2) / 2)
    js = 0.5 * (sum(p * math.log(p / q) for p, q in zip(p_a, mid)) + sum(p * math.log(p / q) for p, q in zip(p_d, mid)))
    assert m["JS"] == pytest.approx(js)
    assert m["LP"] == pytest.approx(math.sqrt(2) * (1 / 6))
    assert m["TVD"] == pytest.approx(1 / 6)
    assert m["KS"] == pytest.approx(1 / 6)


def test_identical_groups_have_no_bias():
    m = bias.pre_training_metrics([True, False] * 5, [True, False] * 5)
    assert m == {"CI": 0.0, "DPL": 0.0, "KL": 0.0, "JS": 0.0, "LP": 0.0, "TVD": 0.0, "KS": 0.0}


def test_an_empty_facet_leaves_the_metrics_undefined():
    m = bias.pre_training_metrics([True, False], [])
    assert m["CI"] == 1.0
    assert all(m[name] is None for name in ("DPL", "KL", "JS", "LP", "TVD", "KS"))
    assert all(v is None for v in bias.pre_training_metrics([], []).values())


def test_one_class_only_makes_kl_unbounded():
    m = bias.pre_training_metrics([True, False], [True, True])
    assert m["KL"] == math.inf
    assert m["JS"] == pytest.approx(0.5 * (0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)) + 0.5 * (1.0 * math.log(1.0 / 0.75)))
    assert m["DPL"] == pytest.approx(-0.5)


def test_post_training_metrics_by_hand():
    labels_a, predicted_a = [True, True, False, False], [True, False, False, False]
    labels_d, predicted_d = [True, False], [True, True]
    m = bias.post_training_metrics(labels_a, predicted_a, labels_d, predicted_d)
    assert m["DPPL"] == pytest.approx(1 / 4 - 2 / 2)
    assert m["DI"] == pytest.approx((2 / 2) / (1 / 4))
    assert m["AD"] == pytest.approx(3 / 4 - 1 / 2)
    assert m["RD"] == pytest.approx(1 / 2 - 1 / 1)


def test_post_training_metrics_with_no_positive_predictions_in_a():
    m = bias.post_training_metrics([True], [False], [True], [True])
    assert m["DI"] is None
    assert m["DPPL"] == -1.0


def test_the_report_has_clarifys_shape_and_the_gate_reads_it():
    labels = [1, 1, 0, -1, 1, 1, 1, -1]
    facets = ["Dresses", "Dresses", "Dresses", "Dresses", "Knits", "Knits", "Knits", "Knits"]
    report = bias.pre_training_report(labels, facets, 1, "sentiment", "product_category")
    section = report["pre_training_bias_metrics"]
    assert section["label"] == "sentiment" and section["label_value_or_threshold"] == "1"
    entries = section["facets"]["product_category"]
    assert [e["value_or_threshold"] for e in entries] == ["Dresses", "Knits"]
    assert [m["name"] for m in entries[0]["metrics"]] == ["CI", "DPL", "KL", "JS", "LP", "TVD", "KS"]
    dresses = {m["name"]: m["value"] for m in entries[0]["metrics"]}
    assert dresses["DPL"] == pytest.approx(3 / 4 - 2 / 4)
    found = bias.violations(report, {"DPL": 0.2, "CI": 0.5})
    assert found == ["product_category=Dresses: DPL 0.2500 exceeds 0.2", "product_category=Knits: DPL -0.2500 exceeds 0.2"]
    assert bias.violations(report, {"DPL": 0.2}, counts={"Dresses": 4, "Knits": 4}, min_group_size=5) == []


def test_disparate_impact_is_fair_at_one():
    report = bias.post_training_report([1, 1, 1, 1], [1, 1, 1, 1], ["a", "a", "b", "b"], 1, "sentiment", "product_category")
    assert bias.violations(report, {"DI": 0.2}) == []
    skewed = bias.post_training_report([1, 1, 1, 1], [1, 1, 1, 0], ["a", "a", "b", "b"], 1, "sentiment", "product_category")
    # d = b predicts positive half as often as a (DI 0.5); seen from a, twice as often (DI 2).
    assert bias.violations(skewed, {"DI": 0.2}) == [
        "product_category=a: DI 2.0000 |1 - DI| 1.0000 exceeds 0.2",
        "product_category=b: DI 0.5000 |1 - DI| 0.5000 exceeds 0.2",
    ]


def test_post_training_report():
    report = bias.post_training_report([1, 0, 1, 0], [1, 1, 0, 0], ["a", "a", "b", "b"], 1, "sentiment", "product_category")
    entry = report["post_training_bias_metrics"]["facets"]["product_category"][0]
    values = {m["name"]: m["value"] for m in entry["metrics"]}
    # d = "a": predicted positive 2/2; a = "b": 0/2.
    assert values["DPPL"] == pytest.approx(0 - 1)
    assert values["DI"] is None
    assert values["AD"] == pytest.approx(1 / 2 - 1 / 2)


def test_the_metrics_match_sagemaker_clarifys_reference_implementation():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("smclarify")
    from smclarify.bias.metrics import posttraining as clarify_post
    from smclarify.bias.metrics import pretraining as clarify_pre

    rng = __import__("random").Random(7)
    for _ in range(20):
        n = rng.randint(20, 60)
        labels = [rng.random() < 0.6 for _ in range(n)]
        predicted = [rng.random() < 0.5 for _ in range(n)]
        facet = [rng.random() < 0.3 for _ in range(n)]
        if all(facet) or not any(facet):
            continue
        la = [l for l, f in zip(labels, facet) if not f]
        ld = [l for l, f in zip(labels, facet) if f]
        pa = [p for p, f in zip(predicted, facet) if not f]
        pdd = [p for p, f in zip(predicted, facet) if f]
        label_s, facet_s, predicted_s = pd.Series(labels), pd.Series(facet), pd.Series(predicted)
        ours = bias.pre_training_metrics(la, ld)
        assert ours["CI"] == pytest.approx(clarify_pre.CI(label_s, facet_s))
        assert ours["DPL"] == pytest.approx(clarify_pre.DPL(label_s, facet_s, label_s))
        for name in ("KL", "JS", "LP", "TVD", "KS"):
            reference = getattr(clarify_pre, name)(label_s, facet_s)
            if math.isfinite(ours[name]):
                assert ours[name] == pytest.approx(reference, abs=1e-9), name
        post = bias.post_training_metrics(la, pa, ld, pdd)
        assert post["DPPL"] == pytest.approx(clarify_post.DPPL(label_s, facet_s, predicted_s))
        if post["DI"] is not None:
            assert post["DI"] == pytest.approx(clarify_post.DI(label_s, facet_s, predicted_s))
        assert post["AD"] == pytest.approx(clarify_post.AD(label_s, facet_s, label_s, predicted_s))
        if post["RD"] is not None:
            assert post["RD"] == pytest.approx(clarify_post.RD(label_s, facet_s, label_s, predicted_s))


def test_threshold_constraints_carry_the_configured_limits_as_clarify_baselines():
    # The managed engine's ClarifyCheck compares with a baseline constraints file: a metric
    # farther from fair than the baseline's value is a violation. The configured thresholds,
    # written as that file, make Clarify gate on the same limits as the open engine.
    constraints = bias.threshold_constraints(
        "post_training_bias_metrics", "sentiment", 1, "product_category", {"Dresses": 40, "Knits": 3}, {"DPPL": 0.5, "DI": 0.2}, 30
    )
    section = constraints["post_training_bias_metrics"]
    assert section["label"] == "sentiment" and section["label_value_or_threshold"] == "1"
    # Groups below the minimum size are not gated, as in the open engine.
    (entry,) = section["facets"]["product_category"]
    assert entry["value_or_threshold"] == "Dresses"
    # DI is fair at 1: a limit of 0.2 is the constraint 1.2.
    assert entry["metrics"] == [
        {"name": "DPPL", "description": bias.POST_TRAINING["DPPL"], "value": 0.5},
        {"name": "DI", "description": bias.POST_TRAINING["DI"], "value": pytest.approx(1.2)},
    ]


def test_threshold_constraints_reject_unknown_metrics_and_sections():
    with pytest.raises(ValueError, match="DPPL is not a pre-training bias metric"):
        bias.threshold_constraints("pre_training_bias_metrics", "sentiment", 1, "product_category", {"a": 40}, {"DPPL": 0.5}, 1)
    with pytest.raises(ValueError, match="section"):
        bias.threshold_constraints("bias", "sentiment", 1, "product_category", {"a": 40}, {"DPL": 0.5}, 1)


def test_a_report_checked_against_threshold_constraints_fails_as_with_thresholds():
    labels = [1, 1, 0, -1, 1, 1, 1, -1]
    facets = ["Dresses"] * 4 + ["Knits"] * 4
    report = bias.pre_training_report(labels, facets, 1, "sentiment", "product_category")
    constraints = bias.threshold_constraints(
        "pre_training_bias_metrics", "sentiment", 1, "product_category", bias.group_sizes(facets), {"DPL": 0.2, "CI": 0.5}, 1
    )
    assert bias.violations_of_constraints(report, constraints) == bias.violations(report, {"DPL": 0.2, "CI": 0.5})
    # A facet value that the constraints do not name is not gated.
    only_knits = bias.threshold_constraints("pre_training_bias_metrics", "sentiment", 1, "product_category", {"Knits": 4}, {"DPL": 0.2}, 1)
    assert bias.violations_of_constraints(report, only_knits) == ["product_category=Knits: DPL -0.2500 exceeds 0.2"]
