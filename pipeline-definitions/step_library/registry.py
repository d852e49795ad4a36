"""The model registry's drift-check baselines: the files registered with a model package.

- :func:`package_baseline` downloads a package's ``DriftCheckBaselines.<kind>`` (``kind``:
  ModelDataQuality or ModelQuality) into a folder, as ``statistics.json`` / ``constraints.json``
  (the contract's report names; :data:`BASELINE_FILES`);
- :func:`approved_baseline` does so for a group's latest approved package.

The AWS clients default to boto3's (imported only then).
"""

from __future__ import annotations

from pathlib import Path

from contract import REPORT_FILES
from s3_uris import s3_location

# A drift-check baseline's members and the files they are downloaded as.
BASELINE_FILES = {"Statistics": REPORT_FILES.statistics, "Constraints": REPORT_FILES.constraints}


def approved_baseline(group: str, kind: str, directory: Path, sagemaker=None, s3=None) -> Path | None:
    """Downloads the drift-check baseline (``kind``: ModelDataQuality or ModelQuality) registered
    with the group's latest approved model into ``directory``; None when there is no such model."""
    if sagemaker is None:
        import boto3

        sagemaker = boto3.client("sagemaker")
    summaries = sagemaker.list_model_packages(
        ModelPackageGroupName=group, ModelApprovalStatus="Approved", SortBy="CreationTime", SortOrder="Descending", MaxResults=1
    )["ModelPackageSummaryList"]
    if not summaries:
        return None
    return package_baseline(summaries[0]["ModelPackageArn"], kind, directory, sagemaker, s3)


def package_baseline(arn: str, kind: str, directory: Path, sagemaker=None, s3=None) -> Path | None:
    """Downloads the drift-check baseline (``kind``: ModelDataQuality or ModelQuality) registered
    with the model package ``arn`` into ``directory`` (its :data:`BASELINE_FILES`, those it has);
    None when the package has no such baseline."""
    if sagemaker is None or s3 is None:
        import boto3

        sagemaker = sagemaker or boto3.client("sagemaker")
        s3 = s3 or boto3.client("s3")
    package = sagemaker.describe_model_package(ModelPackageName=arn)
    baseline = package.get("DriftCheckBaselines", {}).get(kind)
    if not baseline:
        return None
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for member, name in BASELINE_FILES.items():
        uri = baseline.get(member, {}).get("S3Uri")
        if uri:
            bucket, key = s3_location(uri)
            (directory / name).write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    return directory
