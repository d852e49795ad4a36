"""Batch transform on this machine: the model's own inference handlers (``code/inference.py``
inside model.tar.gz) over JSON-lines input, with SageMaker's data processing (InputFilter, JoinSource,
OutputFilter limited to ``$``), one ``<input>.out`` per input file.

Run as ``python transform_job.py <model.tar.gz> <input dir> <output dir> <content type> <accept> <join source>``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tarfile
import tempfile
from pathlib import Path


def load_handlers(model_dir: Path):
    spec = importlib.util.spec_from_file_location("inference", model_dir / "code" / "inference.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def run(model_archive: Path, input_dir: Path, output_dir: Path, content_type: str, accept: str, join_source: str) -> int:
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        model_dir = Path(work)
        with tarfile.open(model_archive) as tar:
            tar.extractall(model_dir, filter="data")
        handlers = load_handlers(model_dir)
        loaded = handlers.model_fn(str(model_dir))
        count = 0
        for source in sorted(p for p in input_dir.rglob("*") if p.is_file()):
            lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
            outputs = []
            for start in range(0, len(lines), 64):
                batch = lines[start : start + 64]
                predictions = handlers.predict_fn(handlers.input_fn("\n".join(batch).encode(), content_type), loaded)
                rendered = handlers.output_fn(predictions, accept).splitlines()
                if len(rendered) != len(batch):
                    raise SystemExit(f"{source}: {len(batch)} input lines gave {len(rendered)} output lines; SageMaker fails such a job")
                for line, prediction in zip(batch, rendered):
                    if join_source == "Input":
                        record = json.loads(line)
                        record["SageMakerOutput"] = json.loads(prediction)
                        outputs.append(json.dumps(record))
                    else:
                        outputs.append(prediction)
            target = output_dir / source.relative_to(input_dir)
            target = target.with_name(target.name + ".out")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("".join(o + "\n" for o in outputs), encoding="utf-8")
            count += len(outputs)
    print(json.dumps({"records": count}))
    return 0


if __name__ == "__main__":
    model, source, target, content_type, accept, join_source = sys.argv[1:7]
    sys.exit(run(Path(model), Path(source), Path(target), content_type, accept, join_source))
