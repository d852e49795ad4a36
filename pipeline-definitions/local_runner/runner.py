"""Runs a rendered SageMaker pipeline definition on this machine, without Docker.

The runner reads the same JSON that the app deploys (its placeholder rendering) and the
pipeline's local settings (``<id>.local.json``, see settings.py), resolves parameters, execution
variables, ``Get``, ``Std:Join`` and ``Std:JsonGet`` (values.py), orders the steps by their data
and ``DependsOn`` edges, takes only the chosen branch of a Condition, and runs each step with the
executor of its type (steps/), or with the command its substitution declares when the local
settings substitute it. S3 URIs are folders under ``<work>/s3/<bucket>/<key>``; the seeds of the
local settings are written there first (seeds.py). The AWS APIs that step scripts call are
answered by local stand-ins (aws_standins.py).

Every parameter's value is checked where the pipeline uses it before anything runs (ranges.py).
A wiring error (a reference to a step or output that does not exist or has not been written, a
script that exits non-zero, a seed that cannot be written) stops the run with a message naming
the step or seed and the reference; the report keeps every step that ran before it, and its
``local`` member lists what the run used locally: the local parameters and their notes, the seeds,
the substitutions, the model packages, the feature groups and the stand-ins' calls.

    python runner.py <pipeline> [--variant NAME] [--param Name=Value ...] [--report FILE] [--work DIR]
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
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from local_runner.aws_standins import APIS, AwsStandIns  # noqa: E402
from local_runner.ranges import check as check_ranges  # noqa: E402
from local_runner.seeds import write_seeds  # noqa: E402
from local_runner.settings import LocalSettings, expand  # noqa: E402
from local_runner.steps import EXECUTORS, condition, substituted  # noqa: E402
from local_runner.values import (  # noqa: E402,F401 (the runner's API: tests and scripts import these from here)
    StepFailed,
    StepResult,
    Values,
    WiringError,
    all_steps,
    as_text,
    now,
    parse_parameter,
    property_file_references,
    step_references,
)

CONTAINER_ROOT = "/opt/ml/"
STOPPED = -1000  # execute_all: an instance stopped because another failed


class LocalRun(Values):
    """One run of a definition in a work folder, with the pipeline's local settings (``local``: the
    parsed ``<id>.local.json`` or a LocalSettings) and ``--param`` overrides (``parameters``)."""

    here = HERE

    def __init__(
        self,
        definition: dict,
        work_dir: Path,
        local: dict | LocalSettings | None = None,
        parameters: dict[str, str] | None = None,
        python: str = sys.executable,
        pipeline: str | None = None,
        repo_root: Path | None = None,
        log=print,
    ):
        self.definition = definition
        self.settings = local if isinstance(local, LocalSettings) else LocalSettings.from_dict(local)
        self.work = Path(work_dir).resolve()
        self.python = python
        self.pipeline = pipeline or self.settings.pipeline or definition.get("Metadata", {}).get("pipeline") or "pipeline"
        self.repo_root = Path(repo_root or HERE.parent.parent)
        self.log = log
        self.overridden = set(parameters or {})
        declared = {p["Name"]: p for p in definition.get("Parameters", [])}
        values = {name: p.get("DefaultValue") for name, p in declared.items()}
        for name, text in {**self.settings.parameters, **(parameters or {})}.items():
            if name not in declared:
                raise WiringError(f"parameter {name} is not declared by the pipeline; expected one of {', '.join(declared)}")
            values[name] = parse_parameter(declared[name], text)
        # Before any step (or seed) runs: every value where the pipeline uses it.
        check_ranges(definition, values)
        started = datetime.now(timezone.utc)
        execution_id = f"local-{started.strftime('%Y%m%dT%H%M%S')}"
        super().__init__(
            values,
            {
                "PipelineExecutionId": execution_id,
                "PipelineExecutionArn": f"arn:aws:sagemaker:local:000000000000:pipeline/{self.pipeline}/execution/{execution_id}",
                "PipelineName": self.pipeline,
                "PipelineArn": f"arn:aws:sagemaker:local:000000000000:pipeline/{self.pipeline}",
                "CurrentDateTime": started.isoformat(),
                "StartDateTime": started.isoformat(),
            },
        )
        self.check_executors()
        self.results: list[StepResult] = []
        self.failed = False
        self.reused_seeds: list[str] = []
        self.standins: AwsStandIns | None = None

    def check_executors(self) -> None:
        """Every step has an executor or a substitution; every substitution names a step."""
        names = set()
        for step in all_steps(self.definition["Steps"]):
            names.add(step["Name"])
            if step["Type"] not in EXECUTORS and step["Name"] not in self.settings.substitutions:
                raise WiringError(
                    f"step {step['Name']}: type {step['Type']} is not supported by the local runner, "
                    f"and no substitution of the step is declared ({self.settings.source})"
                )
        unknown = sorted(set(self.settings.substitutions) - names)
        if unknown:
            raise WiringError(f"{self.settings.source}: a substitution names step {', '.join(unknown)}, which the pipeline does not have")

    # ---- S3 and container paths, jobs ---------------------------------------------------------
    def s3_path(self, uri: str) -> Path:
        match = re.fullmatch(r"s3://([^/]+)/?(.*)", uri)
        if not match:
            raise WiringError(f"{uri!r} is not an S3 URI")
        return self.work / "s3" / match.group(1) / match.group(2)

    def container_path(self, root: Path, value: str) -> str:
        return str(root / value[len(CONTAINER_ROOT) :]) if value.startswith(CONTAINER_ROOT) else value

    def condition(self, spec: dict, step: str) -> bool:
        return condition.evaluate(self, spec, step)

    def environment(self, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "us-east-1"})
        env.update(self.standins.environment if self.standins else {})
        env.update({"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"})
        env.update(self.settings.environment)
        env.update(extra)
        return env

    def execute(self, step: str, command: list[str], cwd: Path, env: dict[str, str], log_path: Path) -> str:
        """Runs a job's command; its output (also written to ``log_path``), or StepFailed."""
        return self.execute_all(step, [(command, cwd, env, log_path)])[0]

    def execute_all(self, step: str, runs: list[tuple[list[str], Path, dict[str, str], Path]]) -> list[str]:
        """Runs the commands of a job's instances side by side (each ``(command, cwd, env, log
        path)``) and waits for all; their outputs, or StepFailed naming each that failed. As on
        SageMaker, one instance failing fails the job: the others are stopped (a rank waiting for
        a peer that died would otherwise wait for its process group's timeout)."""
        started = []
        for command, cwd, env, log_path in runs:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with log_path.open("w", encoding="utf-8") as handle:
                # The log starts with the command, as a job's log names its container's arguments.
                handle.write(f"$ {shlex.join(command)}\n")
            with log_path.open("a", encoding="utf-8") as handle:
                started.append(subprocess.Popen(command, cwd=cwd, env=self.environment(env), stdout=handle, stderr=subprocess.STDOUT, text=True))
        codes: list[int | None] = [None] * len(started)
        while any(code is None for code in codes):
            for index, process in enumerate(started):
                if codes[index] is None:
                    codes[index] = process.poll()
            if any(code not in (None, 0) for code in codes):
                for index, process in enumerate(started):
                    if codes[index] is None:
                        process.terminate()
                        process.wait()
                        codes[index] = STOPPED
                break
            time.sleep(0.05)
        outputs, failures = [], []
        for (command, _, _, log_path), code in zip(runs, codes):
            output = log_path.read_text(encoding="utf-8").split("\n", 1)[1]
            outputs.append(output)
            if code == STOPPED:
                failures.append(f"{' '.join(command[:2])} was stopped: another instance of the job failed (log: {log_path})")
            elif code != 0:
                tail = "\n".join(output.strip().splitlines()[-8:])
                failures.append(f"{' '.join(command[:2])} exited with {code} (log: {log_path}):\n{tail}")
        if failures:
            raise StepFailed(f"step {step}: " + "\n".join(failures))
        return outputs

    def hosts(self, step: str, count: Any, parameter: str) -> list[str]:
        """The instances of a job (``algo-1``, ...) for its instance count (the value of ``parameter``)."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise WiringError(f"step {step}: an instance count of {count!r} ({parameter}) is not allowed; expected a whole number of 1 or more")
        return [f"algo-{i + 1}" for i in range(count)]

    def instance_roots(self, step: str, count: Any, parameter: str) -> dict[str, Path]:
        """Each instance of a job (:meth:`hosts`) with the fresh folder that stands for its
        ``/opt/ml/``: the job root itself for one instance, ``<job root>/<host>`` for several."""
        hosts = self.hosts(step, count, parameter)
        job = self.job_root(step)
        return {host: (job if len(hosts) == 1 else job / host) for host in hosts}

    def instance_files(self, step: str, folders: dict[str, Path], where: str) -> list[tuple[Path, str]]:
        """Every file of the instances' folders of one output (``host → folder``), in host order,
        with its name within the folder; WiringError when two instances wrote the same name
        (``where``: the output the folders stand for, and why that cannot be)."""
        written: dict[str, str] = {}
        files = []
        for host, folder in folders.items():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                name = str(path.relative_to(folder))
                if name in written:
                    raise WiringError(f"step {step}: instances {written[name]} and {host} both wrote {name} to {where}")
                written[name] = host
                files.append((path, name))
        return files

    def project_command(self, command: list[str], where: str) -> list[str]:
        """A stand-in's command: ``{python}`` the interpreter, a relative path of the project
        (e.g. ``pipeline-definitions/...``) made absolute, as jobs run in their own folders."""
        expanded = expand(command, lambda token, argument: self.python if token == "python" and argument is None else None, where)
        return [str(self.repo_root / part) if not Path(part).is_absolute() and (self.repo_root / part).is_file() else part for part in expanded]

    def job_arguments(self, step: str, root: Path) -> list[str]:
        """The step's local job arguments (the pipeline's own options for what SageMaker does by
        convention, e.g. where checkpoints go), ``{job:<container path>}`` in the instance's ``root``."""
        return expand(
            self.settings.job_arguments.get(step, []),
            lambda token, argument: self.container_path(root, argument) if token == "job" and argument else None,
            f"the job arguments of step {step}",
        )

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

    def model_containers(self, step: str, model_name: str) -> list[dict]:
        """A model's containers in order (one, or a serial inference pipeline's) as its CreateModel
        request gave them, from the local registry."""
        record = self.work / "registry" / "models" / f"{model_name}.json"
        if not record.exists():
            raise WiringError(f"step {step}: model {model_name} was not created by a step that ran")
        model = json.loads(record.read_text())
        return [model["PrimaryContainer"]] if "PrimaryContainer" in model else list(model["Containers"])

    def model_container(self, step: str, model_name: str) -> dict:
        """A model's first container."""
        return self.model_containers(step, model_name)[0]

    def model_archive_dir(self, step: str, model_name: str) -> Path:
        """The local folder of a model's model.tar.gz."""
        return self.s3_path(self.model_container(step, model_name)["ModelDataUrl"]).parent

    # ---- the run ----------------------------------------------------------------------------
    def run(self) -> dict:
        self.work.mkdir(parents=True, exist_ok=True)
        started = time.time()
        message = None
        standins = AwsStandIns(
            self.settings.feature_groups,
            self.work / "feature-store",
            registry=self.work / "registry",
            s3_root=self.work / "s3",
            cloudwatch=self.work / "cloudwatch",
            model_packages=self.settings.model_packages,
        )
        with standins:
            self.standins = standins
            try:
                self.reused_seeds = write_seeds(self)
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
            "local": self.local_report(),
        }

    def local_report(self) -> dict:
        """What the run used locally (the report's ``local`` member)."""
        report = self.settings.summary(self.overridden)
        for seed in report["seeds"]:
            seed["reused"] = seed["uri"] in self.reused_seeds
        calls = self.standins.calls if self.standins else {}
        report["standIns"] = [{"api": api, "calls": calls.get(api, 0)} for api in APIS]
        return report

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
        # Everything the step reads (a check step also reads through ModelName and its baselines),
        # and its DependsOn; a Condition also waits for what its branches' steps read and depend
        # on outside the branches, since its branch runs right after it.
        deps = self.own_dependencies(step)
        if step["Type"] == "Condition":
            branches = list(all_steps(step["Arguments"].get("IfSteps", []) + step["Arguments"].get("ElseSteps", [])))
            inside = {s["Name"] for s in branches}
            for inner in branches:
                deps |= self.own_dependencies(inner)
            deps -= inside
        return {d for d in deps if d in pending}

    @staticmethod
    def own_dependencies(step: dict) -> set[str]:
        """The steps a step reads or depends on, its branches (if a Condition) left out."""
        own = {k: v for k, v in step.items() if k != "Arguments"} | {"Arguments": {k: v for k, v in step.get("Arguments", {}).items() if k not in ("IfSteps", "ElseSteps")}}
        deps = step_references(own) | set(step.get("DependsOn", []))
        return deps | {ref.split(".")[1] for ref in property_file_references(own)}

    def run_step(self, step: dict) -> None:
        result = StepResult(step["Name"], step["Type"], status="Executing", startedAt=now())
        self.results.append(result)
        began = time.time()
        branch: list[dict] = []
        try:
            substitution = self.settings.substitutions.get(step["Name"])
            if substitution is not None:
                substituted.run(self, step, result, substitution)
            else:
                branch = EXECUTORS[step["Type"]](self, step, result) or []
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


def settings_lines(local: dict) -> list[str]:
    """The command line's summary of the report's ``local`` member."""
    lines = [f"local settings: {local['settings']}"]
    for p in local["parameters"]:
        note = f" ({p['note']})" if p["note"] else ""
        lines.append(f"  parameter {p['name']}={p['value']}{' (overridden by --param)' if p['overridden'] else note}")
    for s in local["seeds"]:
        lines.append(f"  seed {s['uri']}{' (kept from an earlier run)' if s['reused'] else ''}" + (f": {s['description']}" if s["description"] else ""))
    lines += [f"  substitution {s['step']}: {s['description']}" for s in local["substitutions"]]
    lines += [f"  algorithm {repository}: {description}" for repository, description in local.get("algorithms", {}).items()]
    lines += [f"  AutoML step {step}: {description}" for step, description in local.get("automl", {}).items()]
    lines += [f"  model package {arn}" for arn in local["modelPackages"]]
    lines += [f"  feature group {name}" for name in local["featureGroups"]]
    answered = [f"{s['api']} ×{s['calls']}" for s in local["standIns"] if s["calls"]]
    lines.append(f"  stand-ins answered: {', '.join(answered) or 'no calls'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline:local", description="Runs a pipeline of the app on this machine.")
    parser.add_argument("pipeline", help="the pipeline's id (the rendering <id>.json in --definitions)")
    parser.add_argument("--variant", default="", help="a rendering variant, e.g. managed: runs <id>.<variant>.json with <id>.<variant>.local.json")
    parser.add_argument("--param", action="append", default=[], metavar="Name=Value", help="override a pipeline parameter")
    parser.add_argument("--report", type=Path, help="write the JSON report here")
    parser.add_argument("--work", type=Path, help="work folder (default: build/local-runs/<pipeline>[.<variant>])")
    parser.add_argument("--definitions", type=Path, default=HERE.parent.parent / "build" / "pipeline-definitions")
    args = parser.parse_args(argv)
    stem = f"{args.pipeline}.{args.variant}" if args.variant else args.pipeline
    definition_path, local_path = args.definitions / f"{stem}.json", args.definitions / f"{stem}.local.json"
    if not definition_path.exists():
        renderings = [p.name[: -len(".json")] for p in args.definitions.glob("*.json") if not p.name.endswith(".local.json")]
        known = sorted(r for r in renderings if "." not in r)
        variants = sorted(r.partition(".")[2] for r in renderings if r.startswith(f"{args.pipeline}."))
        if args.variant and (args.definitions / f"{args.pipeline}.json").exists():
            print(f"pipeline:local: no variant {args.variant!r} of {args.pipeline}; expected one of {', '.join(variants) or 'none'}", file=sys.stderr)
        else:
            print(f"pipeline:local: no pipeline {args.pipeline!r}; expected one of {', '.join(known) or 'none (render the definitions first)'}", file=sys.stderr)
        return 2
    overrides = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"pipeline:local: --param {item!r} is not Name=Value", file=sys.stderr)
            return 2
        overrides[name] = value
    work = args.work or HERE.parent.parent / "build" / "local-runs" / stem
    try:
        settings = LocalSettings.load(local_path) if local_path.exists() else LocalSettings(source=f"no local settings ({local_path.name} does not exist)")
        run = LocalRun(json.loads(definition_path.read_text()), work, local=settings, parameters=overrides, pipeline=args.pipeline)
    except WiringError as error:
        print(f"pipeline:local: {error}", file=sys.stderr)
        return 2
    print(f"{stem}: running in {run.work}")
    report = run.run()
    for step in report["steps"]:
        extra = f" {step['metrics']}" if step["metrics"] else ""
        extra += f" — {step['message']}" if step["message"] and step["status"] == "Failed" else ""
        print(f"  {step['name']:<22} {step['status']}{extra}")
    if report["status"] == "Failed" and not any(s["status"] == "Failed" for s in report["steps"]):
        print(f"  {report['message']}")
    print("\n".join(settings_lines(report["local"])))
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2))
        print(f"report: {args.report}")
    return 0 if report["status"] == "Succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
