"""Training steps: the framework's entry point, as SageMaker's training toolkit starts it, on as
many local hosts as the job's ResourceConfig asks for.

Each host (``algo-1``, ``algo-2``, ...) has a folder of its own standing for ``/opt/ml/`` (the job
root itself when there is one); each channel is copied into ``<host>/input/data/<channel>``; the
script named by the ``sagemaker_program`` hyperparameter runs from ``sagemaker_submit_directory``
(a channel's local copy) with the other hyperparameters as ``--name value`` arguments and the
``SM_*`` variables, ``SM_HOSTS`` and ``SM_CURRENT_HOST`` among them; with several hosts they run
side by side, with ``MASTER_ADDR`` and ``MASTER_PORT`` naming where the first host's process
group listens (on SageMaker the first host's name resolves; here it is this machine). The hosts'
model folders become ``<S3OutputPath>/<job>/output/model.tar.gz``: a file two hosts both wrote
is a wiring error (one rank writes the model). The definition's metric regexes read the first
host's log (the last match of each), as the step's FinalMetricDataList.

A built-in algorithm's job (its image has no ``sagemaker_program``) runs the command of the local
settings' stand-in for the image's repository instead (``algorithms``), in the instance's folder,
with the same channels and ``SM_*`` variables (its hyperparameters in ``SM_HPS``); the step's
report says so (``substitutedBy``).
"""

from __future__ import annotations

import json
import re
import socket
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from local_runner.values import StepResult, WiringError, as_text

if TYPE_CHECKING:
    from local_runner.runner import LocalRun

# The step type this module runs (steps/__init__.py finds the executors by it).
STEP_TYPE = "Training"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class TrainingJob:
    """One training job prepared to run: its name, request, instance folders and commands."""

    step: str
    name: str
    request: dict
    roots: dict[str, Path]
    runs: list[tuple[list[str], Path, dict[str, str], Path]]
    # What stands in for a built-in algorithm's container, or None (the job's own program runs).
    substituted_by: str | None = None


def prepare(local: "LocalRun", step: str, job_name: str, args: dict, folder: str | None = None) -> TrainingJob:
    """A CreateTrainingJob request (resolved) ready to run: each instance's folder (``folder``,
    default the step's) with its channels copied in, and its command. ``step`` names the step in
    errors and chooses the local job arguments."""
    roots = local.instance_roots(folder or step, args.get("ResourceConfig", {}).get("InstanceCount", 1), "ResourceConfig.InstanceCount")
    hosts, count = list(roots), len(roots)
    hyperparameters = {k: as_text(v) for k, v in args.get("HyperParameters", {}).items()}
    program = hyperparameters.pop("sagemaker_program", None)
    submit = hyperparameters.pop("sagemaker_submit_directory", None)
    image = args.get("AlgorithmSpecification", {}).get("TrainingImage", "")
    standin = None if program or submit else local.settings.algorithm(image)
    if standin is None and (not program or not submit):
        raise WiringError(
            f"step {step}: HyperParameters need sagemaker_program and sagemaker_submit_directory to run locally, "
            f"or the local settings a stand-in (algorithms) for the built-in algorithm's image {image}"
        )
    cluster = {"SM_HOSTS": json.dumps(hosts), "SM_NUM_HOSTS": str(count)}
    if count > 1:
        cluster.update({"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(free_port())})
    runs = []
    for host, root in roots.items():
        channels = []
        for channel in args.get("InputDataConfig", []):
            uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
            local.copy_in(step, f"channel {channel['ChannelName']!r}", uri, root / "input" / "data" / channel["ChannelName"])
            channels.append(channel["ChannelName"])
        if standin is None:
            code_dir = Path(local.container_path(root, submit))
            if not (code_dir / program).exists():
                raise WiringError(f"step {step}: {program} is not in {submit} (no channel brings it)")
        model_dir, output_dir = root / "model", root / "output" / "data"
        model_dir.mkdir(parents=True)
        output_dir.mkdir(parents=True)
        env = {f"SM_CHANNEL_{c.upper()}": str(root / "input" / "data" / c) for c in channels}
        env.update({"SM_MODEL_DIR": str(model_dir), "SM_OUTPUT_DATA_DIR": str(output_dir), "SM_CHANNELS": json.dumps(channels), "SM_HPS": json.dumps(hyperparameters)})
        env.update({**cluster, "SM_CURRENT_HOST": host})
        if standin is None:
            command = [local.python, program] + [part for key, value in hyperparameters.items() for part in (f"--{key}", value)]
            runs.append((command + local.job_arguments(step, root), code_dir, env, root / "log.txt"))
        else:
            command = local.project_command(standin["training"], f"step {step}: the stand-in for {image}")
            runs.append((command + local.job_arguments(step, root), root, env, root / "log.txt"))
    return TrainingJob(step, job_name, args, roots, runs, standin["description"] if standin else None)


def finish(local: "LocalRun", job: TrainingJob, first_log: str) -> tuple[str, dict[str, float]]:
    """After the job's commands ran: its model archive where SageMaker puts it
    (``<S3OutputPath>/<job>/output/model.tar.gz``) and its metrics (the last match of each
    definition's regex in the first host's log)."""
    metrics = {}
    for definition in job.request.get("AlgorithmSpecification", {}).get("MetricDefinitions", []):
        values = [float(m.group(1)) for m in re.finditer(definition["Regex"], first_log)]
        if values:
            metrics[definition["Name"]] = values[-1]
    artifact_uri = f"{job.request['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{job.name}/output/model.tar.gz"
    archive = local.s3_path(artifact_uri)
    archive.parent.mkdir(parents=True, exist_ok=True)
    model_files = local.instance_files(job.step, {host: root / "model" for host, root in job.roots.items()}, "the model folder; one rank writes the model")
    with tarfile.open(archive, "w:gz") as tar:
        for path, arcname in model_files:
            tar.add(path, arcname=arcname)
    return artifact_uri, metrics


def run(local: "LocalRun", step: dict, result: StepResult) -> None:
    name = step["Name"]
    args = local.resolve(step["Arguments"], name)
    job = prepare(local, name, f"{name}-{local.execution['PipelineExecutionId']}", args)
    logs = local.execute_all(name, job.runs)
    artifact_uri, metrics = finish(local, job, logs[0])
    result.metrics.update(metrics)
    props = {"TrainingJobName": job.name, "ModelArtifacts.S3ModelArtifacts": artifact_uri}
    props.update({f"FinalMetricDataList['{k}'].Value": v for k, v in metrics.items()})
    local.properties[name] = props
    result.outputs["model"] = artifact_uri
    if job.substituted_by:
        result.outputs["substitutedBy"] = job.substituted_by
    if len(job.roots) > 1:
        result.outputs["hosts"] = len(job.roots)
