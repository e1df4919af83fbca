"""Where a job's code and data go in S3, decided before anything is uploaded.

Everything is content-addressed: the archive under its SHA-256, a data folder under a digest
of its files, so unchanged code or data is never uploaded twice and a job always names
exactly what it ran on.
"""

import hashlib
from dataclasses import dataclass

from tools import contract, sourcedir


@dataclass(frozen=True)
class Plan:
    bucket: str
    archive: bytes  # sourcedir.tar.gz
    code_key: str
    folders: dict  # channel -> (its files as (path, name), key prefix) to upload
    channel_uris: dict  # channel -> the S3 URI the job reads
    output_uri: str
    checkpoint_uri: str | None

    @property
    def code_uri(self):
        return s3_uri(self.bucket, self.code_key)


def make_plan(request, bucket, prepared):
    """The Plan for a LaunchRequest, its code and data folders prepared (tools/preflight.py)."""
    folders, channel_uris = {}, {}
    for name, location in request.channels.items():
        if location.startswith("s3://"):
            channel_uris[name] = location
        else:
            files = prepared.local_files[name]
            key = s3_key(request.prefix, "data", name, folder_digest(files)) + "/"
            folders[name] = (files, key)
            channel_uris[name] = s3_uri(bucket, key)
    archive = prepared.archive
    code_key = s3_key(request.prefix, "code", sourcedir.digest(archive), contract.ARCHIVE_NAME)
    spot_checkpoints = request.spot and s3_uri(
        bucket, s3_key(request.prefix, "checkpoints", request.job_name)
    )
    return Plan(
        bucket=bucket,
        archive=archive,
        code_key=code_key,
        folders=folders,
        channel_uris=channel_uris,
        output_uri=s3_uri(bucket, s3_key(request.prefix, "output")),
        checkpoint_uri=request.checkpoint_s3_uri or spot_checkpoints or None,
    )


def s3_key(*parts):
    """parts joined by "/", leaving out empty ones (an empty --prefix)."""
    return "/".join(part for part in parts if part)


def s3_uri(bucket, key):
    return f"s3://{bucket}/{key}"


def folder_digest(files):
    """SHA-256 over the names and contents of a data folder's files, as (path, name)."""
    total = hashlib.sha256()
    for path, name in files:
        with path.open("rb") as file:  # streamed: data files can be larger than memory
            digest = hashlib.file_digest(file, "sha256").hexdigest()
        total.update(f"{name}\0{digest}\n".encode())
    return total.hexdigest()
