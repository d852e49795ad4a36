"""Model steps (CreateModel): the resolved request, recorded in ``<registry>/models/<name>.json``;
Transform steps and substitutions find the model's archive there."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from local_runner.values import StepResult

if TYPE_CHECKING:
    from local_runner.runner import LocalRun

# The step type this module runs (steps/__init__.py finds the executors by it).
STEP_TYPE = "Model"


def run(local: "LocalRun", step: dict, result: StepResult) -> None:
    args = local.resolve(step["Arguments"], step["Name"])
    model_name = f"{step['Name']}-{local.execution['PipelineExecutionId']}"
    record = local.work / "registry" / "models" / f"{model_name}.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(args, indent=2))
    local.properties[step["Name"]] = {"ModelName": model_name}
    result.outputs["model"] = model_name
