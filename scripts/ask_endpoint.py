"""Sends reviews to the served endpoint and prints its answers, one line each.

    .venv/bin/python scripts/ask_endpoint.py --endpoint ENDPOINT [--inference-id ID] "I love this dress" ...

Each review is one JSON line (``{"features": [text]}``) of one application/jsonlines request; the
endpoint answers a line per review with the predicted sentiment (-1, 0, 1), its confidence and
the probabilities (or an error record for a review it could not score). Pass an inference id to
join later ground-truth labels to the captured prediction. Uses the user's AWS credentials and
region, as the AWS CLI does.
"""

from __future__ import annotations

import argparse
import json
import sys

import boto3

JSON_LINES = "application/jsonlines"


def ask(runtime, endpoint: str, reviews: list[str], inference_id: str | None = None) -> list[dict]:
    body = "".join(json.dumps({"features": [review]}) + "\n" for review in reviews)
    extra = {"InferenceId": inference_id} if inference_id else {}
    response = runtime.invoke_endpoint(EndpointName=endpoint, ContentType=JSON_LINES, Accept=JSON_LINES, Body=body.encode(), **extra)
    return [json.loads(line) for line in response["Body"].read().decode().splitlines() if line.strip()]


def describe(review: str, answer: dict) -> str:
    if "error" in answer:
        return f"could not score {review!r}: {answer['error']}"
    sentiment = {-1: "negative", 0: "neutral", 1: "positive"}.get(answer["predicted_label"], answer["predicted_label"])
    return f"{sentiment} ({answer['predicted_label']}, confidence {answer['confidence']:.2f}): {review}"


def main(argv: list[str] | None = None, runtime=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reviews", nargs="+", help="review texts")
    parser.add_argument("--endpoint", required=True, help="the endpoint (the serving stack's EndpointName output, e.g. <prefix>-<family>)")
    parser.add_argument("--inference-id", help="an id for the request, to join ground truth to it later")
    args = parser.parse_args(argv)
    runtime = runtime or boto3.client("sagemaker-runtime")
    for review, answer in zip(args.reviews, ask(runtime, args.endpoint, args.reviews, args.inference_id)):
        print(describe(review, answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
