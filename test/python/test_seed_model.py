"""`npm run seed-model` (scripts/seed_model/seed.py), as a user runs it: a subprocess with the hub
client pointed at a stand-in for the hub on the loopback address (HF_ENDPOINT) serving a tiny
RoBERTa's files, and AWS at moto's server (AWS_ENDPOINT_URL) holding the data-lake stack's outputs,
the lake bucket and its key. Nothing reaches the network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import boto3
import pytest
from conftest import ROOT
from hub_stand_in import HubStandIn

SEED = ROOT / "scripts" / "seed_model" / "seed.py"
REPO = "FacebookAI/roberta-base"
COMMIT = "e2da8e2f811d1448a5b465c236feacd80ffbac7b"
FILES = ["config.json", "model.safetensors", "vocab.json", "merges.txt", "tokenizer.json"]
PREFIX = "models/roberta-base/"
STACK = "pds-dev-data-lake"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def aws():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture()
def lake(aws, tmp_path):
    """The data-lake stack (its outputs), an empty lake bucket and its key, in a fresh moto account."""
    # moto's server keeps its state across tests: start each from nothing.
    urllib.request.urlopen(urllib.request.Request(f"{aws}/moto-api/reset", method="POST")).read()
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    key_arn = session.client("kms", endpoint_url=aws).create_key(Description="lake")["KeyMetadata"]["Arn"]
    bucket = "pds-dev-data-lake-storagebucket5cb7c8ea"
    template = {
        "Resources": {"StorageBucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}}},
        "Outputs": {"LakeBucketName": {"Value": {"Ref": "StorageBucket"}}, "LakeKeyArn": {"Value": key_arn}},
    }
    session.client("cloudformation", endpoint_url=aws).create_stack(StackName=STACK, TemplateBody=json.dumps(template))
    return {"bucket": bucket, "key_arn": key_arn, "s3": session.client("s3", endpoint_url=aws)}


@pytest.fixture(scope="module")
def hub(tiny_pretrained):
    with HubStandIn(REPO, COMMIT, tiny_pretrained) as stand_in:
        yield stand_in


def write_plan(tmp_path: Path, **changes) -> Path:
    model = {"repository": REPO, "revision": COMMIT, "files": FILES, "lakePrefix": PREFIX, "families": ["bert-sentiment"], **changes}
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"lakeStack": STACK, "region": REGION, "models": [model]}))
    return plan


def run_seed(tmp_path: Path, aws: str, hub: HubStandIn | None, *args: str, credentials: bool = True, plan: Path | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "HF_", "TRANSFORMERS_"))}
    env.update({"HF_HOME": str(tmp_path / "hf-home"), "AWS_ENDPOINT_URL": aws, "AWS_CONFIG_FILE": str(tmp_path / "none"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_EC2_METADATA_DISABLED": "true", "HF_HUB_DISABLE_TELEMETRY": "1"})
    if hub:
        env["HF_ENDPOINT"] = hub.url
    if credentials:
        env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    command = [sys.executable, str(SEED), "--plan", str(plan or write_plan(tmp_path)), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def lake_objects(lake) -> dict[str, dict]:
    listed = lake["s3"].list_objects_v2(Bucket=lake["bucket"]).get("Contents", [])
    return {o["Key"]: lake["s3"].head_object(Bucket=lake["bucket"], Key=o["Key"]) for o in listed}


def test_seeds_the_declared_files_checked_and_encrypted_then_uploads_nothing_the_second_time(tmp_path, aws, hub, lake, tiny_pretrained):
    first = run_seed(tmp_path, aws, hub)
    assert first.returncode == 0, first.stderr
    objects = lake_objects(lake)
    assert sorted(objects) == sorted(PREFIX + name for name in FILES)
    for name in FILES:
        head = objects[PREFIX + name]
        body = lake["s3"].get_object(Bucket=lake["bucket"], Key=PREFIX + name)["Body"].read()
        assert body == (tiny_pretrained / name).read_bytes()
        assert head["ServerSideEncryption"] == "aws:kms"
        assert head["SSEKMSKeyId"].endswith(lake["key_arn"].split("/")[-1])
        assert head["Metadata"]["source-repository"] == REPO and head["Metadata"]["source-revision"] == COMMIT
    # Both kinds of hash were checked: the weights are "in LFS" (sha256), the config is not (blob sha1).
    assert f"HEAD /{REPO}/resolve/{COMMIT}/model.safetensors" in hub.requests
    assert "uploaded 5 files" in first.stderr
    assert "upload model.safetensors" in first.stderr  # the upload's progress bar

    hub.requests.clear()
    second = run_seed(tmp_path, aws, hub)
    assert second.returncode == 0, second.stderr
    assert "already in the lake: nothing to upload" in second.stderr
    assert hub.requests == []  # not even the hub is asked
    assert {k: v["LastModified"] for k, v in lake_objects(lake).items()} == {k: v["LastModified"] for k, v in objects.items()}


def test_a_wrong_commit_is_named_and_nothing_is_uploaded(tmp_path, aws, hub, lake):
    wrong = "0" * 40
    result = run_seed(tmp_path, aws, hub, plan=write_plan(tmp_path, revision=wrong))
    assert result.returncode == 1
    assert f"{REPO} has no commit {wrong} on the hub" in result.stderr
    assert "bert-sentiment" in result.stderr
    assert lake_objects(lake) == {}


def flipped(content: bytes) -> bytes:
    """The same size, one bit changed: what only a hash catches."""
    return content[:-1] + bytes([content[-1] ^ 1])


def test_a_small_file_whose_git_hash_differs_from_the_hubs_fails_before_anything_is_uploaded(tmp_path, aws, hub, lake, tiny_pretrained):
    hub.served["vocab.json"] = flipped((tiny_pretrained / "vocab.json").read_bytes())
    try:
        result = run_seed(tmp_path, aws, hub)
    finally:
        hub.served.clear()
    assert result.returncode == 1
    assert "vocab.json of FacebookAI/roberta-base at e2da8e2f811d is not what the hub reports: its git blob sha1 is" in result.stderr
    assert "Nothing was uploaded" in result.stderr
    assert lake_objects(lake) == {}  # not even the files downloaded before it
    # The bad copy left the cache: a second run downloads it again (and now gets the right one).
    again = run_seed(tmp_path, aws, hub)
    assert again.returncode == 0, again.stderr


def test_a_large_file_is_checked_by_its_sha256_and_a_truncated_one_by_the_client(tmp_path, aws, hub, lake, tiny_pretrained):
    weights = (tiny_pretrained / "model.safetensors").read_bytes()
    hub.served["model.safetensors"] = flipped(weights)
    try:
        result = run_seed(tmp_path, aws, hub)
        assert result.returncode == 1
        assert "model.safetensors of FacebookAI/roberta-base at e2da8e2f811d is not what the hub reports: its sha256 is" in result.stderr
        hub.served["model.safetensors"] = weights[:1000]
        result = run_seed(tmp_path, aws, hub)
        assert result.returncode == 1
        assert "Downloading model.safetensors of FacebookAI/roberta-base at e2da8e2f811d failed" in result.stderr
        assert "Nothing was uploaded; run again to resume." in result.stderr
    finally:
        hub.served.clear()
    assert lake_objects(lake) == {}


def test_a_declared_file_the_commit_lacks_is_named(tmp_path, aws, hub, lake):
    result = run_seed(tmp_path, aws, hub, plan=write_plan(tmp_path, files=[*FILES, "pytorch_model.bin"]))
    assert result.returncode == 1
    assert "has no pytorch_model.bin: correct the files that bert-sentiment declares" in result.stderr
    assert lake_objects(lake) == {}


def test_from_a_local_folder_without_the_hub(tmp_path, aws, lake, tiny_pretrained):
    result = run_seed(tmp_path, aws, None, "--from", str(tiny_pretrained))
    assert result.returncode == 0, result.stderr
    assert sorted(lake_objects(lake)) == sorted(PREFIX + name for name in FILES)

    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "config.json").write_bytes((tiny_pretrained / "config.json").read_bytes())
    lake["s3"].delete_object(Bucket=lake["bucket"], Key=PREFIX + "vocab.json")
    result = run_seed(tmp_path, aws, None, "--from", str(partial))
    assert result.returncode == 1
    assert f"{partial} lacks model.safetensors, vocab.json, merges.txt, tokenizer.json" in result.stderr


def test_a_missing_stack_and_missing_credentials_are_said_plainly(tmp_path, aws, hub, lake):
    plan = tmp_path / "other-stage.json"
    plan.write_text(json.dumps({"lakeStack": "pds-prod-data-lake", "region": REGION, "models": json.loads(write_plan(tmp_path).read_text())["models"]}))
    result = run_seed(tmp_path, aws, hub, plan=plan)
    assert result.returncode == 1
    assert "The stack pds-prod-data-lake is not deployed in us-east-1 for these credentials" in result.stderr
    assert "npm run cdk -- deploy --all" in result.stderr

    result = run_seed(tmp_path, aws, hub, credentials=False)
    assert result.returncode == 1
    assert "seed-model: no AWS credentials" in result.stderr
    assert "Traceback" not in result.stderr
    assert lake_objects(lake) == {}


def test_an_upload_that_breaks_off_leaves_the_models_prefix_as_it_was(tmp_path, aws, lake, tiny_pretrained, monkeypatch):
    """In-process, with the S3 client failing the third upload (a connection lost halfway)."""
    sys.path.insert(0, str(SEED.parent))
    import seed

    monkeypatch.setenv("AWS_ENDPOINT_URL", aws)
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)

    class Breaking:
        def __init__(self):
            self.session, self.uploads = session, 0

        def client(self, name):
            client = self.session.client(name)
            if name == "s3":
                upload_file = client.upload_file

                def breaking(*args, **kwargs):
                    self.uploads += 1
                    if self.uploads == 3:
                        raise ConnectionError("connection lost")
                    return upload_file(*args, **kwargs)

                client.upload_file = breaking
            return client

    plan = seed.read_plan(write_plan(tmp_path))
    with pytest.raises(ConnectionError):
        seed.seed(plan, tiny_pretrained, None, session=Breaking())
    assert lake_objects(lake) == {}  # nothing in the model's prefix, the staging prefix emptied
    assert seed.seed(plan, tiny_pretrained, None, session=session) == len(FILES)
    assert sorted(lake_objects(lake)) == sorted(PREFIX + name for name in FILES)
