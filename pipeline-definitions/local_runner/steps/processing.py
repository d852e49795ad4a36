"""Processing steps: the job's container command, with SageMaker's container paths mapped.

Each ProcessingInput is copied from the local S3 folder into ``<job>/processing/...`` (the job
root stands for ``/opt/ml/``), the command runs there with the step's Environment, and each
ProcessingOutput's local folder is copied to its S3 URI. PropertyFiles are registered for
``Std:JsonGet``; the records the script put into Feature Store are counted in the step's outputs.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from local_runner.values import StepResult, WiringError, as_text

if TYPE_CHECKING:
    from local_runner.runner import LocalRun


def run(local: "LocalRun", step: dict, result: StepResult) -> None:
    name = step["Name"]
    args = local.resolve(step["Arguments"], name)
    root = local.job_root(name)
    for item in args.get("ProcessingInputs", []):
        s3 = item["S3Input"]
        local.copy_in(name, f"input {item['InputName']!r}", s3["S3Uri"], Path(local.container_path(root, s3["LocalPath"])))
    outputs = args.get("ProcessingOutputConfig", {}).get("Outputs", [])
    for item in outputs:
        Path(local.container_path(root, item["S3Output"]["LocalPath"])).mkdir(parents=True, exist_ok=True)
    app = args["AppSpecification"]
    command = [local.container_path(root, part) for part in app.get("ContainerEntrypoint", []) + app.get("ContainerArguments", [])]
    before = dict(local.standins.accepted)
    if command and command[0] in ("python3", "python"):
        command[0] = local.python
    local.execute(name, command, root, {k: as_text(v) for k, v in args.get("Environment", {}).items()}, root / "log.txt")
    props = local.properties.setdefault(name, {"ProcessingJobName": f"{name}-{local.execution['PipelineExecutionId']}"})
    for item in outputs:
        uri = item["S3Output"]["S3Uri"]
        shutil.copytree(local.container_path(root, item["S3Output"]["LocalPath"]), local.s3_path(uri), dirs_exist_ok=True)
        props[f"ProcessingOutputConfig.Outputs['{item['OutputName']}'].S3Output.S3Uri"] = uri
        result.outputs[item["OutputName"]] = uri
    by_output = {item["OutputName"]: item["S3Output"]["S3Uri"] for item in outputs}
    for file in step.get("PropertyFiles", []):
        if file["OutputName"] not in by_output:
            raise WiringError(f"step {name}: property file {file['PropertyFileName']} is on output {file['OutputName']}, which the step does not have")
        local.property_files.setdefault(name, {})[file["PropertyFileName"]] = local.s3_path(by_output[file["OutputName"]]) / file["FilePath"]
    accepted = local.standins.accepted
    ingested = {group: count - before.get(group, 0) for group, count in accepted.items() if count > before.get(group, 0)}
    if ingested:
        result.outputs["featureStoreRecords"] = ingested
