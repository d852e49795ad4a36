"""Explainability for any account: Shapley values of the words of a review for the model's
predicted class, estimated by permutation sampling (as SHAP does for text), on a small sample.

For a review with words w1..wm and a value function v(S) = the predicted class's probability
when only the words in S are kept, the Shapley value of wi is its average marginal contribution
over orderings of the words. :func:`shapley_permutation` estimates it from random orderings; the
values always add up to v(all words) - v(no words) (efficiency).

The report is shaped like Clarify's explanations (``explanations.json``): per label, the global
mean absolute attribution of each word, and local attributions per review.
"""

from __future__ import annotations

import random
from typing import Callable, Sequence


def shapley_permutation(
    n_players: int, value: Callable[[list[list[bool]]], list[float]], permutations: int, rng: random.Random
) -> list[float]:
    """Shapley values of ``n_players`` under a batched value function of coalitions (masks)."""
    if n_players == 0:
        return []
    totals = [0.0] * n_players
    for _ in range(permutations):
        order = list(range(n_players))
        rng.shuffle(order)
        masks = [[False] * n_players]
        for player in order:
            mask = list(masks[-1])
            mask[player] = True
            masks.append(mask)
        values = value(masks)
        for position, player in enumerate(order):
            totals[player] += values[position + 1] - values[position]
    return [t / permutations for t in totals]


def explain_texts(
    texts: Sequence[str],
    predict_proba: Callable[[list[str]], list[list[float]]],
    max_words: int = 24,
    permutations: int = 8,
    seed: int = 42,
) -> list[dict]:
    """Word attributions of each text for its predicted class (the first ``max_words`` words)."""
    rng = random.Random(seed)
    results = []
    for text in texts:
        words = text.split()[:max_words]
        full = predict_proba([" ".join(words)])[0]
        label = max(range(len(full)), key=full.__getitem__)

        def value(masks: list[list[bool]]) -> list[float]:
            kept = [" ".join(w for w, keep in zip(words, mask) if keep) for mask in masks]
            return [p[label] for p in predict_proba(kept)]

        values = shapley_permutation(len(words), value, permutations, rng)
        results.append({"label": label, "words": words, "attributions": values, "probability": full[label]})
    return results


def report(explanations: list[dict], label_names: Sequence[str], ids: Sequence[str]) -> dict:
    """Clarify-shaped explanations: global mean |attribution| per word and per label, and local ones."""
    global_values: dict[str, dict[str, list[float]]] = {}
    local = []
    for explanation, record_id in zip(explanations, ids):
        label = label_names[explanation["label"]]
        for word, value in zip(explanation["words"], explanation["attributions"]):
            global_values.setdefault(label, {}).setdefault(word.lower().strip(".,!?\"'"), []).append(abs(value))
        local.append(
            {
                "record_id": record_id,
                "predicted_label": label,
                "probability": explanation["probability"],
                "attributions": [{"feature": w, "attribution": a} for w, a in zip(explanation["words"], explanation["attributions"])],
            }
        )
    return {
        "version": "1.0",
        "explanations": {
            "kernel_shap": {
                label: {
                    "global_shap_values": dict(
                        sorted(((word, sum(v) / len(v)) for word, v in words.items()), key=lambda item: -item[1])[:50]
                    )
                }
                for label, words in global_values.items()
            },
            "local_explanations": local,
        },
    }
