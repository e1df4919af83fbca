"""launch.py's command line: the options, grouped as --help shows them, read into a
LaunchRequest."""

import argparse
import os
from pathlib import Path

from tools import contract, tuning_options
from tools.channel_options import add_data_options, channels
from tools.cli import (
    OneLineParser,
    add_entry_point_option,
    add_hyperparameter_option,
    checked,
    parse_request,
    positive,
    request_from,
)
from tools.project import (
    BASE_JOB_NAME,
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_PREFIX,
    DEFAULT_REGION,
    ECR_REPOSITORY,
    INCLUDE_MPI,
    LOCAL_IMAGE,
    SOURCE_DIR,
    default_region,
)
from tools.run_requests import (
    DEFAULT_MAX_RUN,
    DEFAULT_VOLUME_GB,
    MODES,
    LaunchRequest,
    default_job_name,
)

if INCLUDE_MPI:
    from tools import mpi

ROLE_VARIABLE = "SAGEMAKER_ROLE_ARN"


def add_code_options(parser):
    code = parser.add_argument_group("code and image")
    code.add_argument(
        "--source-dir",
        type=Path,
        metavar="FOLDER",
        default=SOURCE_DIR,
        help="the training code (default: source_dir/ next to launch.py)",
    )
    add_entry_point_option(code)
    code.add_argument(
        "--mode",
        choices=MODES,
        default=MODES[0],
        help="toolkit (default): the image's `train` runs the entry point; framework: the SDK's"
        " driver",
    )
    code.add_argument(
        "--image-uri",
        type=checked(contract.IMAGE_URI, "image URI"),
        metavar="URI",
        help=f"default: <account>.dkr.ecr.<region>.amazonaws.com/{ECR_REPOSITORY}:latest"
        f" ({LOCAL_IMAGE} with --instance-type local)",
    )
    add_hyperparameter_option(code, help="passed to the script as --KEY VALUE (repeatable)")


def add_aws_options(parser):
    aws = parser.add_argument_group("AWS account")
    aws.add_argument(
        "--role",
        type=checked(contract.ROLE_ARN, "role ARN"),
        metavar="ARN",
        default=os.environ.get(ROLE_VARIABLE) or None,
        help=f"execution role ARN (default: ${ROLE_VARIABLE})",
    )
    aws.add_argument(
        "--region",
        default=default_region(),
        help=f"default: $AWS_REGION, $AWS_DEFAULT_REGION, then {DEFAULT_REGION}",
    )
    aws.add_argument(
        "--bucket",
        type=checked(contract.BUCKET_NAME, "bucket name"),
        metavar="NAME",
        help="default: the SDK's sagemaker-<region>-<account> bucket",
    )
    aws.add_argument(
        "--prefix",
        type=lambda value: value.strip("/"),
        default=DEFAULT_PREFIX,
        help=f"S3 key prefix for code, data, output (default: {DEFAULT_PREFIX})",
    )


def add_compute_options(parser):
    compute = parser.add_argument_group("compute")
    compute.add_argument(
        "--instance-type",
        metavar="TYPE",
        default=DEFAULT_INSTANCE_TYPE,
        help=f"default: {DEFAULT_INSTANCE_TYPE}; {' or '.join(contract.LOCAL_INSTANCE_TYPES)}"
        " runs the image here (SageMaker local mode, through Docker Compose; no AWS account)",
    )
    compute.add_argument(
        "--instance-count",
        type=positive,
        metavar="N",
        default=1,
        help="default: 1; above 1, each host trains on its shard of the train channel, over MPI"
        if INCLUDE_MPI
        else "1 (the default): this project trains on one host (include_mpi adds more)",
    )
    compute.add_argument(
        "--volume-size",
        type=positive,
        default=DEFAULT_VOLUME_GB,
        metavar="GB",
        help=f"storage per instance (default: {DEFAULT_VOLUME_GB})",
    )
    compute.add_argument(
        "--max-run",
        type=positive,
        metavar="SECONDS",
        default=DEFAULT_MAX_RUN,
        help=f"run time before the job is stopped (default: {DEFAULT_MAX_RUN})",
    )
    if INCLUDE_MPI:
        mpi.add_options(compute)
    add_spot_options(compute)


def add_spot_options(compute):
    compute.add_argument("--spot", action="store_true", help="use managed spot instances")
    compute.add_argument(
        "--max-wait",
        type=positive,
        metavar="SECONDS",
        help="time to wait for spot capacity plus run (--spot; default: --max-run)",
    )
    compute.add_argument(
        "--checkpoint-s3-uri",
        type=checked(contract.S3_URI, "S3 URI"),
        metavar="URI",
        help="synced with /opt/ml/checkpoints (default with --spot: under the prefix)",
    )
    compute.add_argument(
        "--keep-alive",
        type=positive,
        metavar="SECONDS",
        help="keep the instances in a warm pool this long for the next job",
    )


def add_job_options(parser):
    job = parser.add_argument_group("job")
    job.add_argument(
        "--job-name",
        type=checked(contract.JOB_NAME, "job name"),
        metavar="NAME",
        help=f"default: {BASE_JOB_NAME}-<UTC time as YYYYmmddHHMMSS> (a tuning job's cut to 32)",
    )
    job.add_argument(
        "--wait",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="stream the job's logs until it ends (default: --wait)",
    )
    job.add_argument(
        "--dry-run",
        action="store_true",
        help="print the CreateTrainingJob request as JSON; ask AWS nothing, upload nothing",
    )


def build_parser():
    parser = OneLineParser(
        prog="launch.py",
        description="Start a SageMaker training job for source_dir/ (see the module docstring).",
    )
    for add_options in (
        add_code_options,
        add_aws_options,
        add_data_options,
        add_compute_options,
        tuning_options.add_options,
        add_job_options,
    ):
        add_options(parser)
    return parser


def parse_args(argv=None):
    """The LaunchRequest argv asks for; a mistake exits with one line."""
    return parse_request(build_parser(), argv, to_request)


def to_request(options):
    tuning = tuning_options.settings(options)
    return request_from(
        options,
        LaunchRequest,
        job_name=options.job_name or default_job_name(tuning=bool(tuning)),
        tuning=tuning,
        channels=channels(options),
        distributions=dict(options.distribution),
        hyperparameters=dict(options.hyperparameter),
        mpi=mpi.settings(options) if INCLUDE_MPI else None,
    )
