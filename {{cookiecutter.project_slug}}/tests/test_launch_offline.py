"""launch.py --dry-run with no AWS at all: no credentials, no role, every endpoint closed.
It still prints the whole request, with placeholders it names, and sends nothing."""

import json
import os
import re
import socket
import subprocess
import sys

import pytest
from answers import ECR_REPOSITORY, REGION

from tools import launcher, sdk_session, settings, upload
from tools.cli import UserError
from tools.run_requests import LaunchRequest

PLACEHOLDER_ACCOUNT = "000000000000"


@pytest.fixture
def closed_endpoint():
    """A loopback address where nothing listens: any request to it fails at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def offline_environment(closed_endpoint, tmp_path):
    hidden = ("AWS_", "SAGEMAKER_ROLE_ARN")
    env = {name: value for name, value in os.environ.items() if not name.startswith(hidden)}
    return env | {
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": closed_endpoint,
    }


def launch_offline(project, closed_endpoint, tmp_path, *arguments):
    """launch.py run with no credentials and every AWS endpoint closed."""
    return subprocess.run(
        [sys.executable, "launch.py", *arguments],
        cwd=project,
        env=offline_environment(closed_endpoint, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("mode", ["toolkit", "framework"])
def test_a_dry_run_needs_no_aws(project, closed_endpoint, tmp_path, mode):
    result = launch_offline(project, closed_endpoint, tmp_path, "--dry-run", "--mode", mode)

    assert result.returncode == 0, result.stderr
    request = json.loads(result.stdout)
    assert (
        request["RoleArn"] == f"arn:aws:iam::{PLACEHOLDER_ACCOUNT}:role/placeholder-execution-role"
    )
    image = request["AlgorithmSpecification"]["TrainingImage"]
    assert image == f"{PLACEHOLDER_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{ECR_REPOSITORY}:latest"
    output = request["OutputDataConfig"]["S3OutputPath"]
    assert output.startswith(f"s3://sagemaker-{REGION}-{PLACEHOLDER_ACCOUNT}/")
    assert {channel["ChannelName"] for channel in request["InputDataConfig"]} >= {"train"}
    metrics = {metric["Name"] for metric in request["AlgorithmSpecification"]["MetricDefinitions"]}
    assert metrics == {"train:loss", "validation:loss", "validation:accuracy", "validation:rmse"}
    notes = result.stderr.splitlines()
    assert notes == [
        f"launch.py: dry run, which asks AWS nothing: the account is a placeholder"
        f" ({PLACEHOLDER_ACCOUNT}); --bucket and --image-uri name the real ones",
        "launch.py: dry run without a role: the role is a placeholder",
    ]


def test_a_dry_runs_aws_clients_refuse_to_send_and_say_what():
    s3 = upload.placeholder_session(REGION).client("s3")

    with pytest.raises(upload.NothingSent) as refused:
        s3.list_objects_v2(Bucket="some-bucket")

    assert str(refused.value).startswith("a dry run sends nothing: GET https://some-bucket.s3.")


def test_a_dry_runs_sagemaker_client_is_none_at_all():
    with pytest.raises(upload.NothingSent, match=r"^a dry run sends nothing: sagemaker\.describe_"):
        sdk_session.NoClient("sagemaker").describe_training_job(TrainingJobName="churn")


def test_a_real_launch_without_credentials_is_refused_not_faked(project, closed_endpoint, tmp_path):
    role = f"arn:aws:iam::{PLACEHOLDER_ACCOUNT}:role/real"
    result = launch_offline(project, closed_endpoint, tmp_path, "--role", role, "--no-wait")

    assert result.returncode == 2
    fix = "run `aws configure` or `aws sso login`, or set AWS_PROFILE"
    assert result.stderr.splitlines() == [f"launch.py: error: no AWS credentials found: {fix}"]


def settings_from(text, monkeypatch, tmp_path):
    """The metric definitions of a pyproject.toml holding text."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(text)
    monkeypatch.setattr(settings, "PYPROJECT", pyproject)
    return settings.metric_definitions()


def test_metric_definitions_read_a_name_or_a_name_and_its_regex(monkeypatch, tmp_path):
    text = '[tool.launch]\nmetrics = ["test:f1=F1 score: ([0-9.]+)", "loss"]\n'

    regexes = settings_from(text, monkeypatch, tmp_path)

    assert set(regexes) == {"test:f1", "loss"}
    assert re.search(regexes["test:f1"], "F1 score: 0.75").group(1) == "0.75"
    assert re.search(regexes["loss"], "step 9: loss=1e-05 ").group(1) == "1e-05"
    assert settings_from("[tool.launch]\n", monkeypatch, tmp_path) == {}  # none defined
    assert settings_from("[project]\nname = 'x'\n", monkeypatch, tmp_path) == {}  # no table
    longest = "x=" + "(1)" + "1" * 497  # SageMaker takes regexes of up to 500 characters
    assert settings_from(f'[tool.launch]\nmetrics = ["{longest}"]\n', monkeypatch, tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.launch\n", "cannot read the [tool.launch] settings in {}: "),
        (
            '[tool.launch]\nmetrics = "loss"\n',
            "[tool.launch] metrics in {} must be a list of strings",
        ),
        (
            '[tool.launch]\nmetrics = ["=x"]\n',
            "metric '=x' in {}: a name of 1-255 characters comes first",
        ),
        ('[tool.launch]\nmetrics = ["f1=F1: (["]\n', "metric 'f1' in {}: malformed regex ("),
        (
            '[tool.launch]\nmetrics = ["f1=F1: [0-9]+"]\n',
            "metric 'f1' in {}: its regex needs exactly one group (the number) and at most 500",
        ),
        (
            '[tool.launch]\nmetrics = ["f1=(1)' + "1" * 498 + '"]\n',
            "metric 'f1' in {}: its regex needs exactly one group (the number) and at most 500",
        ),
    ],
    ids=["unreadable", "not-a-list", "no-name", "malformed-regex", "no-group", "too-long"],
)
def test_a_bad_metric_definition_is_one_line(monkeypatch, tmp_path, text, message):
    with pytest.raises(UserError) as refused:
        settings_from(text, monkeypatch, tmp_path)

    assert str(refused.value).startswith(message.format(tmp_path / "pyproject.toml"))


@pytest.mark.parametrize(
    ("named", "warned"),
    [
        ({}, True),
        ({"bucket": "b"}, True),
        ({"image_uri": "i/j:1"}, True),
        ({"bucket": "b", "image_uri": "i/j:1"}, False),
    ],
    ids=["neither", "bucket", "image", "both"],
)
def test_a_dry_run_says_when_it_uses_a_placeholder_account(capsys, named, warned):
    launcher.placeholder_account(LaunchRequest(job_name="j", channels={}, dry_run=True, **named))

    assert ("the account is a placeholder" in capsys.readouterr().err) == warned
