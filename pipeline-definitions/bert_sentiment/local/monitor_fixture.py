"""What the endpoint-monitoring pipeline reads, made from the sample reviews for a local run.

    python monitor_fixture.py --reviews data/sample/reviews --capture DIR --ground-truth DIR --baselines DIR
                              --variants VariantA VariantB [--requests 120] [--accuracy 0.8 0.7]
                              [--model-quality-thresholds '{"accuracy": 0.33}'] [--now 2026-11-28T15:20:00Z] [--seed 0]

writes, for a served endpoint that has no model here:

- **captured requests and responses** in SageMaker's data-capture format (what monitor.py reads):
  ``<capture>/<variant>/yyyy/mm/dd/hh/*.jsonl``, one record a request of one sample review, its
  response in the endpoint's format (contract.json's ``response``: the predicted label, its
  confidence and each label's probability). The monitor's window ends at the start of the
  current hour, so the requests are in the hour before ``--now``; as many again are in the
  current hour up to ``--now``, for a run that starts after the hour turns. A variant predicts
  the review's true sentiment for its ``--accuracy`` share of the requests, a wrong one otherwise.
- **ground truth** for every request, in Model Monitor's format, in the current hour's folder
  ``<ground-truth>/yyyy/mm/dd/hh/labels.jsonl`` (labels arrive after the predictions).
- **the baselines the served packages carry**: ``<baselines>/data-quality/statistics.json`` and
  ``constraints.json`` (data_quality.py's profile of the prepared sample, as the data-quality
  gate writes them) and ``<baselines>/model-quality/constraints.json`` (Model Monitor's
  multiclass constraints, the thresholds as minimums).

The variants' capture folders and the ground-truth folder are emptied first: the files describe
one moment, ``--now``. Deterministic for a given ``--now`` and ``--seed``.
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import shutil
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Sequence

CODE_DIR = Path(__file__).resolve().parents[1] / "code"
sys.path.insert(0, str(CODE_DIR))
CONTRACT = json.loads((CODE_DIR / "contract.json").read_text(encoding="utf-8"))
HOUR = timedelta(hours=1)


def sample_records(folder: Path) -> list[dict]:
    """The sample reviews prepared as the pipeline's Processing step cleans them."""
    import prepare_data

    paths = sorted(glob.glob(str(folder / "**" / "*.csv"), recursive=True))
    return prepare_data.clean(prepare_data.load_reviews(paths)).to_dict("records")


def baselines(records: list[dict], thresholds: dict[str, float]) -> dict[str, dict]:
    """The served packages' drift-check baselines, by file under ``--baselines``."""
    import data_quality

    stats = data_quality.statistics(data_quality.project(records), data_quality.COLUMNS)
    section = CONTRACT["modelQualityConstraints"]
    comparison = section["comparison"]
    return {
        "data-quality/statistics.json": stats,
        "data-quality/constraints.json": data_quality.suggest_constraints(stats),
        "model-quality/constraints.json": {
            "version": 0.0,
            section["section"]: {metric: {"threshold": value, "comparison_operator": comparison} for metric, value in thresholds.items()},
        },
    }


def response(sentiment: int, confidence: float) -> dict:
    """The endpoint's response line for a predicted sentiment (contract.json's ``response``)."""
    fields, labels = CONTRACT["response"], [str(label["sentiment"]) for label in CONTRACT["labels"]]
    others = (1.0 - confidence) / (len(labels) - 1)
    probabilities = {label: round(confidence if label == str(sentiment) else others, 4) for label in labels}
    return {fields["label"]: sentiment, fields["confidence"]: round(confidence, 4), fields["probabilities"]: probabilities}


def capture(text: str, predicted: int, confidence: float, event_id: str, time: datetime) -> dict:
    content_type, text_field = CONTRACT["response"]["contentType"], CONTRACT["response"]["requestTextFields"][0]
    side = lambda mode, line: {"observedContentType": content_type, "mode": mode, "data": json.dumps(line) + "\n", "encoding": "JSON"}  # noqa: E731
    return {
        "captureData": {"endpointInput": side("INPUT", {text_field: [text]}), "endpointOutput": side("OUTPUT", response(predicted, confidence))},
        "eventMetadata": {"eventId": event_id, "inferenceTime": time.strftime("%Y-%m-%dT%H:%M:%S.") + f"{time.microsecond // 1000:03d}Z"},
        "eventVersion": "0",
    }


def hour_folder(root: Path, hour: datetime) -> Path:
    return root / f"{hour:%Y/%m/%d/%H}"


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def traffic(records: list[dict], variant: str, accuracy: float, requests: int, start: datetime, span: timedelta, rng: random.Random):
    """(capture record, true sentiment) of ``requests`` requests spread over [start, start + span)."""
    sentiments = [label["sentiment"] for label in CONTRACT["labels"]]
    for n, record in enumerate(rng.sample(records, min(requests, len(records)))):
        true = int(record["sentiment"])
        predicted = true if rng.random() < accuracy else rng.choice([s for s in sentiments if s != true])
        time = start + span * (n + 0.5) / requests
        event_id = f"{variant}-{start:%Y%m%d%H%M}-{n:04d}"
        yield capture(record["review_body"], predicted, rng.uniform(0.5, 0.99), event_id, time), true


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=Path, required=True, help="a folder of the sample's CSV files")
    parser.add_argument("--capture", type=Path, required=True, help="the endpoint's capture folder (<capture uri> locally)")
    parser.add_argument("--ground-truth", type=Path, required=True, help="the endpoint's ground-truth folder")
    parser.add_argument("--baselines", type=Path, required=True, help="where the served packages' baselines go")
    parser.add_argument("--variants", nargs="+", required=True)
    parser.add_argument("--accuracy", type=float, nargs="+", default=[0.8, 0.7], help="each variant's share of right predictions (the last one repeats)")
    parser.add_argument("--requests", type=int, default=120, help="requests per variant and hour")
    parser.add_argument("--model-quality-thresholds", type=json.loads, default={"accuracy": 0.33}, help="minimums, as the model-quality gate takes them")
    parser.add_argument("--now", type=lambda text: datetime.fromisoformat(text).astimezone(timezone.utc), default=None)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    now = args.now or datetime.now(timezone.utc)
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    records = sample_records(args.reviews)
    for name, document in baselines(records, args.model_quality_thresholds).items():
        (args.baselines / name).parent.mkdir(parents=True, exist_ok=True)
        (args.baselines / name).write_text(json.dumps(document, indent=2), encoding="utf-8")
    shutil.rmtree(args.ground_truth, ignore_errors=True)
    labels = []
    for index, variant in enumerate(args.variants):
        shutil.rmtree(args.capture / variant, ignore_errors=True)
        accuracy = args.accuracy[min(index, len(args.accuracy) - 1)]
        rng = random.Random(f"{args.seed}-{variant}")
        # The monitor's window (the hour before now), then the current hour so far.
        for start, span in ((this_hour - HOUR, HOUR), (this_hour, max(now - this_hour, timedelta(milliseconds=args.requests)))):
            pairs = list(traffic(records, variant, accuracy, args.requests, start, span, rng))
            write_jsonl(hour_folder(args.capture / variant, start) / f"{start:%M-%S}-000-local-fixture.jsonl", [c for c, _ in pairs])
            labels += [
                {"groundTruthData": {"data": str(true), "encoding": "CSV"}, "eventMetadata": {"eventId": c["eventMetadata"]["eventId"]}, "eventVersion": "0"}
                for c, true in pairs
            ]
    write_jsonl(hour_folder(args.ground_truth, now) / "labels.jsonl", labels)
    print(json.dumps({"variants": args.variants, "requests": len(labels), "window": [(this_hour - HOUR).isoformat(), this_hour.isoformat()]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
