"""Transform steps: batch transform with the model's own inference handlers (transform_job.py),
over the input's JSON lines, with SageMaker's JoinSource, in the (first) model container's
environment; a model of several containers answers through each in order. A container of a
built-in algorithm's image answers with the handlers of the local settings' stand-in for it
(``algorithms``), which the step's report names (``substitutedBy``). Requests go one at a time
(MaxConcurrentTransforms is not simulated)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from local_runner.values import StepResult, WiringError

if TYPE_CHECKING:
    from local_runner.runner import LocalRun

# The step type this module runs (steps/__init__.py finds the executors by it).
STEP_TYPE = "Transform"


def run(local: "LocalRun", step: dict, result: StepResult) -> None:
    name = step["Name"]
    args = local.resolve(step["Arguments"], name)
    containers = local.model_containers(name, args["ModelName"])
    container = containers[0]
    source_uri = args["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
    source = local.s3_path(source_uri)
    if not source.exists():
        raise WiringError(f"step {name}: input {source_uri} has not been written")
    output_uri = args["TransformOutput"]["S3OutputPath"]
    root = local.job_root(name)
    archives = [local.s3_path(c["ModelDataUrl"]) for c in containers]
    standins = [local.settings.algorithm(c.get("Image", "")) for c in containers]
    if len(containers) == 1 and standins[0] is None:
        model = archives[0]
    else:  # the containers in order, each with its environment (and a built-in algorithm's stand-in handlers)
        model = root / "containers.json"
        model.parent.mkdir(parents=True, exist_ok=True)
        specs = []
        for archive, spec, standin in zip(archives, containers, standins):
            entry = {"archive": str(archive), "environment": spec.get("Environment", {})}
            if standin is not None:
                entry["handlers"] = local.project_command([standin["serving"]], f"step {name}: the stand-in for {spec.get('Image')}")[0]
            specs.append(entry)
        model.write_text(json.dumps(specs))
    command = [
        local.python,
        str(local.here / "transform_job.py"),
        str(model),
        str(source),
        str(local.s3_path(output_uri)),
        args["TransformInput"].get("ContentType", "application/jsonlines"),
        args["TransformOutput"].get("Accept", "application/jsonlines"),
        args.get("DataProcessing", {}).get("JoinSource", "None"),
        # Mini-batches and the time limit per request, as the step asks SageMaker for them.
        args.get("BatchStrategy", "MultiRecord"),
        str(args.get("MaxPayloadInMB", 6)),
        str(args.get("ModelClientConfig", {}).get("InvocationsTimeoutInSeconds", 600)),
    ]
    # The model's container environment (its torch threads, OMP_NUM_THREADS, among them).
    local.execute(name, command, root, {k: str(v) for k, v in container.get("Environment", {}).items()}, root / "log.txt")
    local.properties[name] = {"TransformJobName": f"{name}-{local.execution['PipelineExecutionId']}", "TransformOutput.S3OutputPath": output_uri}
    result.outputs["predictions"] = output_uri
    substituted = [standin["description"] for standin in standins if standin is not None]
    if substituted:
        result.outputs["substitutedBy"] = "; ".join(dict.fromkeys(substituted))
