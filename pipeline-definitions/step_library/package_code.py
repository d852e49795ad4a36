"""Packaging step of a family whose serving containers run the project's code beside a model
that carries none (e.g. an inference pipeline's request and response adapters around a built-in
algorithm): that code's model.tar.gz.

Containers without network access read their code from a model archive: ``code/`` holds the
files named (``--files``, released with the step code, beside this script) and the library's
serving code and contract (model_code.LIBRARY_SERVING_CODE). Each container names its handlers
with SAGEMAKER_PROGRAM. Writes ``<output-dir>/model.tar.gz``. Calls no AWS API.
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

ARCHIVE = "model.tar.gz"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--files", nargs="+", required=True, help="the family's files to ship in code/")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> str:
    os.makedirs(args.output_dir, exist_ok=True)
    archive = os.path.join(args.output_dir, ARCHIVE)
    names = list(dict.fromkeys([*args.files, *LIBRARY_SERVING_CODE]))
    unsafe = [name for name in names if os.path.basename(name) != name]
    if unsafe:
        raise SystemExit(f"package_code: {', '.join(unsafe)} is not a file name; expected names of files released beside this script")
    missing = [name for name in names if not os.path.isfile(os.path.join(HERE, name))]
    if missing:
        raise SystemExit(f"package_code: {', '.join(missing)} not beside {__file__}; the step code release carries them")
    with tarfile.open(archive, "w:gz") as tar:
        for name in names:
            tar.add(os.path.join(HERE, name), arcname=f"code/{name}")
    print(f"packaged {', '.join(names)} in {archive}")
    return archive


if __name__ == "__main__":
    run(parse_args(sys.argv[1:]))
