"""CloudFormation custom resource ``Custom::FeatureMetadata``: writes the descriptions of a feature
group's features into Feature Store's catalog (UpdateFeatureMetadata), which CloudFormation has no
property for.

Properties: ``FeatureGroupName`` and ``Descriptions`` (feature name to description). Create and
Update write every description; Delete leaves the catalog as it is (the group keeps or loses its
features with the group itself). One resource per feature group, whatever its number of features.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Callable

import boto3


def describe(sagemaker: Any, group: str, descriptions: dict[str, str]) -> list[str]:
    """Writes each description; returns the features written, in order."""
    written = []
    for feature, description in sorted(descriptions.items()):
        sagemaker.update_feature_metadata(FeatureGroupName=group, FeatureName=feature, Description=description)
        written.append(feature)
    return written


def send(event: dict, status: str, physical_id: str, reason: str = "", data: dict | None = None) -> None:
    """Answers CloudFormation at the event's pre-signed ResponseURL."""
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:1000] or "see the function's log",
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data or {},
        }
    ).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - CloudFormation's HTTPS URL
        response.read()


def handle(event: dict, sagemaker: Any = None, respond: Callable[..., None] = send) -> None:
    properties = event.get("ResourceProperties", {})
    group = properties.get("FeatureGroupName", "")
    physical_id = event.get("PhysicalResourceId") or f"{group}/feature-metadata"
    try:
        if event["RequestType"] in ("Create", "Update"):
            written = describe(sagemaker or boto3.client("sagemaker"), group, properties.get("Descriptions", {}))
            print(json.dumps({"featureGroup": group, "described": written}))
            respond(event, "SUCCESS", physical_id, data={"Described": len(written)})
        else:
            respond(event, "SUCCESS", physical_id)
    except Exception as error:  # CloudFormation must hear of every failure, or it waits for an hour
        print(f"{group}: {error!r}")
        respond(event, "FAILED", physical_id, reason=f"{group}: {error}")


def handler(event: dict, context: Any) -> None:
    handle(event)
