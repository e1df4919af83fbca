"""launch.py --dry-run against a moto server: it prints the request a real run sends and asks
AWS nothing, not even who the caller is."""

import json

import pytest

JOB = "launch-dry-run-job"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/trainer:1"


@pytest.mark.parametrize("mode", ["toolkit", "framework"])
def test_dry_run_prints_the_request_and_sends_nothing(aws, run_launch, mode):
    """With credentials too, a dry run asks AWS nothing; told the bucket and image (what it
    would otherwise ask for), it prints the very request a real run sends."""
    told = ("--bucket", aws.bucket, "--image-uri", IMAGE, "--job-name", JOB, "--mode", mode)
    dry = run_launch(*told, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stderr == ""  # no placeholder
    printed = json.loads(dry.stdout)
    assert aws.server.requests() == []

    real = run_launch(*told, "--no-wait")
    assert real.returncode == 0, real.stderr
    sent = aws.sent_job()
    if mode == "framework":  # the SDK names its driver upload after its own clock
        for request in (printed, sent):
            request["InputDataConfig"] = [
                c for c in request["InputDataConfig"] if c["ChannelName"] != "sm_drivers"
            ]
    assert printed == sent


def test_a_dry_run_with_credentials_asks_aws_nothing_and_names_its_placeholders(aws, run_launch):
    dry = run_launch("--dry-run")

    assert dry.returncode == 0, dry.stderr
    assert aws.server.requests() == []  # no STS, no S3, no IAM
    assert dry.stderr == (
        "launch.py: dry run, which asks AWS nothing: the account is a placeholder (000000000000);"
        " --bucket and --image-uri name the real ones\n"
    )
    request = json.loads(dry.stdout)
    assert request["AlgorithmSpecification"]["TrainingImage"].startswith("000000000000.dkr.ecr.")
    assert request["RoleArn"] == aws.role


def test_the_sdks_config_file_still_sets_the_jobs_defaults(aws, run_launch, tmp_path, monkeypatch):
    """tools/sdk_session.py checks the SDK's config its own, faster way: what the file sets
    must still reach the request."""
    config = tmp_path / "isolated.yaml"
    config.write_text(
        "SchemaVersion: '1.0'\nSageMaker:\n  TrainingJob:\n    EnableNetworkIsolation: true\n"
    )
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))

    dry = run_launch("--bucket", aws.bucket, "--image-uri", IMAGE, "--dry-run")

    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["EnableNetworkIsolation"] is True
