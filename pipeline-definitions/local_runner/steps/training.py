"""Training steps: the framework's entry point, as SageMaker's training toolkit starts it.

Each channel is copied into ``<job>/input/data/<channel>``; the script named by the
``sagemaker_program`` hyperparameter runs from ``sagemaker_submit_directory`` (a channel's local
copy) with the other hyperparameters as ``--name value`` arguments and the ``SM_*`` variables.
The model folder becomes ``<S3OutputPath>/<job>/output/model.tar.gz``; the definition's metric
regexes read the log (the last match of each), as the step's FinalMetricDataList.
"""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

from local_runner.settings import expand
from local_runner.values import StepResult, WiringError, as_text

if TYPE_CHECKING:
    from local_runner.runner import LocalRun


def run(local: "LocalRun", step: dict, result: StepResult) -> None:
    name = step["Name"]
    args = local.resolve(step["Arguments"], name)
    root = local.job_root(name)
    channels = []
    for channel in args.get("InputDataConfig", []):
        uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
        local.copy_in(name, f"channel {channel['ChannelName']!r}", uri, root / "input" / "data" / channel["ChannelName"])
        channels.append(channel["ChannelName"])
    hyperparameters = {k: as_text(v) for k, v in args.get("HyperParameters", {}).items()}
    program = hyperparameters.pop("sagemaker_program", None)
    submit = hyperparameters.pop("sagemaker_submit_directory", None)
    if not program or not submit:
        raise WiringError(f"step {name}: HyperParameters need sagemaker_program and sagemaker_submit_directory to run locally")
    code_dir = Path(local.container_path(root, submit))
    if not (code_dir / program).exists():
        raise WiringError(f"step {name}: {program} is not in {submit} (no channel brings it)")
    model_dir, output_dir = root / "model", root / "output" / "data"
    model_dir.mkdir(parents=True)
    output_dir.mkdir(parents=True)
    env = {f"SM_CHANNEL_{c.upper()}": str(root / "input" / "data" / c) for c in channels}
    env.update({"SM_MODEL_DIR": str(model_dir), "SM_OUTPUT_DATA_DIR": str(output_dir), "SM_CHANNELS": json.dumps(channels), "SM_HPS": json.dumps(hyperparameters)})
    command = [local.python, program] + [part for key, value in hyperparameters.items() for part in (f"--{key}", value)]
    # The pipeline's own options for what SageMaker does by convention (e.g. where checkpoints go).
    command += expand(
        local.settings.job_arguments.get(name, []),
        lambda token, argument: local.container_path(root, argument) if token == "job" and argument else None,
        f"the job arguments of step {name}",
    )
    log = local.execute(name, command, code_dir, env, root / "log.txt")
    for definition in args.get("AlgorithmSpecification", {}).get("MetricDefinitions", []):
        values = [float(m.group(1)) for m in re.finditer(definition["Regex"], log)]
        if values:
            result.metrics[definition["Name"]] = values[-1]
    job = f"{name}-{local.execution['PipelineExecutionId']}"
    artifact_uri = f"{args['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{job}/output/model.tar.gz"
    archive = local.s3_path(artifact_uri)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(model_dir.iterdir()):
            tar.add(path, arcname=path.name)
    props = {"TrainingJobName": job, "ModelArtifacts.S3ModelArtifacts": artifact_uri}
    props.update({f"FinalMetricDataList['{k}'].Value": v for k, v in result.metrics.items()})
    local.properties[name] = props
    result.outputs["model"] = artifact_uri
