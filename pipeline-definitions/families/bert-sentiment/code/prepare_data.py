"""Feature engineering of the BERT pipeline's Processing step, on one instance or several.

Reads the raw reviews CSV files, turns star ratings into sentiment labels (the column named by the
contract's ``labelFeature``, ``sentiment``; class ids by its ``labels``), drops empty reviews and
rare product categories, balances the classes when asked, splits into train, validation and test,
tokenizes the review text for RoBERTa, and writes:

- JSON-lines files per split (``input_ids``, ``label_id``, ``sentiment``, ``review_body``,
  ``product_category``, ``review_id``) for training and evaluation;
- the course's ``reviews`` table (``sentiment``, ``review_body``, ``product_category``) as Parquet,
  for the lake's Glue table; with ``--table-uri`` (where that output is uploaded) the first host
  deletes every object there written before ``--event-time`` (the execution's start), so the table
  holds this execution's files alone once the job's outputs are uploaded: a run on fewer instances
  leaves no ``reviews-algo-N.parquet`` of an earlier one to be read as current data;
- the feature records, put into the reviews feature group with the Feature Store runtime API, many
  at a time with retries (feature_ingest.py): one value per feature of the contract's reviews
  feature group (contract.REVIEWS_FEATURES, each as text of its type), the event time in the
  contract's format; records that still fail go to ``ingest-failures/`` with the error, and the
  step fails naming how many;
- with ``--managed-baselines`` (the managed quality engine): the configured bias limits as Clarify
  baseline constraints for the facet values of the training and test splits, and the training
  split's profiled columns for Model Monitor (``managed-baselines/``).

At scale the step runs on several instances (the job's InstanceCount) with the raw input
``ShardedByS3Key``: each instance gets a share of the CSV files (so the raw data must arrive as
several files; an instance that gets none finishes cleanly) and names every file it writes after
its host (``train-algo-2.jsonl``), so the shards' outputs sit side by side under one prefix and
the next steps read them all. A review's split is a function of its stable id alone (a hash of it
and the seed): the same review lands in the same split however many instances ran, and each
sentiment class is split in the given shares in expectation. The rare-category filter and class
balancing see one instance's share (per shard); the managed baselines are written by the first
host from its share. Within an instance, tokenizing and encoding run in ``--workers`` processes
(default: one per core), each with a single-threaded tokenizer.

The tokenizer is loaded from a local folder (the pre-trained model channel), never from a hub.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import multiprocessing
import sys
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

import boto3
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import feature_ingest  # noqa: E402
from cli import positive_int, str2bool  # noqa: E402
from managed_baselines import managed_baselines, write_managed_baselines  # noqa: E402
from contract import EVENT_TIME_FEATURE, EVENT_TIME_FORMAT, LABEL_FEATURE, REVIEWS_FEATURES, SPLITS  # noqa: E402
from reviews import (  # noqa: E402,F401  (the course's rules, from the step-code library)
    LABEL_TO_SENTIMENT,
    RENAMES,
    SENTIMENT_TO_LABEL,
    balance,
    clean,
    id_fractions,
    load_reviews,
    review_id,
    review_ids,
    split,
    to_label_id,
    to_sentiment,
)
from s3_uris import s3_location  # noqa: E402

# The feature this step fills with the split's name (one of SPLITS); the event time feature gets
# the run's event time, every other feature the prepared column of its name.
SPLIT_FEATURE = "split_type"
# SageMaker's description of the processing cluster, on every instance.
RESOURCE_CONFIG = "/opt/ml/config/resourceconfig.json"
# Reviews tokenized per task of a worker process.
CHUNK_ROWS = 2000


def tokenize(texts: Sequence[str], tokenizer: Any, max_seq_length: int) -> list[list[int]]:
    """RoBERTa input ids of each text, padded or truncated to exactly ``max_seq_length``."""
    encoded = tokenizer(
        list(texts),
        padding="max_length",
        truncation=True,
        max_length=max_seq_length,
        return_attention_mask=False,
    )
    return [list(map(int, ids)) for ids in encoded["input_ids"]]


class TokenizerFile:
    """A pre-trained model folder's fast tokenizer (``tokenizer.json``, as Hugging Face saves it)
    loaded with the ``tokenizers`` library alone, called as a transformers tokenizer is for what
    the step asks (padding to ``max_length``, truncation, the ids only): the same ids, without
    importing transformers (and torch with it) on every instance."""

    def __init__(self, directory: str):
        from tokenizers import Tokenizer

        self.backend = Tokenizer.from_file(os.path.join(directory, "tokenizer.json"))
        config_path = os.path.join(directory, "tokenizer_config.json")
        config = json.load(open(config_path, encoding="utf-8")) if os.path.exists(config_path) else {}
        pad = config.get("pad_token") or "<pad>"
        self.pad_token = pad["content"] if isinstance(pad, dict) else str(pad)
        self.pad_token_id = self.backend.token_to_id(self.pad_token)
        if self.pad_token_id is None:
            raise ValueError(f"{directory}: the tokenizer has no pad token {self.pad_token!r}")

    def __call__(self, texts, padding="max_length", truncation=True, max_length=None, return_attention_mask=False) -> dict:
        if padding != "max_length" or not truncation or max_length is None or return_attention_mask:
            raise ValueError("TokenizerFile pads and truncates to max_length and gives the ids only")
        self.backend.enable_truncation(max_length)
        self.backend.enable_padding(length=max_length, pad_id=self.pad_token_id, pad_token=self.pad_token)
        return {"input_ids": [encoding.ids for encoding in self.backend.encode_batch(list(texts))]}

    def id_texts(self, texts: Sequence[str], max_length: int) -> list[str]:
        """:func:`ids_text` of each text's ids padded to ``max_length``: the ids truncated only,
        the padding appended as text (fewer ints to make and print)."""
        self.backend.no_padding()
        self.backend.enable_truncation(max_length)
        pad = f", {self.pad_token_id}"
        suffixes = ["]"] + [pad * n + "]" for n in range(1, max_length + 1)]
        return [str(ids)[:-1] + suffixes[max_length - len(ids)] for ids in (e.ids for e in self.backend.encode_batch(list(texts)))]


def load_tokenizer(directory: str) -> Any:
    """The tokenizer of a pre-trained model folder: its ``tokenizer.json`` (:class:`TokenizerFile`),
    or transformers' AutoTokenizer for a folder without one."""
    if os.path.exists(os.path.join(directory, "tokenizer.json")):
        return TokenizerFile(directory)
    from transformers import AutoTokenizer  # the container's transformers

    return AutoTokenizer.from_pretrained(directory)


def ids_text(ids: Sequence[int]) -> str:
    """Token ids as the JSON text the split files and the feature record hold (``[0, 31414, 2]``:
    a list of ints prints so)."""
    return str(ids if type(ids) is list else list(map(int, ids)))


_WORKER: dict[str, Any] = {}  # a worker process's tokenizer and sequence length (inherited at fork)


def _encode_chunk(texts: list[str]) -> list[str]:
    tokenizer, length = _WORKER["tokenizer"], _WORKER["max_seq_length"]
    if isinstance(tokenizer, TokenizerFile):
        return tokenizer.id_texts(texts, length)
    return [ids_text(ids) for ids in tokenize(texts, tokenizer, length)]


def encode(texts: Sequence[str], tokenizer: Any, max_seq_length: int, workers: int = 1) -> list[str]:
    """The input ids of each text as JSON text (:func:`ids_text`), tokenized in ``workers``
    processes (forked with the tokenizer, in chunks of CHUNK_ROWS), in order."""
    _WORKER.update(tokenizer=tokenizer, max_seq_length=max_seq_length)
    chunks = [list(texts[i : i + CHUNK_ROWS]) for i in range(0, len(texts), CHUNK_ROWS)]
    if workers <= 1 or len(chunks) <= 1:
        return [text for chunk in chunks for text in _encode_chunk(chunk)]
    with multiprocessing.get_context("fork").Pool(min(workers, len(chunks))) as pool:
        return [text for part in pool.map(_encode_chunk, chunks, chunksize=1) for text in part]


def feature_text(value: Any, feature_type: str) -> str:
    """A value as Feature Store's ``ValueAsString`` of a feature of the type: an Integral as the
    integer, a Fractional as the number, a String as the text (a list, e.g. token ids, as JSON)."""
    if feature_type == "Integral":
        return str(int(value))
    if feature_type == "Fractional":
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        return ids_text(value) if all(isinstance(v, int) for v in value) else json.dumps(list(value))
    return str(value)


def feature_records(df: pd.DataFrame, split_type: str, event_time: str) -> list[list[dict[str, str]]]:
    """The reviews feature group's records (Feature Store's PutRecord format) of a split: every
    feature of REVIEWS_FEATURES, in its order (input ids given as lists or as their JSON text)."""
    missing = [name for name in REVIEWS_FEATURES if name not in (EVENT_TIME_FEATURE, SPLIT_FEATURE) and name not in df.columns]
    if missing:
        raise ValueError(f"the reviews feature group has a feature {missing[0]!r}, and the prepared data no such column")
    records = []
    for row in df.to_dict(orient="records"):
        values = {}
        for name, feature_type in REVIEWS_FEATURES.items():
            if name == EVENT_TIME_FEATURE:
                values[name] = event_time
            elif name == SPLIT_FEATURE:
                values[name] = split_type
            else:
                values[name] = feature_text(row[name], feature_type)
        records.append([{"FeatureName": name, "ValueAsString": value} for name, value in values.items()])
    return records


def event_time_text(value: str) -> str:
    """``--event-time``: an ISO-8601 time (the pipeline passes its execution's start, the same on
    every instance), written in the contract's format (UTC, to the second); empty for none."""
    if not value.strip():
        return ""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO-8601 time (e.g. 2026-01-02T03:04:05Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(EVENT_TIME_FORMAT)


def default_event_time(now: datetime | None = None) -> str:
    """The event time of a run without ``--event-time``: now (UTC) in EVENT_TIME_FORMAT."""
    return (now or datetime.now(timezone.utc)).strftime(EVENT_TIME_FORMAT)


def remove_stale_files(s3: Any, uri: str, before: str) -> list[str]:
    """Deletes every object under ``uri`` (a prefix) last written before ``before`` (ISO-8601):
    an earlier execution's files. This execution's own are uploaded when its job ends, after the
    execution started, so they are never among them. The keys deleted."""
    bucket, prefix = s3_location(uri if uri.endswith("/") else f"{uri}/")
    cutoff = datetime.fromisoformat(before.replace("Z", "+00:00"))
    stale = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        stale += [item["Key"] for item in page.get("Contents", []) if item["LastModified"] < cutoff]
    for start in range(0, len(stale), 1000):  # DeleteObjects takes 1000 keys a call
        answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in stale[start : start + 1000]], "Quiet": True})
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise RuntimeError(f"could not delete {len(answer['Errors'])} stale objects under {uri} (the first: {first.get('Key')}: {first.get('Code')})")
    return stale


def write_jsonl(df: pd.DataFrame, path: str) -> None:
    """A split file: one JSON object per review (``review_id``, ``input_ids``, ``label_id``, the
    label feature, ``review_body``, ``product_category``); ``input_ids`` a list, or its JSON
    text as :func:`encode` gives it (written as the list it spells)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    dumps = json.dumps
    # Plain lists: iterating a column of Arrow-backed strings costs more than the rest of the line.
    columns = zip(*(df[c].tolist() for c in ("review_id", "input_ids", "label_id", LABEL_FEATURE, "review_body", "product_category")))
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines(
            f'{{"review_id": {dumps(str(rid))}, "input_ids": {ids if isinstance(ids, str) else ids_text(ids)}, "label_id": {int(label)}, '
            f'"{LABEL_FEATURE}": {int(sentiment)}, "review_body": {dumps(str(body))}, "product_category": {dumps(str(category))}}}\n'
            for rid, ids, label, sentiment, body, category in columns
        )


def processing_host(resource_config: str = RESOURCE_CONFIG) -> tuple[str, list[str]]:
    """(this instance's host, every host of the job) from SageMaker's resourceconfig.json; one
    host, ``algo-1``, where there is no such file."""
    try:
        with open(resource_config, encoding="utf-8") as handle:
            config = json.load(handle)
    except FileNotFoundError:
        return "algo-1", ["algo-1"]
    return str(config["current_host"]), [str(h) for h in config["hosts"]]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input-dir", default="/opt/ml/processing/input/data")
    parser.add_argument("--tokenizer-dir", default="/opt/ml/processing/input/model")
    parser.add_argument("--output-dir", default="/opt/ml/processing/output")
    parser.add_argument("--train-split-percentage", type=float, default=0.90)
    parser.add_argument("--validation-split-percentage", type=float, default=0.05)
    parser.add_argument("--test-split-percentage", type=float, default=0.05)
    parser.add_argument("--balance-dataset", type=str2bool, default=True)
    parser.add_argument("--max-seq-length", type=int, default=128)
    parser.add_argument("--min-reviews-per-category", type=int, default=11)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--feature-group-name", default="")
    parser.add_argument("--event-time", type=event_time_text, default="", help="ISO-8601; defaults to now (each instance its own)")
    parser.add_argument(
        "--table-uri",
        default="",
        help="S3 URI the reviews output is uploaded to: the first host deletes what an earlier execution left there (needs --event-time)",
    )
    parser.add_argument("--managed-baselines", type=managed_baselines, default=None, help="JSON: data_bias, model_bias, min_group_size")
    parser.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1, help="tokenizing processes (default: one per core)")
    parser.add_argument("--ingest-in-flight", type=positive_int, default=feature_ingest.DEFAULT_IN_FLIGHT, help="PutRecord calls at a time")
    parser.add_argument("--ingest-max-attempts", type=positive_int, default=feature_ingest.DEFAULT_MAX_ATTEMPTS, help="attempts per record (throttling, transient errors)")
    parser.add_argument("--failures-dir", default="", help="where records that could not be ingested are written (default: <output-dir>/ingest-failures)")
    parser.add_argument("--resource-config", default=RESOURCE_CONFIG, help="SageMaker's description of the processing cluster")
    return parser.parse_args(argv)


class IngestFailed(SystemExit):
    """Some records could not be put into the feature group (they are in the failures file)."""


def run(
    args: argparse.Namespace,
    tokenizer_loader: Callable[[str], Any] | None = None,
    featurestore_client: Any | None = None,
    s3_client: Any | None = None,
) -> dict[str, int]:
    """This instance's share of the step: returns its number of records per split. The first host
    then removes what an earlier execution left in the table (``--table-uri``)."""
    host, hosts = processing_host(args.resource_config)
    if args.table_uri and not args.event_time:
        raise ValueError("--table-uri needs --event-time: the execution's start, before which what the table holds is stale")
    counts = prepare_share(args, host, hosts, tokenizer_loader, featurestore_client)
    if args.table_uri and host == hosts[0]:
        # After its share: a share that fails leaves the table as it was.
        stale = remove_stale_files(s3_client or boto3.client("s3"), args.table_uri, args.event_time)
        print(json.dumps({"host": host, "stale_table_files_deleted": len(stale)}))
    return counts


def prepare_share(
    args: argparse.Namespace,
    host: str,
    hosts: list[str],
    tokenizer_loader: Callable[[str], Any] | None,
    featurestore_client: Any | None,
) -> dict[str, int]:
    """The step on this instance's share of the raw files: its number of records per split."""
    paths = sorted(glob.glob(os.path.join(args.input_dir, "**", "*.csv"), recursive=True))
    if not paths and len(hosts) > 1:
        if args.managed_baselines and host == hosts[0]:
            raise ValueError(
                f"{host} got no raw file, and the first host writes the managed engine's bias baselines: "
                f"give the raw input at least as many files as ProcessingInstanceCount ({len(hosts)})"
            )
        # ShardedByS3Key gave this instance no file: there is nothing for it to prepare.
        print(json.dumps({"host": host, "hosts": len(hosts), "records": {}, "note": "no input file on this instance"}))
        return {}
    df = clean(load_reviews(paths), args.min_reviews_per_category)
    # The course's reviews table holds every cleaned review (the imbalance the queries show);
    # balancing applies to the training data only.
    reviews_dir = os.path.join(args.output_dir, "reviews")
    os.makedirs(reviews_dir, exist_ok=True)
    df[[LABEL_FEATURE, "review_body", "product_category"]].astype({LABEL_FEATURE: "int32"}).to_parquet(
        os.path.join(reviews_dir, f"reviews-{host}.parquet"), index=False
    )
    if args.balance_dataset:
        df = balance(df, args.seed)
    # One tokenizer thread per worker process: --workers sets the parallelism.
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    tokenizer = (tokenizer_loader or load_tokenizer)(args.tokenizer_dir)
    df["input_ids"] = encode(df["review_body"].tolist(), tokenizer, args.max_seq_length, args.workers)
    parts = split(df, args.train_split_percentage, args.validation_split_percentage, args.test_split_percentage, args.seed)
    event_time = args.event_time or default_event_time()
    counts = {}
    for name, part in parts.items():
        write_jsonl(part, os.path.join(args.output_dir, "sentiment", name, f"{name}-{host}.jsonl"))
        counts[name] = len(part)
    if args.managed_baselines:
        write_managed_baselines(parts, args.managed_baselines, args.output_dir, host, first=host == hosts[0])
    summary = {"host": host, "hosts": len(hosts), "records": counts, "feature_group": args.feature_group_name or None}
    if args.feature_group_name:
        records = [record for name, part in parts.items() for record in feature_records(part, name, event_time)]
        if featurestore_client is None:  # the calls in flight spread over the worker processes
            ingested = feature_ingest.ingest_in_processes(records, args.feature_group_name, args.ingest_in_flight, args.workers, args.ingest_max_attempts)
        else:
            ingested = feature_ingest.ingest(records, args.feature_group_name, featurestore_client, args.ingest_in_flight)
        summary["ingested"] = ingested.put
        if ingested.failed:
            failures = os.path.join(args.failures_dir or os.path.join(args.output_dir, "ingest-failures"), f"failed-{host}.jsonl")
            feature_ingest.write_failures(ingested.failed, failures)
            print(json.dumps({**summary, "failed": len(ingested.failed)}))
            raise IngestFailed(
                f"{len(ingested.failed)} of {len(records)} records could not be put into feature group {args.feature_group_name} "
                f"(the first: {ingested.failed[0][1]}); they are in {failures}"
            )
    print(json.dumps(summary))
    return counts


if __name__ == "__main__":
    run(parse_args(sys.argv[1:]))
