"""Evaluation step of every family: scores the trained model on the test split.

The model is scored through the handlers it carries (``code/inference.py``, see model_code.py), as
its endpoint would score it, so the step is the same for every family. Reads the test records'
``review_body`` and true label (the contract's ``labelFeature``) from the JSON Lines files of the
test split. Writes ``evaluation.json`` (the contract's ``reports.evaluation``) with
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
from classification import classification_metrics  # noqa: E402
from contract import ERROR_FIELD, LABEL_FEATURE, REPORT_FILES, RESPONSE_LABEL  # noqa: E402
from model_archive import load_model_dir  # noqa: E402
from model_code import load_handlers  # noqa: E402
from reports import read_jsonl  # noqa: E402


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", default="/opt/ml/processing/input/model")
    parser.add_argument("--test-dir", default="/opt/ml/processing/input/data")
    parser.add_argument("--output-dir", default="/opt/ml/processing/output/metrics")
    parser.add_argument("--work-dir", default="/tmp/model")
    parser.add_argument("--batch-size", type=int, default=64)
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict:
    model_dir = load_model_dir(args.model_dir, args.work_dir)
    handlers = load_handlers(model_dir)
    loaded = handlers.model_fn(model_dir)
    records = read_jsonl(args.test_dir, (".jsonl",))
    if not records:
        raise SystemExit(f"evaluate: no test records (*.jsonl) in {args.test_dir}")
    texts = [r["review_body"] for r in records]
    actual = [int(r[LABEL_FEATURE]) for r in records]
    predicted = []
    for start in range(0, len(texts), args.batch_size):
        for number, answer in enumerate(handlers.predict_fn(texts[start : start + args.batch_size], loaded), start=start + 1):
            if RESPONSE_LABEL not in answer:
                raise SystemExit(f"evaluate: test record {number} was not scored: {answer.get(ERROR_FIELD, answer)}")
            predicted.append(answer[RESPONSE_LABEL])
    report = classification_metrics(actual, predicted)
    os.makedirs(args.output_dir, exist_ok=True)
    with open(os.path.join(args.output_dir, REPORT_FILES.evaluation), "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
    print(f"test accuracy: {report['metrics']['accuracy']['value']:.4f}")
    return report


if __name__ == "__main__":
    run(parse_args(sys.argv[1:]))
