"""Evaluation step of the BERT pipeline: scores the trained model on the test split.

Writes ``evaluation.json`` with the course's ``metrics.accuracy.value`` (read by the accuracy
condition) and the multiclass model-quality metrics in the format of SageMaker's model-quality
reports: accuracy, weighted and per-class precision, recall and F1, and the confusion matrix.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tarfile
from typing import Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import inference  # noqa: E402

SENTIMENTS = (-1, 0, 1)


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


def load_model_dir(model_path: str, work_dir: str) -> str:
    """The model directory: the path itself, or model.tar.gz inside it extracted to work_dir."""
    archive = os.path.join(model_path, "model.tar.gz")
    if os.path.isfile(archive):
        os.makedirs(work_dir, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(work_dir, filter="data")
        return work_dir
    return model_path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", default="/opt/ml/processing/input/model")
    parser.add_argument("--test-dir", default="/opt/ml/processing/input/data")
    parser.add_argument("--output-dir", default="/opt/ml/processing/output/metrics")
    parser.add_argument("--work-dir", default="/tmp/model")
    parser.add_argument("--batch-size", type=int, default=64)
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict:
    loaded = inference.model_fn(load_model_dir(args.model_dir, args.work_dir))
    texts, actual = [], []
    for name in sorted(os.listdir(args.test_dir)):
        if name.endswith(".jsonl"):
            with open(os.path.join(args.test_dir, name), encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        record = json.loads(line)
                        texts.append(record["review_body"])
                        actual.append(int(record["sentiment"]))
    predicted = []
    for start in range(0, len(texts), args.batch_size):
        predicted += [p["predicted_label"] for p in inference.predict_fn(texts[start : start + args.batch_size], loaded)]
    report = classification_metrics(actual, predicted)
    os.makedirs(args.output_dir, exist_ok=True)
    with open(os.path.join(args.output_dir, "evaluation.json"), "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
    print(f"test accuracy: {report['metrics']['accuracy']['value']:.4f}")
    return report


if __name__ == "__main__":
    run(parse_args(sys.argv[1:]))
