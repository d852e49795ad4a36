"""A trained model's serving code: what training puts beside the model, and how the steps after
training load it.

Every family's model carries its handlers in ``code/`` (``code/inference.py``: ``model_fn`` and
``predict_fn``, with ``input_fn`` and ``output_fn`` from this library's ``serving.py``), together
with ``serving.py`` and the contract they read, so that hosting and batch transform need no
network and no other folder. The evaluation and the explainability gate score the model through
the same handlers, loaded from the model itself: whatever family trained it.

Standard library only.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from types import ModuleType

HERE = os.path.dirname(os.path.abspath(__file__))
# The library's part of a model's code/ folder: the request and response handling and the contract.
LIBRARY_SERVING_CODE = ("serving.py", "contract.py", "contract.json")
HANDLERS = "inference.py"


def ship(model_dir: str, inference_script: str) -> list[str]:
    """Copies the family's ``inference_script`` (as ``code/inference.py``) and the library's
    serving code into ``model_dir/code``; returns the names written."""
    if not os.path.isfile(inference_script):
        raise FileNotFoundError(f"the model's handlers {inference_script} do not exist")
    code_dir = os.path.join(model_dir, "code")
    os.makedirs(code_dir, exist_ok=True)
    shutil.copy(inference_script, os.path.join(code_dir, HANDLERS))
    for name in LIBRARY_SERVING_CODE:
        shutil.copy(os.path.join(HERE, name), os.path.join(code_dir, name))
    return [HANDLERS, *LIBRARY_SERVING_CODE]


def load_handlers(model_dir: str) -> ModuleType:
    """The handlers a model carries (``<model_dir>/code/inference.py``), imported with the serving
    code beside them first on the path, as the serving container imports them."""
    code_dir = os.path.join(model_dir, "code")
    script = os.path.join(code_dir, HANDLERS)
    if not os.path.isfile(script):
        raise FileNotFoundError(f"the model in {model_dir} carries no {os.path.join('code', HANDLERS)}; training puts its handlers there (model_code.ship)")
    sys.path.insert(0, code_dir)
    spec = importlib.util.spec_from_file_location(f"model_handlers_{abs(hash(code_dir))}", script)
    handlers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(handlers)
    return handlers
