"""Puts each model family's declared pre-trained model into the lake prefix its pipeline reads.

    npm run seed-model [-- [--from DIR] [--cache-dir DIR] [-c key=value ...]]

The plan (which models, under which prefixes, and the data-lake stack whose outputs name the lake's
bucket and KMS key) comes from the families' declarations (``scripts/seed_model/plan.ts``). For
each model:

1. Objects already under its prefix that carry the declared repository and commit, encrypted with
   the lake's key, are left alone: a second run uploads nothing.
2. Otherwise every declared file is taken first — from the Hugging Face hub at the declared commit
   (the ``huggingface_hub`` client, through ``HF_ENDPOINT`` when set), each checked against the hash
   the hub reports for it at that commit (the ``X-Linked-Etag`` sha256 of a large file, the git blob
   sha1 of a small one), or from a local folder (``--from DIR``) — and only when all are there and
   checked is anything uploaded, so a failed download leaves the lake as it was.
3. The files are uploaded with the lake's KMS key (SSE-KMS), each recording the repository, the
   commit and its sha256 as object metadata (what ``npm run doctor`` reads): to a staging prefix
   beside the model's first, and only when all are there copied into it within S3, so an upload
   that breaks off leaves the model's prefix as it was too.

AWS calls use the user's credentials and region, as the AWS CLI does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError, PartialCredentialsError
from tqdm import tqdm

# Object metadata that says what an object of a seeded prefix is (x-amz-meta-*).
META_REPOSITORY = "source-repository"
META_REVISION = "source-revision"
META_SHA256 = "sha256"
META_SOURCE = "source"
CHUNK = 1 << 20


class SeedError(Exception):
    """What stops the seeding, said plainly; nothing has been uploaded for the model at hand."""


@dataclass(frozen=True)
class Model:
    repository: str
    revision: str
    files: tuple[str, ...]
    lake_prefix: str
    families: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.repository} at {self.revision[:12]}"


@dataclass(frozen=True)
class Plan:
    lake_stack: str
    region: str | None
    models: tuple[Model, ...]


def read_plan(path: Path) -> Plan:
    data = json.loads(path.read_text(encoding="utf-8"))
    models = tuple(
        Model(m["repository"], m["revision"], tuple(m["files"]), m["lakePrefix"], tuple(m["families"])) for m in data["models"]
    )
    return Plan(data["lakeStack"], data.get("region"), models)


# ---- The lake: the stack's outputs, what is there, the upload.


def lake_location(cloudformation, stack: str) -> tuple[str, str]:
    """The lake bucket and its KMS key ARN, from the data-lake stack's outputs."""
    try:
        stacks = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            raise SeedError(
                f"The stack {stack} is not deployed in {cloudformation.meta.region_name} for these credentials: "
                "deploy the platform first (npm run cdk -- deploy --all), or choose the stage and region it is in "
                "(-c stage=..., AWS_REGION)."
            ) from None
        raise
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    missing = [key for key in ("LakeBucketName", "LakeKeyArn") if key not in outputs]
    if missing:
        raise SeedError(f"The stack {stack} has no output {', '.join(missing)}: deploy this version of the app (npm run cdk -- deploy --all).")
    return outputs["LakeBucketName"], outputs["LakeKeyArn"]


def seeded(s3, bucket: str, key: str, model: Model, key_arn: str) -> bool:
    """Whether the object is the declared file, encrypted with the lake key."""
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    meta = head.get("Metadata", {})
    encrypted = head.get("ServerSideEncryption") == "aws:kms" and same_key(head.get("SSEKMSKeyId", ""), key_arn)
    return encrypted and meta.get(META_REPOSITORY) == model.repository and meta.get(META_REVISION) == model.revision


def same_key(reported: str, key_arn: str) -> bool:
    """S3 reports the key as its ARN; a key id names the same key."""
    return reported == key_arn or key_arn.endswith(f"/{reported}") or reported.endswith(f"/{key_arn}")


def staging_prefix(model: Model) -> str:
    """Where the files wait until all are uploaded: beside the model's prefix, not under it (a
    pipeline reading the prefix never sees them)."""
    return f"{model.lake_prefix.rstrip('/')}.staging/"


def upload(s3, bucket: str, key_arn: str, model: Model, files: dict[str, Path], source: str) -> None:
    """Uploads the files to the staging prefix, then, once all are there, copies them into the
    model's prefix within S3 (quick, no upload that can break off halfway through the model); the
    staging prefix is emptied either way."""
    staging = staging_prefix(model)
    encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_arn}
    metadata: dict[str, dict[str, str]] = {}
    try:
        for name in model.files:
            path = files[name]
            metadata[name] = {META_REPOSITORY: model.repository, META_REVISION: model.revision, META_SHA256: sha256_of(path), META_SOURCE: source}
            extra = {**encryption, "Metadata": metadata[name]}
            with tqdm(total=path.stat().st_size, unit="B", unit_scale=True, unit_divisor=1024, desc=f"upload {name}", file=sys.stderr) as bar:
                s3.upload_file(str(path), bucket, f"{staging}{name}", ExtraArgs=extra, Callback=bar.update)
        for name in model.files:
            extra = {**encryption, "Metadata": metadata[name], "MetadataDirective": "REPLACE"}
            s3.copy({"Bucket": bucket, "Key": f"{staging}{name}"}, bucket, f"{model.lake_prefix}{name}", ExtraArgs=extra)
    finally:
        staged = [{"Key": f"{staging}{name}"} for name in metadata]
        if staged:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": staged, "Quiet": True})


# ---- The files: from the hub, checked, or from a folder.


def digest_of(path: Path, digest) -> str:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    return digest_of(path, hashlib.sha256())


def git_blob_sha1(path: Path) -> str:
    """The hash git gives the file's content: what the hub reports as the ETag of a file not in LFS."""
    return digest_of(path, hashlib.sha1(f"blob {path.stat().st_size}\0".encode()))


def hash_mismatch(path: Path, reported: str) -> str | None:
    """Why the file is not what the hub reports, or None when it is."""
    reported = reported.lower()
    if len(reported) == 64:
        actual, kind = sha256_of(path), "sha256"
    elif len(reported) == 40:
        actual, kind = git_blob_sha1(path), "git blob sha1"
    else:
        return f"the hub reports no sha256 or git blob sha1 for it (ETag {reported!r})"
    return None if actual == reported else f"its {kind} is {actual}, the hub reports {reported}"


def from_hub(model: Model, cache_dir: str | None) -> dict[str, Path]:
    """Downloads the declared files at the declared commit, each checked against the hub's hash."""
    from huggingface_hub import HfApi, get_hf_file_metadata, hf_hub_download, hf_hub_url
    from huggingface_hub.utils import EntryNotFoundError, HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError

    try:
        info = HfApi().model_info(model.repository, revision=model.revision)
    except RevisionNotFoundError:
        raise SeedError(
            f"{model.repository} has no commit {model.revision} on the hub ({hub_endpoint()}): "
            f"correct the revision that {', '.join(model.families)} declares (pipeline-definitions/families/)."
        ) from None
    except RepositoryNotFoundError:
        raise SeedError(f"The hub ({hub_endpoint()}) has no repository {model.repository} (or it needs a token: HF_TOKEN).") from None
    except (HfHubHTTPError, OSError) as error:
        raise SeedError(f"Cannot reach the hub ({hub_endpoint()}) for {model.repository}: {error}. Without the hub, use --from DIR.") from None
    if info.sha and info.sha != model.revision:
        raise SeedError(f"The hub answered commit {info.sha} for {model.repository} at {model.revision}: a branch or tag is not a pinned commit.")
    listed = {s.rfilename for s in info.siblings or []}
    absent = [f for f in model.files if listed and f not in listed]
    if absent:
        raise SeedError(f"{model.name} has no {', '.join(absent)}: correct the files that {', '.join(model.families)} declares (pipeline-definitions/families/).")

    files: dict[str, Path] = {}
    for name in model.files:
        try:
            meta = get_hf_file_metadata(hf_hub_url(model.repository, name, revision=model.revision))
            path = Path(hf_hub_download(model.repository, name, revision=model.revision, cache_dir=cache_dir))
        except EntryNotFoundError:
            raise SeedError(f"{model.name} has no {name}.") from None
        except (HfHubHTTPError, OSError) as error:
            raise SeedError(f"Downloading {name} of {model.name} failed: {error}. Nothing was uploaded; run again to resume.") from None
        if meta.commit_hash and meta.commit_hash != model.revision:
            raise SeedError(f"The hub served {name} of {model.repository} at commit {meta.commit_hash}, not {model.revision}. Nothing was uploaded.")
        problem = hash_mismatch(path, meta.etag or "")
        if problem:
            # The cache keeps files by the hash the hub reported: a bad copy must not be taken again.
            Path(os.path.realpath(path)).unlink(missing_ok=True)
            raise SeedError(f"{name} of {model.name} is not what the hub reports: {problem}. Nothing was uploaded.")
        files[name] = path
    return files


def from_folder(model: Model, folder: Path) -> dict[str, Path]:
    """The declared files from a folder the user already has (e.g. a hub snapshot)."""
    if not folder.is_dir():
        raise SeedError(f"--from {folder}: no such folder.")
    absent = [name for name in model.files if not (folder / name).is_file()]
    if absent:
        raise SeedError(f"{folder} lacks {', '.join(absent)} of {model.name}. Nothing was uploaded.")
    return {name: folder / name for name in model.files}


def hub_endpoint() -> str:
    from huggingface_hub import constants

    return constants.ENDPOINT


# ---- The command.


def seed(plan: Plan, source_dir: Path | None, cache_dir: str | None, session=None) -> int:
    """Seeds every model of the plan; returns how many files it uploaded."""
    session = session or boto3.session.Session(region_name=plan.region)
    cloudformation = session.client("cloudformation")
    s3 = session.client("s3")
    bucket, key_arn = lake_location(cloudformation, plan.lake_stack)
    uploaded = 0
    for model in plan.models:
        target = f"s3://{bucket}/{model.lake_prefix}"
        print(f"{model.name} ({', '.join(model.families)}) -> {target}", file=sys.stderr)
        if all(seeded(s3, bucket, f"{model.lake_prefix}{name}", model, key_arn) for name in model.files):
            print("  already in the lake: nothing to upload", file=sys.stderr)
            continue
        if source_dir is not None:
            files, source = from_folder(model, source_dir), f"folder {source_dir.name}"
        else:
            files, source = from_hub(model, cache_dir), "hub"
        upload(s3, bucket, key_arn, model, files, source)
        uploaded += len(model.files)
        print(f"  uploaded {len(model.files)} files to {target}", file=sys.stderr)
    return uploaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="npm run seed-model --", description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", type=Path, required=True, help="the families' declarations (written by plan.ts)")
    parser.add_argument("--from", dest="source", type=Path, help="take the files from this folder instead of the hub")
    parser.add_argument("--cache-dir", help="the hub client's cache (default: its own, ~/.cache/huggingface)")
    parser.add_argument("-c", "--context", action="append", metavar="KEY=VALUE", help="the configuration, as for cdk synth (read by plan.ts)")
    args = parser.parse_args(argv)
    plan = read_plan(args.plan)
    if not plan.models:
        print("No model family declares a pre-trained model: nothing to seed.", file=sys.stderr)
        return 0
    if args.source is not None and len(plan.models) > 1:
        print("--from DIR takes the files of one model; the families declare several.", file=sys.stderr)
        return 2
    try:
        seed(plan, args.source, args.cache_dir)
    except SeedError as error:
        print(f"seed-model: {error}", file=sys.stderr)
        return 1
    except (NoCredentialsError, PartialCredentialsError):
        print(
            "seed-model: no AWS credentials. Sign in as for the AWS CLI (aws configure, aws sso login, or AWS_PROFILE) "
            "with a role that may read the stacks and write the lake.",
            file=sys.stderr,
        )
        return 1
    except NoRegionError:
        print("seed-model: no AWS region. Set AWS_REGION (or a profile's region), or pin it with -c region=...", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as error:
        print(f"seed-model: AWS said: {error}", file=sys.stderr)
        return 1
    except (S3UploadFailedError, OSError) as error:
        print(f"seed-model: the upload broke off ({error}); the model's prefix is as it was: run again.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
