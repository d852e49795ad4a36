"""Local stand-ins for the AWS APIs that step scripts call, served on the loopback address.

Step scripts use boto3 as they do in SageMaker; the runner points them here with
``AWS_ENDPOINT_URL_SAGEMAKER_FEATURESTORE_RUNTIME``, ``AWS_ENDPOINT_URL_SAGEMAKER``,
``AWS_ENDPOINT_URL_S3`` and ``AWS_ENDPOINT_URL_CLOUDWATCH`` (see :attr:`AwsStandIns.environment`).
One server answers, by the shape of the request:

- Feature Store runtime **PutRecord** (``PUT /FeatureGroup/<name>``, JSON): each record is checked
  against the feature group's schema from the app (every feature known, record identifier and
  event time present, Integral and Fractional values that parse, the event time in ISO-8601) and
  appended to ``<feature store>/<group>.jsonl``; a bad record gets a ValidationError, as the
  service would answer. For tests and the benchmark, each call can be answered after a fixed
  latency (``put_record_latency``) or with an injected error (``put_record_faults``: given the
  record, an error code such as ``ThrottlingException`` or None); :attr:`AwsStandIns.in_flight_peak`
  is the most calls it held at once.
- SageMaker **ListModelPackages** and **DescribeModelPackage** (``X-Amz-Target``, JSON 1.1): over
  the packages the run registered (``<registry>/model-packages/<group>/<version>.json``) and the
  packages the local settings declare (DescribeModelPackage responses, by ARN).
- S3 **GetObject**, **ListObjectsV2** (path style, with ``prefix`` and ``delimiter``, which
  gives CommonPrefixes; each object's LastModified is its file's modification time) and
  **DeleteObjects** (``POST /<bucket>?delete``), over the local S3 folder ``<s3>/<bucket>/<key>``.
- CloudWatch **PutMetricData** (``X-Amz-Target: GraniteServiceVersion20100801.PutMetricData``,
  JSON 1.0), each datum appended to ``<cloudwatch>/metrics.jsonl`` with its namespace, the
  timestamp in ISO-8601. CloudWatch's model offers ``smithy-rpc-v2-cbor``, ``json`` and ``query``;
  botocore takes the first of its own priority order that the model offers, which is ``json``
  (botocore 1.44), so that is what boto3 sends here.

:attr:`AwsStandIns.calls` counts the calls answered, by API, for the run report.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit
from xml.etree import ElementTree
from xml.sax.saxutils import escape

ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
LOCAL_ARN = "arn:aws:sagemaker:local:000000000000:model-package"
CLOUDWATCH_TARGET = "GraniteServiceVersion20100801."
S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"

# The APIs answered here, as the report names them.
APIS = (
    "sagemaker-featurestore-runtime:PutRecord",
    "sagemaker:ListModelPackages",
    "sagemaker:DescribeModelPackage",
    "s3:GetObject",
    "s3:ListObjectsV2",
    "s3:DeleteObjects",
    "cloudwatch:PutMetricData",
)


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


def modified(path: Path) -> str:
    """A file's modification time as S3 writes LastModified (ISO-8601, UTC, milliseconds)."""
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # many clients connect at once (calls in flight); the default backlog is 5


class AwsStandIns:
    """Serves the stand-ins over the given folders; use as a context manager."""

    def __init__(
        self,
        feature_groups: dict[str, dict],
        feature_store: Path,
        registry: Path | None = None,
        s3_root: Path | None = None,
        cloudwatch: Path | None = None,
        model_packages: list[dict] | None = None,
        put_record_latency: float = 0.0,
        put_record_faults: Callable[[list[dict]], str | None] | None = None,
    ):
        self.schemas = feature_groups
        self.put_record_latency = put_record_latency
        self.put_record_faults = put_record_faults
        self.in_flight = self.in_flight_peak = 0
        self.directory = Path(feature_store)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.registry = Path(registry) if registry else None
        self.s3_root = Path(s3_root) if s3_root else None
        self.cloudwatch = Path(cloudwatch) if cloudwatch else None
        self.declared_packages = list(model_packages or [])
        self.accepted: dict[str, int] = {}
        self.rejected: list[str] = []
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def environment(self) -> dict[str, str]:
        """The variables that point boto3 here."""
        return {
            f"AWS_ENDPOINT_URL_{service}": self.endpoint
            for service in ("SAGEMAKER_FEATURESTORE_RUNTIME", "SAGEMAKER", "S3", "CLOUDWATCH")
        }

    def __enter__(self) -> "AwsStandIns":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _count(self, api: str) -> None:
        with self._lock:
            self.calls[api] += 1

    # ---- Feature Store -----------------------------------------------------------------------
    # The status of each injected error code, as the service answers it.
    FAULT_STATUS = {"ThrottlingException": 400, "ServiceUnavailable": 503, "InternalFailure": 500}

    def put_record(self, group: str, body: dict) -> tuple[int, dict]:
        self._count("sagemaker-featurestore-runtime:PutRecord")
        with self._lock:
            self.in_flight += 1
            self.in_flight_peak = max(self.in_flight_peak, self.in_flight)
        try:
            if self.put_record_latency:
                time.sleep(self.put_record_latency)
            fault = self.put_record_faults(body.get("Record", [])) if self.put_record_faults else None
            if fault:
                return self.FAULT_STATUS.get(fault, 400), {"__type": fault, "Message": f"{fault} (injected)"}
            return self._put_record(group, body)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _put_record(self, group: str, body: dict) -> tuple[int, dict]:
        schema = self.schemas.get(group)
        if schema is None:
            return 404, {"__type": "ResourceNotFound", "Message": f"feature group {group!r} does not exist"}
        problems = check_record(schema, body.get("Record", []))
        with self._lock:
            if problems:
                self.rejected.extend(problems)
                return 400, {"__type": "ValidationError", "Message": "; ".join(problems)}
            with (self.directory / f"{group}.jsonl").open("a", encoding="utf-8") as handle:
                handle.write(json.dumps({"record": body["Record"], "received": datetime.now(timezone.utc).isoformat()}) + "\n")
            self.accepted[group] = self.accepted.get(group, 0) + 1
        return 200, {}

    # ---- SageMaker ---------------------------------------------------------------------------
    def model_packages(self) -> list[dict]:
        """Every package as DescribeModelPackage answers it: the declared ones, then the run's."""
        packages = []
        for declared in self.declared_packages:
            arn = declared["ModelPackageArn"]
            number = re.search(r"/(\d+)$", arn)
            version = declared.get("ModelPackageVersion") or (int(number.group(1)) if number else 1)
            group = declared.get("ModelPackageGroupName") or arn.partition(":model-package/")[2].split("/")[0]
            packages.append({"ModelPackageName": group, "ModelPackageGroupName": group, "ModelPackageVersion": version, "CreationTime": 0, "ModelPackageStatus": "Completed", **declared})
        if self.registry is not None:
            for path in sorted((self.registry / "model-packages").glob("*/*.json"), key=lambda p: (p.parent.name, int(p.stem))):
                record = json.loads(path.read_text())
                arn = f"{LOCAL_ARN}/{path.parent.name.lower()}/{path.stem}"
                packages.append({**record, "ModelPackageArn": arn, "ModelPackageName": path.parent.name, "ModelPackageVersion": int(path.stem), "CreationTime": 0, "ModelPackageStatus": "Completed"})
        return packages

    def sagemaker(self, target: str, body: dict) -> tuple[int, dict]:
        operation = target.removeprefix("SageMaker.")
        if operation not in ("ListModelPackages", "DescribeModelPackage"):
            return 400, {"__type": "UnknownOperationException", "message": f"{target} is not served by the local stand-ins"}
        self._count(f"sagemaker:{operation}")
        packages = self.model_packages()
        if operation == "ListModelPackages":
            chosen = [
                p for p in packages
                if p.get("ModelPackageGroupName") == body.get("ModelPackageGroupName") and body.get("ModelApprovalStatus") in (None, p.get("ModelApprovalStatus"))
            ]
            chosen.sort(key=lambda p: p["ModelPackageVersion"], reverse=body.get("SortOrder") == "Descending")
            keys = ("ModelPackageArn", "ModelPackageGroupName", "ModelPackageVersion", "CreationTime", "ModelPackageStatus", "ModelApprovalStatus")
            return 200, {"ModelPackageSummaryList": [{k: p.get(k) for k in keys} for p in chosen[: body.get("MaxResults", 100)]]}
        for package in packages:
            if body.get("ModelPackageName") in (package["ModelPackageArn"], f"{package['ModelPackageGroupName']}/{package['ModelPackageVersion']}"):
                return 200, package
        return 400, {"__type": "ValidationException", "message": f"model package {body.get('ModelPackageName')} does not exist"}

    # ---- S3 ----------------------------------------------------------------------------------
    def s3_get(self, raw_path: str) -> tuple[int, bytes, str]:
        url = urlsplit(raw_path)
        query = parse_qs(url.query)
        parts = unquote(url.path).lstrip("/")
        if query.get("list-type") == ["2"]:
            self._count("s3:ListObjectsV2")
            return 200, self.list_objects(parts.rstrip("/"), query.get("prefix", [""])[0], query.get("delimiter", [""])[0]), "application/xml"
        self._count("s3:GetObject")
        path = self.s3_root / parts if self.s3_root else None
        if path is None or not path.is_file():
            return 404, b"<Error><Code>NoSuchKey</Code><Message>not in the local S3 folder</Message></Error>", "application/xml"
        return 200, path.read_bytes(), "application/octet-stream"

    def list_objects(self, bucket: str, prefix: str, delimiter: str) -> bytes:
        """ListObjectsV2 in one page: the keys under the prefix, rolled up at the delimiter."""
        root = self.s3_root / bucket if self.s3_root else None
        keys = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root and root.is_dir() else []
        contents, prefixes = [], []
        for key in (k for k in keys if k.startswith(prefix)):
            rest = key[len(prefix):]
            if delimiter and delimiter in rest:
                folder = prefix + rest.split(delimiter)[0] + delimiter
                if folder not in prefixes:
                    prefixes.append(folder)
            else:
                contents.append(key)
        items = "".join(
            f"<Contents><Key>{escape(k)}</Key><LastModified>{modified(root / k)}</LastModified>"
            f"<Size>{(root / k).stat().st_size}</Size><StorageClass>STANDARD</StorageClass></Contents>"
            for k in contents
        )
        items += "".join(f"<CommonPrefixes><Prefix>{escape(p)}</Prefix></CommonPrefixes>" for p in prefixes)
        head = f"<Name>{escape(bucket)}</Name><Prefix>{escape(prefix)}</Prefix><KeyCount>{len(contents) + len(prefixes)}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
        if delimiter:
            head += f"<Delimiter>{escape(delimiter)}</Delimiter>"
        return f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="{S3_XMLNS}">{head}{items}</ListBucketResult>'.encode()

    def delete_objects(self, raw_path: str, body: bytes) -> tuple[int, bytes, str]:
        """DeleteObjects: the listed keys' files removed (a key that is not there counts as deleted, as on S3)."""
        self._count("s3:DeleteObjects")
        bucket = unquote(urlsplit(raw_path).path).strip("/")
        root = self.s3_root / bucket if self.s3_root else None
        keys = [element.text or "" for element in ElementTree.fromstring(body).iter() if element.tag.rpartition("}")[2] == "Key"]
        deleted = []
        for key in keys:
            path = (root / key) if root else None
            if path is not None and root.resolve() in path.resolve().parents and path.is_file():
                path.unlink()
            deleted.append(f"<Deleted><Key>{escape(key)}</Key></Deleted>")
        return 200, f'<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="{S3_XMLNS}">{"".join(deleted)}</DeleteResult>'.encode(), "application/xml"

    # ---- CloudWatch --------------------------------------------------------------------------
    def cloudwatch_call(self, operation: str, body: dict) -> tuple[int, dict]:
        if operation != "PutMetricData":
            return 400, {"__type": "UnknownOperationException", "message": f"CloudWatch {operation} is not served by the local stand-ins"}
        self._count("cloudwatch:PutMetricData")
        if self.cloudwatch is None:
            return 200, {}
        lines = []
        for datum in body.get("MetricData", []):
            stamp = datum.get("Timestamp")
            if isinstance(stamp, (int, float)):  # JSON protocols send epoch seconds
                stamp = datetime.fromtimestamp(stamp, timezone.utc).isoformat()
            lines.append(json.dumps({"Namespace": body.get("Namespace"), **datum, "Timestamp": stamp}))
        with self._lock:
            self.cloudwatch.mkdir(parents=True, exist_ok=True)
            with (self.cloudwatch / "metrics.jsonl").open("a", encoding="utf-8") as handle:
                handle.write("".join(line + "\n" for line in lines))
        return 200, {}

    # ---- HTTP --------------------------------------------------------------------------------
    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as AWS endpoints: boto3 reuses its connections
            disable_nagle_algorithm = True  # an answer goes out at once, not after the client's delayed ACK

            def body(self) -> bytes:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                return gzip.decompress(data) if self.headers.get("Content-Encoding") == "gzip" else data

            def answer(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):  # noqa: N802 (http.server's naming)
                match = re.fullmatch(r"/FeatureGroup/([^/?]+)", self.path)
                body = json.loads(self.body() or b"{}")
                status, payload = (404, {"Message": "unknown operation"}) if not match else standin.put_record(unquote(match.group(1)), body)
                error = {"x-amzn-ErrorType": payload.get("__type", "ValidationError")} if status >= 400 else {}
                self.answer(status, json.dumps(payload).encode(), "application/json", error)

            def do_POST(self):  # noqa: N802 (JSON protocols: the operation is in X-Amz-Target; S3's DeleteObjects)
                if parse_qs(urlsplit(self.path).query, keep_blank_values=True).get("delete") is not None:
                    self.answer(*standin.delete_objects(self.path, self.body()))
                    return
                target = self.headers.get("X-Amz-Target", "")
                body = json.loads(self.body() or b"{}")
                if target.startswith(CLOUDWATCH_TARGET):
                    status, payload = standin.cloudwatch_call(target.removeprefix(CLOUDWATCH_TARGET), body)
                    self.answer(status, json.dumps(payload).encode(), "application/x-amz-json-1.0")
                    return
                status, payload = standin.sagemaker(target, body)
                self.answer(status, json.dumps(payload, default=str).encode(), "application/x-amz-json-1.1")

            def do_GET(self):  # noqa: N802 (S3, path style)
                status, data, content_type = standin.s3_get(self.path)
                self.answer(status, data, content_type)

            def log_message(self, *args):  # quiet
                pass

        return Handler
