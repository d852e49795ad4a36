"""Condition steps: the conditions evaluated on resolved values; the run goes on with the chosen
branch (IfSteps when all hold, else ElseSteps) right after the step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from local_runner.values import StepResult, Values, WiringError

if TYPE_CHECKING:
    from local_runner.runner import LocalRun

# The step type this module runs (steps/__init__.py finds the executors by it).
STEP_TYPE = "Condition"


COMPARISONS = {
    "Equals": lambda a, b: a == b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanOrEqualTo": lambda a, b: a >= b,
    "LessThan": lambda a, b: a < b,
    "LessThanOrEqualTo": lambda a, b: a <= b,
}


def run(local: "LocalRun", step: dict, result: StepResult) -> list[dict]:
    """Evaluates the conditions; returns the branch to run next."""
    outcome = all(evaluate(local, c, step["Name"]) for c in step["Arguments"].get("Conditions", []))
    local.properties[step["Name"]] = {"Outcome": outcome}
    result.outputs["outcome"] = outcome
    return step["Arguments"].get("IfSteps" if outcome else "ElseSteps", [])


def evaluate(values: Values, condition: dict, step: str) -> bool:
    kind = condition["Type"]
    if kind == "Not":
        return not evaluate(values, condition["Expression"], step)
    if kind == "Or":
        return any(evaluate(values, c, step) for c in condition["Conditions"])
    if kind == "In":
        return values.resolve(condition["QueryValue"], step) in values.resolve(condition["Values"], step)
    if kind not in COMPARISONS:
        raise WiringError(f"step {step}: condition type {kind} is not supported")
    return COMPARISONS[kind](values.resolve(condition["LeftValue"], step), values.resolve(condition["RightValue"], step))
