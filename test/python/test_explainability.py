"""Shapley attributions against exact values, and the explainability gate on the tiny model."""

from __future__ import annotations

import json
import random

import pytest

import explainability as xai


def test_an_additive_game_gets_each_players_weight():
    weights = [0.5, -0.2, 0.0, 1.0]

    def value(masks):
        return [sum(w for w, keep in zip(weights, mask) if keep) for mask in masks]

    values = xai.shapley_permutation(4, value, permutations=3, rng=random.Random(0))
    assert values == pytest.approx(weights)


def test_an_interaction_is_shared_and_values_add_up():
    # v(S) = 1 only when players 0 and 1 are both in S: each gets 1/2, player 2 gets 0.
    def value(masks):
        return [1.0 if mask[0] and mask[1] else 0.0 for mask in masks]

    values = xai.shapley_permutation(3, value, permutations=400, rng=random.Random(1))
    assert values[0] == pytest.approx(0.5, abs=0.08)
    assert values[1] == pytest.approx(0.5, abs=0.08)
    assert values[2] == 0.0
    assert sum(values) == pytest.approx(1.0)


def test_no_words_no_attributions():
    assert xai.shapley_permutation(0, lambda masks: [0.0] * len(masks), 5, random.Random(0)) == []


def test_texts_and_report():
    def predict_proba(texts):
        # "love" pushes towards the positive class.
        return [[0.1, 0.1, 0.8] if "love" in t else [0.4, 0.3, 0.3] for t in texts]

    [explanation] = xai.explain_texts(["I love this dress"], predict_proba, permutations=20)
    assert explanation["label"] == 2
    attributions = dict(zip(explanation["words"], explanation["attributions"]))
    assert attributions["love"] == pytest.approx(0.8 - 0.3)
    assert attributions["dress"] == 0.0
    report = xai.report([explanation], ["-1", "0", "1"], ["r1"])
    assert next(iter(report["explanations"]["kernel_shap"]["1"]["global_shap_values"])) == "love"
    assert report["explanations"]["local_explanations"][0]["record_id"] == "r1"


def test_the_gate_explains_a_sample_with_the_trained_model(tmp_path, trained_model_archive, test_split_dir):
    import quality_gate as gate

    args = gate.parse_args(
        ["explainability", "--model-dir", str(trained_model_archive), "--data-dir", str(test_split_dir), "--output-dir", str(tmp_path / "out"), "--samples", "2", "--permutations", "2"]
    )
    assert gate.run(args) == 0
    report = json.loads((tmp_path / "out" / "explanations.json").read_text())
    assert len(report["explanations"]["local_explanations"]) == 2
