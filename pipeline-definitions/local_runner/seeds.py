"""Seeds: what a pipeline's local settings put into the local S3 folders before the run.

Each seed writes its URI's local path (``<work>/s3/<bucket>/<key>``), in the order declared:

- ``path``: a folder (its tree) or a file, absolute or relative to the project root, copied there;
- ``content``: JSON, written there;
- ``command``: a program that writes it, run with the project root as working directory and the
  run's environment (boto3 pointed at the stand-ins); tokens ``{python}``, ``{target}`` (the
  seed's local path) and ``{s3:<URI>}``. A command that exits non-zero, or writes nothing at
  ``{target}``, stops the run with an error naming the seed and its log.

A seed with ``"once": true`` is skipped when its target exists: it is built once per work folder
(into ``<target>.partial`` first, so that a build that fails half-way is not taken as built).
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from local_runner.settings import expand, s3_token
from local_runner.values import WiringError

if TYPE_CHECKING:
    from local_runner.runner import LocalRun

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def write_seeds(run: "LocalRun") -> list[str]:
    """Writes every seed; returns the URIs of the ``once`` seeds that were already there."""
    reused = []
    for index, seed in enumerate(run.settings.seeds, 1):
        uri, target = seed["uri"], run.s3_path(seed["uri"])
        name = f"seed {uri}" + (f" ({seed['description']})" if seed.get("description") else "")
        if seed.get("once") and target.exists():
            reused.append(uri)
            continue
        if "content" in seed:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(seed["content"]), encoding="utf-8")
        elif "path" in seed:
            copy(run.repo_root / seed["path"], target, name, into_folder=uri.endswith("/"))
        else:
            build(run, seed, target, name, run.work / "seeds" / f"{index}.log")
        run.log(f"  seeded {uri}")
    return reused


def copy(source: Path, target: Path, name: str, into_folder: bool) -> None:
    """A folder's tree into the target folder; a file to the target key, or into the target
    folder when the URI ends with a slash."""
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True, ignore=IGNORED)
    elif source.is_file():
        target = target / source.name if into_folder else target
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    else:
        raise WiringError(f"{name}: {source} does not exist")


def build(run: "LocalRun", seed: dict, target: Path, name: str, log_path: Path) -> None:
    """Runs a seed's command; a ``once`` seed is built aside and moved into place when done."""
    written = target.with_name(target.name + ".partial") if seed.get("once") else target
    if seed.get("once") and written.exists():
        shutil.rmtree(written) if written.is_dir() else written.unlink()

    def token(kind: str, argument: str | None) -> str | None:
        if kind == "python" and argument is None:
            return run.python
        if kind == "target" and argument is None:
            return str(written) + ("/" if seed["uri"].endswith("/") else "")
        if kind == "s3" and argument:
            return s3_token(run.s3_path, argument)
        return None

    command = expand(seed["command"], token, name)
    written.parent.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(command, cwd=run.repo_root, env=run.environment({}), capture_output=True, text=True)
    output = completed.stdout + completed.stderr
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(f"$ {shlex.join(command)}\n{output}", encoding="utf-8")
    if completed.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-8:])
        raise WiringError(f"{name}: {shlex.join(seed['command'][:2])} exited with {completed.returncode} (log: {log_path}):\n{tail}")
    if not written.exists():
        raise WiringError(f"{name}: the command wrote nothing at {{target}} ({written}); log: {log_path}")
    if written != target:
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        written.rename(target)
