"""Training step of the BERT pipeline: fine-tunes RoBERTa for review sentiment (3 classes).

Runs in the Hugging Face PyTorch training container under network isolation: the code arrives
through the ``code`` channel, the pre-trained model and tokenizer through the ``pretrained``
channel, the splits written by the Processing step through ``train`` and ``validation``.

Prints one line per validation, ``val_loss: <float>`` and ``val_acc: <float>``, which the
pipeline's metric definitions read. Writes into the model directory the fine-tuned model (its
``id2label`` the contract's labels: class id → sentiment as text), its tokenizer, its inference
handlers with the library's serving code and contract (``code/``, model_code.ship) so that hosting
and batch transform need no network, and the training-health report (``training_health.json``; see
training_health.py).

On several instances (the job's InstanceCount: sagemaker-training's ``SM_HOSTS`` and
``SM_CURRENT_HOST``) it trains with PyTorch's distributed data parallel, one process per host
(gloo on CPUs, NCCL on GPUs; the process group listens on the first host, ``MASTER_ADDR`` and
``MASTER_PORT`` where set): each rank reads its share of every epoch's shuffled training data
(``train_batch_size`` records per rank and step, the gradients averaged over the ranks), so one
step on n hosts is one step of n × train_batch_size records. The first rank validates, writes the
checkpoints, the model and the training-health report; the others write nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
from typing import Sequence

import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, Dataset, DistributedSampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from training_health import HealthThresholds, TrainingHealth  # noqa: E402
from cli import str2bool  # noqa: E402
import contract  # noqa: E402
import model_code  # noqa: E402
from contract import CLASS_ID_TO_SENTIMENT  # noqa: E402

NUM_LABELS = len(CLASS_ID_TO_SENTIMENT)
HERE = os.path.dirname(os.path.abspath(__file__))
# The model's handlers, which model_code.ship puts in its code/ folder with the library's serving code.
INFERENCE_SCRIPT = os.path.join(HERE, "inference.py")


def label_maps() -> tuple[dict[int, str], dict[str, int]]:
    """The model config's id2label and label2id: each class id's sentiment, as text."""
    id2label = {class_id: str(sentiment) for class_id, sentiment in CLASS_ID_TO_SENTIMENT.items()}
    return id2label, {label: class_id for class_id, label in id2label.items()}


class JsonLinesDataset(Dataset):
    """Records of a split written by the Processing step (``input_ids`` and ``label_id``)."""

    def __init__(self, directory: str):
        self.records = []
        for name in sorted(os.listdir(directory)):
            if name.endswith(".jsonl"):
                with open(os.path.join(directory, name), encoding="utf-8") as handle:
                    self.records.extend(json.loads(line) for line in handle if line.strip())
        if not self.records:
            raise ValueError(f"no records in {directory}")

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int):
        record = self.records[index]
        return torch.tensor(record["input_ids"], dtype=torch.long), torch.tensor(record["label_id"], dtype=torch.long)




class Cluster:
    """This process's place in the training job: its rank, the number of ranks, every host."""

    def __init__(self, hosts: Sequence[str], current: str):
        if current not in hosts:
            raise ValueError(f"SM_CURRENT_HOST {current!r} is not one of SM_HOSTS {list(hosts)}")
        self.hosts, self.rank, self.world = list(hosts), list(hosts).index(current), len(hosts)
        self.device = torch.device("cpu")

    @classmethod
    def from_environment(cls) -> "Cluster":
        hosts = json.loads(os.environ.get("SM_HOSTS") or '["algo-1"]')
        return cls(hosts, os.environ.get("SM_CURRENT_HOST") or hosts[0])

    @property
    def distributed(self) -> bool:
        return self.world > 1

    @property
    def first(self) -> bool:
        return self.rank == 0

    def start(self, device) -> None:
        """Joins the job's process group (every rank must), listening on the first host."""
        self.device = device
        if self.distributed:
            os.environ.setdefault("MASTER_ADDR", self.hosts[0])
            os.environ.setdefault("MASTER_PORT", "29500")
            dist.init_process_group("nccl" if device.type == "cuda" else "gloo", rank=self.rank, world_size=self.world)

    def wrap(self, model):
        """The model as the ranks train it: under DistributedDataParallel when there are several."""
        if not self.distributed:
            return model
        device_ids = [self.device.index or 0] if self.device.type == "cuda" else None
        return torch.nn.parallel.DistributedDataParallel(model, device_ids=device_ids)

    def mean(self, value: float) -> float:
        """The mean of a value over the ranks (the value itself on one)."""
        if not self.distributed:
            return value
        total = torch.tensor([value], dtype=torch.float64 if self.device.type == "cpu" else torch.float32, device=self.device)
        dist.all_reduce(total)
        return float(total) / self.world

    def first_rank_value(self, value: int) -> int:
        """The first rank's value, on every rank."""
        if not self.distributed:
            return value
        shared = torch.tensor([value], dtype=torch.int64, device=self.device)
        dist.broadcast(shared, src=0)
        return int(shared)

    def stop(self) -> None:
        if self.distributed:
            dist.barrier()
            dist.destroy_process_group()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--learning_rate", type=float, default=1e-5)
    parser.add_argument("--train_batch_size", type=int, default=64)
    parser.add_argument("--train_steps_per_epoch", type=int, default=50)
    parser.add_argument("--validation_batch_size", type=int, default=64)
    parser.add_argument("--validation_steps_per_epoch", type=int, default=50)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--freeze_bert_layer", type=str2bool, default=False)
    parser.add_argument("--run_validation", type=str2bool, default=True)
    parser.add_argument("--max_grad_norm_limit", type=float, default=HealthThresholds.max_grad_norm)
    parser.add_argument("--train", default=env("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"))
    parser.add_argument("--validation", default=env("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation"))
    parser.add_argument("--pretrained", default=env("SM_CHANNEL_PRETRAINED", "/opt/ml/input/data/pretrained"))
    parser.add_argument("--model_dir", default=env("SM_MODEL_DIR", "/opt/ml/model"))
    parser.add_argument("--output_data_dir", default=env("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"))
    parser.add_argument("--checkpoint_dir", default="/opt/ml/checkpoints")
    args, _unknown = parser.parse_known_args(argv)
    return args


def forward(model, input_ids, labels, pad_token_id: int, device):
    """The model on a batch, with padding masked as at inference."""
    input_ids, labels = input_ids.to(device), labels.to(device)
    return model(input_ids=input_ids, attention_mask=(input_ids != pad_token_id).long(), labels=labels), labels


def evaluate(model, loader: DataLoader, max_steps: int, pad_token_id: int = 1, device="cpu") -> tuple[float, float]:
    """Mean loss and accuracy over at most ``max_steps`` batches."""
    model.eval()
    losses, correct, total = [], 0, 0
    with torch.no_grad():
        for step, (input_ids, labels) in enumerate(loader):
            if step >= max_steps:
                break
            output, labels = forward(model, input_ids, labels, pad_token_id, device)
            losses.append(float(output.loss))
            correct += int((output.logits.argmax(dim=-1) == labels).sum())
            total += int(labels.numel())
    model.train()
    return (sum(losses) / len(losses) if losses else math.nan), (correct / total if total else math.nan)


def gradient_norm(model) -> float:
    norms = [p.grad.detach().norm(2) for p in model.parameters() if p.grad is not None]
    return float(torch.norm(torch.stack(norms), 2)) if norms else 0.0


def train(args: argparse.Namespace, cluster: Cluster | None = None) -> dict:
    from transformers import AutoTokenizer, RobertaForSequenceClassification

    cluster = cluster or Cluster.from_environment()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    cluster.start(device)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    model = RobertaForSequenceClassification.from_pretrained(args.pretrained, num_labels=NUM_LABELS)
    model.config.id2label, model.config.label2id = label_maps()
    tokenizer = AutoTokenizer.from_pretrained(args.pretrained)
    if args.freeze_bert_layer:
        for parameter in model.roberta.parameters():
            parameter.requires_grad = False
    train_data = JsonLinesDataset(args.train)
    # Inference pads and truncates to the length the model was trained on.
    tokenizer.model_max_length = len(train_data.records[0]["input_ids"])
    # Each rank its share of each epoch's order (the same order on every rank: seed and epoch).
    sampler = DistributedSampler(train_data, num_replicas=cluster.world, rank=cluster.rank, shuffle=True, seed=args.seed)
    train_loader = DataLoader(train_data, batch_size=args.train_batch_size, sampler=sampler)
    validation_loader = (
        DataLoader(JsonLinesDataset(args.validation), batch_size=args.validation_batch_size)
        if args.run_validation and cluster.first
        else None
    )
    model.to(device)
    pad = tokenizer.pad_token_id
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.learning_rate)
    health = TrainingHealth(HealthThresholds(max_grad_norm=args.max_grad_norm_limit))
    # Every host finds the job's checkpoints (SageMaker copies them to each); the ranks start from
    # the first rank's epoch, and wrapping hands its weights to the others.
    first_epoch = cluster.first_rank_value(resume(model, optimizer, health, args.checkpoint_dir))
    trained = cluster.wrap(model)
    model.train()
    stopped_early = False
    for epoch in range(first_epoch, args.epochs):
        sampler.set_epoch(epoch)
        for step, (input_ids, labels) in enumerate(train_loader):
            if step >= args.train_steps_per_epoch:
                break
            optimizer.zero_grad()
            loss = forward(trained, input_ids, labels, pad, device)[0].loss
            loss.backward()  # distributed: the gradients are averaged over the ranks here
            # Every rank records the same values (the mean loss, the shared gradients), so all stop together.
            step_loss = cluster.mean(float(loss.detach()))
            health.record_step(step_loss, gradient_norm(model))
            if health.diverged:
                stopped_early = True
                break
            optimizer.step()
            if cluster.first:
                print(f"epoch: {epoch} step: {step} train_loss: {step_loss:.4f}", flush=True)
        if stopped_early:
            if cluster.first:
                print("training stopped: the loss or a gradient became non-finite", flush=True)
            break
        if validation_loader is not None:
            val_loss, val_acc = evaluate(model, validation_loader, args.validation_steps_per_epoch, pad, device)
            health.record_validation(val_loss)
            print(f"val_loss: {val_loss:.4f}", flush=True)
            print(f"val_acc: {val_acc:.4f}", flush=True)
        if cluster.first:
            checkpoint(model, optimizer, health, epoch, args.checkpoint_dir)
    report: dict = {}
    if cluster.first:
        model.to("cpu")
        save(model, tokenizer, args.model_dir)
        report = health.write(args.model_dir, args.output_data_dir)
        print(f"training health: {report['status']}", flush=True)
    cluster.stop()
    return report


CHECKPOINT = "checkpoint.pt"


def checkpoint(model, optimizer, health: TrainingHealth, epoch: int, directory: str) -> None:
    """Saves the state after an epoch (SageMaker syncs the folder to S3, e.g. for spot training)."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return  # no checkpoint folder where this runs
    state = {"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict(), "health": health.__dict__}
    torch.save(state, os.path.join(directory, CHECKPOINT))


def resume(model, optimizer, health: TrainingHealth, directory: str) -> int:
    """The epoch to start from: after the last checkpointed one, if a checkpoint exists."""
    path = os.path.join(directory, CHECKPOINT)
    if not os.path.isfile(path):
        return 0
    state = torch.load(path, map_location="cpu", weights_only=False)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    for key, value in state["health"].items():
        if key != "thresholds":
            setattr(health, key, value)
    print(f"resumed after epoch {state['epoch']} from {path}", flush=True)
    return state["epoch"] + 1


def save(model, tokenizer, model_dir: str) -> None:
    """The model, its tokenizer and the inference code, as hosting and batch transform load them."""
    os.makedirs(model_dir, exist_ok=True)
    model.save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    model_code.ship(model_dir, INFERENCE_SCRIPT)


if __name__ == "__main__":
    train(parse_args(sys.argv[1:]))
