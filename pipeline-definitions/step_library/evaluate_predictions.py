"""Evaluation step of a family whose model a processing container cannot load (a built-in
algorithm's, an AutoML candidate's): scores the model on the test split from batch transform's
joined output, which the model's containers answered as an endpoint would.

Writes ``evaluation.json``
(the contract's ``reports.evaluation``) with ``metrics.accuracy.value`` (read by the accuracy
condition) and the multiclass model-quality metrics (classification.classification_metrics), as
the library's evaluate.py does. Every test record must have been scored.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from classification import classification_metrics  # noqa: E402
from contract import REPORT_FILES  # noqa: E402
from quality_gate import GateFailed, predictions  # noqa: E402
from reports import write_json  # noqa: E402


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--predictions-dir", default="/opt/ml/processing/input/predictions")
    parser.add_argument("--output-dir", default="/opt/ml/processing/output/metrics")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict:
    try:
        actual, predicted, _ = predictions(Path(args.predictions_dir), "evaluate")
    except GateFailed as error:
        raise SystemExit(str(error)) from None
    report = classification_metrics(actual, predicted)
    write_json(Path(args.output_dir), REPORT_FILES.evaluation, report)
    print(f"test accuracy: {report['metrics']['accuracy']['value']:.4f} ({len(actual)} reviews)")
    return report


if __name__ == "__main__":
    run(parse_args(sys.argv[1:]))
