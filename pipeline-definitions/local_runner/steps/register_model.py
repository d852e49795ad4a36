"""RegisterModel steps: the resolved request as the group's next version in
``<registry>/model-packages/<group>/<version>.json``, where the SageMaker stand-in answers
ListModelPackages and DescribeModelPackage from."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from local_runner.aws_standins import LOCAL_ARN
from local_runner.values import StepResult

if TYPE_CHECKING:
    from local_runner.runner import LocalRun

# The step type this module runs (steps/__init__.py finds the executors by it).
STEP_TYPE = "RegisterModel"


def run(local: "LocalRun", step: dict, result: StepResult) -> None:
    args = local.resolve(step["Arguments"], step["Name"])
    group = args["ModelPackageGroupName"]
    directory = local.work / "registry" / "model-packages" / group
    directory.mkdir(parents=True, exist_ok=True)
    version = len(list(directory.glob("*.json"))) + 1
    (directory / f"{version}.json").write_text(json.dumps(args, indent=2))
    arn = f"{LOCAL_ARN}/{group.lower()}/{version}"
    local.properties[step["Name"]] = {"ModelPackageArn": arn, "ModelPackageName": f"{group}/{version}", "ModelApprovalStatus": args.get("ModelApprovalStatus")}
    result.outputs.update({"modelPackageArn": arn, "approvalStatus": args.get("ModelApprovalStatus")})
