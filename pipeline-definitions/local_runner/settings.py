"""A pipeline's local settings (``<id>.local.json``): what it needs to run on this machine.

The TypeScript side writes them beside the rendering; nothing in the runner knows any pipeline.

    {
      "pipeline": "<id>",
      "parameters": {"Name": "value"},      local defaults of parameters; --param overrides them
      "notes": {"Name": "why"},             optional, free text per parameter
      "seeds": [                            written before the run, in order; each one of:
        {"uri": "s3://b/k/", "path": "<folder or file, absolute or relative to the project root>"},
        {"uri": "s3://b/k.json", "content": <any JSON>},
        {"uri": "s3://b/k/", "command": ["{python}", "script.py", "--out", "{target}"], "once": true}
        (each with a "description"; "once": skipped when the target exists)
      ],
      "modelPackages": [<DescribeModelPackage responses, with ModelPackageArn>],
      "featureGroups": {"<name>": {"featureGroupName", "recordIdentifier", "eventTime", "features": [{"name", "type"}]}},
      "substitutions": {"<StepName>": {"description", "command": [...], "whenSupplied": [...], "properties": {...}}},
      "environment": {"NAME": "value"},     variables of every job the run starts (e.g. no downloads)
      "jobArguments": {"<StepName>": [...]} appended to a Training or Processing step's command (its script's own
                                            options for what SageMaker does by convention), with
                                            ``{job:<container path>}`` the job's local folder of that path
      "tuning": {"<StepName>": {"seed": 7, "ranges": {"<name>": {"min": .., "max": ..}}, "note": "why"}}
                                            a Tuning step's sampling seed here, and its ranges scaled
                                            for a stand-in model (steps/tuning.py)
      "algorithms": {"<image repository>": {"description", "training": [...], "serving": "<handlers.py>"}}
                                            stand-ins for a built-in algorithm's container (by the
                                            repository of its image, e.g. "blazingtext"): the command
                                            its training jobs run (as a training program runs: the
                                            SM_* variables, SM_HPS among them) and the serving
                                            handlers its model containers answer with
                                            (``model_fn``, ``input_fn``, ``predict_fn``,
                                            ``output_fn``); paths relative to the project root
      "automl": {"<StepName>": {"description", "command": [...]}}
                                            what stands in for Autopilot in an AutoML step: a
                                            search of candidates (steps/automl.py)
    }

Tokens in commands (:func:`expand`): ``{python}`` the interpreter; ``{s3:<URI>}`` the local path
of an S3 URI (with its final slash when the URI has one); in seeds ``{target}`` the local path of
the seed's URI; in substitutions ``{input:<InputName>}``, ``{output}``, ``{skip}``,
``{registerNewBaseline}``, ``{suppliedConstraints}`` and ``{model}`` (see steps/substituted.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from local_runner.values import WiringError, as_text

MEMBERS = ("pipeline", "parameters", "notes", "seeds", "modelPackages", "featureGroups", "substitutions", "environment", "jobArguments", "tuning", "algorithms", "automl")
SEED_SOURCES = ("path", "content", "command")
TOKEN = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)(?::([^{}]+))?\}")


@dataclass
class LocalSettings:
    pipeline: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    seeds: list[dict] = field(default_factory=list)
    model_packages: list[dict] = field(default_factory=list)
    feature_groups: dict[str, dict] = field(default_factory=dict)
    substitutions: dict[str, dict] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    job_arguments: dict[str, list[str]] = field(default_factory=dict)
    # By Tuning step: {"seed": n, "ranges": {<name>: {"min", "max"} or {"values"}}, "note": why}:
    # the seed the local tuner samples with, and ranges scaled for a stand-in model.
    tuning: dict[str, dict] = field(default_factory=dict)
    # By image repository: {"description", "training": [command], "serving": "<handlers>"}: how a
    # built-in algorithm's container runs here.
    algorithms: dict[str, dict] = field(default_factory=dict)
    # By AutoML step: {"description", "command"}: the search that stands in for Autopilot.
    automl: dict[str, dict] = field(default_factory=dict)
    source: str = "the local settings"

    @classmethod
    def load(cls, path: Path) -> "LocalSettings":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise WiringError(f"{path}: not JSON: {error}") from None
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: dict | None, source: str = "the local settings") -> "LocalSettings":
        """The settings of a parsed ``<id>.local.json``, checked (a WiringError names what is wrong)."""
        data = data or {}
        unknown = sorted(set(data) - set(MEMBERS))
        if unknown:
            raise WiringError(f"{source}: unknown member {', '.join(unknown)}; expected {', '.join(MEMBERS)}")
        settings = cls(
            pipeline=data.get("pipeline"),
            parameters={name: as_text(value) for name, value in (data.get("parameters") or {}).items()},
            notes=dict(data.get("notes") or {}),
            seeds=list(data.get("seeds") or []),
            model_packages=list(data.get("modelPackages") or []),
            feature_groups=dict(data.get("featureGroups") or {}),
            substitutions=dict(data.get("substitutions") or {}),
            environment={name: as_text(value) for name, value in (data.get("environment") or {}).items()},
            job_arguments=dict(data.get("jobArguments") or {}),
            tuning=dict(data.get("tuning") or {}),
            algorithms=dict(data.get("algorithms") or {}),
            automl=dict(data.get("automl") or {}),
            source=source,
        )
        for step, search in settings.automl.items():
            if not isinstance(search, dict) or set(search) != {"description", "command"} or not isinstance(search["description"], str) or not _strings(search["command"]):
                raise WiringError(f"{source}: the search of AutoML step {step} needs a description and a command (a list of strings); it has {json.dumps(search)}")
        for repository, standin in settings.algorithms.items():
            if (
                not isinstance(standin, dict)
                or set(standin) != {"description", "training", "serving"}
                or not isinstance(standin["description"], str)
                or not _strings(standin["training"])
                or not isinstance(standin["serving"], str)
            ):
                raise WiringError(
                    f"{source}: the stand-in for image repository {repository} needs a description, training (a command: a list of strings) "
                    f"and serving (a handlers file); it has {json.dumps(standin)}"
                )
        for step, tuning in settings.tuning.items():
            if not isinstance(tuning, dict) or set(tuning) - {"seed", "ranges", "note"} or not isinstance(tuning.get("seed", 0), int):
                raise WiringError(f"{source}: the tuning of step {step} takes seed (a whole number), ranges and note; it has {json.dumps(tuning)}")
            if tuning.get("ranges") and not tuning.get("note"):
                raise WiringError(f"{source}: the tuning of step {step} scales ranges; say why in its note")
        for step, arguments in settings.job_arguments.items():
            if not _strings(arguments):
                raise WiringError(f"{source}: the job arguments of step {step} must be a non-empty list of strings")
        for index, seed in enumerate(settings.seeds):
            sources = [key for key in SEED_SOURCES if key in seed]
            if not isinstance(seed.get("uri"), str) or len(sources) != 1:
                raise WiringError(f"{source}: seed {index + 1} needs a uri and one of {', '.join(SEED_SOURCES)}; it has {', '.join(sorted(seed)) or 'nothing'}")
            if "command" in seed and not _strings(seed["command"]):
                raise WiringError(f"{source}: seed {seed['uri']}: command must be a non-empty list of strings")
        for package in settings.model_packages:
            if not isinstance(package.get("ModelPackageArn"), str):
                raise WiringError(f"{source}: every model package needs a ModelPackageArn")
        for step, substitution in settings.substitutions.items():
            if not _strings(substitution.get("command")) or not isinstance(substitution.get("description"), str):
                raise WiringError(f"{source}: the substitution of step {step} needs a description and a command (a list of strings)")
            if "whenSupplied" in substitution and not isinstance(substitution["whenSupplied"], list):
                raise WiringError(f"{source}: the substitution of step {step}: whenSupplied must be a list of strings")
        return settings

    def summary(self, overridden: set[str] | frozenset = frozenset()) -> dict:
        """What a run used locally, for its report (the run adds the stand-ins); ``overridden``:
        the parameters that --param set."""
        return {
            "settings": self.source,
            "parameters": [
                {"name": name, "value": value, "note": self.notes.get(name), "overridden": name in overridden}
                for name, value in self.parameters.items()
            ],
            "seeds": [{"uri": s["uri"], "description": s.get("description"), "kind": next(k for k in SEED_SOURCES if k in s)} for s in self.seeds],
            "substitutions": [{"step": step, "description": s["description"], "command": s["command"]} for step, s in self.substitutions.items()],
            "modelPackages": [p["ModelPackageArn"] for p in self.model_packages],
            "featureGroups": sorted(self.feature_groups),
            "environment": self.environment,
            "jobArguments": self.job_arguments,
            "tuning": self.tuning,
            "algorithms": {repository: standin["description"] for repository, standin in self.algorithms.items()},
            "automl": {step: search["description"] for step, search in self.automl.items()},
        }

    def algorithm(self, image: str) -> dict | None:
        """The stand-in for a built-in algorithm's image (``<registry>/<repository>:<tag>``), or None."""
        repository = str(image).rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
        return self.algorithms.get(repository)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(part, str) for part in value)


def expand(command: list[str], token: Callable[[str, str | None], str], where: str) -> list[str]:
    """A command with its tokens replaced: ``token(name, argument)`` gives each token's text, or
    None when the token is not known here (a WiringError naming it and ``where``)."""

    def replace(match: re.Match) -> str:
        text = token(match.group(1), match.group(2))
        if text is None:
            raise WiringError(f"{where}: unknown token {match.group(0)} in the command")
        return text

    return [TOKEN.sub(replace, part) for part in command]


def s3_token(s3_path: Callable[[str], Path], uri: str) -> str:
    """``{s3:<URI>}``: the local path, with a final slash when the URI has one."""
    path = str(s3_path(uri))
    return path + "/" if uri.endswith("/") else path
