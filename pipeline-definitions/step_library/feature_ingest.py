"""Feature Store ingestion with many records in flight, as the course's code ingests.

:func:`ingest` puts records into a feature group with ``in_flight`` calls of the Feature Store
runtime's PutRecord at a time (threads sharing one client; boto3 clients are thread-safe). Each
call is retried by botocore (:func:`client`): throttling, 5xx answers and connection errors, with
exponential backoff and jitter, up to ``max_attempts`` attempts in all. Its *legacy* retry mode,
because the *standard* mode also keeps a retry quota per client (500, five per throttled retry,
refunded only by successes), which under sustained throttling cuts every record's retries short
long before ``max_attempts`` (measured: 258 of 300 records failed). A
retry is safe: a record carries its record identifier and event time, so the online store keeps
one record per id whichever attempt landed, and readers of the offline store (append-only, where
a retried record may appear twice) take the latest record per id, as the training-set query
does. A record that still fails, or that the service refuses (a validation error is not retried),
is returned with the error; :func:`write_failures` writes them as JSON lines, nothing is dropped.

A call costs the caller about a millisecond of CPU in boto3 (measured: 1.3 ms), so one Python
process holds at most some 700 calls a second whatever the latency; :func:`ingest_in_processes`
spreads the records and the calls in flight over several processes, each with its own client.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

DEFAULT_IN_FLIGHT = 16
DEFAULT_MAX_ATTEMPTS = 8

Record = Sequence[dict]  # PutRecord's Record: [{"FeatureName": ..., "ValueAsString": ...}, ...]


@dataclass
class Ingested:
    """What :func:`ingest` did: how many records were put, and each record that was not, with why."""

    put: int = 0
    failed: list[tuple[Record, str]] = field(default_factory=list)


def _check_in_flight(in_flight: int) -> None:
    if in_flight < 1:
        raise ValueError(f"--ingest-in-flight (FeatureIngestInFlight) is {in_flight}; at least 1 record must be in flight")


def client(in_flight: int = DEFAULT_IN_FLIGHT, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> Any:
    """A Feature Store runtime client with a connection per call in flight and botocore's retries
    (throttling and transient errors, exponential backoff with jitter, no retry quota),
    ``max_attempts`` attempts per record in all."""
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"mode": "legacy", "total_max_attempts": max_attempts},
        max_pool_connections=max(in_flight, 10),
        parameter_validation=False,  # the records are built by the step; the service validates them
    )
    return boto3.client("sagemaker-featurestore-runtime", config=config)


def _error_text(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict) and "Error" in response:
        details = response["Error"]
        attempts = response.get("ResponseMetadata", {}).get("RetryAttempts")
        tried = f" (after {attempts + 1} attempt{'s' if attempts else ''})" if isinstance(attempts, int) else ""
        return f"{details.get('Code', type(error).__name__)}: {details.get('Message', error)}{tried}"
    return f"{type(error).__name__}: {error}"


def ingest(records: Iterable[Record], feature_group_name: str, featurestore: Any, in_flight: int = DEFAULT_IN_FLIGHT) -> Ingested:
    """Puts every record into the feature group, ``in_flight`` calls at a time; a record whose call
    fails (after the client's retries) is kept in ``failed`` with the error, and the others go on."""
    _check_in_flight(in_flight)

    def put(record: Record) -> str | None:
        try:
            featurestore.put_record(FeatureGroupName=feature_group_name, Record=list(record))
            return None
        except Exception as error:  # kept with the record: the caller fails the step naming them
            return _error_text(error)

    records = list(records)
    result = Ingested()
    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="put-record") as pool:
        pairs = list(zip(records, pool.map(put, records)))
    for record, error in pairs:
        if error is None:
            result.put += 1
        else:
            result.failed.append((record, error))
    return result


def _ingest_share(task: tuple) -> Ingested:
    records, feature_group_name, in_flight, max_attempts = task
    return ingest(records, feature_group_name, client(in_flight, max_attempts), in_flight)


def ingest_in_processes(
    records: Sequence[Record], feature_group_name: str, in_flight: int = DEFAULT_IN_FLIGHT, processes: int = 1, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> Ingested:
    """:func:`ingest` with the records and the ``in_flight`` calls shared over ``processes``
    processes (forked; each its own client with :func:`client`'s retries); one process: in this one."""
    processes = max(1, min(processes, in_flight, len(records)))
    if processes == 1:
        return ingest(records, feature_group_name, client(in_flight, max_attempts), in_flight)
    shares = [list(records[i::processes]) for i in range(processes)]
    tasks = [(share, feature_group_name, in_flight // processes + (i < in_flight % processes), max_attempts) for i, share in enumerate(shares)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.map(_ingest_share, tasks, chunksize=1)
    return Ingested(put=sum(p.put for p in parts), failed=[f for p in parts for f in p.failed])


def write_failures(failed: Sequence[tuple[Record, str]], path: str) -> None:
    """The records that were not put, one JSON line each: the record (feature name → value) and the error."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for record, error in failed:
            handle.write(json.dumps({"record": {value["FeatureName"]: value["ValueAsString"] for value in record}, "error": error}) + "\n")
