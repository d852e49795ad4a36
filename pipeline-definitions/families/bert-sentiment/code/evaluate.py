"""Evaluation step of the BERT pipeline: scores the trained model on the test split.

Reads the test records' ``review_body`` and true label (the contract's ``labelFeature``). Writes
``evaluation.json`` (the contract's ``reports.evaluation``) with the course's
``metrics.accuracy.value`` (read by the accuracy condition) and the multiclass model-quality
metrics in the format of SageMaker's model-quality reports (classification.classification_metrics):
accuracy, weighted and per-class precision, recall and F1, and the confusion matrix.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import inference  # noqa: E402
from classification import classification_metrics  # noqa: E402
from contract import LABEL_FEATURE, REPORT_FILES, RESPONSE_LABEL  # noqa: E402
from model_archive import load_model_dir  # noqa: E402


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
                        actual.append(int(record[LABEL_FEATURE]))
    predicted = []
    for start in range(0, len(texts), args.batch_size):
        predicted += [p[RESPONSE_LABEL] for p in inference.predict_fn(texts[start : start + args.batch_size], loaded)]
    report = classification_metrics(actual, predicted)
    os.makedirs(args.output_dir, exist_ok=True)
    with open(os.path.join(args.output_dir, REPORT_FILES.evaluation), "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
    print(f"test accuracy: {report['metrics']['accuracy']['value']:.4f}")
    return report


if __name__ == "__main__":
    run(parse_args(sys.argv[1:]))
