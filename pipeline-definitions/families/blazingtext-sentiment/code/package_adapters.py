"""Packaging step of the BlazingText family: the adapters' model.tar.gz.

The inference pipeline's first and last containers run the project's code on a framework image
without network access, so their code travels inside a model archive: ``code/`` holds the
request adapter, the response adapter, the normalisation they share with training, and the
library's serving code and contract (model_code.LIBRARY_SERVING_CODE). Each container names its
adapter with SAGEMAKER_PROGRAM. Writes ``<output-dir>/model.tar.gz``. Calls no AWS API.
"""

from __future__ import annotations

import argparse
import os
import sys
import tarfile
from typing import Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model_code import LIBRARY_SERVING_CODE  # noqa: E402

ADAPTER_CODE = ("request_adapter.py", "response_adapter.py", "tokens.py")
ARCHIVE = "model.tar.gz"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output-dir", required=True)
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> str:
    os.makedirs(args.output_dir, exist_ok=True)
    archive = os.path.join(args.output_dir, ARCHIVE)
    names = [*ADAPTER_CODE, *LIBRARY_SERVING_CODE]
    missing = [name for name in names if not os.path.isfile(os.path.join(HERE, name))]
    if missing:
        raise SystemExit(f"package_adapters: {', '.join(missing)} not beside {__file__}; the step code release carries them")
    with tarfile.open(archive, "w:gz") as tar:
        for name in names:
            tar.add(os.path.join(HERE, name), arcname=f"code/{name}")
    print(f"packaged the adapters: {', '.join(names)} in {archive}")
    return archive


if __name__ == "__main__":
    run(parse_args(sys.argv[1:]))
