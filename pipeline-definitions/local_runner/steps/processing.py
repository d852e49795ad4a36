"""Processing steps: the job's container command, with SageMaker's container paths mapped, on as
many local instances as the job's ClusterConfig asks for.

Each instance (``algo-1``, ``algo-2``, ...) gets a folder of its own standing for ``/opt/ml/``
(the job root itself when there is one instance), with ``config/resourceconfig.json`` naming it
and every host, as SageMaker writes it. Each ProcessingInput is copied from the local S3 folder
into it: in full (``FullyReplicated``), or the instance's share of the input's files
(``ShardedByS3Key``: the files in key order, the i-th to instance ``i mod count``; an instance
may get none). The instances' commands run side by side with the step's Environment (and the
step's local job arguments, ``{job:<container path>}`` that instance's folder), and each
ProcessingOutput's local folder is copied to its S3 URI: a file two instances both wrote is a
wiring error (on S3 one would silently replace the other). A ``Continuous`` output is copied
even when the job fails, as SageMaker uploads it while the job runs. PropertyFiles are registered
for ``Std:JsonGet``; the records the script put into Feature Store are counted in the step's
outputs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from local_runner.values import StepFailed, StepResult, WiringError, as_text

if TYPE_CHECKING:
    from local_runner.runner import LocalRun

# The step type this module runs (steps/__init__.py finds the executors by it).
STEP_TYPE = "Processing"


def share(files: list, index: int, count: int) -> list:
    """ShardedByS3Key here: instance ``index`` of ``count`` gets every count-th file, in key order."""
    return [f for position, f in enumerate(sorted(files)) if position % count == index]


def shard(local: "LocalRun", step: str, what: str, uri: str, target: Path, index: int, count: int) -> list[str]:
    """ShardedByS3Key: the instance's share of the files under ``uri`` copied to ``target``; their keys."""
    source = local.s3_path(uri)
    if not source.exists():
        raise WiringError(f"step {step}: {what} reads {uri}, which nothing has written")
    files = [p for p in source.rglob("*") if p.is_file()] if source.is_dir() else [source]
    mine = share(files, index, count)
    target.mkdir(parents=True, exist_ok=True)
    for path in mine:
        destination = target / (path.relative_to(source) if source.is_dir() else path.name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
    return [str(p.relative_to(source)) if source.is_dir() else p.name for p in mine]


def upload(local: "LocalRun", step: str, hosts: dict[str, Path], item: dict) -> str:
    """Copies every instance's folder of an output to its S3 URI; refuses a file two instances wrote."""
    uri = item["S3Output"]["S3Uri"]
    folders = {host: Path(local.container_path(root, item["S3Output"]["LocalPath"])) for host, root in hosts.items()}
    local.instance_files(step, folders, f"output {item['OutputName']} ({uri}); on S3 one would replace the other")
    for folder in folders.values():
        shutil.copytree(folder, local.s3_path(uri), dirs_exist_ok=True)
    return uri


def run(local: "LocalRun", step: dict, result: StepResult) -> None:
    name = step["Name"]
    args = local.resolve(step["Arguments"], name)
    roots = local.instance_roots(name, args.get("ProcessingResources", {}).get("ClusterConfig", {}).get("InstanceCount", 1), "ProcessingResources.ClusterConfig.InstanceCount")
    hosts = list(roots)
    outputs = args.get("ProcessingOutputConfig", {}).get("Outputs", [])
    app = args["AppSpecification"]
    environment = {k: as_text(v) for k, v in args.get("Environment", {}).items()}
    runs = []
    for index, (host, root) in enumerate(roots.items()):
        (root / "config").mkdir(parents=True, exist_ok=True)
        (root / "config" / "resourceconfig.json").write_text(json.dumps({"current_host": host, "hosts": hosts}))
        for item in args.get("ProcessingInputs", []):
            s3 = item["S3Input"]
            target = Path(local.container_path(root, s3["LocalPath"]))
            what = f"input {item['InputName']!r}"
            if s3.get("S3DataDistributionType", "FullyReplicated") == "ShardedByS3Key":
                shard(local, name, what, s3["S3Uri"], target, index, len(hosts))
            else:
                local.copy_in(name, what, s3["S3Uri"], target)
        for item in outputs:
            Path(local.container_path(root, item["S3Output"]["LocalPath"])).mkdir(parents=True, exist_ok=True)
        command = [local.container_path(root, part) for part in app.get("ContainerEntrypoint", []) + app.get("ContainerArguments", [])]
        if command and command[0] in ("python3", "python"):
            command[0] = local.python
        runs.append((command + local.job_arguments(name, root), root, environment, root / "log.txt"))
    before = dict(local.standins.accepted)
    try:
        local.execute_all(name, runs)
    except StepFailed as failed:
        for item in outputs:
            if item["S3Output"].get("S3UploadMode") == "Continuous":
                try:
                    upload(local, name, roots, item)
                except WiringError as wiring:  # the job's own failure stays the one reported
                    raise StepFailed(f"{failed}\n(and {wiring})") from failed
        raise
    props = local.properties.setdefault(name, {"ProcessingJobName": f"{name}-{local.execution['PipelineExecutionId']}"})
    for item in outputs:
        uri = upload(local, name, roots, item)
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
    if len(hosts) > 1:
        result.outputs["instances"] = len(hosts)
