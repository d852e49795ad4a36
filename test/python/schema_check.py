"""Checks a pipeline definition's structure against the official JSON schema, with the overlay
that brings the schema up to what the service accepts.

The official schema (aws-sagemaker-mlops/sagemaker-model-building-pipeline-definition-JSON-schema)
lags the service. :data:`OVERLAY` is the one place that says where, each entry naming the service
or API field that justifies it; nothing else is relaxed. Steps are checked one by one against the
definition of their type (the schema's ``oneOf`` over step types hides the reason of a mismatch),
and the steps in a Condition's branches the same way.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable, Iterator

import jsonschema

STEP_DEFINITIONS = {
    "Training": "TrainingStep",
    "Processing": "ProcessingStep",
    "Transform": "TransformStep",
    "Model": "CreateModelStep",
    "RegisterModel": "RegisterModelStep",
    "Condition": "ConditionStep",
    "Fail": "FailStep",
    "Lambda": "LambdaStep",
    "Callback": "CallbackStep",
    "Tuning": "TuningStep",
    "ClarifyCheck": "ClarifyCheckStep",
    "QualityCheck": "QualityCheckStep",
    "EMR": "EMRStep",
    "AutoML": "AutoMLStep",
}

GET = {"$ref": "#/definitions/GetFunction"}
JOIN = {"$ref": "#/definitions/JoinFunction"}
JSON_GET = {"$ref": "#/definitions/JsonGetFunction"}


def _patch(path: str, change: Callable[[dict], None]) -> Callable[[dict], None]:
    def apply(schema: dict) -> None:
        node = schema
        for key in path.split("/"):
            node = node[key]
        change(node)

    return apply


def _add_property(name: str, value: dict) -> Callable[[dict], None]:
    return lambda node: node.setdefault("properties", {}).__setitem__(name, value)


def _add_choices(*choices: dict) -> Callable[[dict], None]:
    return lambda node: node["oneOf"].extend(choices)


def _sources(*names: str) -> dict:
    """An object of MetricsSource/FileSource members (ContentType, ContentDigest, S3Uri)."""
    source = {
        "type": "object",
        "properties": {name: {"$ref": "#/definitions/StringArgumentValue"} for name in ("ContentType", "ContentDigest", "S3Uri")},
        "required": ["S3Uri"],
        "additionalProperties": False,
    }
    return {"type": "object", "properties": {name: source for name in names}, "additionalProperties": False}


#: (what the service accepts that the schema lacks, the patch). Keep it small and justified.
OVERLAY: list[tuple[str, Callable[[dict], None]]] = [
    (
        "Std:Join: the schema's JoinFunction puts On and Values directly under 'Std:Join' without "
        "'properties', so no object can match it; the service reads {'Std:Join': {'On', 'Values'}}",
        _patch(
            "definitions/JoinFunction/properties",
            lambda node: node.__setitem__(
                "Std:Join",
                {
                    "type": "object",
                    "properties": {
                        "On": {"type": "string"},
                        "Values": {"type": "array", "items": {"oneOf": [{"type": ["string", "number", "boolean"]}, GET, JSON_GET]}},
                    },
                    "required": ["Values"],
                    "additionalProperties": False,
                },
            ),
        ),
    ),
    (
        "Std:JsonGet (a property file's value, e.g. the evaluation report's accuracy) is a pipeline function the schema lacks",
        lambda schema: schema["definitions"].__setitem__(
            "JsonGetFunction",
            {
                "type": "object",
                "properties": {
                    "Std:JsonGet": {
                        "type": "object",
                        "properties": {"PropertyFile": {"oneOf": [GET, {"type": "string"}]}, "Path": {"type": "string"}},
                        "required": ["PropertyFile", "Path"],
                        "additionalProperties": False,
                    }
                },
                "required": ["Std:JsonGet"],
                "additionalProperties": False,
            },
        ),
    ),
    ("Std:Join and Std:JsonGet stand for strings (e.g. a Fail step's ErrorMessage)", _patch("definitions/StringArgumentValue", _add_choices(JOIN, JSON_GET))),
    ("Std:JsonGet stands for numbers (a condition on a property file's value)", _patch("definitions/FloatArgumentValue", _add_choices(JSON_GET))),
    ("Std:JsonGet stands for integers", _patch("definitions/IntegerArgumentValue", _add_choices(JSON_GET))),
    ("Std:JsonGet stands for booleans", _patch("definitions/BooleanArgumentValue", _add_choices(JSON_GET))),
    (
        "A Processing step's PropertyFiles (PropertyFileName, OutputName, FilePath) are read by Std:JsonGet",
        _patch(
            "definitions/ProcessingStep",
            _add_property(
                "PropertyFiles",
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"PropertyFileName": {"type": "string"}, "OutputName": {"type": "string"}, "FilePath": {"type": "string"}},
                        "required": ["PropertyFileName", "OutputName", "FilePath"],
                        "additionalProperties": False,
                    },
                },
            ),
        ),
    ),
    (
        "String parameters take EnumValues (the SDK's ParameterString(enum_values=...))",
        _patch("definitions/StringParameter", _add_property("EnumValues", {"type": "array", "items": {"type": "string"}})),
    ),
    (
        "Any step type may stand in a Condition's branches; each is checked against its own type here",
        _patch(
            "definitions/ConditionStep/properties/Arguments/properties",
            lambda node: [node.__setitem__(branch, {"type": "array", "items": {"type": "object"}}) for branch in ("IfSteps", "ElseSteps")],
        ),
    ),
    (
        "AppManaged on processing inputs (CreateProcessingJob ProcessingInput.AppManaged)",
        _patch("definitions/ProcessingArgs/properties/ProcessingInputs/items", _add_property("AppManaged", {"type": "boolean"})),
    ),
    (
        "AppManaged on processing outputs (CreateProcessingJob ProcessingOutput.AppManaged)",
        _patch(
            "definitions/ProcessingArgs/properties/ProcessingOutputConfig/properties/Outputs/items",
            _add_property("AppManaged", {"type": "boolean"}),
        ),
    ),
    (
        "Training ProfilerConfig (CreateTrainingJob.ProfilerConfig)",
        _patch("definitions/TrainingStep/properties/Arguments", _add_property("ProfilerConfig", {"type": "object"})),
    ),
    (
        "Training ProfilerRuleConfigurations (CreateTrainingJob.ProfilerRuleConfigurations)",
        _patch(
            "definitions/TrainingStep/properties/Arguments",
            _add_property("ProfilerRuleConfigurations", {"type": "array", "items": {"type": "object"}}),
        ),
    ),
    (
        "A model's data location may be a step property, e.g. the training step's model artifacts, or a Std:Join of "
        "one, e.g. a tuning's best model (the SDK's TuningStep.get_top_model_s3_uri joins the output path, "
        "TrainingJobSummaries[k].TrainingJobName and output/model.tar.gz) (CreateModel ContainerDefinition.ModelDataUrl)",
        _patch(
            "definitions/ContainerDefinition/properties",
            lambda node: node.__setitem__("ModelDataUrl", {"oneOf": [node["ModelDataUrl"], GET, JOIN]}),
        ),
    ),
    *[
        (
            f"CreateModelPackage.{member} (RegisterModel)",
            _patch("definitions/RegisterModelStep/properties/Arguments", _add_property(member, value)),
        )
        for member, value in {
            "ModelApprovalStatus": {"$ref": "#/definitions/StringArgumentValue"},
            "CustomerMetadataProperties": {"type": "object", "patternProperties": {".*": {"$ref": "#/definitions/StringArgumentValue"}}},
            "Domain": {"$ref": "#/definitions/StringArgumentValue"},
            "Task": {"$ref": "#/definitions/StringArgumentValue"},
        }.items()
    ],
    (
        "CreateModelPackage ModelMetrics.Bias.PreTrainingReport and PostTrainingReport (MetricsSource)",
        _patch(
            "definitions/RegisterModelStep/properties/Arguments/properties/ModelMetrics/properties/Bias/properties",
            lambda node: [node.__setitem__(name, copy.deepcopy(node["Report"])) for name in ("PreTrainingReport", "PostTrainingReport")],
        ),
    ),
    (
        "CreateModelPackage.DriftCheckBaselines (Bias, Explainability, ModelQuality, ModelDataQuality baselines as MetricsSource/FileSource)",
        _patch(
            "definitions/RegisterModelStep/properties/Arguments",
            lambda node: _add_property(
                "DriftCheckBaselines",
                {
                    "type": "object",
                    "properties": {
                        "Bias": _sources("ConfigFile", "PreTrainingConstraints", "PostTrainingConstraints"),
                        "Explainability": _sources("Constraints", "ConfigFile"),
                        "ModelQuality": _sources("Statistics", "Constraints"),
                        "ModelDataQuality": _sources("Statistics", "Constraints"),
                    },
                    "additionalProperties": False,
                },
            )(node),
        ),
    ),
    (
        "CreateModelPackage ModelPackageContainerDefinition.Environment (RegisterModel)",
        _patch(
            "definitions/RegisterModelStep/properties/Arguments/properties/InferenceSpecification/properties/Containers/items",
            _add_property("Environment", {"type": "object", "patternProperties": {".*": {"$ref": "#/definitions/StringArgumentValue"}}}),
        ),
    ),
    (
        "The top-level PipelineExperimentConfig (ExperimentName, TrialName)",
        _patch("properties", lambda node: node.__setitem__("PipelineExperimentConfig", {"type": "object"})),
    ),
    (
        "Steps are checked one by one against the definition of their Type (see check_structure)",
        _patch("properties/Steps", lambda node: node.__setitem__("items", {"type": "object", "required": ["Name", "Type"]})),
    ),
]


def overlaid(schema: dict) -> dict:
    result = copy.deepcopy(schema)
    for _reason, patch in OVERLAY:
        patch(result)
    return result


def _steps(steps: list[dict]) -> Iterator[dict]:
    for step in steps:
        yield step
        if step.get("Type") == "Condition":
            yield from _steps(step.get("Arguments", {}).get("IfSteps", []))
            yield from _steps(step.get("Arguments", {}).get("ElseSteps", []))


def check_structure(definition: dict, schema_path: Path) -> list[str]:
    """Every structural problem of a definition, as readable lines."""
    schema = overlaid(json.loads(schema_path.read_text()))
    problems = [f"definition{_where(e)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(definition)]
    for step in _steps(definition.get("Steps", [])):
        name = STEP_DEFINITIONS.get(step.get("Type"))
        if name is None:
            problems.append(f"step {step.get('Name')}: type {step.get('Type')!r} is not one the schema knows")
            continue
        step_schema = {"definitions": schema["definitions"], **schema["definitions"][name]}
        problems += [f"step {step['Name']}{_where(e)}: {e.message}" for e in jsonschema.Draft7Validator(step_schema).iter_errors(step)]
    return problems


def _where(error: Any) -> str:
    return "".join(f"[{p!r}]" for p in error.absolute_path)
