"""No file of an earlier run is read as current data: the Processing step's first instance deletes
what an earlier execution left in the reviews table's prefix (``--table-uri``), through S3 as the
local stand-in serves it, and a second local run on fewer instances leaves only its own files."""

from __future__ import annotations

import json
import os
import time

import boto3

from conftest import RENDERED_DIR, bert
from local_runner import runner as local
from local_runner.aws_standins import AwsStandIns

prep = bert("prepare_data")

DEFINITION = RENDERED_DIR / "bert-sentiment.json"
SETTINGS = RENDERED_DIR / "bert-sentiment.local.json"


def s3_client(standins: AwsStandIns):
    return boto3.client("s3", endpoint_url=standins.endpoint, region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local")


def test_objects_written_before_the_execution_started_are_deleted_and_none_after(tmp_path):
    table = tmp_path / "s3" / "lake" / "transformed" / "reviews"
    table.mkdir(parents=True)
    hour_ago = time.time() - 3600
    for name in ("reviews-algo-1.parquet", "reviews-algo-2.parquet", "part/deeper.parquet"):
        (table / name).parent.mkdir(parents=True, exist_ok=True)
        (table / name).write_text("old")
        os.utime(table / name, (hour_ago, hour_ago))
    (table / "reviews-algo-3.parquet").write_text("new")  # written after the start
    (tmp_path / "s3" / "lake" / "transformed" / "reviews-dresses").mkdir(parents=True)
    (tmp_path / "s3" / "lake" / "transformed" / "reviews-dresses" / "old.parquet").write_text("another table")
    os.utime(tmp_path / "s3" / "lake" / "transformed" / "reviews-dresses" / "old.parquet", (hour_ago, hour_ago))
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    with AwsStandIns({}, tmp_path / "fs", s3_root=tmp_path / "s3") as standins:
        deleted = prep.remove_stale_files(s3_client(standins), "s3://lake/transformed/reviews/", started)
        calls = dict(standins.calls)
    assert sorted(deleted) == ["transformed/reviews/part/deeper.parquet", "transformed/reviews/reviews-algo-1.parquet", "transformed/reviews/reviews-algo-2.parquet"]
    assert sorted(p.name for p in table.rglob("*") if p.is_file()) == ["reviews-algo-3.parquet"]
    assert (tmp_path / "s3" / "lake" / "transformed" / "reviews-dresses" / "old.parquet").exists()  # another prefix, though it starts alike
    assert calls["s3:DeleteObjects"] == 1


def test_the_table_uri_needs_the_execution_start(tmp_path):
    args = prep.parse_args(["--table-uri", "s3://lake/transformed/reviews/", "--resource-config", str(tmp_path / "none.json")])
    try:
        prep.run(args)
    except ValueError as error:
        assert "--table-uri needs --event-time" in str(error)
    else:
        raise AssertionError("not refused")


def test_a_second_run_on_fewer_instances_leaves_no_file_of_the_first_in_the_table(tmp_path):
    definition = json.loads(DEFINITION.read_text())
    prepare = next(s for s in definition["Steps"] if s["Name"] == "Processing")
    outputs = prepare["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    table_uri = next(o["S3Output"]["S3Uri"] for o in outputs if o["OutputName"] == "reviews")
    assert table_uri.endswith("/transformed/reviews/")
    only_prepare = {**definition, "Steps": [prepare]}
    settings = json.loads(SETTINGS.read_text())
    table = local.LocalRun({"Steps": []}, tmp_path).s3_path(table_uri)

    def run(instances: int) -> dict:
        params = {"ProcessingInstanceCount": str(instances), "MaxSeqLength": "32"}
        return local.LocalRun(only_prepare, tmp_path, local=settings, parameters=params, log=lambda _: None).run()

    first = run(2)
    assert first["status"] == "Succeeded", first["message"]
    assert sorted(p.name for p in table.iterdir()) == ["reviews-algo-1.parquet", "reviews-algo-2.parquet"]
    time.sleep(1.1)  # the event time is to the second: the second run starts after the first's files
    second = run(1)
    assert second["status"] == "Succeeded", second["message"]
    assert sorted(p.name for p in table.iterdir()) == ["reviews-algo-1.parquet"]
    stand_ins = {s["api"]: s["calls"] for s in second["local"]["standIns"]}
    assert stand_ins["s3:DeleteObjects"] == 1
