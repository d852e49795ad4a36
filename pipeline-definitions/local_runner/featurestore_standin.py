"""Local stand-ins for the AWS calls that step scripts make, on the loopback address.

- Feature Store runtime PutRecord (below);
- SageMaker ListModelPackages and DescribeModelPackage, answered from the runner's local registry
  (the quality gates look up the latest approved model's baselines);
- S3 GetObject (path style), answered from the runner's local S3 folder.

The runner points boto3 here with ``AWS_ENDPOINT_URL_SAGEMAKER_FEATURESTORE_RUNTIME``,
``AWS_ENDPOINT_URL_SAGEMAKER`` and ``AWS_ENDPOINT_URL_S3``.

Feature Store PutRecord:

Step scripts use boto3 as they do in SageMaker; the runner points them here with the
``AWS_ENDPOINT_URL_SAGEMAKER_FEATURESTORE_RUNTIME`` variable. Each record is checked against the
feature group's schema from the app (every feature known, record identifier and event time
present, Integral and Fractional values that parse, the event time in ISO-8601) and appended to
``<group>.jsonl``; a bad record gets a ValidationError, as the service would answer.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def check_record(schema: dict, record: list[dict]) -> list[str]:
    """What is wrong with a record for a feature group schema (empty when it is fine)."""
    types = {f["name"]: f["type"] for f in schema["features"]}
    problems = []
    values = {}
    for item in record:
        name, value = item.get("FeatureName"), item.get("ValueAsString")
        if name not in types:
            problems.append(f"feature {name!r} is not in feature group {schema['featureGroupName']!r}")
            continue
        if not isinstance(value, str):
            problems.append(f"feature {name!r} has no ValueAsString")
            continue
        values[name] = value
        if types[name] == "Integral" and not re.fullmatch(r"-?\d+", value):
            problems.append(f"feature {name!r} is Integral but got {value!r}")
        if types[name] == "Fractional":
            try:
                float(value)
            except ValueError:
                problems.append(f"feature {name!r} is Fractional but got {value!r}")
    for role in ("recordIdentifier", "eventTime"):
        if schema[role] not in values:
            problems.append(f"the {role} {schema[role]!r} is missing")
    event_time = values.get(schema["eventTime"])
    if event_time is not None and types.get(schema["eventTime"]) == "String" and not ISO_8601.match(event_time):
        problems.append(f"event time {event_time!r} is not ISO-8601 (yyyy-MM-ddTHH:mm:ssZ)")
    return problems


class FeatureStoreStandIn:
    """Serves PutRecord for the given schemas, writing accepted records under ``directory``."""

    def __init__(self, schemas: dict[str, dict], directory: Path, registry: Path | None = None, s3_root: Path | None = None):
        self.schemas = schemas
        self.registry = Path(registry) if registry else None
        self.s3_root = Path(s3_root) if s3_root else None
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.accepted: dict[str, int] = {}
        self.rejected: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FeatureStoreStandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _put(self, group: str, body: dict) -> tuple[int, dict]:
        schema = self.schemas.get(group)
        if schema is None:
            return 404, {"__type": "ResourceNotFound", "Message": f"feature group {group!r} does not exist"}
        problems = check_record(schema, body.get("Record", []))
        with self._lock:
            if problems:
                self.rejected.extend(problems)
                return 400, {"__type": "ValidationError", "Message": "; ".join(problems)}
            with (self.directory / f"{group}.jsonl").open("a", encoding="utf-8") as handle:
                handle.write(json.dumps({"record": body["Record"], "received": datetime.utcnow().isoformat()}) + "\n")
            self.accepted[group] = self.accepted.get(group, 0) + 1
        return 200, {}

    def _sagemaker(self, target: str, body: dict) -> tuple[int, dict]:
        """ListModelPackages / DescribeModelPackage over the local registry's records."""
        packages = []
        if self.registry is not None:
            for path in sorted((self.registry / "model-packages").glob("*/*.json")):
                record = json.loads(path.read_text())
                arn = f"arn:aws:sagemaker:local:000000000000:model-package/{path.parent.name.lower()}/{path.stem}"
                packages.append((arn, path.parent.name, int(path.stem), record))
        if target == "SageMaker.ListModelPackages":
            chosen = [
                p for p in packages
                if p[1] == body.get("ModelPackageGroupName") and (body.get("ModelApprovalStatus") in (None, p[3].get("ModelApprovalStatus")))
            ]
            chosen.sort(key=lambda p: p[2], reverse=body.get("SortOrder") == "Descending")
            summaries = [
                {"ModelPackageArn": arn, "ModelPackageGroupName": group, "ModelPackageVersion": version, "CreationTime": 0, "ModelPackageStatus": "Completed", "ModelApprovalStatus": record.get("ModelApprovalStatus")}
                for arn, group, version, record in chosen[: body.get("MaxResults", 100)]
            ]
            return 200, {"ModelPackageSummaryList": summaries}
        if target == "SageMaker.DescribeModelPackage":
            for arn, group, version, record in packages:
                if arn == body.get("ModelPackageName"):
                    return 200, {**record, "ModelPackageArn": arn, "ModelPackageName": group, "ModelPackageVersion": version, "CreationTime": 0, "ModelPackageStatus": "Completed"}
            return 400, {"__type": "ValidationException", "message": f"model package {body.get('ModelPackageName')} does not exist"}
        return 400, {"__type": "UnknownOperationException", "message": f"{target} is not served by the local stand-in"}

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):  # noqa: N802 (http.server's naming)
                match = re.fullmatch(r"/FeatureGroup/([^/?]+)", self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                status, payload = (404, {"Message": "unknown operation"}) if not match else standin._put(unquote(match.group(1)), body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if status >= 400:
                    self.send_header("x-amzn-ErrorType", payload.get("__type", "ValidationError"))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                status, payload = standin._sagemaker(self.headers.get("X-Amz-Target", ""), body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802 (S3 GetObject, path style)
                path = standin.s3_root / unquote(self.path.split("?")[0].lstrip("/")) if standin.s3_root else None
                if path is None or not path.is_file():
                    data = b"<Error><Code>NoSuchKey</Code><Message>not in the local S3 folder</Message></Error>"
                    self.send_response(404)
                else:
                    data = path.read_bytes()
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        return Handler
