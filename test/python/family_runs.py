"""What a family package's Python tests share: its pipeline as the test command renders it from the
app (``PIPELINE_DEFINITIONS_DIR``, else ``build/pipeline-definitions``), run end to end with the
local runner; the step-code release its scripts run from (the library and the family's code side
by side); and the serving code a packaging step ships."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RENDERED_DIR = Path(os.environ.get("PIPELINE_DEFINITIONS_DIR", ROOT / "build" / "pipeline-definitions"))
LIBRARY = ROOT / "pipeline-definitions" / "step_library"
sys.path.insert(0, str(ROOT / "pipeline-definitions"))

from local_runner import runner as local  # noqa: E402


def load_json(path: Path) -> dict:
    assert path.exists(), f"{path} is missing: the test command renders the app's pipelines before the Python tests"
    return json.loads(path.read_text())


class RenderedPipeline:
    """A pipeline of the app by id, as rendered, with its local settings."""

    def __init__(self, pipeline_id: str, prefix: str = "pds-dev"):
        self.id, self.group = pipeline_id, f"{prefix}-{pipeline_id}"

    def definition(self) -> dict:
        return load_json(RENDERED_DIR / f"{self.id}.json")

    def settings(self) -> dict:
        return load_json(RENDERED_DIR / f"{self.id}.local.json")

    def run(self, work: Path, settings: dict | None = None, **parameters: str) -> dict:
        """A local run's report (``parameters`` override the pipeline's)."""
        return local.LocalRun(self.definition(), work, local=settings or self.settings(), parameters=parameters, log=lambda line: None).run()

    def s3_path(self, work: Path, uri: str) -> Path:
        return local.LocalRun(self.definition(), work).s3_path(uri)

    def registered(self, work: Path) -> list[dict]:
        """The model packages a run registered into the family's group."""
        folder = work / "registry" / "model-packages" / self.group
        return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []

    def predictions(self, work: Path, report: dict) -> list[dict]:
        """Batch transform's joined output records of a run."""
        outputs = sorted(self.s3_path(work, step(report, "Transform")["outputs"]["predictions"]).glob("*.out"))
        return [json.loads(line) for path in outputs for line in path.read_text().splitlines() if line.strip()]

    def evaluation(self, work: Path, report: dict) -> dict:
        return json.loads(next(self.s3_path(work, step(report, "EvaluateModel")["outputs"]["metrics"]).rglob("evaluation.json")).read_text())


def json_lines(*records) -> bytes:
    """A JSON Lines request body of the records."""
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


def step(report: dict, name: str) -> dict:
    return next(s for s in report["steps"] if s["name"] == name)


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def release(work: Path, family_code: Path) -> Path:
    """The step code as the stack releases it: the library's files and the family's side by side."""
    folder = work / "release"
    folder.mkdir(parents=True, exist_ok=True)
    for source in (LIBRARY, family_code):
        for path in source.iterdir():
            if path.is_file() and path.suffix in (".py", ".json"):
                (folder / path.name).write_bytes(path.read_bytes())
    return folder


def package_code(work: Path, family_code: Path, files: list[str]) -> Path:
    """The model.tar.gz a packaging step (package_code.py) builds of the family's files."""
    folder = release(work, family_code)
    sys.path.insert(0, str(folder))
    try:
        packaging = load_module(folder / "package_code.py", "package_code")
        return Path(packaging.run(packaging.parse_args(["--output-dir", str(work / "code-package"), "--files", *files])))
    finally:
        sys.path.remove(str(folder))
