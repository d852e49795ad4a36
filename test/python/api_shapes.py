"""Checks a pipeline step's Arguments against the SageMaker API request it stands for.

The request shapes come from botocore's SageMaker service model: every key must be a member, the
required members must be there (except the names the pipeline generates), and every value must
have the member's type, enum, length, range and pattern. Pipeline functions (``Get``,
``Std:Join``, ``Std:JsonGet``) stand in for any value: their value is known only at run time.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator

import botocore.session
import regex

from local_runner.ranges import STEP_OPERATIONS  # the API request each step type stands for, as the local runner reads it

#: Members the pipeline sets itself, so a step's Arguments leave them out.
GENERATED_MEMBERS = {
    "CreateProcessingJob": {"ProcessingJobName"},
    "CreateTrainingJob": {"TrainingJobName"},
    "CreateTransformJob": {"TransformJobName"},
    "CreateModel": {"ModelName"},
    "CreateModelPackage": set(),
    "CreateHyperParameterTuningJob": {"HyperParameterTuningJobName"},
    "CreateAutoMLJob": {"AutoMLJobName"},
}

PIPELINE_FUNCTIONS = ("Get", "Std:Join", "Std:JsonGet")

_MODEL = None


def service_model():
    global _MODEL
    if _MODEL is None:
        _MODEL = botocore.session.get_session().get_service_model("sagemaker")
    return _MODEL


def is_pipeline_function(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in PIPELINE_FUNCTIONS


def check_request(operation: str, arguments: Any) -> list[str]:
    """Every way the Arguments differ from the operation's request shape, as readable lines."""
    shape = service_model().operation_model(operation).input_shape
    problems = list(_check(shape, arguments, operation, skip_required=GENERATED_MEMBERS.get(operation, set())))
    return problems


@lru_cache(maxsize=None)
def _java_pattern(pattern: str) -> "regex.Pattern":
    # botocore patterns are Java regexes matched against the whole value. The regex module reads
    # their Unicode classes (\p{L}); Java's UTF-16 surrogate-pair range means every supplementary
    # character, and \p{Alnum} is ASCII letters and digits in Java.
    translated = (
        pattern.replace("\\uD800\\uDC00-\\uDBFF\\uDFFF", "\\U00010000-\\U0010FFFF")
        .replace("\\p{XDigit}", "[0-9A-Fa-f]")
        .replace("\\p{Alnum}", "[A-Za-z0-9]")
    )
    return regex.compile(translated, regex.DOTALL | regex.V0)


def _check(shape, value: Any, path: str, skip_required: set[str] = frozenset()) -> Iterator[str]:
    if is_pipeline_function(value):
        return
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            yield f"{path}: expected an object ({shape.name}), got {type(value).__name__}"
            return
        for key in value:
            if key not in shape.members:
                yield f"{path}.{key}: not a member of {shape.name}; expected one of {sorted(shape.members)}"
        for required in shape.required_members:
            if required not in value and required not in skip_required:
                yield f"{path}.{required}: required by {shape.name} but missing"
        for key, member in value.items():
            if key in shape.members:
                yield from _check(shape.members[key], member, f"{path}.{key}")
    elif kind == "list":
        if not isinstance(value, list):
            yield f"{path}: expected a list, got {type(value).__name__}"
            return
        if "min" in meta and len(value) < meta["min"]:
            yield f"{path}: {len(value)} items; expected at least {meta['min']}"
        if "max" in meta and len(value) > meta["max"]:
            yield f"{path}: {len(value)} items; expected at most {meta['max']}"
        for index, item in enumerate(value):
            yield from _check(shape.member, item, f"{path}[{index}]")
    elif kind == "map":
        if not isinstance(value, dict):
            yield f"{path}: expected a map, got {type(value).__name__}"
            return
        if "max" in meta and len(value) > meta["max"]:
            yield f"{path}: {len(value)} entries; expected at most {meta['max']}"
        for key, item in value.items():
            yield from _check(shape.key, key, f"{path}<key {key!r}>")
            yield from _check(shape.value, item, f"{path}[{key!r}]")
    elif kind == "string":
        if not isinstance(value, str):
            yield f"{path}: expected a string, got {value!r}"
            return
        if "min" in meta and len(value) < meta["min"]:
            yield f"{path}: {value!r} is shorter than {meta['min']}"
        if "max" in meta and len(value) > meta["max"]:
            yield f"{path}: {len(value)} characters; expected at most {meta['max']}"
        if shape.enum and value not in shape.enum:
            yield f"{path}: {value!r} is not one of {shape.enum}"
        if "pattern" in meta and not _java_pattern(meta["pattern"]).fullmatch(value):
            yield f"{path}: {value!r} does not match {meta['pattern']}"
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            yield f"{path}: expected an integer, got {value!r}"
            return
        if "min" in meta and value < meta["min"]:
            yield f"{path}: {value} is below {meta['min']}"
        if "max" in meta and value > meta["max"]:
            yield f"{path}: {value} is above {meta['max']}"
    elif kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            yield f"{path}: expected a number, got {value!r}"
    elif kind == "boolean":
        if not isinstance(value, bool):
            yield f"{path}: expected true or false, got {value!r}"
    elif kind == "timestamp":
        if not isinstance(value, (str, int, float)):
            yield f"{path}: expected a timestamp, got {value!r}"
    # blob and document values are accepted as they are.


def api_steps(steps: list[dict]) -> Iterator[dict]:
    """Every step, including those in Condition branches."""
    for step in steps:
        yield step
        if step["Type"] == "Condition":
            yield from api_steps(step["Arguments"].get("IfSteps", []))
            yield from api_steps(step["Arguments"].get("ElseSteps", []))


def check_definition(definition: dict) -> list[str]:
    """Every API-shape problem of every step of a definition, prefixed with the step's name."""
    problems = []
    for step in api_steps(definition["Steps"]):
        operation = STEP_OPERATIONS.get(step["Type"])
        if operation:
            problems += [f"step {step['Name']} ({operation}): {p}" for p in check_request(operation, step["Arguments"])]
    return problems
