"""launch.py's command line: the options, grouped as --help shows them, read into a
LaunchRequest."""

import argparse
import os
from pathlib import Path

from tools import contract
from tools.cli import (
    OneLineParser,
    UserError,
    add_entry_point_option,
    add_hyperparameter_option,
    checked,
    positive,
)
from tools.project import (
    BASE_JOB_NAME,
    DATA_FOLDER,
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_PREFIX,
    DEFAULT_REGION,
    ECR_REPOSITORY,
    INCLUDE_MPI,
    LOCAL_IMAGE,
    SOURCE_DIR,
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


def data_location(value):
    """An argparse type: an s3:// URI or a local folder (uploaded by the launcher)."""
    if not value:  # Path("") is the current folder: the whole project would be uploaded
        raise argparse.ArgumentTypeError("expected an s3:// URI or a folder, got nothing")
    if value.startswith("s3://"):
        return checked(contract.S3_URI, "S3 URI (expected s3://bucket/key)")(value)
    if not Path(value).is_dir():
        raise argparse.ArgumentTypeError(
            f"{value} is neither an s3:// URI nor a folder (`make data` writes the sample set)"
        )
    return value


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
        default=os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or DEFAULT_REGION,
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


def add_data_options(parser):
    data = parser.add_argument_group(
        "data",
        f"every folder in {DATA_FOLDER}/ is a channel of its name, unless channels are named",
    )
    data.add_argument(
        "--channel",
        type=channel,
        action="append",
        default=[],
        metavar="NAME=LOCATION",
        help="a channel from an s3:// URI or a folder (repeatable); the script reads it from"
        " SM_CHANNEL_<NAME>",
    )
    data.add_argument(
        "--train", type=data_location, metavar="LOCATION", help="short for --channel train=..."
    )
    validation = data.add_mutually_exclusive_group()
    validation.add_argument(
        "--validation",
        type=data_location,
        metavar="LOCATION",
        help="short for --channel validation=...",
    )
    validation.add_argument(
        "--no-validation",
        action="store_true",
        help=f"leave out the validation channel of {DATA_FOLDER}/",
    )
    data.add_argument(
        "--distribution",
        type=distribution,
        action="append",
        default=[],
        metavar="NAME=TYPE",
        help=f"how a channel's files reach the hosts: {' or '.join(contract.DISTRIBUTIONS)}"
        " (default: train sharded over several hosts, the rest replicated)",
    )


def channel(text):
    """An argparse type: NAME=LOCATION as (name, location)."""
    name, separator, location = text.partition("=")
    if not separator:
        raise argparse.ArgumentTypeError(f"malformed channel {text!r} (expected NAME=LOCATION)")
    return channel_name(name), data_location(location)


def distribution(text):
    """An argparse type: NAME=TYPE as (name, S3DistributionType)."""
    name, _, kind = text.partition("=")
    if kind not in contract.DISTRIBUTIONS:
        raise argparse.ArgumentTypeError(
            f"malformed distribution {text!r} (expected NAME={'|'.join(contract.DISTRIBUTIONS)})"
        )
    return channel_name(name), kind


def channel_name(name):
    if not contract.CHANNEL_NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(
            f"channel name {name!r} is not 1-64 letters, digits, '.', '_' or '-' (SageMaker's rule)"
        )
    return name


def add_compute_options(parser):
    compute = parser.add_argument_group("compute")
    compute.add_argument(
        "--instance-type",
        metavar="TYPE",
        default=DEFAULT_INSTANCE_TYPE,
        help=f"default: {DEFAULT_INSTANCE_TYPE}; '{contract.LOCAL_INSTANCE_TYPES[0]}' runs the"
        " image here with docker compose",
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
        help=f"default: {BASE_JOB_NAME}-<UTC time as YYYYmmddHHMMSS>",
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
        help="print the CreateTrainingJob request as JSON; upload and send nothing",
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
        add_job_options,
    ):
        add_options(parser)
    return parser


def parse_args(argv=None):
    """The LaunchRequest argv asks for; a mistake exits with one line."""
    parser = build_parser()
    options = parser.parse_args(argv)
    try:
        return to_request(options)
    except UserError as error:
        parser.error(str(error))


def to_request(options):
    return LaunchRequest(
        job_name=options.job_name or default_job_name(),
        channels=channels(options),
        distributions=dict(options.distribution),
        source_dir=options.source_dir,
        entry_point=options.entry_point,
        mode=options.mode,
        image_uri=options.image_uri,
        hyperparameters=dict(options.hyperparameter),
        role=options.role,
        region=options.region,
        bucket=options.bucket,
        prefix=options.prefix,
        instance_type=options.instance_type,
        instance_count=options.instance_count,
        volume_size=options.volume_size,
        max_run=options.max_run,
        spot=options.spot,
        max_wait=options.max_wait,
        checkpoint_s3_uri=options.checkpoint_s3_uri,
        keep_alive=options.keep_alive,
        mpi=mpi.settings(options) if INCLUDE_MPI else None,
        wait=options.wait,
        dry_run=options.dry_run,
    )


def channels(options):
    """{name: location}: the channels named on the command line, else every folder in data/."""
    named = dict(options.channel)
    for name in ("train", "validation"):
        if getattr(options, name):
            named[name] = getattr(options, name)
    if not named:
        named = {folder.name: str(folder) for folder in data_folders()}
    if options.no_validation:
        named.pop("validation", None)
    if not named:
        raise UserError(
            f"no channels: {DATA_FOLDER}/ has no folders (`make data` writes the sample set);"
            " pass --channel NAME=LOCATION"
        )
    return named


def data_folders():
    """The folders in data/ (relative, as --help shows them), checked as channel names."""
    root = Path(DATA_FOLDER)
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    for folder in folders:
        if not contract.CHANNEL_NAME.fullmatch(folder.name):
            raise UserError(f"{folder} cannot be a channel: its name breaks SageMaker's rule")
    return folders
