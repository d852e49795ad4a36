"""Fail steps: the end of the run, failed with the step's ErrorMessage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from local_runner.values import StepResult, as_text

if TYPE_CHECKING:
    from local_runner.runner import LocalRun

# The step type this module runs (steps/__init__.py finds the executors by it).
STEP_TYPE = "Fail"


def run(local: "LocalRun", step: dict, result: StepResult) -> None:
    result.status = "Failed"
    result.message = as_text(local.resolve(step["Arguments"].get("ErrorMessage", ""), step["Name"]))
    local.failed = True
