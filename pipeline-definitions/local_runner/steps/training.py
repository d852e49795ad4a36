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
"""

from __future__ import annotations

import json
import re
import socket
import tarfile
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


def run(local: "LocalRun", step: dict, result: StepResult) -> None:
    name = step["Name"]
    args = local.resolve(step["Arguments"], name)
    roots = local.instance_roots(name, args.get("ResourceConfig", {}).get("InstanceCount", 1), "ResourceConfig.InstanceCount")
    hosts, count = list(roots), len(roots)
    hyperparameters = {k: as_text(v) for k, v in args.get("HyperParameters", {}).items()}
    program = hyperparameters.pop("sagemaker_program", None)
    submit = hyperparameters.pop("sagemaker_submit_directory", None)
    if not program or not submit:
        raise WiringError(f"step {name}: HyperParameters need sagemaker_program and sagemaker_submit_directory to run locally")
    cluster = {"SM_HOSTS": json.dumps(hosts), "SM_NUM_HOSTS": str(count)}
    if count > 1:
        cluster.update({"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(free_port())})
    runs = []
    for host, root in roots.items():
        channels = []
        for channel in args.get("InputDataConfig", []):
            uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
            local.copy_in(name, f"channel {channel['ChannelName']!r}", uri, root / "input" / "data" / channel["ChannelName"])
            channels.append(channel["ChannelName"])
        code_dir = Path(local.container_path(root, submit))
        if not (code_dir / program).exists():
            raise WiringError(f"step {name}: {program} is not in {submit} (no channel brings it)")
        model_dir, output_dir = root / "model", root / "output" / "data"
        model_dir.mkdir(parents=True)
        output_dir.mkdir(parents=True)
        env = {f"SM_CHANNEL_{c.upper()}": str(root / "input" / "data" / c) for c in channels}
        env.update({"SM_MODEL_DIR": str(model_dir), "SM_OUTPUT_DATA_DIR": str(output_dir), "SM_CHANNELS": json.dumps(channels), "SM_HPS": json.dumps(hyperparameters)})
        env.update({**cluster, "SM_CURRENT_HOST": host})
        command = [local.python, program] + [part for key, value in hyperparameters.items() for part in (f"--{key}", value)]
        runs.append((command + local.job_arguments(name, root), code_dir, env, root / "log.txt"))
    log = local.execute_all(name, runs)[0]
    for definition in args.get("AlgorithmSpecification", {}).get("MetricDefinitions", []):
        values = [float(m.group(1)) for m in re.finditer(definition["Regex"], log)]
        if values:
            result.metrics[definition["Name"]] = values[-1]
    job_name = f"{name}-{local.execution['PipelineExecutionId']}"
    artifact_uri = f"{args['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{job_name}/output/model.tar.gz"
    archive = local.s3_path(artifact_uri)
    archive.parent.mkdir(parents=True, exist_ok=True)
    model_files = local.instance_files(name, {host: root / "model" for host, root in roots.items()}, "the model folder; one rank writes the model")
    with tarfile.open(archive, "w:gz") as tar:
        for path, arcname in model_files:
            tar.add(path, arcname=arcname)
    props = {"TrainingJobName": job_name, "ModelArtifacts.S3ModelArtifacts": artifact_uri}
    props.update({f"FinalMetricDataList['{k}'].Value": v for k, v in result.metrics.items()})
    local.properties[name] = props
    result.outputs["model"] = artifact_uri
    if count > 1:
        result.outputs["hosts"] = count
