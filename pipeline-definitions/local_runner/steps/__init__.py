"""The executors of the local runner, one module per step type, found by the step's ``Type``.

An executor is a module of this package with ``STEP_TYPE`` (the ``Type`` it runs) and
``run(local, step, result)``: ``local`` is the :class:`~local_runner.runner.LocalRun` (values, S3
and container paths, job folders, commands, the stand-ins), ``step`` the step as rendered,
``result`` its report entry (outputs, metrics, status). It sets the step's properties in
``local.properties`` and returns the steps to run next (a Condition's branch) or None. It raises
WiringError for wiring the runner cannot follow and StepFailed when the step's program fails. A
new step type is a new module here: nothing else names it.

A step that the local settings substitute runs :func:`substituted.run` whatever its type
(ClarifyCheck and QualityCheck have no executor of their own: their services do not run here).
"""

from __future__ import annotations

import importlib
import pkgutil

from local_runner.steps import substituted


def _executors() -> dict:
    modules: dict = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        step_type = getattr(module, "STEP_TYPE", None)
        if step_type is None:
            continue
        if not callable(getattr(module, "run", None)):
            raise ImportError(f"local runner: {module.__name__} names step type {step_type} but has no run(local, step, result)")
        if step_type in modules:
            raise ImportError(f"local runner: step type {step_type} has two executors, {modules[step_type].__name__} and {module.__name__}")
        modules[step_type] = module
    return {step_type: module.run for step_type, module in modules.items()}


EXECUTORS = _executors()

__all__ = ["EXECUTORS", "substituted"]
