"""scripts/ask_endpoint.py against botocore's Stubber: the request it sends and what it prints."""

from __future__ import annotations

import io
import json
import sys

import boto3
from botocore.response import StreamingBody
from botocore.stub import Stubber
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import ask_endpoint  # noqa: E402


def test_sends_a_json_line_per_review_and_prints_each_answer(capsys):
    runtime = boto3.client("sagemaker-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    answers = [
        {"predicted_label": 1, "confidence": 0.97, "probabilities": {"-1": 0.01, "0": 0.02, "1": 0.97}},
        {"error": "line 2: the review is empty"},
    ]
    body = "".join(json.dumps(a) + "\n" for a in answers).encode()
    with Stubber(runtime) as stub:
        stub.add_response(
            "invoke_endpoint",
            {"Body": StreamingBody(io.BytesIO(body), len(body)), "ContentType": "application/jsonlines"},
            {
                "EndpointName": "pds-dev-bert-sentiment",
                "ContentType": "application/jsonlines",
                "Accept": "application/jsonlines",
                "Body": b'{"features": ["I love this dress"]}\n{"features": [""]}\n',
                "InferenceId": "review-0001",
            },
        )
        assert ask_endpoint.main(["--endpoint", "pds-dev-bert-sentiment", "I love this dress", "", "--inference-id", "review-0001"], runtime=runtime) == 0
    assert capsys.readouterr().out == "positive (1, confidence 0.97): I love this dress\ncould not score '': line 2: the review is empty\n"
