"""Values of a pipeline definition as the service resolves them, and the errors of a local run.

:class:`Values` holds a run's parameters, execution variables, step properties and property files,
and resolves ``Get`` (``Parameters.*``, ``Execution.*``, ``Steps.<step>.<property>``),
``Std:Join`` and ``Std:JsonGet`` inside any value. The helpers find what a value reads (the edges
the runner orders steps by) and walk the steps inside Conditions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator


class WiringError(Exception):
    """A reference that cannot be resolved, or a step that cannot run as wired."""


class StepFailed(Exception):
    """A step ran and failed (a script exited non-zero)."""


@dataclass
class StepResult:
    """One step's entry in the run report."""

    name: str
    type: str
    status: str = "Skipped"
    startedAt: str | None = None
    endedAt: str | None = None
    outputs: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    message: str | None = None


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_parameter(parameter: dict, text: str) -> Any:
    """A --param value, type-checked against the parameter's type (not range-checked)."""
    kind, name = parameter.get("Type", "String"), parameter["Name"]
    try:
        if kind == "Integer":
            if not re.fullmatch(r"-?\d+", text):
                raise ValueError
            value: Any = int(text)
        elif kind == "Float":
            value = float(text)
        elif kind == "Boolean":
            if text not in ("true", "false"):
                raise ValueError
            value = text == "true"
        else:
            value = text
    except ValueError:
        expected = {"Integer": "an integer", "Float": "a number", "Boolean": "true or false"}[kind]
        raise WiringError(f"parameter {name} ({kind}): {text!r} is not allowed; expected {expected}") from None
    allowed = parameter.get("EnumValues")
    if allowed and value not in allowed:
        raise WiringError(f"parameter {name}: {text!r} is not one of {', '.join(map(str, allowed))}")
    return value


def as_text(value: Any) -> str:
    """A value as the service renders it in text: booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def json_path(document: Any, path: str) -> Any:
    value = document
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        value = value[int(part[1:-1])] if part.startswith("[") else value[part]
    return value


def walk(value: Any) -> Iterator[dict]:
    """Every object (dict) inside a value, outermost first."""
    if isinstance(value, dict):
        yield value
        for member in value.values():
            yield from walk(member)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def step_references(value: Any) -> set[str]:
    """Names of the steps whose properties a value reads."""
    return {node["Get"].split(".")[1] for node in walk(value) if isinstance(node.get("Get"), str) and node["Get"].startswith("Steps.")}


def property_file_references(value: Any) -> set[str]:
    """The property files (``Steps.<step>.PropertyFiles.<name>``) a value reads."""
    found = set()
    for node in walk(value):
        if "Std:JsonGet" in node:
            reference = node["Std:JsonGet"]["PropertyFile"]
            found.add(reference["Get"] if isinstance(reference, dict) else reference)
    return found


def all_steps(steps: list[dict]) -> Iterator[dict]:
    """The steps and, after each Condition, the steps of its branches."""
    for step in steps:
        yield step
        if step["Type"] == "Condition":
            yield from all_steps(step["Arguments"].get("IfSteps", []))
            yield from all_steps(step["Arguments"].get("ElseSteps", []))


class Values:
    """The values a run has so far, and their resolution."""

    def __init__(self, parameters: dict[str, Any], execution: dict[str, str]):
        self.parameters = parameters
        self.execution = execution
        self.properties: dict[str, dict[str, Any]] = {}
        self.property_files: dict[str, dict[str, Path]] = {}

    def resolve(self, value: Any, step: str) -> Any:
        """A value with every reference in it replaced; ``step`` names the reader in errors."""
        if isinstance(value, list):
            return [self.resolve(v, step) for v in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Get"}:
            return self.get(value["Get"], step)
        if set(value) == {"Std:Join"}:
            join = value["Std:Join"]
            return join.get("On", "").join(as_text(self.resolve(v, step)) for v in join["Values"])
        if set(value) == {"Std:JsonGet"}:
            return self.json_get(value["Std:JsonGet"], step)
        return {key: self.resolve(member, step) for key, member in value.items()}

    def json_get(self, spec: dict, step: str) -> Any:
        reference = spec["PropertyFile"]["Get"] if isinstance(spec["PropertyFile"], dict) else spec["PropertyFile"]
        _, source, _, name = reference.split(".", 3)
        path = self.property_files.get(source, {}).get(name)
        if path is None:
            raise WiringError(f"step {step} reads property file {reference}, which no step that ran has")
        if not path.exists():
            raise WiringError(f"step {step} reads property file {reference}, but step {source} did not write {path.name}")
        try:
            return json_path(json.loads(path.read_text()), spec["Path"])
        except (KeyError, IndexError, TypeError):
            raise WiringError(f"step {step} reads {spec['Path']!r} from {reference}, which the file does not have") from None

    def get(self, path: str, step: str) -> Any:
        kind, _, rest = path.partition(".")
        if kind == "Parameters":
            if rest not in self.parameters:
                raise WiringError(f"step {step} reads parameter {rest}, which the pipeline does not declare")
            return self.parameters[rest]
        if kind == "Execution":
            if rest not in self.execution:
                raise WiringError(f"step {step} reads execution variable {rest}, which does not exist")
            return self.execution[rest]
        if kind == "Steps":
            source, _, prop = rest.partition(".")
            if source not in self.properties:
                raise WiringError(f"step {step} reads {path}, but step {source} has not run")
            if prop not in self.properties[source]:
                known = ", ".join(sorted(self.properties[source]))
                raise WiringError(f"step {step} reads {path}, which step {source} does not have; it has {known}")
            return self.properties[source][prop]
        raise WiringError(f"step {step} reads {path!r}, which is not a parameter, execution variable or step property")
