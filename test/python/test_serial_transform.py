"""The local batch transform of a serial inference pipeline (a model of several containers): each
request goes through the containers in order, each container's answer is the next one's request in
the type it answered in (a container before the last answers in its
SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT), and each container runs its own code modules."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from local_runner import transform_job

# Container A: JSON lines in, the texts upper-cased out as CSV; its helper module says "a".
ADAPTER = '''
import os, sys, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helper
def model_fn(model_dir): return None
def input_fn(body, content_type):
    assert content_type == "application/jsonlines", content_type
    return [json.loads(line)["text"] for line in body.decode().splitlines() if line.strip()]
def predict_fn(texts, model): return [t.upper() for t in texts]
def output_fn(texts, accept):
    assert accept == "text/csv", accept
    return "".join(f"{t},{helper.NAME}\\n" for t in texts)
'''
# Container B: CSV in, JSON lines out, naming both helpers; its helper module says "b".
SCORER = '''
import os, sys, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helper
def model_fn(model_dir): return None
def input_fn(body, content_type):
    assert content_type == "text/csv" and isinstance(body, str), (content_type, type(body))
    return [line.split(",") for line in body.splitlines() if line]
def predict_fn(rows, model): return [{"label": text, "by": f"{by}>{helper.NAME}"} for text, by in rows]
def output_fn(answers, accept): return "".join(json.dumps(a) + "\\n" for a in answers)
'''


def archive(folder: Path, inference: str, helper: str) -> Path:
    code = folder / "model" / "code"
    code.mkdir(parents=True)
    (code / "inference.py").write_text(inference)
    (code / "helper.py").write_text(f"NAME = {helper!r}\n")
    target = folder / "model.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        tar.add(code, arcname="code")
    return target


def test_each_request_goes_through_the_containers_in_order_each_with_its_own_code(tmp_path):
    containers = tmp_path / "containers.json"
    containers.write_text(json.dumps([
        {"archive": str(archive(tmp_path / "a", ADAPTER, "a")), "environment": {"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"}},
        {"archive": str(archive(tmp_path / "b", SCORER, "b")), "environment": {}},
    ]))
    source = tmp_path / "input"
    source.mkdir()
    (source / "test.jsonl").write_text('{"text": "nice", "id": 1}\n{"text": "bad", "id": 2}\n')
    out = tmp_path / "out"
    transform_job.run(containers, source, out, "application/jsonlines", "application/jsonlines", "Input")
    lines = [json.loads(line) for line in (out / "test.jsonl.out").read_text().splitlines()]
    assert lines == [
        {"text": "nice", "id": 1, "SageMakerOutput": {"label": "NICE", "by": "a>b"}},
        {"text": "bad", "id": 2, "SageMakerOutput": {"label": "BAD", "by": "a>b"}},
    ]


def test_a_list_of_no_container_is_refused(tmp_path):
    containers = tmp_path / "containers.json"
    containers.write_text("[]")
    with pytest.raises(transform_job.TransformFailed, match="expected a non-empty list of containers"):
        transform_job.containers_of(containers)


def test_a_container_before_the_last_must_say_what_it_answers_in(tmp_path):
    containers = tmp_path / "containers.json"
    containers.write_text(json.dumps([
        {"archive": str(archive(tmp_path / "a", ADAPTER, "a")), "environment": {}},
        {"archive": str(archive(tmp_path / "b", SCORER, "b")), "environment": {}},
    ]))
    source = tmp_path / "input"
    source.mkdir()
    (source / "test.jsonl").write_text('{"text": "nice"}\n')
    with pytest.raises(transform_job.TransformFailed, match="container 1 of 2 has no SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"):
        transform_job.run(containers, source, tmp_path / "out", "application/jsonlines", "application/jsonlines", "Input")
