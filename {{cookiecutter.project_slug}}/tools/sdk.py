"""The SageMaker Python SDK (v3): the trainer and its request (the Session is in sdk_session.py,
the tuner in sdk_tuning.py; no other module imports the SDK).

The SDK builds the trainer and its CreateTrainingJob request, runs local mode and follows a
job's logs. Everything it needs from a launch comes in as a LaunchRequest and a Plan.
"""

import contextlib
import json
import logging
import os
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from rich.errors import MarkupError
from rich.text import Text
from sagemaker.core.helper.iam_role_resolver import RoleValidationError
from sagemaker.core.training.configs import (
    Channel,
    CheckpointConfig,
    Compute,
    DataSource,
    FileSystemDataSource,
    MetricDefinition,
    OutputDataConfig,
    S3DataSource,
    SourceCode,
    StoppingCondition,
)
from sagemaker.core.utils.logs import MultiLogStreamHandler
from sagemaker.train import ModelTrainer
from sagemaker.train.local.local_container import _LocalContainer
from sagemaker.train.model_trainer import Mode

from tools import contract
from tools.follow import follow, training_progress
from tools.project import BASE_JOB_NAME
from tools.settings import metric_definitions

# What AWS and the SDK raise for a mistake the user can fix (a role, a permission, ...).
USER_ERRORS = (BotoCoreError, ClientError, RoleValidationError)
FILE_SCHEME = "file://"  # local mode's code: a folder here
VALIDATE_ROLE = "SAGEMAKER_VALIDATE_ROLE"  # sagemaker.core.helper.iam_role_resolver reads it


def configure_logging():
    """The SDK's log lines as plain text on stderr; only warnings from its config loader."""
    handler = logging.StreamHandler()
    handler.addFilter(without_markup)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", handlers=[handler])
    logging.getLogger("sagemaker.config").setLevel(logging.WARNING)  # which files it read


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
        output_data_config=OutputDataConfig(s3_output_path=plan.output_uri)
        if plan.output_uri
        else None,
        checkpoint_config=CheckpointConfig(s3_uri=plan.checkpoint_uri)
        if plan.checkpoint_uri
        else None,
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
    encoded = contract.encode_hyperparameters(request.hyperparameters | mpi | reserved)
    if request.local:
        # Local mode mounts a file:// code folder at /opt/ml/code only if it reads the bare URI.
        encoded[contract.SUBMIT_DIRECTORY] = plan.code_uri
    return encoded


def source_code(request, plan):
    """Framework mode's SourceCode: the same archive, run by the SDK's driver scripts."""
    has_requirements = (request.source_dir / contract.REQUIREMENTS).is_file()
    return SourceCode(
        source_dir=plan.code_uri.removeprefix(FILE_SCHEME),  # local mode: a folder, not a URI
        entry_script=request.entry_point,
        requirements=contract.REQUIREMENTS if has_requirements else None,
    )


def input_channels(request, plan):
    """The job's input channels as SDK objects, each with its S3DistributionType."""
    return [
        Channel(channel_name=name, data_source=data_source(uri, request.distribution(name)))
        for name, uri in plan.channel_uris.items()
    ]


def data_source(uri, distribution):
    """A channel's source: S3, or (local mode) a folder here, which the SDK mounts."""
    if not uri.startswith("s3://"):
        # As the SDK's own local mode builds it: a folder here has no file system id to check.
        folder = FileSystemDataSource.model_construct(directory_path=uri, file_system_type="EFS")
        return DataSource(file_system_data_source=folder)
    s3 = S3DataSource(s3_data_type="S3Prefix", s3_uri=uri, s3_data_distribution_type=distribution)
    return DataSource(s3_data_source=s3)


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


class LocalHosts(_LocalContainer):
    """The SDK's local-mode runner, but each host is told the network interface a compose
    container has: the SDK writes SageMaker's own, ethwe, in which MPI would find no network."""

    def _write_config_files(self, host, input_data_config, hyper_parameters):
        super()._write_config_files(host, input_data_config, hyper_parameters)
        path = Path(self.container_root, host, contract.CONFIG_DIR, "resourceconfig.json")
        config = json.loads(path.read_text())
        config["network_interface_name"] = contract.CONTAINER_NETWORK_INTERFACE
        path.write_text(json.dumps(config))


def train_locally(trainer, request, plan, folder):
    """Run the job in the SDK's local mode, in folder, until it ends: what ModelTrainer.train
    does in local mode, with LocalHosts. Private SDK names again (_create_training_job_args,
    _LocalContainer, _temp_code_dir); the local-mode tests guard them, the two-host one the
    interface."""
    trainer.local_container_root = str(folder)  # where framework mode's drivers are staged
    job = trainer._create_training_job_args(input_data_config=input_channels(request, plan))
    algorithm = job["algorithm_specification"]
    hosts = LocalHosts(
        training_job_name=request.job_name,
        instance_type=request.instance_type,
        instance_count=request.instance_count,
        image=algorithm.training_image,
        container_root=str(folder),
        sagemaker_session=trainer.sagemaker_session,
        container_entrypoint=algorithm.container_entrypoint,
        container_arguments=algorithm.container_arguments,
        input_data_config=job["input_data_config"] or [],
        hyper_parameters=job["hyper_parameters"],
        environment=job["environment"],
    )
    try:
        hosts.train(wait=True)
    finally:
        if trainer._temp_code_dir is not None:  # framework mode's drivers, as train() does
            trainer._temp_code_dir.cleanup()


def wait_for_job(boto_session, job_name, instance_count):
    """Follow the job until it ends (tools/follow.py): its progress and each host's log."""
    client = boto_session.client("sagemaker")
    logs = MultiLogStreamHandler(
        contract.JOB_LOG_GROUP, job_name, expected_stream_count=instance_count
    )

    def new_log_lines():
        if not logs.ready():  # no log streams before the hosts start
            return []
        return [
            f"{host_of(stream)} | {event['message']}"
            for stream, event in logs.get_latest_log_events()
        ]

    return follow(
        lambda: client.describe_training_job(TrainingJobName=job_name),
        training_progress,
        "TrainingJobStatus",
        new_log_lines,
    )


def host_of(log_stream):
    """algo-1 from a job's log stream name, <job>/algo-1-<epoch seconds>."""
    return log_stream.partition("/")[2].rpartition("-")[0]


def without_markup(record):
    """A log filter: the SDK writes rich markup ("[bold]Completed") for a console we do not
    use. Its raw container log lines say markup=False and are kept as they are."""
    if record.name.startswith("sagemaker") and getattr(record, "markup", True):
        with contextlib.suppress(MarkupError):  # brackets that only look like markup
            record.msg, record.args = Text.from_markup(record.getMessage()).plain, ()
    return True
