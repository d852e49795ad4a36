"""train.py on two hosts: PyTorch's distributed data parallel over gloo, two local processes as
sagemaker-training starts them (SM_HOSTS, SM_CURRENT_HOST), against one process.

Two ranks of batch b over the same epoch order are one process of batch 2b (each rank takes every
other record of the order, the gradients are averaged), so with dropout off the two runs must end
with the same model. The first rank writes the model, the checkpoint and the health report; the
second writes nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CODE_DIR, CODE_PATH, MODEL_CODE, bert
from local_runner.steps.training import free_port

RECORDS = 32  # four steps of 8 (one process) or of 4 per rank (two)
ARGUMENTS = ["--epochs", "2", "--learning_rate", "0.005", "--train_steps_per_epoch", "100", "--run_validation", "false", "--seed", "7"]


@pytest.fixture(scope="module")
def data(tmp_path_factory, tiny_pretrained, test_split_dir) -> dict[str, Path]:
    """The tiny model without dropout (so two runs can agree exactly) and 32 prepared records."""
    root = tmp_path_factory.mktemp("ddp")
    pretrained = root / "pretrained"
    shutil.copytree(tiny_pretrained, pretrained)
    config = json.loads((pretrained / "config.json").read_text())
    config.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    (pretrained / "config.json").write_text(json.dumps(config))
    records = (test_split_dir / "test.jsonl").read_text().splitlines()
    assert len(records) >= RECORDS
    (root / "train").mkdir()
    (root / "train" / "part.jsonl").write_text("\n".join(records[:RECORDS]) + "\n")
    return {"root": root, "pretrained": pretrained, "train": root / "train"}


def train(data: dict[str, Path], name: str, hosts: list[str], batch_size: int) -> dict[str, Path]:
    """Runs train.py once per host, side by side; each host's folder."""
    port = str(free_port())
    folders, processes = {}, []
    for host in hosts:
        folder = data["root"] / name / host
        folders[host] = folder
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "SM_HOSTS": json.dumps(hosts), "SM_CURRENT_HOST": host, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": port, "OMP_NUM_THREADS": "1",
            "PYTHONPATH": CODE_PATH,  # the job's code folder holds the step-code library too
        }
        command = [
            sys.executable, str(CODE_DIR / "train.py"), *ARGUMENTS, "--train_batch_size", str(batch_size),
            "--train", str(data["train"]), "--pretrained", str(data["pretrained"]),
            "--model_dir", str(folder / "model"), "--output_data_dir", str(folder / "output"), "--checkpoint_dir", str(folder / "checkpoints"),
        ]
        folder.mkdir(parents=True)
        processes.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output[-3000:]
    return folders


def predictions(model_dir: Path):
    import torch
    from transformers import RobertaForSequenceClassification

    model = RobertaForSequenceClassification.from_pretrained(model_dir).eval()
    ids = torch.tensor([[0, 50, 60, 70, 2, 1, 1, 1], [0, 80, 90, 2, 1, 1, 1, 1]])
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=(ids != 1).long()).logits, {k: v.clone() for k, v in model.state_dict().items()}


@pytest.fixture(scope="module")
def runs(data):
    return train(data, "one", ["algo-1"], batch_size=8), train(data, "two", ["algo-1", "algo-2"], batch_size=4)


def test_two_ranks_of_half_the_batch_train_the_same_model_as_one_process(runs):
    import torch

    one, two = runs
    single_logits, single_state = predictions(one["algo-1"] / "model")
    ranked_logits, ranked_state = predictions(two["algo-1"] / "model")
    assert torch.allclose(single_logits, ranked_logits, atol=1e-4), (single_logits, ranked_logits)
    worst = max(float((single_state[k] - ranked_state[k]).abs().max()) for k in single_state)
    assert worst < 1e-4
    # ... and training moved the weights (the two runs did not both stand still).
    _, before = predictions(runs[0]["algo-1"].parents[1] / "pretrained")
    assert max(float((before[k] - single_state[k]).abs().max()) for k in before if k in single_state) > 1e-3


def test_only_the_first_rank_writes_the_model_the_checkpoint_and_the_health_report(runs):
    _, two = runs
    first, second = two["algo-1"], two["algo-2"]
    assert (first / "model" / "training_health.json").exists() and (first / "checkpoints" / "checkpoint.pt").exists()
    assert sorted(p.name for p in (first / "model" / "code").iterdir()) == sorted(MODEL_CODE)
    for folder in ("model", "output", "checkpoints"):
        assert not (second / folder).exists() or not any((second / folder).iterdir()), folder


def test_a_host_that_is_not_in_the_job_is_refused():
    train = bert("train")
    with pytest.raises(ValueError, match=r"SM_CURRENT_HOST 'algo-3' is not one of SM_HOSTS \['algo-1', 'algo-2'\]"):
        train.Cluster(["algo-1", "algo-2"], "algo-3")
