"""The parameters' ranges, checked before any step runs.

A pipeline parameter declares a type and, at most, a list of values; its range is where the
pipeline puts it. Where a step's Arguments put a parameter straight into a member of the SageMaker
API request the step stands for (Processing → CreateProcessingJob, Training → CreateTrainingJob,
...), that member's own limits apply, read from botocore's SageMaker service model: the range of a
number, the values of an enum, the length of a string. Instance counts are also bounded for this
machine: each local instance is a process with its own copy of its inputs
(:data:`LOCAL_MAX_INSTANCES`). A parameter that reaches a job only through its script's arguments
is checked by that script when the step starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterator

from local_runner.values import WiringError, all_steps

#: The API request each step type stands for.
STEP_OPERATIONS = {
    "Processing": "CreateProcessingJob",
    "Training": "CreateTrainingJob",
    "Transform": "CreateTransformJob",
    "Model": "CreateModel",
    "RegisterModel": "CreateModelPackage",
    "Tuning": "CreateHyperParameterTuningJob",
    "AutoML": "CreateAutoMLJob",
    # A check step's Arguments are the processing job that runs the service's container.
    "ClarifyCheck": "CreateProcessingJob",
    "QualityCheck": "CreateProcessingJob",
}

#: Instances of one job that this machine runs side by side: at least four, two per core.
LOCAL_MAX_INSTANCES = max(4, 2 * (os.cpu_count() or 1))


@dataclass(frozen=True)
class Use:
    """A step putting a parameter into a member of its API request."""

    step: str
    path: str
    shape: Any


def uses(definition: dict) -> Iterator[tuple[str, Use]]:
    """Each parameter put straight into an API member, with where (``Get: Parameters.<name>``)."""
    model = None
    for step in all_steps(definition.get("Steps", [])):
        operation = STEP_OPERATIONS.get(step["Type"])
        if operation is None:
            continue
        if model is None:
            import botocore.session  # the runner's environment has boto3; loaded only when needed

            model = botocore.session.get_session().get_service_model("sagemaker")
        yield from _walk(model.operation_model(operation).input_shape, step.get("Arguments", {}), "", step["Name"])


def _walk(shape: Any, value: Any, path: str, step: str) -> Iterator[tuple[str, Use]]:
    if isinstance(value, dict) and set(value) == {"Get"} and str(value["Get"]).startswith("Parameters."):
        yield value["Get"][len("Parameters.") :], Use(step, path, shape)
        return
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                yield from _walk(shape.members[key], item, f"{path}.{key}" if path else key, step)
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(shape.member, item, f"{path}[{index}]", step)
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(shape.value, item, f"{path}.{key}", step)


def problem(value: Any, use: Use) -> str | None:
    """What is wrong with a parameter's value where it is used, or None."""
    shape, meta = use.shape, use.shape.metadata
    where = f"step {use.step} puts it into {use.path}"
    if shape.type_name in ("integer", "long", "float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{where}, which takes a number"
        low, high = meta.get("min"), meta.get("max")
        if use.path.endswith("InstanceCount"):
            # A job runs on one instance at least here (the service's 0 is for instance groups).
            low = max(low or 0, 1)
            high = min(high, LOCAL_MAX_INSTANCES) if high is not None else LOCAL_MAX_INSTANCES
            service = f"SageMaker's limit {meta['max']}; " if meta.get("max") is not None else ""
            local = f" here ({service}this machine runs each instance as a process of its own)"
        else:
            local = ""
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"from {low} to {high}" if low is not None and high is not None else f"at least {low}" if low is not None else f"at most {high}"
            return f"{where}, which takes {bounds}{local}"
    elif shape.type_name == "string":
        text = value if isinstance(value, str) else str(value)
        if shape.enum and text not in shape.enum:
            return f"{where}, which takes one of {', '.join(shape.enum)}"
        low, high = meta.get("min"), meta.get("max")
        if (low is not None and len(text) < low) or (high is not None and len(text) > high):
            return f"{where}, which takes {low or 0} to {high} characters"
    return None


def check(definition: dict, parameters: dict[str, Any]) -> None:
    """Every parameter's value where the definition uses it; WiringError naming the first that fails."""
    for name, use in uses(definition):
        if name in parameters:
            reason = problem(parameters[name], use)
            if reason:
                raise WiringError(f"parameter {name}: {parameters[name]!r} is not allowed: {reason}")
