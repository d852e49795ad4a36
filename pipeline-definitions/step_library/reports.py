"""Reading and writing the step code's reports and records: strict JSON documents, JSON lines.

- :func:`finite` → a document as strict JSON allows it (NaN and infinities become null);
- :func:`write_json` → a report file (the names are the contract's ``REPORT_FILES``);
- :func:`read_jsonl` → every record of the JSON-lines files under a folder (``.jsonl``, and batch
  transform's ``.out``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def finite(value: Any) -> Any:
    """The report as strict JSON: NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


def write_json(directory: Path, name: str, content: dict) -> None:
    """``directory/name``, indented strict JSON (the folder is made when missing)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(json.dumps(finite(content), indent=2, allow_nan=False), encoding="utf-8")


def read_jsonl(directory: Path, suffixes: tuple[str, ...] = (".jsonl", ".out")) -> list[dict]:
    """The records of every file under ``directory`` whose name ends with one of ``suffixes``, in
    path order (blank lines skipped)."""
    records = []
    for path in sorted(p for p in Path(directory).rglob("*") if p.is_file() and p.name.endswith(suffixes)):
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return records
