"""Runs a rendered SageMaker pipeline definition on this machine, without Docker.

The runner reads the same JSON that the app deploys (its placeholder rendering), resolves
parameters, execution variables, ``Get``, ``Std:Join`` and ``Std:JsonGet``, orders the steps by
their data and ``DependsOn`` edges, takes only the chosen branch of a Condition, and runs:

- Processing and Training steps: their scripts, with SageMaker's container paths
  (``/opt/ml/processing/...``, ``/opt/ml/input/data/<channel>``, ``/opt/ml/model``) mapped into a
  work folder, hyperparameters as arguments and ``SM_*`` variables, and S3 URIs mapped to folders
  under ``<work>/s3/<bucket>/<key>``; metric definitions applied to the training log;
- Model, RegisterModel: records in ``<work>/registry``; Transform: the model's own inference
  handlers; Fail: the end of the run with its message;
- Feature Store PutRecord calls go to a local stand-in that checks each record against the
  feature group's schema.

A wiring error (a reference to a step or output that does not exist or has not been written, a
script that exits non-zero) stops the run with a message naming the step and the reference; the
report keeps every step that ran before it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from local_runner.featurestore_standin import FeatureStoreStandIn  # noqa: E402
from local_runner.tiny_model import build_tiny_roberta  # noqa: E402

CONTAINER_ROOT = "/opt/ml/"


class WiringError(Exception):
    """A reference that cannot be resolved, or a step that cannot run as wired."""


class StepFailed(Exception):
    """A step ran and failed (a script exited non-zero)."""


@dataclass
class StepResult:
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
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def json_path(document: Any, path: str) -> Any:
    value = document
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        value = value[int(part[1:-1])] if part.startswith("[") else value[part]
    return value


def walk(value: Any):
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


class LocalRun:
    def __init__(
        self,
        definition: dict,
        work_dir: Path,
        seeds: list[dict] | None = None,
        feature_groups: dict | None = None,
        parameters: dict[str, str] | None = None,
        local_parameters: dict[str, str] | None = None,
        python: str = sys.executable,
        pipeline: str = "pipeline",
        repo_root: Path | None = None,
        log=print,
    ):
        self.definition = definition
        self.work = Path(work_dir).resolve()
        self.seeds = seeds or []
        self.feature_groups = feature_groups or {}
        self.python = python
        self.pipeline = pipeline
        self.repo_root = repo_root or HERE.parent.parent
        self.log = log
        declared = {p["Name"]: p for p in definition.get("Parameters", [])}
        self.parameters = {name: p.get("DefaultValue") for name, p in declared.items()}
        for name, text in {**(local_parameters or {}), **(parameters or {})}.items():
            if name not in declared:
                raise WiringError(f"parameter {name} is not declared by the pipeline; expected one of {', '.join(declared)}")
            self.parameters[name] = parse_parameter(declared[name], text)
        started = datetime.now(timezone.utc)
        execution_id = f"local-{started.strftime('%Y%m%dT%H%M%S')}"
        self.execution = {
            "PipelineExecutionId": execution_id,
            "PipelineExecutionArn": f"arn:aws:sagemaker:local:000000000000:pipeline/{pipeline}/execution/{execution_id}",
            "PipelineName": pipeline,
            "PipelineArn": f"arn:aws:sagemaker:local:000000000000:pipeline/{pipeline}",
            "CurrentDateTime": started.isoformat(),
            "StartDateTime": started.isoformat(),
        }
        self.properties: dict[str, dict[str, Any]] = {}
        self.property_files: dict[str, dict[str, Path]] = {}
        self.results: list[StepResult] = []
        self.failed = False

    # ---- S3 and container paths -------------------------------------------------------------
    def s3_path(self, uri: str) -> Path:
        match = re.fullmatch(r"s3://([^/]+)/?(.*)", uri)
        if not match:
            raise WiringError(f"{uri!r} is not an S3 URI")
        return self.work / "s3" / match.group(1) / match.group(2)

    def container_path(self, root: Path, value: str) -> str:
        return str(root / value[len(CONTAINER_ROOT) :]) if value.startswith(CONTAINER_ROOT) else value

    def seed(self) -> None:
        for seed in self.seeds:
            target = self.s3_path(seed["uri"])
            if seed.get("tinyModel"):
                if target.exists():
                    continue  # built once per work folder
                texts = []
                for source in self.seeds:
                    if source.get("textColumn"):
                        import csv

                        for path in sorted((self.repo_root / source["path"]).rglob("*.csv")):
                            with path.open(newline="", encoding="utf-8") as handle:
                                texts += [row[source["textColumn"]] for row in csv.DictReader(handle) if row[source["textColumn"]]]
                build_tiny_roberta(target, texts)
            elif "content" in seed:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(seed["content"]), encoding="utf-8")
            else:
                shutil.copytree(self.repo_root / seed["path"], target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))

    # ---- values ------------------------------------------------------------------------------
    def resolve(self, value: Any, step: str) -> Any:
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
            spec = value["Std:JsonGet"]
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
        return {key: self.resolve(member, step) for key, member in value.items()}

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

    # ---- the run ----------------------------------------------------------------------------
    def run(self) -> dict:
        self.work.mkdir(parents=True, exist_ok=True)
        self.seed()
        started = time.time()
        message = None
        with FeatureStoreStandIn(self.feature_groups, self.work / "feature-store", self.work / "registry", self.work / "s3") as standin:
            self.featurestore = standin
            try:
                self.run_steps(self.definition["Steps"])
            except (WiringError, StepFailed) as error:
                self.failed = True
                message = str(error)
                self.log(f"  stopped: {message}")
            except Exception as error:  # a runner fault: still report what ran
                self.failed = True
                message = f"the local runner failed: {type(error).__name__}: {error}"
                for result in self.results:
                    if result.status == "Executing":
                        result.status, result.message, result.endedAt = "Failed", message, now()
                self.log(f"  stopped: {message}")
        if message is None:
            message = next((r.message for r in self.results if r.type == "Fail" and r.status == "Failed"), None)
        known = {r.name for r in self.results}
        for step in all_steps(self.definition["Steps"]):
            if step["Name"] not in known:
                self.results.append(StepResult(step["Name"], step["Type"]))
        status = "Failed" if self.failed else "Succeeded"
        self.log(f"{self.pipeline}: {status} in {time.time() - started:.1f} s")
        return {
            "pipeline": self.pipeline,
            "status": status,
            "executionId": self.execution["PipelineExecutionId"],
            "message": message,
            "parameters": self.parameters,
            "steps": [r.__dict__ for r in self.results],
        }

    def run_steps(self, steps: list[dict]) -> None:
        pending = {s["Name"]: s for s in steps}
        while pending and not self.failed:
            ready = [s for s in pending.values() if self.dependencies(s, pending) == set()]
            if not ready:
                raise WiringError(f"steps {', '.join(pending)} wait on each other or on steps that did not run")
            step = ready[0]
            del pending[step["Name"]]
            self.run_step(step)

    def dependencies(self, step: dict, pending: dict) -> set[str]:
        # A Condition waits for what its conditions read and for what its branches read outside
        # themselves (its branch runs right after it).
        # Everything the step reads (a check step also reads through ModelName and its baselines),
        # branches aside.
        own = {k: v for k, v in step.items() if k != "Arguments"} | {"Arguments": {k: v for k, v in step.get("Arguments", {}).items() if k not in ("IfSteps", "ElseSteps")}}
        deps = step_references(own) | set(step.get("DependsOn", []))
        deps |= {ref.split(".")[1] for ref in property_file_references(own)}
        if step["Type"] == "Condition":
            inside = {s["Name"] for s in all_steps(step["Arguments"].get("IfSteps", []) + step["Arguments"].get("ElseSteps", []))}
            deps -= inside
        return {d for d in deps if d in pending}

    def run_step(self, step: dict) -> None:
        result = StepResult(step["Name"], step["Type"], status="Executing", startedAt=now())
        self.results.append(result)
        began = time.time()
        runner = getattr(self, f"run_{step['Type'].lower()}", None)
        branch: list[dict] = []
        try:
            if runner is None:
                raise WiringError(f"step {step['Name']}: type {step['Type']} is not supported by the local runner")
            branch = runner(step, result) or []
            if result.status == "Executing":
                result.status = "Succeeded"
        except (WiringError, StepFailed) as error:
            result.status = "Failed"
            result.message = str(error)
            raise
        finally:
            result.endedAt = now()
            self.log(f"  {result.name:<22} {result.type:<14} {result.status:<10} {time.time() - began:6.1f} s")
        self.run_steps(branch)

    def environment(self, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            {
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ENDPOINT_URL_SAGEMAKER_FEATURESTORE_RUNTIME": self.featurestore.endpoint,
                "AWS_ENDPOINT_URL_SAGEMAKER": self.featurestore.endpoint,
                "AWS_ENDPOINT_URL_S3": self.featurestore.endpoint,
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false",
                "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
        env.update(extra)
        return env

    def execute(self, step: str, command: list[str], cwd: Path, env: dict[str, str], log_path: Path) -> str:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        completed = subprocess.run(command, cwd=cwd, env=self.environment(env), capture_output=True, text=True)
        output = completed.stdout + completed.stderr
        # The log starts with the command, as a job's log names its container's arguments.
        log_path.write_text(f"$ {shlex.join(command)}\n{output}", encoding="utf-8")
        if completed.returncode != 0:
            tail = "\n".join(output.strip().splitlines()[-8:])
            raise StepFailed(f"step {step}: {' '.join(command[:2])} exited with {completed.returncode} (log: {log_path}):\n{tail}")
        return output

    def copy_in(self, step: str, what: str, uri: str, target: Path) -> None:
        source = self.s3_path(uri)
        if not source.exists():
            raise WiringError(f"step {step}: {what} reads {uri}, which nothing has written")
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / source.name)

    def job_root(self, step: str) -> Path:
        root = self.work / "jobs" / step
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        return root

    # ---- step types --------------------------------------------------------------------------
    def run_processing(self, step: dict, result: StepResult) -> None:
        name = step["Name"]
        args = self.resolve(step["Arguments"], name)
        root = self.job_root(name)
        for item in args.get("ProcessingInputs", []):
            s3 = item["S3Input"]
            self.copy_in(name, f"input {item['InputName']!r}", s3["S3Uri"], Path(self.container_path(root, s3["LocalPath"])))
        outputs = args.get("ProcessingOutputConfig", {}).get("Outputs", [])
        for item in outputs:
            Path(self.container_path(root, item["S3Output"]["LocalPath"])).mkdir(parents=True, exist_ok=True)
        app = args["AppSpecification"]
        command = [self.container_path(root, part) for part in app.get("ContainerEntrypoint", []) + app.get("ContainerArguments", [])]
        before = dict(self.featurestore.accepted)
        if command and command[0] in ("python3", "python"):
            command[0] = self.python
        self.execute(name, command, root, {k: as_text(v) for k, v in args.get("Environment", {}).items()}, root / "log.txt")
        props = self.properties.setdefault(name, {"ProcessingJobName": f"{name}-{self.execution['PipelineExecutionId']}"})
        for item in outputs:
            uri = item["S3Output"]["S3Uri"]
            target = self.s3_path(uri)
            shutil.copytree(self.container_path(root, item["S3Output"]["LocalPath"]), target, dirs_exist_ok=True)
            props[f"ProcessingOutputConfig.Outputs['{item['OutputName']}'].S3Output.S3Uri"] = uri
            result.outputs[item["OutputName"]] = uri
        by_output = {item["OutputName"]: item["S3Output"]["S3Uri"] for item in outputs}
        for file in step.get("PropertyFiles", []):
            if file["OutputName"] not in by_output:
                raise WiringError(f"step {name}: property file {file['PropertyFileName']} is on output {file['OutputName']}, which the step does not have")
            self.property_files.setdefault(name, {})[file["PropertyFileName"]] = self.s3_path(by_output[file["OutputName"]]) / file["FilePath"]
        ingested = {group: count - before.get(group, 0) for group, count in self.featurestore.accepted.items() if count > before.get(group, 0)}
        if ingested:
            result.outputs["featureStoreRecords"] = ingested

    def run_training(self, step: dict, result: StepResult) -> None:
        name = step["Name"]
        args = self.resolve(step["Arguments"], name)
        root = self.job_root(name)
        channels = []
        for channel in args.get("InputDataConfig", []):
            uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
            target = root / "input" / "data" / channel["ChannelName"]
            self.copy_in(name, f"channel {channel['ChannelName']!r}", uri, target)
            channels.append(channel["ChannelName"])
        hyperparameters = {k: as_text(v) for k, v in args.get("HyperParameters", {}).items()}
        program = hyperparameters.pop("sagemaker_program", None)
        submit = hyperparameters.pop("sagemaker_submit_directory", None)
        if not program or not submit:
            raise WiringError(f"step {name}: HyperParameters need sagemaker_program and sagemaker_submit_directory to run locally")
        code_dir = Path(self.container_path(root, submit))
        if not (code_dir / program).exists():
            raise WiringError(f"step {name}: {program} is not in {submit} (no channel brings it)")
        model_dir, output_dir = root / "model", root / "output" / "data"
        model_dir.mkdir(parents=True)
        output_dir.mkdir(parents=True)
        env = {f"SM_CHANNEL_{c.upper()}": str(root / "input" / "data" / c) for c in channels}
        env.update(
            {
                "SM_MODEL_DIR": str(model_dir),
                "SM_OUTPUT_DATA_DIR": str(output_dir),
                "SM_CHANNELS": json.dumps(channels),
                "SM_HPS": json.dumps(hyperparameters),
            }
        )
        command = [self.python, program] + [part for key, value in hyperparameters.items() for part in (f"--{key}", value)]
        command += ["--checkpoint_dir", str(root / "checkpoints")]
        log = self.execute(name, command, code_dir, env, root / "log.txt")
        for definition in args.get("AlgorithmSpecification", {}).get("MetricDefinitions", []):
            values = [float(m.group(1)) for m in re.finditer(definition["Regex"], log)]
            if values:
                result.metrics[definition["Name"]] = values[-1]
        job = f"{name}-{self.execution['PipelineExecutionId']}"
        artifact_uri = f"{args['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{job}/output/model.tar.gz"
        archive = self.s3_path(artifact_uri)
        archive.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "w:gz") as tar:
            for path in sorted(model_dir.iterdir()):
                tar.add(path, arcname=path.name)
        props = {"TrainingJobName": job, "ModelArtifacts.S3ModelArtifacts": artifact_uri}
        props.update({f"FinalMetricDataList['{k}'].Value": v for k, v in result.metrics.items()})
        self.properties[name] = props
        result.outputs["model"] = artifact_uri

    def run_model(self, step: dict, result: StepResult) -> None:
        args = self.resolve(step["Arguments"], step["Name"])
        model_name = f"{step['Name']}-{self.execution['PipelineExecutionId']}"
        record = self.work / "registry" / "models" / f"{model_name}.json"
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(args, indent=2))
        self.properties[step["Name"]] = {"ModelName": model_name}
        result.outputs["model"] = model_name

    def run_transform(self, step: dict, result: StepResult) -> None:
        name = step["Name"]
        args = self.resolve(step["Arguments"], name)
        archive = self.model_archive_dir(name, args["ModelName"]) / "model.tar.gz"
        source_uri = args["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
        source = self.s3_path(source_uri)
        if not source.exists():
            raise WiringError(f"step {name}: input {source_uri} has not been written")
        output_uri = args["TransformOutput"]["S3OutputPath"]
        root = self.job_root(name)
        command = [
            self.python,
            str(HERE / "transform_job.py"),
            str(archive),
            str(source),
            str(self.s3_path(output_uri)),
            args["TransformInput"].get("ContentType", "application/jsonlines"),
            args["TransformOutput"].get("Accept", "application/jsonlines"),
            args.get("DataProcessing", {}).get("JoinSource", "None"),
        ]
        self.execute(name, command, root, {}, root / "log.txt")
        self.properties[name] = {"TransformJobName": f"{name}-{self.execution['PipelineExecutionId']}", "TransformOutput.S3OutputPath": output_uri}
        result.outputs["predictions"] = output_uri

    def run_registermodel(self, step: dict, result: StepResult) -> None:
        args = self.resolve(step["Arguments"], step["Name"])
        group = args["ModelPackageGroupName"]
        directory = self.work / "registry" / "model-packages" / group
        directory.mkdir(parents=True, exist_ok=True)
        version = len(list(directory.glob("*.json"))) + 1
        (directory / f"{version}.json").write_text(json.dumps(args, indent=2))
        arn = f"arn:aws:sagemaker:local:000000000000:model-package/{group.lower()}/{version}"
        self.properties[step["Name"]] = {"ModelPackageArn": arn, "ModelPackageName": f"{group}/{version}", "ModelApprovalStatus": args.get("ModelApprovalStatus")}
        result.outputs.update({"modelPackageArn": arn, "approvalStatus": args.get("ModelApprovalStatus")})

    def run_condition(self, step: dict, result: StepResult) -> list[dict]:
        """Evaluates the conditions; returns the branch to run next."""
        outcome = all(self.condition(c, step["Name"]) for c in step["Arguments"].get("Conditions", []))
        self.properties[step["Name"]] = {"Outcome": outcome}
        result.outputs["outcome"] = outcome
        return step["Arguments"].get("IfSteps" if outcome else "ElseSteps", [])

    def condition(self, condition: dict, step: str) -> bool:
        kind = condition["Type"]
        if kind == "Not":
            return not self.condition(condition["Expression"], step)
        if kind == "Or":
            return any(self.condition(c, step) for c in condition["Conditions"])
        if kind == "In":
            return self.resolve(condition["QueryValue"], step) in self.resolve(condition["Values"], step)
        left, right = self.resolve(condition["LeftValue"], step), self.resolve(condition["RightValue"], step)
        compare = {
            "Equals": lambda a, b: a == b,
            "GreaterThan": lambda a, b: a > b,
            "GreaterThanOrEqualTo": lambda a, b: a >= b,
            "LessThan": lambda a, b: a < b,
            "LessThanOrEqualTo": lambda a, b: a <= b,
        }
        if kind not in compare:
            raise WiringError(f"step {step}: condition type {kind} is not supported")
        return compare[kind](left, right)

    # The open gates that stand in for the managed checks here: (subcommand, input option, files).
    SUBSTITUTES = {
        "DATA_BIAS": ("data-bias", "--data-dir", {"constraints": "analysis.json"}),
        "MODEL_BIAS": ("model-bias", "--predictions-dir", {"constraints": "analysis.json"}),
        "DATA_QUALITY": ("data-quality", "--data-dir", {"constraints": "constraints.json", "statistics": "statistics.json"}),
        "MODEL_QUALITY": ("model-quality", "--predictions-dir", {"constraints": "constraints.json", "statistics": "statistics.json"}),
        "MODEL_EXPLAINABILITY": ("explainability", "--data-dir", {"constraints": "explanations.json"}),
    }

    def run_clarifycheck(self, step: dict, result: StepResult) -> None:
        self.run_check(step, result)

    def run_qualitycheck(self, step: dict, result: StepResult) -> None:
        self.run_check(step, result)

    def run_check(self, step: dict, result: StepResult) -> None:
        """A managed check (Clarify, Model Monitor) runs through the open gate of the same check."""
        name, check = step["Name"], step["CheckType"]
        if check not in self.SUBSTITUTES:
            raise WiringError(f"step {name}: check type {check} has no open-engine substitute in the local runner")
        gate, option, files = self.SUBSTITUTES[check]
        args = self.resolve(step["Arguments"], name)
        dataset = next((i for i in args.get("ProcessingInputs", []) if i["InputName"] != "analysis_config"), None)
        if dataset is None:
            raise WiringError(f"step {name}: no dataset input")
        root = self.job_root(name)
        data_dir = root / "data"
        self.copy_in(name, f"input {dataset['InputName']!r}", dataset["S3Input"]["S3Uri"], data_dir)
        code = self.code_dir()
        output_uri = args["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
        output = self.s3_path(output_uri)
        command = [self.python, str(code / "quality_gate.py"), gate, option, str(data_dir), "--output-dir", str(output)]
        command += ["--skip", as_text(self.resolve(step.get("SkipCheck", False), name))]
        if check == "MODEL_EXPLAINABILITY":
            command += ["--model-dir", str(self.model_archive_dir(name, self.resolve(step.get("ModelName"), name))), "--samples", "3", "--permutations", "2"]
        if check in ("DATA_QUALITY", "MODEL_QUALITY"):
            command += ["--register-new-baseline", as_text(self.resolve(step.get("RegisterNewBaseline", False), name))]
        # A supplied baseline holds the configured limits: the stand-in gates on the same ones.
        supplied = step.get("SuppliedBaselineConstraints")
        supplied_uri = as_text(self.resolve(supplied, name)) if supplied is not None else None
        if supplied_uri is not None:
            command += self.supplied_constraints_arguments(name, check, supplied_uri)
        self.execute(name, command, root, {}, root / "log.txt")
        props = {}
        for kind, file in files.items():
            uri = f"{output_uri.rstrip('/')}/{file}"
            member = "Constraints" if kind == "constraints" else "Statistics"
            props[f"CalculatedBaseline{member}"] = uri
            # The drift check used the supplied baseline when there is one, else the calculated one.
            props[f"BaselineUsedForDriftCheck{member}"] = supplied_uri if kind == "constraints" and supplied_uri else uri
        self.properties[name] = props
        result.outputs["report"] = output_uri
        result.outputs["substitutedBy"] = f"open engine: quality_gate.py {gate} (no {step['Type']} service here)"

    def supplied_constraints_arguments(self, step: str, check: str, uri: str) -> list[str]:
        """The open gate's options that apply a supplied baseline: Clarify constraints as they are,
        Model Monitor's model-quality constraints as minimums."""
        path = self.s3_path(uri)
        if not path.is_file():
            raise WiringError(f"step {step}: the supplied baseline constraints {uri} were not written by a step that ran")
        if check in ("DATA_BIAS", "MODEL_BIAS"):
            return ["--constraints-file", str(path)]
        if check == "MODEL_QUALITY":
            constraints = json.loads(path.read_text())["multiclass_classification_constraints"]
            return ["--thresholds", json.dumps({metric: rule["threshold"] for metric, rule in constraints.items()})]
        raise WiringError(f"step {step}: the local runner cannot apply supplied baseline constraints to {check}")

    def model_archive_dir(self, step: str, model_name: str) -> Path:
        """The local folder of a model's model.tar.gz, from the local registry."""
        record = self.work / "registry" / "models" / f"{model_name}.json"
        if not record.exists():
            raise WiringError(f"step {step}: model {model_name} was not created by a step that ran")
        model = json.loads(record.read_text())
        return self.s3_path((model.get("PrimaryContainer") or model["Containers"][0])["ModelDataUrl"]).parent

    def code_dir(self) -> Path:
        """The local copy of the step code: the 'code' input of any Processing step."""
        for candidate in all_steps(self.definition["Steps"]):
            for item in candidate.get("Arguments", {}).get("ProcessingInputs", []):
                if item.get("InputName") == "code":
                    return self.s3_path(self.resolve(item["S3Input"]["S3Uri"], candidate["Name"]))
        raise WiringError("no step brings the step code (a Processing input named 'code')")

    def run_fail(self, step: dict, result: StepResult) -> None:
        message = as_text(self.resolve(step["Arguments"].get("ErrorMessage", ""), step["Name"]))
        result.status = "Failed"
        result.message = message
        self.failed = True


def all_steps(steps: list[dict]):
    for step in steps:
        yield step
        if step["Type"] == "Condition":
            yield from all_steps(step["Arguments"].get("IfSteps", []))
            yield from all_steps(step["Arguments"].get("ElseSteps", []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline:local", description="Runs a pipeline of the app on this machine.")
    parser.add_argument("pipeline", help="the pipeline's id, e.g. bert-sentiment")
    parser.add_argument("--param", action="append", default=[], metavar="Name=Value", help="override a pipeline parameter")
    parser.add_argument("--report", type=Path, help="write the JSON report here")
    parser.add_argument("--work", type=Path, help="work folder (default: build/local-runs/<pipeline>)")
    parser.add_argument("--definitions", type=Path, default=HERE.parent.parent / "build" / "pipeline-definitions")
    args = parser.parse_args(argv)
    definition_path = args.definitions / f"{args.pipeline}.json"
    local_path = args.definitions / f"{args.pipeline}.local.json"
    if not definition_path.exists():
        known = sorted(p.stem for p in args.definitions.glob("*.json") if "." not in p.stem)
        print(f"pipeline:local: no pipeline {args.pipeline!r}; expected one of {', '.join(known) or 'none (render the definitions first)'}", file=sys.stderr)
        return 2
    overrides = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"pipeline:local: --param {item!r} is not Name=Value", file=sys.stderr)
            return 2
        overrides[name] = value
    local = json.loads(local_path.read_text()) if local_path.exists() else {}
    work = args.work or HERE.parent.parent / "build" / "local-runs" / args.pipeline
    try:
        run = LocalRun(
            json.loads(definition_path.read_text()),
            work,
            seeds=local.get("seeds"),
            feature_groups=local.get("featureGroups"),
            parameters=overrides,
            local_parameters=local.get("parameters"),
            pipeline=args.pipeline,
        )
    except WiringError as error:
        print(f"pipeline:local: {error}", file=sys.stderr)
        return 2
    print(f"{args.pipeline}: running in {run.work}")
    report = run.run()
    for step in report["steps"]:
        extra = f" {step['metrics']}" if step["metrics"] else ""
        extra += f" — {step['message']}" if step["message"] and step["status"] == "Failed" else ""
        print(f"  {step['name']:<22} {step['status']}{extra}")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2))
        print(f"report: {args.report}")
    return 0 if report["status"] == "Succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
