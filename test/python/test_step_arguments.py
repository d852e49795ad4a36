"""The deployed definitions call the step scripts with command lines the scripts accept.

For every rendered definition (written by `npx ts-node --swc pipeline-definitions/review.ts
build/pipeline-definitions` before the Python tests): each Processing step that runs a step script
(``python3 .../code/<script>.py``) has its ContainerArguments parsed by that script's
``parse_args``, pipeline parameters taking their default values; a Training step's
hyperparameters, and a Tuning step's (static and tuned), are options its program
(``sagemaker_program``) knows; and each local substitution of a managed check
(``*.local.json``), with and without its supplied-baseline options, parses with quality_gate.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import RENDERED_DIR, import_file

DEFINITIONS = sorted(p for p in RENDERED_DIR.glob("*.json") if not p.name.endswith(".local.json"))
LOCAL = sorted(RENDERED_DIR.glob("*.local.json"))
SCRIPT = re.compile(r"/code/(\w+)\.py$")


def steps(items: list[dict]):
    for step in items:
        yield step
        for branch in ("IfSteps", "ElseSteps"):
            yield from steps(step.get("Arguments", {}).get(branch, []))


def resolver(definition: dict):
    """A pipeline value as the step receives it: parameters at their defaults, other references
    (step properties, execution variables) as a placeholder path."""
    defaults = {p["Name"]: p.get("DefaultValue", "") for p in definition.get("Parameters", [])}

    def text(value) -> str:
        if isinstance(value, bool):
            return json.dumps(value)
        if isinstance(value, (int, float, str)):
            return str(value)
        if isinstance(value, dict) and "Std:Join" in value:
            join = value["Std:Join"]
            return join["On"].join(text(v) for v in join["Values"])
        if isinstance(value, dict) and "Get" in value and value["Get"].startswith("Parameters."):
            return text(defaults[value["Get"][len("Parameters.") :]])
        if value in ({"Get": "Execution.StartDateTime"}, {"Get": "Execution.CurrentDateTime"}):
            return "2026-01-02T03:04:05.678Z"  # the service's ISO-8601 form
        return "/placeholder"

    return text


def script_calls() -> list[tuple[str, str, str, list[str]]]:
    calls = []
    for path in DEFINITIONS:
        definition = json.loads(path.read_text())
        text = resolver(definition)
        for step in steps(definition["Steps"]):
            app = step.get("Arguments", {}).get("AppSpecification", {})
            entry = app.get("ContainerEntrypoint") or []
            match = SCRIPT.search(entry[-1]) if entry else None
            if match:
                calls.append((path.stem, step["Name"], match.group(1), [text(a) for a in app.get("ContainerArguments", [])]))
    return calls


def load_script(definition: str, script: str):
    """A step script as the pipeline ships it: from the code its stack uploads (the step-code
    library and the family's code, the rendering's code seeds), imported under the rendering's
    name, with those folders first on the path as they are one folder in the job."""
    seeds = json.loads((RENDERED_DIR / f"{definition}.local.json").read_text())["seeds"]
    folders = [Path(s["path"]) for s in seeds if "path" in s and Path(s["path"]).is_dir() and (RENDERED_DIR / "assets") in Path(s["path"]).parents]
    found = [folder / f"{script}.py" for folder in folders if (folder / f"{script}.py").is_file()]
    assert len(found) == 1, f"{definition}: {script}.py is in {len(found)} of its code folders {folders}"
    return import_file(f"rendered_{definition.replace('-', '_').replace('.', '_')}_{script}", found[0], folders)


def test_the_definitions_are_rendered():
    assert DEFINITIONS and script_calls(), f"no rendered definitions in {RENDERED_DIR}: render them first (npx ts-node --swc pipeline-definitions/review.ts build/pipeline-definitions)"


@pytest.mark.parametrize("definition, step, script, argv", script_calls(), ids=lambda v: v if isinstance(v, str) and "/" not in v else None)
def test_every_script_step_parses_its_arguments(definition, step, script, argv):
    load_script(definition, script).parse_args(argv)  # argparse exits on an unknown option or a bad value




def training_hyperparameters(step: dict) -> dict:
    """A Training step's hyperparameters; a Tuning step's static ones with each tuned one at a
    value of its range (its minimum, or its first value)."""
    if step["Type"] == "Training":
        return dict(step["Arguments"]["HyperParameters"])
    config = step["Arguments"]["HyperParameterTuningJobConfig"]
    drawn = {r["Name"]: r.get("MinValue", (r.get("Values") or [""])[0]) for ranges in config.get("ParameterRanges", {}).values() for r in ranges}
    return {**step["Arguments"]["TrainingJobDefinition"]["StaticHyperParameters"], **drawn}


def trains_a_program(step: dict) -> bool:
    """A Training or Tuning step that runs a training program of the project (a built-in
    algorithm's image reads its hyperparameters itself: it has no sagemaker_program)."""
    return step["Type"] in ("Training", "Tuning") and "sagemaker_program" in training_hyperparameters(step)


TRAINED = [p for p in DEFINITIONS if any(trains_a_program(s) for s in steps(json.loads(p.read_text())["Steps"]))]


@pytest.mark.parametrize("path", TRAINED, ids=lambda p: p.stem)
def test_the_training_hyperparameters_are_options_of_the_training_program(path):
    definition = json.loads(path.read_text())
    text = resolver(definition)
    for step in filter(trains_a_program, steps(definition["Steps"])):
        given = training_hyperparameters(step)
        program = given["sagemaker_program"]
        train = load_script(path.stem, Path(program).stem)
        hyperparameters = {k: text(v) for k, v in given.items() if not k.startswith("sagemaker_")}
        argv = [item for key, value in hyperparameters.items() for item in (f"--{key}", value)]
        known = vars(train.parse_args(argv))
        options = {key.replace("-", "_"): value for key, value in hyperparameters.items()}
        assert set(options) <= set(known), f"{step['Name']}: {program} ignores {sorted(set(options) - set(known))}"
        for key, value in options.items():
            assert str(known[key]).lower() == value.lower() or float(known[key]) == float(value), (key, value, known[key])


def substitution_calls() -> list[tuple[str, str, list[str]]]:
    def fill(item: str) -> str:
        name = item[1:-1]
        return "false" if name in ("skip", "registerNewBaseline") else "/placeholder"

    calls = []
    for path in LOCAL:
        for name, substitution in json.loads(path.read_text()).get("substitutions", {}).items():
            command = substitution.get("command", [])
            if len(command) > 1 and command[1].endswith("quality_gate.py"):
                argv = [fill(a) if a.startswith("{") and a.endswith("}") else a for a in command[2:]]
                calls.append((path.stem, name, argv))
                if substitution.get("whenSupplied"):
                    calls.append((path.stem, f"{name}+supplied", argv + [fill(a) if a.startswith("{") else a for a in substitution["whenSupplied"]]))
    return calls


@pytest.mark.parametrize("definition, step, argv", substitution_calls(), ids=lambda v: v if isinstance(v, str) else None)
def test_every_local_substitution_parses_with_quality_gate(definition, step, argv):
    import quality_gate

    args = quality_gate.parse_args(argv)
    if step.endswith("+supplied"):
        assert args.constraints_file == Path("/placeholder")
