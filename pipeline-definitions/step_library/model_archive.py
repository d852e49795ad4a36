"""A trained model as the steps after training receive it: a folder holding ``model.tar.gz`` (the
training job's artifact), or the model folder itself."""

from __future__ import annotations

import os
import tarfile


def extract(tar: tarfile.TarFile, target: str, members=None) -> None:
    """Extracts ``members`` (default all) with the "data" filter (no absolute paths, links out of
    the target or devices) where the container's Python has it (3.8.17, 3.9.17, 3.10.12, 3.11.4
    and later)."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(target, members=members, filter="data")
    else:
        tar.extractall(target, members=members)


def load_model_dir(model_path: str, work_dir: str) -> str:
    """The model directory: the path itself, or model.tar.gz inside it extracted to work_dir."""
    archive = os.path.join(model_path, "model.tar.gz")
    if os.path.isfile(archive):
        os.makedirs(work_dir, exist_ok=True)
        with tarfile.open(archive) as tar:
            extract(tar, work_dir)
        return work_dir
    return model_path
