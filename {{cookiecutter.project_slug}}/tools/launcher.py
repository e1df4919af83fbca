"""A LaunchRequest carried out: pack the code, plan and upload, start the job, follow it.

Mistakes the user can fix raise UserError before anything is uploaded; launch.py turns
them into one line.
"""

import json
import sys
from dataclasses import dataclass

from tools import local_mode, sdk, sdk_session, tuning
from tools.cli import FAILED, INTERRUPTED, UserError
from tools.launch_options import ROLE_VARIABLE
from tools.plan import make_plan
from tools.project import ECR_REPOSITORY
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


def launch(request, prepared, probe):
    """Start the job the request names (or print it, for a dry run); the exit status.
    prepared is its code and data (tools/preflight.py), probe the entry point's parser at
    work (tools/hyperparameter_check.py)."""
    sdk.configure_logging()
    probe.check()
    if request.local:
        return local_mode.run(request, prepared)
    account = placeholder_account(request) if request.dry_run else real_account(request)
    plan = make_plan(request, account.bucket, prepared)
    session = sdk_session.sagemaker_session(account.boto_session, account.bucket, request.dry_run)
    with sdk.role_validation(account.real_role):
        trainer = sdk.build_trainer(request, plan, session, account.image_uri, account.role)
        job = job_request(trainer, request, plan)
    if request.dry_run:
        print(json.dumps(job, indent=2, default=str))
        return 0
    sent = upload(account.boto_session.client("s3"), plan)
    print(f"Uploaded {sent:,} new bytes; code: {plan.code_uri}")
    if request.tuning:
        client = account.boto_session.client("sagemaker")
        return tuning.start(client, job, request, plan.output_uri)
    return start(account.boto_session, job, request)


def job_request(trainer, request, plan):
    """What to send: CreateHyperParameterTuningJob with --tune, else CreateTrainingJob."""
    if not request.tuning:
        return sdk.create_request(trainer, request, plan)
    from tools import sdk_tuning  # the SDK's tuner, only when tuning: it imports much more

    tuner = sdk_tuning.build_tuner(trainer, request.tuning)
    return sdk_tuning.create_request(tuner, request, plan)


def real_account(request):
    """The account of the credentials here, with the role, bucket and image checked."""
    role = request.role
    if not role:
        raise UserError(f"no execution role: pass --role or set {ROLE_VARIABLE}")
    boto_session = aws_session(request.region)
    bucket = resolve_bucket(request, boto_session, boto_session.client("s3"))
    image_uri = request.image_uri or ecr_image_uri(caller_account(boto_session), request.region)
    return Account(boto_session, role, bucket, image_uri)


def placeholder_role():
    print("launch.py: dry run without a role: the role is a placeholder", file=sys.stderr)
    return f"arn:aws:iam::{PLACEHOLDER_ACCOUNT}:role/placeholder-execution-role"


def placeholder_account(request):
    """A dry run asks AWS nothing, credentials or not: what only AWS could tell (the account
    in the default bucket and image) is a placeholder, named so that nobody mistakes it."""
    if not request.bucket or not request.image_uri:
        print(
            "launch.py: dry run, which asks AWS nothing: the account is a placeholder"
            f" ({PLACEHOLDER_ACCOUNT}); --bucket and --image-uri name the real ones",
            file=sys.stderr,
        )
    boto_session = placeholder_session(request.region)
    role = request.role or placeholder_role()
    bucket = request.bucket or f"sagemaker-{request.region}-{PLACEHOLDER_ACCOUNT}"
    image_uri = request.image_uri or ecr_image_uri(PLACEHOLDER_ACCOUNT, request.region)
    return Account(boto_session, role, bucket, image_uri, real_role=False)


def resolve_bucket(request, boto_session, s3):
    if request.bucket:
        check_bucket(s3, request.bucket)
        return request.bucket
    return sdk_session.default_bucket(boto_session)


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
        description = sdk.wait_for_job(boto_session, name, request.instance_count)
    except KeyboardInterrupt:
        print(
            f"launch.py: stopped watching; job {name} goes on"
            f" (aws sagemaker stop-training-job --training-job-name {name})",
            file=sys.stderr,
        )
        return INTERRUPTED
    return report_job(description)


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
