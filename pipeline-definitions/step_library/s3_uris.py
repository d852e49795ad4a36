"""S3 URIs (``s3://bucket/key``) as the step code reads them."""

from __future__ import annotations


def s3_location(uri: str) -> tuple[str, str]:
    """The bucket and key (or prefix) of an ``s3://bucket/key`` URI."""
    if not uri.startswith("s3://") or not uri[len("s3://") :].partition("/")[0]:
        raise ValueError(f"{uri!r} is not an S3 URI (s3://bucket/key)")
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key
