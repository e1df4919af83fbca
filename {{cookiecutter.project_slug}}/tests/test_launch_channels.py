"""launch.py's channels against a moto server: every folder in data/ by default, named ones
instead, each with its distribution, and each local folder uploaded under its own name."""

import shutil

import pytest
from answers import PREFIX
from sent_requests import channel_sources

pytestmark = pytest.mark.aws

JOB = "channels-test-job"


def test_without_a_validation_folder_the_job_has_no_validation_channel(aws, run_launch, project):
    shutil.rmtree(project / "data" / "validation")
    result = run_launch("--bucket", aws.bucket, "--job-name", JOB, "--no-wait")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert set(channel_sources(aws.sent_job())) == {"train"}


def test_changed_data_under_the_same_names_is_uploaded_again(aws, run_launch, project):
    assert run_launch("--bucket", aws.bucket, "--no-wait", "--job-name", "first").returncode == 0
    first = channel_sources(aws.sent_job())["train"]["S3Uri"]
    data_file = sorted((project / "data" / "train").glob("*.csv"))[0]
    data_file.write_text(data_file.read_text().replace("1", "2", 1))  # same name, other bytes
    aws.mark()

    assert run_launch("--bucket", aws.bucket, "--no-wait", "--job-name", "second").returncode == 0

    second = channel_sources(aws.sent_job())["train"]["S3Uri"]
    assert second != first
    assert aws.uploaded_bytes() >= data_file.stat().st_size


def test_every_folder_in_data_is_a_channel_by_default(aws, run_launch, project):
    shutil.copytree(project / "data" / "validation", project / "data" / "test")
    result = run_launch("--bucket", aws.bucket, "--job-name", JOB, "--no-wait")
    assert result.returncode == 0, result.stderr
    assert set(channel_sources(aws.sent_job())) == {"train", "validation", "test"}


def test_named_channels_replace_the_default_ones(aws, run_launch, project):
    result = run_launch(
        "--bucket", aws.bucket, "--job-name", JOB, "--no-wait",
        "--channel", "training=data/train", "--channel", "test=s3://elsewhere/test/",
        "--distribution", "test=ShardedByS3Key",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    sources = channel_sources(aws.sent_job())
    assert {name: s["S3DataDistributionType"] for name, s in sources.items()} == {
        "training": "FullyReplicated",
        "test": "ShardedByS3Key",
    }
    assert sources["test"]["S3Uri"] == "s3://elsewhere/test/"
    uploaded = sources["training"]["S3Uri"].removeprefix(f"s3://{aws.bucket}/")
    assert uploaded.startswith(f"{PREFIX}/data/training/")
    keys = [key for key in aws.object_keys() if key.startswith(uploaded)]
    stored = sorted(key.removeprefix(uploaded) for key in keys)
    assert stored == sorted(p.name for p in (project / "data" / "train").iterdir())


def test_no_validation_leaves_the_folder_out(aws, run_launch):
    result = run_launch("--bucket", aws.bucket, "--job-name", JOB, "--no-wait", "--no-validation")
    assert result.returncode == 0, result.stderr
    assert set(channel_sources(aws.sent_job())) == {"train"}
    assert not [key for key in aws.object_keys() if "/data/validation/" in key]
