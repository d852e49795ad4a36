"""What the checks share: a planted contract, findings from failures, the records and report files
the step code reads and writes, and quality_gate.py's command line."""

from __future__ import annotations

import json
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any, Callable

import contract
from contract import Contract

# Texts for the inference and report checks.
TEXTS = ["I love this dress, it fits perfectly", "Poor quality, returned it", "It is fine I guess"]


def planted_contract(directory: Path, key: str, value: Any) -> Contract:
    """A copy of the shipped contract.json with ``key`` (dotted path) set to ``value``, loaded."""
    document = json.loads(Path(contract.CONTRACT_FILE).read_text())
    target = document
    *parents, last = key.split(".")
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    path = Path(directory) / "contract.json"
    path.write_text(json.dumps(document, indent=2))
    return contract.load(str(path))


def attempt(findings: list[str], item: str, what: str, action: Callable[[], Any]) -> Any:
    """``action()``; an exception becomes a finding on ``item`` (and the result None)."""
    try:
        return action()
    except Exception as error:  # drift shows as any failure of the code on contract data
        findings.append(f"{item}: {what} failed: {type(error).__name__}: {error}")
        return None


def report_keys() -> dict[str, str]:
    """ReportFiles attribute → the contract's key under ``reports``."""
    return dict(contract.REPORT_KEYS)


def raw_reviews(n: int = 24):
    """Raw rows in the dataset's columns: every rating, two categories."""
    import pandas as pd

    return pd.DataFrame(
        [
            {"Clothing ID": str(i), "Age": "30", "Title": f"t{i}", "Review Text": f"review number {i} is here", "Rating": str(1 + i % 5), "Class Name": ("Dresses", "Knits")[i % 2]}
            for i in range(n)
        ]
    )


def prepared_records(c: Contract) -> list[dict]:
    """Prepared records (the processing step's JSON lines) of two categories and every label."""
    return [
        {
            "review_id": f"r{i}",
            "input_ids": [0, 5, 2],
            "label_id": i % len(c.sentiments),
            c.label_feature: c.sentiments[i % len(c.sentiments)],
            "review_body": f"a review of {i} words",
            "product_category": ("Dresses", "Knits")[i % 2],
        }
        for i in range(30)
    ]


def write_jsonl(directory: Path, name: str, records: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text("".join(json.dumps(r) + "\n" for r in records))
    return directory


def prediction_records(c: Contract, pairs: list[tuple[int, int, str]]) -> list[dict]:
    """Batch transform's joined output (input record, response under the contract's key)."""
    r = c.response
    return [
        {c.label_feature: actual, "product_category": facet, r.transform_output_key: {r.label: predicted, r.confidence: 0.9, r.probabilities: {}}}
        for actual, predicted, facet in pairs
    ]


def files(directory: Path) -> set[str]:
    return {p.name for p in Path(directory).iterdir() if p.is_file()} if Path(directory).exists() else set()


def compare_reports(c: Contract, writer: str, directory: Path, keys: set[str], allowed: frozenset[str] = frozenset()) -> list[str]:
    """Findings when ``writer`` did not write the contract's report files ``keys`` (contract keys)
    into ``directory``, or wrote files the contract does not name."""
    to_key = report_keys()
    expected = {to_key[f.name]: getattr(c.reports, f.name) for f in dataclass_fields(c.reports) if to_key[f.name] in keys}
    written = files(directory)
    findings = [f"reports.{key}: {writer} wrote no {name} (it wrote {sorted(written)})" for key, name in sorted(expected.items()) if name not in written]
    known = {getattr(c.reports, f.name) for f in dataclass_fields(c.reports)} | set(allowed)
    findings += [f"reports: {writer} wrote {name}, which is not one of the contract's report files" for name in sorted(written - known)]
    return findings


def gate(argv: list[str]) -> tuple[int, dict | None]:
    """quality_gate.py's command line; the exit code and gate.json (the shipped name) when written."""
    import quality_gate

    args = quality_gate.parse_args(argv)
    code = quality_gate.run(args)
    outcome = Path(args.output_dir) / contract.REPORT_FILES.gate
    return code, json.loads(outcome.read_text()) if outcome.exists() else None
