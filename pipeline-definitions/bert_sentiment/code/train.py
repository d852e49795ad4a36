"""Training step of the BERT pipeline: fine-tunes RoBERTa for review sentiment (3 classes).

Runs in the Hugging Face PyTorch training container under network isolation: the code arrives
through the ``code`` channel, the pre-trained model and tokenizer through the ``pretrained``
channel, the splits written by the Processing step through ``train`` and ``validation``.

Prints one line per validation, ``val_loss: <float>`` and ``val_acc: <float>``, which the
pipeline's metric definitions read. Writes into the model directory the fine-tuned model (its
``id2label`` the contract's labels: class id → sentiment as text), its tokenizer, the inference
handlers with the contract they read (``code/``: :data:`INFERENCE_CODE`) so that hosting and batch
transform need no network, and the training-health report (``training_health.json``; see
training_health.py).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
from typing import Sequence

import torch
from torch.utils.data import DataLoader, Dataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from training_health import HealthThresholds, TrainingHealth  # noqa: E402
from cli import str2bool  # noqa: E402
from contract import CLASS_ID_TO_SENTIMENT  # noqa: E402

NUM_LABELS = len(CLASS_ID_TO_SENTIMENT)
HERE = os.path.dirname(os.path.abspath(__file__))
# What the model's code/ folder holds: the handlers, and the contract module and file they read.
INFERENCE_CODE = ("inference.py", "contract.py", "contract.json")


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


def train(args: argparse.Namespace) -> dict:
    from transformers import AutoTokenizer, RobertaForSequenceClassification

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
    train_loader = DataLoader(train_data, batch_size=args.train_batch_size, shuffle=True)
    validation_loader = (
        DataLoader(JsonLinesDataset(args.validation), batch_size=args.validation_batch_size)
        if args.run_validation
        else None
    )
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model.to(device)
    pad = tokenizer.pad_token_id
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.learning_rate)
    health = TrainingHealth(HealthThresholds(max_grad_norm=args.max_grad_norm_limit))
    first_epoch = resume(model, optimizer, health, args.checkpoint_dir)
    model.train()
    stopped_early = False
    for epoch in range(first_epoch, args.epochs):
        for step, (input_ids, labels) in enumerate(train_loader):
            if step >= args.train_steps_per_epoch:
                break
            optimizer.zero_grad()
            loss = forward(model, input_ids, labels, pad, device)[0].loss
            loss.backward()
            health.record_step(float(loss.detach()), gradient_norm(model))
            if health.diverged:
                stopped_early = True
                break
            optimizer.step()
            print(f"epoch: {epoch} step: {step} train_loss: {float(loss.detach()):.4f}", flush=True)
        if stopped_early:
            print("training stopped: the loss or a gradient became non-finite", flush=True)
            break
        if validation_loader is not None:
            val_loss, val_acc = evaluate(model, validation_loader, args.validation_steps_per_epoch, pad, device)
            health.record_validation(val_loss)
            print(f"val_loss: {val_loss:.4f}", flush=True)
            print(f"val_acc: {val_acc:.4f}", flush=True)
        checkpoint(model, optimizer, health, epoch, args.checkpoint_dir)
    model.to("cpu")
    save(model, tokenizer, args.model_dir)
    report = health.write(args.model_dir, args.output_data_dir)
    print(f"training health: {report['status']}", flush=True)
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
    code_dir = os.path.join(model_dir, "code")
    os.makedirs(code_dir, exist_ok=True)
    for name in INFERENCE_CODE:
        shutil.copy(os.path.join(HERE, name), os.path.join(code_dir, name))


if __name__ == "__main__":
    train(parse_args(sys.argv[1:]))
