"""The boto3 side of a launch: credentials, the bucket, and uploading what a Plan names."""

import io

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from tools.cli import UserError
from tools.progress import Progress

# The account a dry run shows (it asks AWS nothing): no real account has this number.
PLACEHOLDER_ACCOUNT = "000000000000"


# For every client made from our sessions, the SDK's included: an endpoint that never answers
# costs seconds and one line, not minutes of silence.
CLIENT_CONFIG = Config(
    connect_timeout=10, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}
)


def new_session(region, **credentials):
    core = botocore.session.get_session()
    core.set_default_client_config(CLIENT_CONFIG)
    return boto3.Session(botocore_session=core, region_name=region, **credentials)


class NothingSent(Exception):
    """A request a dry run's session refused to send (the SDK asks IAM on its own)."""


def placeholder_session(region):
    """A session that builds requests and sends none: what a dry run works with."""
    session = new_session(
        region, aws_access_key_id="placeholder", aws_secret_access_key="placeholder"
    )
    session.events.register("before-send", refuse_to_send)
    return session


def refuse_to_send(request, **_):
    raise NothingSent(f"a dry run sends nothing: {request.method} {request.url}")


def aws_session(region):
    """A boto3 session with credentials, or a UserError saying how to get some."""
    session = new_session(region)
    if session.get_credentials() is None:
        raise UserError(
            "no AWS credentials found: run `aws configure` or `aws sso login`, or set AWS_PROFILE"
        )
    return session


def check_bucket(s3, bucket):
    """Refuse, in one line, a bucket that is missing or not ours to use."""
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code in ("404", "NoSuchBucket"):
            raise UserError(
                f"bucket {bucket} does not exist (create it, or leave out --bucket)"
            ) from error
        raise UserError(
            f"cannot use bucket {bucket}: {code} {error.response['Error'].get('Message', '')}"
        ) from error


def upload(s3, plan):
    """Upload what S3 does not hold yet, with its progress on a terminal; return the number of
    bytes sent."""
    missing = missing_files(s3, plan)
    archive = [] if object_exists(s3, plan.bucket, plan.code_key) else [plan.archive]
    total = sum(path.stat().st_size for path, _ in missing) + sum(map(len, archive))
    progress = Progress("Uploading", total, len(missing) + len(archive))
    for data in archive:
        s3.upload_fileobj(io.BytesIO(data), plan.bucket, plan.code_key, Callback=progress)
        progress.file_done()
    for path, key in missing:
        s3.upload_file(str(path), plan.bucket, key, Callback=progress)
        progress.file_done()
    progress.finish()
    return total


def missing_files(s3, plan):
    """(path, key) of each data file that S3 does not hold yet."""
    missing = []
    for files, key in plan.folders.values():
        listed = s3.get_paginator("list_objects_v2").paginate(Bucket=plan.bucket, Prefix=key)
        present = {item["Key"] for page in listed for item in page.get("Contents", [])}
        missing += [(path, key + name) for path, name in files if key + name not in present]
    return missing


def object_exists(s3, bucket, key):
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
            return False
        raise
    return True
