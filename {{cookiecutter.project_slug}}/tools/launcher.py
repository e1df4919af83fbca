"""A LaunchRequest carried out: pack the code, plan and upload, start the job, follow it.

Mistakes the user can fix raise UserError before anything is uploaded; launch.py turns
them into one line.
"""

import json
import subprocess
import sys
from dataclasses import dataclass

from tools import sdk, sourcedir
from tools.cli import FAILED, INTERRUPTED, UserError
from tools.launch_options import ROLE_VARIABLE
from tools.plan import make_plan
from tools.project import ECR_REPOSITORY, LOCAL_IMAGE
from tools.upload import (
    PLACEHOLDER_ACCOUNT,
    aws_session,
    check_bucket,
    placeholder_session,
    upload,
)


@dataclass(frozen=True)
class Account:
    """Where the job goes: the AWS session, the role it runs as, the bucket and the image."""

    boto_session: object
    role: str | None
    bucket: str
    image_uri: str
    real_role: bool = True  # False: a placeholder or a dry run's role, which IAM is not asked


def launch(request):
    """Start the job the request names (or print it, for a dry run); the exit status."""
    sdk.configure_logging()
    archive = sourcedir.pack(request.source_dir, request.entry_point)
    if request.local and not compose_works():
        raise UserError("--instance-type local needs Docker with `docker compose` working here")
    account = placeholder_account(request) if request.dry_run else real_account(request)
    plan = make_plan(request, account.bucket, archive)
    session = sdk.sagemaker_session(account.boto_session, account.bucket, request.dry_run)
    with sdk.role_validation(account.real_role):
        trainer = sdk.build_trainer(request, plan, session, account.image_uri, account.role)
        if request.dry_run:
            print(json.dumps(sdk.create_request(trainer, request, plan), indent=2, default=str))
            return 0
    s3 = account.boto_session.client("s3")
    sent = upload(s3, plan)
    print(f"Uploaded {sent:,} new bytes; code: {plan.code_uri}")
    if request.local:
        output = sdk.train_locally(trainer, request, plan)
        print(f"Local training finished; its output is in {output}")
        return 0
    return start(account.boto_session, sdk.create_request(trainer, request, plan), request)


def real_account(request):
    """The account of the credentials here, with the role, bucket and image checked."""
    role = request.role
    if not request.local and not role:
        raise UserError(f"no execution role: pass --role or set {ROLE_VARIABLE}")
    boto_session = aws_session(request.region)
    bucket = resolve_bucket(request, boto_session, boto_session.client("s3"))
    image_uri = request.image_uri or default_image_uri(
        request, lambda: caller_account(boto_session)
    )
    return Account(boto_session, role, bucket, image_uri)


def placeholder_role():
    print("launch.py: dry run without a role: the role is a placeholder", file=sys.stderr)
    return f"arn:aws:iam::{PLACEHOLDER_ACCOUNT}:role/placeholder-execution-role"


def placeholder_account(request):
    """A dry run asks AWS nothing, credentials or not: what only AWS could tell (the account
    in the default bucket and image) is a placeholder, named so that nobody mistakes it."""
    if not request.bucket or not (request.image_uri or request.local):
        print(
            "launch.py: dry run, which asks AWS nothing: the account is a placeholder"
            f" ({PLACEHOLDER_ACCOUNT}); --bucket and --image-uri name the real ones",
            file=sys.stderr,
        )
    boto_session = placeholder_session(request.region)
    role = request.role or placeholder_role()
    bucket = request.bucket or f"sagemaker-{request.region}-{PLACEHOLDER_ACCOUNT}"
    image_uri = request.image_uri or default_image_uri(request, lambda: PLACEHOLDER_ACCOUNT)
    return Account(boto_session, role, bucket, image_uri, real_role=False)


def compose_works():
    """Whether `docker compose` answers here: local mode runs the image with it."""
    try:
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def resolve_bucket(request, boto_session, s3):
    if request.bucket:
        check_bucket(s3, request.bucket)
        return request.bucket
    return sdk.default_bucket(boto_session)


def default_image_uri(request, account):
    """The local build for local mode, else the project's ECR repository in account()."""
    return LOCAL_IMAGE if request.local else ecr_image_uri(account(), request.region)


def caller_account(boto_session):
    return boto_session.client("sts").get_caller_identity()["Account"]


def ecr_image_uri(account, region):
    return f"{account}.dkr.ecr.{region}.amazonaws.com/{ECR_REPOSITORY}:latest"


def start(boto_session, job, request):
    """Send the CreateTrainingJob request; follow the job unless told not to."""
    name = request.job_name
    boto_session.client("sagemaker").create_training_job(**job)
    print(f"Started training job {name} ({job['ResourceConfig']['InstanceType']})")
    if not request.wait:
        print(f"Follow it: aws sagemaker describe-training-job --training-job-name {name}")
        return 0
    try:
        sdk.wait_for_job(boto_session, name, request.region)
    except KeyboardInterrupt:
        print(
            f"launch.py: stopped watching; job {name} goes on"
            f" (aws sagemaker stop-training-job --training-job-name {name})",
            file=sys.stderr,
        )
        return INTERRUPTED
    return report_job(boto_session.client("sagemaker").describe_training_job(TrainingJobName=name))


def report_job(description):
    """Print how the job ended; 0 if it completed, else FAILED."""
    name, status = description["TrainingJobName"], description["TrainingJobStatus"]
    if status == "Completed":
        model = description["ModelArtifacts"]["S3ModelArtifacts"]
        print(f"Training job {name} Completed; model: {model}")
        return 0
    reason = description.get("FailureReason", "no reason given")
    print(f"launch.py: training job {name} {status}: {reason}", file=sys.stderr)
    return FAILED
