"""The SageMaker Python SDK (v3), and the only module that imports it.

The SDK builds the trainer and its CreateTrainingJob request, names the default bucket,
runs local mode and follows a job's logs. Everything it needs from a launch comes in as a
LaunchRequest and a Plan.
"""

import contextlib
import logging
import os

from botocore.exceptions import BotoCoreError, ClientError
from rich.errors import MarkupError
from rich.text import Text
from sagemaker.core.helper.iam_role_resolver import RoleValidationError
from sagemaker.core.helper.session_helper import Session
from sagemaker.core.resources import TrainingJob
from sagemaker.core.training.configs import (
    Channel,
    CheckpointConfig,
    Compute,
    DataSource,
    MetricDefinition,
    OutputDataConfig,
    S3DataSource,
    SourceCode,
    StoppingCondition,
)
from sagemaker.core.utils.exceptions import FailedStatusError
from sagemaker.train import ModelTrainer
from sagemaker.train.model_trainer import Mode

from tools import contract
from tools.project import BASE_JOB_NAME, LOCAL_RUN_DIR
from tools.settings import metric_definitions

# What AWS and the SDK raise for a mistake the user can fix (a role, a permission, ...).
USER_ERRORS = (BotoCoreError, ClientError, RoleValidationError)
LOCAL_MODE_ROOT = LOCAL_RUN_DIR / "sagemaker-local-mode"
VALIDATE_ROLE = "SAGEMAKER_VALIDATE_ROLE"  # sagemaker.core.helper.iam_role_resolver reads it


def configure_logging():
    """The SDK's log lines as plain text on stderr; only warnings from its config loader."""
    handler = logging.StreamHandler()
    handler.addFilter(without_markup)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", handlers=[handler])
    logging.getLogger("sagemaker.config").setLevel(logging.WARNING)  # which files it read


class DryRunSession(Session):
    """Sends nothing: the SDK's own staging (framework mode's drivers) just gets a URI, and
    the bucket is taken as named."""

    def __init__(self, *, default_bucket, **settings):
        super().__init__(default_bucket=default_bucket, **settings)
        self.named_bucket = default_bucket

    def default_bucket(self):
        return self.named_bucket

    def upload_data(self, path, bucket=None, key_prefix="data", **_):
        return f"s3://{bucket or self.default_bucket()}/{key_prefix}"


def sagemaker_session(boto_session, bucket, dry_run):
    """The SDK's Session on our bucket; in a dry run it names where it would stage files."""
    session_class = DryRunSession if dry_run else Session
    return session_class(boto_session=boto_session, default_bucket=bucket)


def default_bucket(boto_session):
    """The SDK's sagemaker-<region>-<account> bucket, created on first use, with the SDK's
    ownership checks."""
    return Session(boto_session=boto_session).default_bucket()


@contextlib.contextmanager
def role_validation(enabled):
    """The SDK checks the role's permissions with IAM when it builds a trainer; a placeholder
    role (a dry run without credentials) has none to check."""
    previous = os.environ.get(VALIDATE_ROLE)
    if not enabled:
        os.environ[VALIDATE_ROLE] = "false"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(VALIDATE_ROLE, None)
        else:
            os.environ[VALIDATE_ROLE] = previous


def build_trainer(request, plan, session, image_uri, role):
    """The ModelTrainer for the job: toolkit mode names the archive in the reserved
    hyperparameters, framework mode hands it to the SDK's SourceCode."""
    trainer = ModelTrainer(
        training_mode=Mode.LOCAL_CONTAINER if request.local else Mode.SAGEMAKER_TRAINING_JOB,
        sagemaker_session=session,
        role=role,
        base_job_name=BASE_JOB_NAME,
        input_s3_key_prefix=request.prefix or None,
        training_image=image_uri,
        source_code=None if request.mode == "toolkit" else source_code(request, plan),
        hyperparameters=hyperparameters(request, plan),
        compute=Compute(
            instance_type=request.instance_type,
            instance_count=request.instance_count,
            volume_size_in_gb=request.volume_size,
            keep_alive_period_in_seconds=request.keep_alive,
            enable_managed_spot_training=request.spot or None,
        ),
        stopping_condition=StoppingCondition(
            max_runtime_in_seconds=request.max_run,
            max_wait_time_in_seconds=request.max_wait_time,
        ),
        output_data_config=OutputDataConfig(s3_output_path=plan.output_uri),
        checkpoint_config=CheckpointConfig(s3_uri=plan.checkpoint_uri)
        if plan.checkpoint_uri
        else None,
        local_container_root=str(LOCAL_MODE_ROOT),
    )
    metrics = metric_definitions().items()
    return trainer.with_metric_definitions(
        [MetricDefinition(name=name, regex=regex) for name, regex in metrics]
    )


def hyperparameters(request, plan):
    """Framework mode: the script's own. Toolkit mode: those plus the reserved ones, each
    JSON-encoded as the toolkit decodes them."""
    if request.mode != "toolkit":
        return dict(request.hyperparameters)
    reserved = contract.toolkit_hyperparameters(request.entry_point, plan.code_uri, request.region)
    mpi = request.mpi.hyperparameters() if request.mpi else {}
    return contract.encode_hyperparameters(request.hyperparameters | mpi | reserved)


def source_code(request, plan):
    """Framework mode's SourceCode: the same archive, run by the SDK's driver scripts."""
    has_requirements = (request.source_dir / contract.REQUIREMENTS).is_file()
    return SourceCode(
        source_dir=plan.code_uri,
        entry_script=request.entry_point,
        requirements=contract.REQUIREMENTS if has_requirements else None,
    )


def input_channels(request, plan):
    """The job's input channels as SDK objects, each with its S3DistributionType."""
    return [
        Channel(
            channel_name=name,
            data_source=DataSource(
                s3_data_source=S3DataSource(
                    s3_data_type="S3Prefix",
                    s3_uri=uri,
                    s3_data_distribution_type=request.distribution(name),
                )
            ),
            input_mode="File",
        )
        for name, uri in plan.channel_uris.items()
    ]


def create_request(trainer, request, plan):
    """The CreateTrainingJob request, exactly as the SDK would send it, under our job name.

    The SDK's one private call here: ModelTrainer has no public way to build the request
    without sending it. tests/test_launch.py::test_dry_run_prints_the_request_and_sends_nothing
    guards it: the printed request must equal the one moto receives.
    """
    sent = trainer._create_training_job_args(
        input_data_config=input_channels(request, plan), boto3=True
    )
    return sent | {"TrainingJobName": request.job_name}


def train_locally(trainer, request, plan):
    """Run the job in local mode (docker compose here) until it ends."""
    trainer.train(input_data_config=input_channels(request, plan), wait=True)
    return trainer.local_container_root


def wait_for_job(boto_session, job_name, region):
    """Stream the job's logs until it ends (the SDK raises for a failed job; the caller reads
    the verdict from the job's description)."""
    logging.getLogger("sagemaker.core.resources").setLevel(logging.INFO)  # the log lines
    job = TrainingJob.get(training_job_name=job_name, session=boto_session, region=region)
    with contextlib.suppress(FailedStatusError):
        job.wait(logs=True)


def without_markup(record):
    """A log filter: the SDK writes rich markup ("[bold]Completed") for a console we do not
    use. Its raw container log lines say markup=False and are kept as they are."""
    if record.name.startswith("sagemaker") and getattr(record, "markup", True):
        with contextlib.suppress(MarkupError):  # brackets that only look like markup
            record.msg, record.args = Text.from_markup(record.getMessage()).plain, ()
    return True
