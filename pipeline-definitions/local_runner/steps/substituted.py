"""Substituted steps: a step whose service does not run here (a ClarifyCheck, a QualityCheck, or
any step the local settings name) runs the command its substitution declares.

The step's ProcessingInputs are copied into ``<job>/inputs/<InputName>``; the command runs in the
job folder with the run's environment, its tokens replaced:

- ``{python}`` the interpreter, ``{s3:<URI>}`` the local path of an S3 URI;
- ``{input:<InputName>}`` the local copy of that ProcessingInput;
- ``{output}`` the local folder of the step's first ProcessingOutput's S3 URI (written in place);
- ``{skip}`` / ``{registerNewBaseline}`` the resolved ``SkipCheck`` / ``RegisterNewBaseline``
  (true or false);
- ``{suppliedConstraints}`` the local file of ``SuppliedBaselineConstraints`` (which a step that
  ran, or a seed, must have written);
- ``{model}`` the local folder of the model.tar.gz of the step's ``ModelName``.

``whenSupplied`` is appended to the command only when the step has SuppliedBaselineConstraints.
The step's properties are its outputs' ``ProcessingOutputConfig.Outputs['<name>'].S3Output.S3Uri``
and the substitution's ``properties`` (name → file under the first output's URI);
as the check steps have them, ``BaselineUsedForDriftCheckConstraints`` is the supplied URI when
there is one, else ``CalculatedBaselineConstraints``, and ``BaselineUsedForDriftCheckStatistics``
is ``CalculatedBaselineStatistics``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from local_runner.settings import expand, s3_token
from local_runner.values import StepResult, WiringError, as_text

if TYPE_CHECKING:
    from local_runner.runner import LocalRun


def run(local: "LocalRun", step: dict, result: StepResult, substitution: dict) -> None:
    name = step["Name"]
    args = local.resolve(step.get("Arguments", {}), name)
    root = local.job_root(name)
    inputs = {}
    for item in args.get("ProcessingInputs", []):
        inputs[item["InputName"]] = target = root / "inputs" / item["InputName"]
        local.copy_in(name, f"input {item['InputName']!r}", item["S3Input"]["S3Uri"], target)
    outputs = args.get("ProcessingOutputConfig", {}).get("Outputs", [])
    output_uri = outputs[0]["S3Output"]["S3Uri"] if outputs else None
    supplied = step.get("SuppliedBaselineConstraints")
    supplied_uri = as_text(local.resolve(supplied, name)) if supplied is not None else None

    def token(kind: str, argument: str | None) -> str | None:
        if argument is None and kind in SIMPLE:
            return SIMPLE[kind]()
        if kind == "s3" and argument:
            return s3_token(local.s3_path, argument)
        if kind == "input" and argument:
            if argument not in inputs:
                raise WiringError(f"step {name}: the substitution reads input {argument!r}, which the step does not have; it has {', '.join(inputs) or 'none'}")
            return str(inputs[argument])
        return None

    def output() -> str:
        if output_uri is None:
            raise WiringError(f"step {name}: the substitution writes {{output}}, but the step has no ProcessingOutput")
        local.s3_path(output_uri).mkdir(parents=True, exist_ok=True)
        return str(local.s3_path(output_uri))

    def supplied_constraints() -> str:
        if supplied_uri is None:
            raise WiringError(f"step {name}: the substitution reads {{suppliedConstraints}}, but the step has no SuppliedBaselineConstraints")
        path = local.s3_path(supplied_uri)
        if not path.is_file():
            raise WiringError(f"step {name}: the supplied baseline constraints {supplied_uri} were not written by a step that ran")
        return str(path)

    def model() -> str:
        if step.get("ModelName") is None:
            raise WiringError(f"step {name}: the substitution reads {{model}}, but the step has no ModelName")
        return str(local.model_archive_dir(name, local.resolve(step["ModelName"], name)))

    SIMPLE = {
        "python": lambda: local.python,
        "output": output,
        "skip": lambda: as_text(local.resolve(step.get("SkipCheck", False), name)),
        "registerNewBaseline": lambda: as_text(local.resolve(step.get("RegisterNewBaseline", False), name)),
        "suppliedConstraints": supplied_constraints,
        "model": model,
    }
    where = f"step {name}: the substitution in {local.settings.source}"
    command = expand(substitution["command"], token, where)
    if supplied_uri is not None:
        command += expand(substitution.get("whenSupplied", []), token, where)
    local.execute(name, command, root, {}, root / "log.txt")
    # As a Processing step has them, then the substitution's files under the first output.
    props = {f"ProcessingOutputConfig.Outputs['{item['OutputName']}'].S3Output.S3Uri": item["S3Output"]["S3Uri"] for item in outputs}
    for prop, file in substitution.get("properties", {}).items():
        if output_uri is None:
            raise WiringError(f"step {name}: the substitution's property {prop} is a file under the output, but the step has no ProcessingOutput")
        props[prop] = f"{output_uri.rstrip('/')}/{file}"
    if "CalculatedBaselineConstraints" in props:
        props.setdefault("BaselineUsedForDriftCheckConstraints", supplied_uri or props["CalculatedBaselineConstraints"])
    if "CalculatedBaselineStatistics" in props:
        props.setdefault("BaselineUsedForDriftCheckStatistics", props["CalculatedBaselineStatistics"])
    local.properties[name] = props
    if output_uri is not None:
        result.outputs["report"] = output_uri
    result.outputs["substitutedBy"] = substitution["description"]
