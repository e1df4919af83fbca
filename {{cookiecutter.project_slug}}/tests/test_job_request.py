"""The CreateTrainingJob request a LaunchRequest becomes, built in-process with no AWS (the SDK
describes the job it would send): each field written out from what was asked for and where
tools/plan.py puts things in S3 (<prefix>/code/<the archive's SHA-256>/sourcedir.tar.gz,
<prefix>/data/<channel>/<digest of its files>/, <prefix>/output, <prefix>/checkpoints/<job>).
What the stand-in really receives is in test_launch*.py; these are quick enough for every
edit."""

import hashlib
import json
import re

import pytest
from answers import BASE_JOB_NAME
from sent_requests import UNIT_BUCKET, UNIT_IMAGE, channel_sources, described

from tools import sdk
from tools.local_mode import LocalPlan
from tools.plan import make_plan
from tools.preflight import prepare
from tools.run_requests import LaunchRequest

ROLE = "arn:aws:iam::000000000000:role/unit"
SHA256 = "[0-9a-f]" * 64  # a digest, as a regex


@pytest.fixture
def train_folder(tmp_path):
    """A train channel of one small CSV file."""
    train = tmp_path / "train"
    train.mkdir()
    (train / "part-0.csv").write_text("1,2,3\n")
    return train


def job(train_folder, **asked):
    """A dry-run request for a job training on train_folder, under the prefix team-a."""
    channels = {"train": str(train_folder), "test": "s3://elsewhere/test/"}
    return LaunchRequest(
        job_name="unit-job", channels=channels, role=ROLE, dry_run=True, prefix="team-a", **asked
    )


def sources(sent, field):
    """{channel: its S3DataSource's field} of a request."""
    return {name: source[field] for name, source in channel_sources(sent).items()}


def test_a_spot_jobs_compute_time_limits_and_checkpoints_are_those_asked_for(train_folder):
    asked = {"instance_type": "ml.c5.2xlarge", "volume_size": 77, "keep_alive": 600}
    request = job(train_folder, spot=True, max_run=1800, max_wait=7200, **asked)

    _, sent = described(request)

    assert sent["ResourceConfig"] == {
        "InstanceType": "ml.c5.2xlarge",
        "InstanceCount": 1,
        "VolumeSizeInGB": 77,
        "KeepAlivePeriodInSeconds": 600,
    }
    assert sent["StoppingCondition"] == {"MaxRuntimeInSeconds": 1800, "MaxWaitTimeInSeconds": 7200}
    assert sent["EnableManagedSpotTraining"] is True
    assert sent["CheckpointConfig"]["S3Uri"] == f"s3://{UNIT_BUCKET}/team-a/checkpoints/unit-job"
    assert sent["OutputDataConfig"]["S3OutputPath"] == f"s3://{UNIT_BUCKET}/team-a/output"


def test_an_on_demand_job_has_the_readmes_defaults_and_no_checkpoints(train_folder):
    _, sent = described(job(train_folder))

    assert sent["ResourceConfig"]["VolumeSizeInGB"] == 30
    assert "KeepAlivePeriodInSeconds" not in sent["ResourceConfig"]
    assert sent["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    assert "EnableManagedSpotTraining" not in sent
    assert "CheckpointConfig" not in sent


def test_checkpoints_go_where_asked_without_spot(train_folder):
    _, sent = described(job(train_folder, checkpoint_s3_uri="s3://elsewhere/checkpoints/"))

    assert sent["CheckpointConfig"]["S3Uri"] == "s3://elsewhere/checkpoints/"


def test_code_and_data_are_stored_under_their_digests_and_named_to_the_toolkit(train_folder):
    plan, sent = described(job(train_folder, region="eu-west-1", hyperparameters={"epochs": 3}))

    code_uri = f"s3://{UNIT_BUCKET}/team-a/code/{hashlib.sha256(plan.archive).hexdigest()}/sourcedir.tar.gz"
    assert sent["TrainingJobName"] == "unit-job"
    # JSON-encoded, as the toolkit decodes them; SageMaker names the job itself (no
    # sagemaker_job_name)
    hyperparameters = {name: json.loads(value) for name, value in sent["HyperParameters"].items()}
    assert hyperparameters == {
        "epochs": 3,
        "sagemaker_program": "train.py",
        "sagemaker_submit_directory": code_uri,
        "sagemaker_region": "eu-west-1",
        "sagemaker_container_log_level": 20,
    }
    uris = sources(sent, "S3Uri")
    assert re.fullmatch(f"s3://{UNIT_BUCKET}/team-a/data/train/" + SHA256 + "/", uris["train"])
    assert uris["test"] == "s3://elsewhere/test/"
    assert [name for _, name in plan.folders["train"][0]] == ["part-0.csv"]


def test_framework_mode_stages_data_code_and_the_sdks_drivers_under_the_prefix(train_folder):
    request = job(train_folder, mode="framework")

    _, sent = described(request)

    uris = sources(sent, "S3Uri")
    assert set(uris) == {"train", "test", "code", "sm_drivers"}
    staged = ("train", "code", "sm_drivers")
    assert all(uris[name].startswith(f"s3://{UNIT_BUCKET}/team-a/") for name in staged)
    # The SDK names its staging folder after the project's base job name, as its jobs.
    assert uris["sm_drivers"].startswith(f"s3://{UNIT_BUCKET}/team-a/{BASE_JOB_NAME}-")


@pytest.mark.parametrize("has_requirements", [True, False])
def test_framework_mode_names_requirements_txt_only_when_there_is_one(tmp_path, has_requirements):
    source = tmp_path / "source_dir"
    source.mkdir()
    (source / "train.py").write_text("print('training')\n")
    if has_requirements:
        (source / "requirements.txt").write_text("tomli-w\n")
    request = LaunchRequest(job_name="unit-job", channels={}, source_dir=source, mode="framework")
    plan = make_plan(request, UNIT_BUCKET, prepare(request))

    code = sdk.source_code(request, plan)

    assert (code.source_dir, code.entry_script) == (plan.code_uri, "train.py")
    assert code.requirements == ("requirements.txt" if has_requirements else None)


def test_each_channel_is_distributed_as_asked_else_whole_to_the_one_host(train_folder):
    _, sent = described(job(train_folder, distributions={"test": "ShardedByS3Key"}))

    assert sources(sent, "S3DataType") == {"train": "S3Prefix", "test": "S3Prefix"}
    assert sources(sent, "S3DataDistributionType") == {
        "train": "FullyReplicated",
        "test": "ShardedByS3Key",
    }


def test_a_local_folder_channel_is_the_one_the_sdks_own_local_mode_builds(tmp_path):
    """Local mode: a folder here, as the SDK's ModelTrainer makes it from a local path."""
    from sagemaker.train import ModelTrainer
    from sagemaker.train.model_trainer import Mode

    with sdk.role_validation(False):
        trainer = ModelTrainer(
            training_mode=Mode.LOCAL_CONTAINER, training_image=UNIT_IMAGE, role=ROLE
        )
        sdks_own = trainer.create_input_data_channel("train", str(tmp_path))

    assert sdk.data_source(str(tmp_path), "FullyReplicated") == sdks_own.data_source


def test_local_mode_names_its_code_folder_by_the_bare_file_uri(tmp_path):
    """The SDK mounts the code folder at /opt/ml/code only for a file:// URI it reads as is."""
    request = LaunchRequest(job_name="unit-job", channels={}, instance_type="local")
    plan = LocalPlan(code_uri=f"file://{tmp_path}", channel_uris={})

    sent = sdk.hyperparameters(request, plan)

    assert sent["sagemaker_submit_directory"] == f"file://{tmp_path}"
    assert json.loads(sent["sagemaker_program"]) == "train.py"
