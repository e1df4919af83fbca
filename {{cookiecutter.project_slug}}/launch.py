"""Package source_dir/, upload it and start a SageMaker training job (SageMaker Python SDK v3).

    python launch.py                      # defaults from the project's answers; `make train`
    python launch.py --dry-run            # print the CreateTrainingJob request, send nothing
    python launch.py --help               # every option

Two ways to run the code in the image:
- toolkit (default): source_dir/ becomes a deterministic sourcedir.tar.gz stored under its
  SHA-256 in S3; the job names it in the reserved `sagemaker_*` hyperparameters and the
  image's own `train` (the sagemaker-training toolkit) downloads it and runs train.py.
- framework: the SDK's SourceCode carries the same archive and the SDK's driver scripts run
  train.py instead of the toolkit.

Local data folders (--train/--validation) are uploaded the same way, under a digest of their
contents, so nothing unchanged is uploaded twice. The validation channel is optional. The SDK
is imported only after the arguments have been checked: --help and argument errors return at
once.
"""

import argparse
import contextlib
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import sourcedir

PROJECT_DIR = Path(__file__).resolve().parent
SOURCE_DIR = PROJECT_DIR / "source_dir"
ENTRY_SCRIPT = "train.py"
REQUIREMENTS = "requirements.txt"

# The project's answers.
DEFAULT_REGION = {{ cookiecutter.aws_region | tojson }}
DEFAULT_PREFIX = {{ cookiecutter.s3_prefix | tojson }}
BASE_JOB_NAME = {{ cookiecutter.base_job_name | tojson }}
DEFAULT_INSTANCE_TYPE = {{ cookiecutter.instance_type | tojson }}
ECR_REPOSITORY = {{ cookiecutter.ecr_repository | tojson }}
# The tag `docker build` gives the image here; --instance-type local runs it.
LOCAL_IMAGE = {{ (cookiecutter.project_slug ~ ":latest") | tojson }}
ROLE_VARIABLE = "SAGEMAKER_ROLE_ARN"
INTERRUPTED = 130  # the shell's exit status for Ctrl-C
LOCAL_MODE = "local"
DEFAULT_TRAIN = "data/train"
DEFAULT_VALIDATION = "data/validation"
# The v3 SDK's job name suffix (sagemaker.train.utils._get_unique_name); the template leaves
# BASE_JOB_NAME room for it within SageMaker's 63 characters.
JOB_NAME_STAMP = "%Y%m%d%H%M%S"

# train.py prints `name=value` tokens with these names; SageMaker turns each into a metric.
METRIC_NAMES = ["train:loss", "validation:loss", "validation:accuracy", "validation:rmse"]
NUMBER = r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"

S3_URI = re.compile(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/\S*)?")
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
IMAGE_URI = re.compile(
    r"[a-z0-9][a-z0-9._-]*(?::\d+)?(?:/[a-z0-9._-]+)*(?::[\w.-]{1,128}|@sha256:[0-9a-f]{64})?"
)
# SageMaker's TrainingJobName: at most 63 letters, digits and inner hyphens.
JOB_NAME = re.compile(r"(?=.{1,63}\Z)[a-zA-Z0-9](?:-*[a-zA-Z0-9])*")
HYPERPARAMETER_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class LaunchError(Exception):
    """A mistake the user can fix; the message says how."""


def metric_regexes():
    """{metric name: the regex that captures the number after `name=` in the job's log}."""
    return {name: f"{re.escape(name)}={NUMBER}" for name in METRIC_NAMES}


# ---------------------------------------------------------------------------- command line


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake costs one line on stderr instead of the whole usage."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def checked(pattern, what):
    """An argparse type that accepts only values matching pattern."""

    def check(value):
        if not pattern.fullmatch(value):
            raise argparse.ArgumentTypeError(f"malformed {what}: {value!r}")
        return value

    return check


def data_location(value):
    """An s3:// URI or a local folder (uploaded by the launcher)."""
    if not value:  # Path("") is the current folder: the whole project would be uploaded
        raise argparse.ArgumentTypeError("expected an s3:// URI or a folder, got nothing")
    if value.startswith("s3://"):
        return checked(S3_URI, "S3 URI (expected s3://bucket/key)")(value)
    if not Path(value).is_dir():
        raise argparse.ArgumentTypeError(
            f"{value} is neither an s3:// URI nor a folder (`make data` writes the sample set)"
        )
    return value


def hyperparameter(text):
    """KEY=VALUE as (key, value); VALUE is read as JSON when it parses (3, 0.1, true), else
    kept as text."""
    key, separator, value = text.partition("=")
    if not separator or not HYPERPARAMETER_KEY.fullmatch(key):
        raise argparse.ArgumentTypeError(f"malformed hyperparameter {text!r} (expected KEY=VALUE)")
    if key.startswith("sagemaker_"):
        raise argparse.ArgumentTypeError(f"{key} is reserved for the launcher and the toolkit")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def positive(value):
    number = int(value) if value.isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, got {value!r}")
    return number


def build_parser():
    parser = OneLineParser(
        prog="launch.py",
        description="Start a SageMaker training job for source_dir/ (see the module docstring).",
    )
    code = parser.add_argument_group("code and image")
    code.add_argument(
        "--source-dir",
        type=Path,
        metavar="FOLDER",
        default=SOURCE_DIR,
        help="the training code (default: source_dir/ next to launch.py)",
    )
    code.add_argument(
        "--mode",
        choices=["toolkit", "framework"],
        default="toolkit",
        help="toolkit (default): the image's `train` runs train.py; framework: the SDK's driver",
    )
    code.add_argument(
        "--image-uri",
        type=checked(IMAGE_URI, "image URI"),
        metavar="URI",
        help=f"default: <account>.dkr.ecr.<region>.amazonaws.com/{ECR_REPOSITORY}:latest"
        f" ({LOCAL_IMAGE} with --instance-type local)",
    )
    code.add_argument(
        "--hyperparameter",
        type=hyperparameter,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="passed to train.py as --KEY VALUE (repeatable)",
    )

    aws = parser.add_argument_group("AWS account")
    aws.add_argument(
        "--role",
        type=checked(ROLE_ARN, "role ARN"),
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
        type=checked(BUCKET_NAME, "bucket name"),
        metavar="NAME",
        help="default: the SDK's sagemaker-<region>-<account> bucket",
    )
    aws.add_argument(
        "--prefix",
        default=DEFAULT_PREFIX,
        help=f"S3 key prefix for code, data, output (default: {DEFAULT_PREFIX})",
    )

    data = parser.add_argument_group("data")
    data.add_argument(
        "--train",
        type=data_location,
        metavar="LOCATION",
        default=DEFAULT_TRAIN,
        help=f"s3:// URI or folder (default: {DEFAULT_TRAIN})",
    )
    validation = data.add_mutually_exclusive_group()
    validation.add_argument(
        "--validation",
        type=data_location,
        metavar="LOCATION",
        help=f"s3:// URI or folder (default: {DEFAULT_VALIDATION}, when it exists)",
    )
    validation.add_argument(
        "--no-validation", action="store_true", help="train without a validation channel"
    )

    compute = parser.add_argument_group("compute")
    compute.add_argument(
        "--instance-type",
        metavar="TYPE",
        default=DEFAULT_INSTANCE_TYPE,
        help=f"default: {DEFAULT_INSTANCE_TYPE}; '{LOCAL_MODE}' runs the image here with docker"
        " compose",
    )
    compute.add_argument(
        "--instance-count",
        type=positive,
        metavar="N",
        default=1,
{%- if cookiecutter.include_mpi %}
        help="default: 1; above 1, each host trains on its shard of the train channel, over MPI",
{%- else %}
        help="1 (the default): this project trains on one host (include_mpi adds more)",
{%- endif %}
    )
    compute.add_argument(
        "--volume-size",
        type=positive,
        default=30,
        metavar="GB",
        help="storage per instance (default: 30)",
    )
    compute.add_argument(
        "--max-run",
        type=positive,
        metavar="SECONDS",
        default=3600,
        help="run time before the job is stopped (default: 3600)",
    )
{%- if cookiecutter.include_mpi %}
    compute.add_argument(
        "--mpi",
        action=argparse.BooleanOptionalAction,
        default=argparse.SUPPRESS,  # unset: decided by the instance and process counts
        help="train data-parallel over MPI (default: with more than one instance or process)",
    )
    compute.add_argument(
        "--processes-per-host",
        type=positive,
        metavar="N",
        default=1,
        help="MPI processes per instance, e.g. one per vCPU (default: 1; above 1 implies --mpi)",
    )
    compute.add_argument(
        "--mpi-options",
        default=argparse.SUPPRESS,
        metavar="OPTIONS",
        help="extra mpirun options, e.g. '-x OMP_NUM_THREADS=1' (default: none)",
    )
{%- endif %}
    compute.add_argument("--spot", action="store_true", help="use managed spot instances")
    compute.add_argument(
        "--max-wait",
        type=positive,
        metavar="SECONDS",
        help="time to wait for spot capacity plus run (--spot; default: --max-run)",
    )
    compute.add_argument(
        "--checkpoint-s3-uri",
        type=checked(S3_URI, "S3 URI"),
        metavar="URI",
        help="synced with /opt/ml/checkpoints (default with --spot: under the prefix)",
    )
    compute.add_argument(
        "--keep-alive",
        type=positive,
        metavar="SECONDS",
        help="keep the instances in a warm pool this long for the next job",
    )

    job = parser.add_argument_group("job")
    job.add_argument(
        "--job-name",
        type=checked(JOB_NAME, "job name"),
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
    return parser


def parse_args(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.max_wait and not args.spot:
        parser.error("--max-wait only applies with --spot")
    if args.spot:
        args.max_wait = args.max_wait or args.max_run
        if args.max_wait < args.max_run:
            parser.error("--max-wait must be at least --max-run")
    args.prefix = args.prefix.strip("/")
    args.local = args.instance_type in (LOCAL_MODE, "local_gpu")
    if args.local and args.instance_count > 1:
        parser.error("local mode runs one container here: use --instance-count 1")
{%- if cookiecutter.include_mpi %}
    check_mpi(parser, args)
{%- else %}
    if args.instance_count > 1:
        parser.error(
            "--instance-count above 1 would train each host on its own shard with nothing to"
            " combine the models: use one instance, or re-render the project with include_mpi"
        )
{%- endif %}
    args.job_name = args.job_name or default_job_name()
    if not JOB_NAME.fullmatch(args.job_name):
        parser.error(f"BASE_JOB_NAME {BASE_JOB_NAME!r} gives an invalid job name: pass --job-name")
    args.validation = validation_location(args)  # last: it may print a note
    return args


def validation_location(args):
    """--validation, else data/validation when it exists; None: no validation channel."""
    if args.validation or args.no_validation:
        return args.validation
    if Path(DEFAULT_VALIDATION).is_dir():
        return DEFAULT_VALIDATION
    print(f"launch.py: no {DEFAULT_VALIDATION} folder, so no validation channel", file=sys.stderr)
    return None
{%- if cookiecutter.include_mpi %}


def check_mpi(parser, args):
    """Decide args.mpi: asked for, or implied by more than one instance or process."""
    implied = args.instance_count > 1 or args.processes_per_host > 1
    asked = getattr(args, "mpi", None)
    if asked is False and implied:
        # Without MPI the hosts (or processes) would each train alone and only one model is kept.
        parser.error("more than one instance or process needs MPI: leave out --no-mpi")
    args.mpi = implied if asked is None else asked
    args.mpi_options = getattr(args, "mpi_options", "")
    if args.mpi and args.mode != "toolkit":
        parser.error("MPI runs through the toolkit: use --mode toolkit (or --no-mpi)")
    if args.mpi_options and not args.mpi:
        parser.error("--mpi-options only applies to MPI jobs")


def mpi_hyperparameters(args):
    """The toolkit's reserved MPI settings: it then runs train.py under mpirun on every host."""
    if not args.mpi:
        return {}
    return {
        "sagemaker_mpi_enabled": True,
        "sagemaker_mpi_num_of_processes_per_host": args.processes_per_host,
        "sagemaker_mpi_custom_mpi_options": args.mpi_options,
    }
{%- endif %}


def default_job_name():
    """BASE_JOB_NAME plus the UTC time to the second, as the v3 SDK names its jobs."""
    return f"{BASE_JOB_NAME}-{time.strftime(JOB_NAME_STAMP, time.gmtime())}"


# ---------------------------------------------------------------------------- the plan


def pack(source_dir):
    """The archive's bytes, after making sure it holds the entry script."""
    try:
        names = {name for _, name in sourcedir.members(source_dir)}
        if ENTRY_SCRIPT not in names:
            raise LaunchError(f"{source_dir / ENTRY_SCRIPT} is missing: the job has nothing to run")
        return sourcedir.archive_bytes(source_dir)
    except sourcedir.SourceDirError as error:
        raise LaunchError(str(error)) from error


def aws_session(region):
    """A boto3 session with credentials, or a LaunchError saying how to get some."""
    import boto3

    session = boto3.Session(region_name=region)
    if session.get_credentials() is None:
        raise LaunchError(
            "no AWS credentials found: run `aws configure` or `aws sso login`, or set AWS_PROFILE"
        )
    return session


def check_bucket(s3, bucket):
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code in ("404", "NoSuchBucket"):
            raise LaunchError(
                f"bucket {bucket} does not exist (create it, or leave out --bucket)"
            ) from error
        raise LaunchError(
            f"cannot use bucket {bucket}: {code} {error.response['Error'].get('Message', '')}"
        ) from error


def folder_digest(folder):
    """SHA-256 over the names and contents of the files sent from a data folder."""
    total = hashlib.sha256()
    for path, name in data_files(folder):
        with path.open("rb") as file:  # streamed: data files can be larger than memory
            digest = hashlib.file_digest(file, "sha256").hexdigest()
        total.update(f"{name}\0{digest}\n".encode())
    return total.hexdigest()


def data_files(folder):
    """(path, relative name) of the files in folder, without secrets and junk."""
    root = Path(folder)
    files = (
        p for p in sorted(root.rglob("*")) if p.is_file() and not sourcedir.is_skipped_file(p.name)
    )
    return [(path, path.relative_to(root).as_posix()) for path in files]


class Plan:
    """Where everything goes in S3, decided before anything is uploaded."""

    def __init__(self, args, bucket, archive):
        self.bucket, self.archive = bucket, archive
        self.code_key = s3_key(args.prefix, "code", sourcedir.digest(archive), "sourcedir.tar.gz")
        self.code_uri = self.uri(self.code_key)
        self.folders = {}  # channel -> (local folder, key prefix) to upload
        self.channels = {}  # channel -> the S3 URI the job reads
        for name, location in (("train", args.train), ("validation", args.validation)):
            if location is None:  # no validation channel
                continue
            if location.startswith("s3://"):
                self.channels[name] = location
            else:
                key = s3_key(args.prefix, "data", name, folder_digest(location)) + "/"
                self.folders[name] = (Path(location), key)
                self.channels[name] = self.uri(key)
        self.output_uri = self.uri(s3_key(args.prefix, "output"))
        spot_checkpoints = args.spot and self.uri(s3_key(args.prefix, "checkpoints", args.job_name))
        self.checkpoint_uri = args.checkpoint_s3_uri or spot_checkpoints or None

    def uri(self, key):
        return f"s3://{self.bucket}/{key}"


def s3_key(*parts):
    """parts joined by "/", leaving out empty ones (an empty --prefix)."""
    return "/".join(part for part in parts if part)


def upload(s3, plan):
    """Upload what S3 does not hold yet; return the number of bytes sent."""
    sent = 0
    if not object_exists(s3, plan.bucket, plan.code_key):
        s3.put_object(Bucket=plan.bucket, Key=plan.code_key, Body=plan.archive)
        sent += len(plan.archive)
    for folder, key in plan.folders.values():
        listed = s3.get_paginator("list_objects_v2").paginate(Bucket=plan.bucket, Prefix=key)
        present = {item["Key"] for page in listed for item in page.get("Contents", [])}
        for path, name in data_files(folder):
            if key + name not in present:
                s3.upload_file(str(path), plan.bucket, key + name)
                sent += path.stat().st_size
    return sent


def object_exists(s3, bucket, key):
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
            return False
        raise
    return True


# ---------------------------------------------------------------------------- the SDK


def sagemaker_session(boto_session, bucket, dry_run):
    """The SDK's Session on our bucket; in a dry run it names where it would stage files."""
    from sagemaker.core.helper.session_helper import Session

    class DryRunSession(Session):
        """Uploads nothing: the SDK's own staging (framework mode's drivers) just gets a URI."""

        def upload_data(self, path, bucket=None, key_prefix="data", **_):
            return f"s3://{bucket or self.default_bucket()}/{key_prefix}"

    session_class = DryRunSession if dry_run else Session
    return session_class(boto_session=boto_session, default_bucket=bucket)


def build_trainer(args, plan, session, image_uri):
    from sagemaker.core.training.configs import (
        CheckpointConfig,
        Compute,
        MetricDefinition,
        OutputDataConfig,
        SourceCode,
        StoppingCondition,
    )
    from sagemaker.train import ModelTrainer
    from sagemaker.train.model_trainer import Mode

    hyperparameters = dict(args.hyperparameter)
    source_code = None
    if args.mode == "toolkit":
{%- if cookiecutter.include_mpi %}
        hyperparameters |= mpi_hyperparameters(args)
{%- endif %}
        hyperparameters = toolkit_hyperparameters(hyperparameters, plan.code_uri, args.region)
    else:
        requirements = REQUIREMENTS if (args.source_dir / REQUIREMENTS).is_file() else None
        source_code = SourceCode(
            source_dir=plan.code_uri, entry_script=ENTRY_SCRIPT, requirements=requirements
        )
    trainer = ModelTrainer(
        training_mode=Mode.LOCAL_CONTAINER if args.local else Mode.SAGEMAKER_TRAINING_JOB,
        sagemaker_session=session,
        role=args.role,
        base_job_name=BASE_JOB_NAME,
        input_s3_key_prefix=args.prefix or None,
        training_image=image_uri,
        source_code=source_code,
        hyperparameters=hyperparameters,
        compute=Compute(
            instance_type=args.instance_type,
            instance_count=args.instance_count,
            volume_size_in_gb=args.volume_size,
            keep_alive_period_in_seconds=args.keep_alive,
            enable_managed_spot_training=args.spot or None,
        ),
        stopping_condition=StoppingCondition(
            max_runtime_in_seconds=args.max_run, max_wait_time_in_seconds=args.max_wait
        ),
        output_data_config=OutputDataConfig(s3_output_path=plan.output_uri),
        checkpoint_config=CheckpointConfig(s3_uri=plan.checkpoint_uri)
        if plan.checkpoint_uri
        else None,
        local_container_root=str(PROJECT_DIR / ".local-run" / "sagemaker-local-mode"),
    )
    metrics = [MetricDefinition(name=name, regex=regex) for name, regex in metric_regexes().items()]
    return trainer.with_metric_definitions(metrics)


def toolkit_hyperparameters(user_values, code_uri, region):
    """The user's values plus the toolkit's reserved ones, each JSON-encoded as it decodes them."""
    reserved = {
        "sagemaker_program": ENTRY_SCRIPT,
        "sagemaker_submit_directory": code_uri,
        "sagemaker_region": region,
        "sagemaker_container_log_level": logging.INFO,
    }
    return {key: json.dumps(value) for key, value in {**user_values, **reserved}.items()}


def channels(args, plan):
    """train and validation; with several hosts each gets its own share of the train files."""
    from sagemaker.core.training.configs import Channel, DataSource, S3DataSource

    train_distribution = "ShardedByS3Key" if args.instance_count > 1 else "FullyReplicated"
    distributions = {"train": train_distribution, "validation": "FullyReplicated"}
    return [
        Channel(
            channel_name=name,
            data_source=DataSource(
                s3_data_source=S3DataSource(
                    s3_data_type="S3Prefix",
                    s3_uri=uri,
                    s3_data_distribution_type=distributions[name],
                )
            ),
            input_mode="File",
        )
        for name, uri in plan.channels.items()
    ]


def create_request(trainer, args, plan):
    """The CreateTrainingJob request, exactly as the SDK would send it, under our job name."""
    request = trainer._create_training_job_args(input_data_config=channels(args, plan), boto3=True)
    request["TrainingJobName"] = args.job_name
    return request


# ---------------------------------------------------------------------------- running


def launch(args):
    archive = pack(args.source_dir)
    if args.local and not compose_works():
        raise LaunchError("--instance-type local needs Docker with `docker compose` working here")
    if not args.local and not args.role:
        raise LaunchError(f"no execution role: pass --role or set {ROLE_VARIABLE}")
    boto_session = aws_session(args.region)
    s3 = boto_session.client("s3")
    bucket = resolve_bucket(args, boto_session, s3)
    image_uri = args.image_uri or default_image_uri(args, boto_session)
    plan = Plan(args, bucket, archive)
    session = sagemaker_session(boto_session, bucket, args.dry_run)
    trainer = build_trainer(args, plan, session, image_uri)
    if args.dry_run:
        print(json.dumps(create_request(trainer, args, plan), indent=2, default=str))
        return 0
    sent = upload(s3, plan)
    print(f"Uploaded {sent:,} new bytes; code: {plan.code_uri}")
    if args.local:
        trainer.train(input_data_config=channels(args, plan), wait=True)
        print(f"Local training finished; its output is in {trainer.local_container_root}")
        return 0
    request = create_request(trainer, args, plan)
    boto_session.client("sagemaker").create_training_job(**request)
    print(f"Started training job {args.job_name} ({request['ResourceConfig']['InstanceType']})")
    if not args.wait:
        print(f"Follow it: aws sagemaker describe-training-job --training-job-name {args.job_name}")
        return 0
    return wait_and_report(boto_session, args.job_name, args.region)


def compose_works():
    """Whether `docker compose` answers here: local mode runs the image with it."""
    try:
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def resolve_bucket(args, boto_session, s3):
    if args.bucket:
        check_bucket(s3, args.bucket)
        return args.bucket
    from sagemaker.core.helper.session_helper import Session

    probe = Session(boto_session=boto_session)
    if args.dry_run:  # its name, without creating it
        return probe.generate_default_sagemaker_bucket_name(boto_session)
    return probe.default_bucket()  # created on first use, with the SDK's ownership checks


def default_image_uri(args, boto_session):
    if args.local:
        return LOCAL_IMAGE
    account = boto_session.client("sts").get_caller_identity()["Account"]
    return f"{account}.dkr.ecr.{args.region}.amazonaws.com/{ECR_REPOSITORY}:latest"


def wait_and_report(boto_session, job_name, region):
    """Stream the job's logs until it ends; print its status and where the model is."""
    from sagemaker.core.resources import TrainingJob
    from sagemaker.core.utils.exceptions import FailedStatusError

    logging.getLogger("sagemaker.core.resources").setLevel(logging.INFO)  # the log lines
    try:
        job = TrainingJob.get(training_job_name=job_name, session=boto_session, region=region)
        job.wait(logs=True)
    except FailedStatusError:
        pass  # reported below, from the job's description
    except KeyboardInterrupt:
        print(
            f"launch.py: stopped watching; job {job_name} goes on"
            f" (aws sagemaker stop-training-job --training-job-name {job_name})",
            file=sys.stderr,
        )
        return INTERRUPTED
    return report(boto_session.client("sagemaker").describe_training_job(TrainingJobName=job_name))


def report(description):
    """Print how the job ended; 0 if it completed."""
    name, status = description["TrainingJobName"], description["TrainingJobStatus"]
    if status == "Completed":
        model = description["ModelArtifacts"]["S3ModelArtifacts"]
        print(f"Training job {name} Completed; model: {model}")
        return 0
    reason = description.get("FailureReason", "no reason given")
    print(f"launch.py: training job {name} {status}: {reason}", file=sys.stderr)
    return 1


def one_line(error):
    return " ".join(str(error).split())


def without_markup(record):
    """A log filter: the SDK writes rich markup ("[bold]Completed") for a console we do not
    use. Its raw container log lines say markup=False and are kept as they are."""
    if record.name.startswith("sagemaker") and getattr(record, "markup", True):
        from rich.errors import MarkupError
        from rich.text import Text

        with contextlib.suppress(MarkupError):  # brackets that only look like markup
            record.msg, record.args = Text.from_markup(record.getMessage()).plain, ()
    return True


def main(argv=None):
    args = parse_args(argv)
    handler = logging.StreamHandler()
    handler.addFilter(without_markup)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", handlers=[handler])
    logging.getLogger("sagemaker.config").setLevel(logging.WARNING)  # which config files it read
    try:
        return launch(args)
    except KeyboardInterrupt:  # Ctrl-C while packing, uploading, starting or training locally
        before = "" if args.local else " before the job was started"
        print(f"launch.py: interrupted{before}", file=sys.stderr)
        return INTERRUPTED
    except LaunchError as error:
        message = str(error)
    except aws_errors() as error:  # evaluated only now: LaunchErrors need no SDK import
        message = one_line(error)
    print(f"launch.py: error: {message}", file=sys.stderr)
    return 2


def aws_errors():
    """What AWS and the SDK raise for a mistake the user can fix (a role, a permission, ...)."""
    from botocore.exceptions import BotoCoreError, ClientError
    from sagemaker.core.helper.iam_role_resolver import RoleValidationError

    return BotoCoreError, ClientError, RoleValidationError


if __name__ == "__main__":
    sys.exit(main())
