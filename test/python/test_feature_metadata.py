"""The custom resource that writes feature descriptions (lib/feature-store/feature-metadata)."""

from __future__ import annotations

import http.server
import json
import sys
import threading
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "feature-store" / "feature-metadata"))
import index as metadata  # noqa: E402


def event(request_type: str, descriptions: dict[str, str], **extra) -> dict:
    return {
        "RequestType": request_type,
        "ResponseURL": "https://cloudformation.example/response",
        "StackId": "arn:aws:cloudformation:us-east-1:111122223333:stack/pds-dev-ml-registry/1",
        "RequestId": "request-1",
        "LogicalResourceId": "ReviewsFeatureMetadata",
        "ResourceType": "Custom::FeatureMetadata",
        "ResourceProperties": {"ServiceToken": "arn:aws:lambda:us-east-1:111122223333:function:x", "FeatureGroupName": "pds-dev-reviews", "Descriptions": descriptions},
        **extra,
    }


def stubbed():
    client = boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    return client, Stubber(client)


class Responses:
    def __init__(self):
        self.calls = []

    def __call__(self, event, status, physical_id, reason="", data=None):
        self.calls.append({"status": status, "id": physical_id, "reason": reason, "data": data})


def test_create_writes_every_description_with_one_resource():
    client, stubber = stubbed()
    for feature, text in (("product_category", "Product class"), ("review_id", "Content-based id")):
        stubber.add_response("update_feature_metadata", {}, {"FeatureGroupName": "pds-dev-reviews", "FeatureName": feature, "Description": text})
    responses = Responses()
    with stubber:
        metadata.handle(event("Create", {"review_id": "Content-based id", "product_category": "Product class"}), client, responses)
    stubber.assert_no_pending_responses()
    assert responses.calls == [{"status": "SUCCESS", "id": "pds-dev-reviews/feature-metadata", "reason": "", "data": {"Described": 2}}]


def test_update_rewrites_and_keeps_the_physical_id():
    client, stubber = stubbed()
    stubber.add_response("update_feature_metadata", {}, {"FeatureGroupName": "pds-dev-reviews", "FeatureName": "sentiment", "Description": "new"})
    responses = Responses()
    with stubber:
        metadata.handle(event("Update", {"sentiment": "new"}, PhysicalResourceId="kept"), client, responses)
    assert responses.calls[0]["status"] == "SUCCESS" and responses.calls[0]["id"] == "kept"


def test_delete_changes_nothing():
    client, stubber = stubbed()
    responses = Responses()
    with stubber:  # any call would fail: no responses are queued
        metadata.handle(event("Delete", {"sentiment": "x"}, PhysicalResourceId="kept"), client, responses)
    assert responses.calls == [{"status": "SUCCESS", "id": "kept", "reason": "", "data": None}]


def test_a_failed_call_is_reported_to_cloudformation_naming_the_group():
    client, stubber = stubbed()
    stubber.add_client_error("update_feature_metadata", "ResourceNotFound", "Resource Not Found: pds-dev-reviews")
    responses = Responses()
    with stubber:
        metadata.handle(event("Create", {"sentiment": "x"}), client, responses)
    (call,) = responses.calls
    assert call["status"] == "FAILED"
    assert call["reason"].startswith("pds-dev-reviews: An error occurred (ResourceNotFound)")


def test_the_answer_reaches_the_response_url():
    received = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_PUT(self):  # noqa: N802 - the http.server API
            received["body"] = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    try:
        metadata.send(event("Create", {}, ResponseURL=f"http://127.0.0.1:{server.server_port}/r"), "SUCCESS", "pds-dev-reviews/feature-metadata")
    finally:
        thread.join(5)
        server.server_close()
    assert received["body"] == {
        "Status": "SUCCESS",
        "Reason": "see the function's log",
        "PhysicalResourceId": "pds-dev-reviews/feature-metadata",
        "StackId": "arn:aws:cloudformation:us-east-1:111122223333:stack/pds-dev-ml-registry/1",
        "RequestId": "request-1",
        "LogicalResourceId": "ReviewsFeatureMetadata",
        "Data": {},
    }

