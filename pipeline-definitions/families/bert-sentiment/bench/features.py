"""The feature-engineering benchmark (not a test): the BERT pipeline's preparation step at scale.

    python pipeline-definitions/families/bert-sentiment/bench/features.py --out FILE [--rows N] [--latency-ms MS] [--in-flight N]

On a synthetic dataset of at least ``--rows`` reviews made from the sample (its reviews repeated,
each copy with other clothing ids, so every review has its own id), written as 8 CSV files:

- the step's rows per second on one core (``taskset`` to one CPU, ``--workers 1``, one tokenizer
  thread; class balancing off so every review is tokenized), timed around ``prepare_data.run``
  in its own process once its libraries are imported, beside the fast tokenizer's own batch
  throughput on the same texts and settings (the ``tokenizers`` library asked what the step asks
  of it: truncation to 128 tokens, the ids), also on one thread: the ceiling;
- the step's wall time as one shard (one process with every file) and as two shards of one
  worker each, run side by side as separate processes with half the files each, as
  ``ShardedByS3Key`` gives them;
- Feature Store ingestion (feature_ingest.py, with real boto3 clients) against a stand-in in
  another process that answers each PutRecord after ``--latency-ms``, with
  ``--in-flight`` calls at a time over ``--ingest-processes`` processes (default one per core, as
  the step spreads them over its workers).

The tokenizer is a byte-level BPE one trained on the sample (tiny_model.py), as no hub is reached.
Writes ``{"features": {...}}`` to FILE and prints a summary; the targets are read, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
FAMILY = Path(__file__).resolve().parents[1]
CODE = FAMILY / "code"
LIBRARY = ROOT / "pipeline-definitions" / "step_library"
# The job's code folder holds BERT's scripts and the step-code library side by side.
CODE_PATH = os.pathsep.join([str(CODE), str(LIBRARY)])
SAMPLE = ROOT / "data" / "sample" / "reviews"
sys.path[:0] = [str(CODE), str(LIBRARY), str(ROOT / "pipeline-definitions"), str(FAMILY / "local")]

FILES = 8
MAX_SEQ_LENGTH = 128
TARGETS = {"tokenizerShare": 0.5, "twoShardsRatio": 0.65, "ingestShare": 0.7}
ONE_THREAD = {"TOKENIZERS_PARALLELISM": "false", "RAYON_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# Times prepare_data.run in a process of its own. argv: the step's arguments as JSON.
STEP = r"""
import json, os, sys, time
sys.path[:0] = sys.argv[1].split(os.pathsep)
import prepare_data
import pyarrow.parquet, tokenizers  # imported before the clock starts: the figure is the step's work per row
args = prepare_data.parse_args(json.loads(sys.argv[2]))
began = time.perf_counter()
counts = prepare_data.run(args)
print(json.dumps({"seconds": time.perf_counter() - began, "records": sum(counts.values())}))
"""

# The fast tokenizer alone (the tokenizers library) on the same texts, asked what the step asks
# of it (truncation to the sequence length; the step pads the ids as text), with the ids taken
# out of each encoding. argv: tokenizer dir, texts file, sequence length.
TOKENIZER = r"""
import json, sys, time
from tokenizers import Tokenizer
tokenizer = Tokenizer.from_file(sys.argv[1] + "/tokenizer.json")
tokenizer.enable_truncation(int(sys.argv[3]))
texts = json.load(open(sys.argv[2]))
tokenizer.encode_batch(texts[:1000])
began = time.perf_counter()
for start in range(0, len(texts), 2000):
    [encoding.ids for encoding in tokenizer.encode_batch(texts[start:start + 2000])]
print(json.dumps({"seconds": time.perf_counter() - began}))
"""

# A Feature Store stand-in in a process of its own that answers every call ``{}`` after the
# latency (asyncio: its own cost stays small; the local runner's stand-in, which checks and stores
# each record, would be measured with it). argv: latency in seconds. Prints its endpoint.
STANDIN = r"""
import asyncio, sys
latency = float(sys.argv[1])
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"

async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
            await reader.readexactly(length)
            await asyncio.sleep(latency)
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()

async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    print(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""


def synthetic_dataset(folder: Path, rows: int) -> int:
    """Writes the sample's reviews repeated into FILES CSV files, at least ``rows`` in all; the count."""
    reviews = []
    header = None
    for part in sorted(SAMPLE.glob("*.csv")):
        with part.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames
            reviews += [r for r in reader if r["Review Text"].strip() and r["Rating"].strip() and r["Class Name"].strip()]
    copies = -(-rows // len(reviews))
    folder.mkdir(parents=True, exist_ok=True)
    handles = [(folder / f"reviews-{n + 1}.csv").open("w", newline="", encoding="utf-8") for n in range(FILES)]
    writers = [csv.DictWriter(h, fieldnames=header) for h in handles]
    for writer in writers:
        writer.writeheader()
    written = 0
    for copy in range(copies):
        for review in reviews:
            writers[written % FILES].writerow({**review, "Clothing ID": f"{review['Clothing ID']}-{copy}"})
            written += 1
    for handle in handles:
        handle.close()
    return written


def step_arguments(input_dir: Path, output_dir: Path, tokenizer_dir: Path) -> list[str]:
    return [
        "--input-dir", str(input_dir), "--output-dir", str(output_dir), "--tokenizer-dir", str(tokenizer_dir),
        "--balance-dataset", "false", "--max-seq-length", str(MAX_SEQ_LENGTH), "--workers", "1",
        "--resource-config", str(output_dir / "no-cluster.json"),
    ]


def run_json(command: list[str], env: dict[str, str] | None = None) -> dict:
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **ONE_THREAD, **(env or {})})
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command[:3])} ... exited with {done.returncode}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def one_core() -> list[str]:
    return ["taskset", "-c", "0"] if sys.platform.startswith("linux") else []


def step_on_one_core(work: Path, data: Path, tokenizer_dir: Path) -> dict:
    out = work / "one-core"
    return run_json([*one_core(), sys.executable, "-c", STEP, CODE_PATH, json.dumps(step_arguments(data, out, tokenizer_dir))])


def tokenizer_on_one_thread(work: Path, data: Path, tokenizer_dir: Path) -> tuple[int, float]:
    import prepare_data

    texts = prepare_data.clean(prepare_data.load_reviews(sorted(str(p) for p in data.glob("*.csv"))))["review_body"].tolist()
    (work / "texts.json").write_text(json.dumps(texts))
    timing = run_json([*one_core(), sys.executable, "-c", TOKENIZER, str(tokenizer_dir), str(work / "texts.json"), str(MAX_SEQ_LENGTH)])
    return len(texts), len(texts) / timing["seconds"]


def shards(work: Path, data: Path, tokenizer_dir: Path, count: int) -> float:
    """Wall time of ``count`` step processes side by side (one worker each), each with its share of the files."""
    from local_runner.steps.processing import share as share_of

    files = sorted(data.glob("*.csv"))
    processes = []
    began = time.perf_counter()
    for index in range(count):
        share = work / f"shards-{count}" / f"input-{index}"
        share.mkdir(parents=True)
        for path in share_of(files, index, count):  # as the local runner deals ShardedByS3Key files
            os.symlink(path, share / path.name)
        args = step_arguments(share, work / f"shards-{count}" / f"output-{index}", tokenizer_dir)
        processes.append(subprocess.Popen([sys.executable, "-c", STEP, CODE_PATH, json.dumps(args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **ONE_THREAD}))
    for process in processes:
        _, error = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"bench: a shard exited with {process.returncode}:\n{error[-3000:]}")
    return time.perf_counter() - began


def ingest(latency_ms: float, in_flight: int, records: int, processes: int) -> float:
    import feature_ingest

    server = subprocess.Popen([sys.executable, "-c", STANDIN, str(latency_ms / 1000)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        endpoint = server.stdout.readline().strip()
        os.environ.update({"AWS_ENDPOINT_URL_SAGEMAKER_FEATURESTORE_RUNTIME": endpoint, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"})
        batch = [
            [{"FeatureName": name, "ValueAsString": value} for name, value in
             {"review_id": f"r{i}", "date": "2026-01-02T03:04:05Z", "sentiment": "1", "label_id": "2", "input_ids": "[" + ", ".join(["31414"] * MAX_SEQ_LENGTH) + "]",
              "review_body": "Love this dress, it fits perfectly and the fabric is soft", "product_category": "Dresses", "split_type": "train"}.items()]
            for i in range(records)
        ]
        began = time.perf_counter()
        done = feature_ingest.ingest_in_processes(batch, "bench-reviews", in_flight, processes)
        seconds = time.perf_counter() - began
        if done.failed:
            raise SystemExit(f"bench: {len(done.failed)} records failed: {done.failed[0][1]}")
        return records / seconds
    finally:
        server.stdin.close()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--ingest-records", type=int, default=3000)
    parser.add_argument("--ingest-processes", type=int, default=os.cpu_count() or 1, help="as the step: one per core")
    args = parser.parse_args(argv)
    from tiny_model import build_tiny_roberta, read_texts

    with tempfile.TemporaryDirectory(prefix="bench-features-") as temp:
        work = Path(temp)
        data = work / "raw"
        rows = synthetic_dataset(data, args.rows)
        tokenizer_dir = build_tiny_roberta(work / "tokenizer", read_texts(SAMPLE, "Review Text"), max_positions=MAX_SEQ_LENGTH, vocab_size=2000)
        step = step_on_one_core(work, data, tokenizer_dir)
        texts, tokenizer_rate = tokenizer_on_one_thread(work, data, tokenizer_dir)
        shard_times = [{"count": count, "seconds": round(shards(work, data, tokenizer_dir, count), 2)} for count in (1, 2)]
        ingest_rate = ingest(args.latency_ms, args.in_flight, args.ingest_records, args.ingest_processes)
    figures = {
        "rows": rows,
        "cleanedRows": texts,
        "rowsPerSecond": round(texts / step["seconds"], 1),
        "tokenizerRowsPerSecond": round(tokenizer_rate, 1),
        "shards": shard_times,
        "ingest": {"latencyMs": args.latency_ms, "inFlight": args.in_flight, "processes": args.ingest_processes, "recordsPerSecond": round(ingest_rate, 1)},
        "targets": TARGETS,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"features": figures}, indent=2) + "\n")
    ceiling = args.in_flight / (args.latency_ms / 1000)
    print(f"features: {rows} rows ({texts} after cleaning), 1 core")
    print(f"  step {figures['rowsPerSecond']:.0f} rows/s; tokenizer alone {tokenizer_rate:.0f} rows/s; share {figures['rowsPerSecond'] / tokenizer_rate:.2f} (target at least {TARGETS['tokenizerShare']})")
    print(f"  1 shard {shard_times[0]['seconds']:.2f} s, 2 shards {shard_times[1]['seconds']:.2f} s: ratio {shard_times[1]['seconds'] / shard_times[0]['seconds']:.2f} (target at most {TARGETS['twoShardsRatio']})")
    print(f"  ingest {ingest_rate:.0f} records/s with {args.in_flight} in flight ({args.ingest_processes} processes) at {args.latency_ms:g} ms: {ingest_rate / ceiling:.2f} of {ceiling:.0f} (target at least {TARGETS['ingestShare']})")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
