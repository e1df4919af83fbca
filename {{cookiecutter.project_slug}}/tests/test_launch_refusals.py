"""launch.py refusing, in one line: every mistake before anything is uploaded, Ctrl-C, job
names (local mode's are in test_local_mode_refusals.py; --help in test_launch_help.py).

Each test runs the real CLI in a scratch copy of the project against a moto server and
checks that nothing reached it.
"""

import os
import re
import shutil
import socket
import time

import pytest
from botocore.config import Config
from sent_requests import assert_refused

import launch
from tools import launch_options, run_requests, upload

pytestmark = pytest.mark.aws

JOB = "launch-test-job"
# The longest base_job_name the template accepts: room for the "-YYYYmmddHHMMSS" suffix.
LONGEST_BASE_JOB_NAME = "j" * (63 - 15)
# TrainingJobName's pattern in the SageMaker API reference.
SAGEMAKER_JOB_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")


def link_out_of_source_dir(project, monkeypatch):
    (project / "source_dir" / "settings.py").symlink_to("/etc/hostname")


def drop_entry_script(project, monkeypatch):
    (project / "source_dir" / "train.py").unlink()


def forget_role(project, monkeypatch):
    monkeypatch.delenv("SAGEMAKER_ROLE_ARN")


def forget_credentials(project, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)


def forget_data(project, monkeypatch):
    shutil.rmtree(project / "data")


def add_a_badly_named_folder(project, monkeypatch):
    (project / "data" / "my data").mkdir()


def metrics_defined_as(entries):
    def write(project, monkeypatch):
        pyproject = project / "pyproject.toml"
        lines = [
            f"metrics = {entries}" if line.startswith("metrics = ") else line
            for line in pyproject.read_text().splitlines()
        ]
        pyproject.write_text("\n".join(lines) + "\n")

    return write


def link_data_to_passwd(project, monkeypatch):
    (project / "data" / "train" / "passwd.csv").symlink_to("/etc/passwd")


def loop_in_source_dir(project, monkeypatch):
    (project / "source_dir" / "loop.py").symlink_to("loop.py")


def name_data_file_in_latin1(project, monkeypatch):
    (project / "data" / "train" / os.fsdecode(b"caf\xe9.csv")).write_text("1,2\n")


def make_home_like_folder(project, monkeypatch):
    for name in (".aws/config", ".docker/config.json", ".kube/config", ".bash_history"):
        (project / "home" / name).parent.mkdir(parents=True, exist_ok=True)
        (project / "home" / name).write_text("secret\n")


def sdk_config_of(text):
    """Point the SDK at a config file holding text (None: a file that does not exist)."""

    def write(project, monkeypatch):
        config = project / "sagemaker-config.yaml"
        if text is not None:
            config.write_text(text)
        monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))

    return write


def nothing(project, monkeypatch):
    pass


# mistake: (arguments, what the one line says, how the project or environment is broken first)
MISTAKES = {
    "no role": ([], "no execution role: pass --role or set SAGEMAKER_ROLE_ARN", forget_role),
    "no credentials": ([], "no AWS credentials found", forget_credentials),
    "missing bucket": (
        ["--bucket", "no-such-bucket"],
        "bucket no-such-bucket does not exist",
        nothing,
    ),
    "malformed data URI": (["--train", "s3:/oops"], "neither an s3:// URI nor a folder", nothing),
    # An empty path is the current folder: it would upload the whole project.
    "empty train": (["--train="], "or a folder, got nothing", nothing),
    "empty validation": (["--validation="], "or a folder, got nothing", nothing),
    "missing validation": (["--validation", "data/nowhere"], "data/nowhere is neither", nothing),
    "metric regex malformed": ([], "malformed regex", metrics_defined_as('["f1=F1: (["]')),
    "metric without a group": ([], "exactly one group", metrics_defined_as('["f1=F1: [0-9]+"]')),
    "metrics not a list": ([], "must be a list of strings", metrics_defined_as('"loss"')),
    "data linked out": ([], "passwd.csv is a symlink to /etc/passwd", link_data_to_passwd),
    "the project as data": (["--train", "."], "holds the project itself", nothing),
    "a home-like folder as data": (
        ["--train", "home"],
        "home holds no data files once hidden, secret and cache files are left out",
        make_home_like_folder,
    ),
    "data file name not UTF-8": ([], "has a name that is not UTF-8", name_data_file_in_latin1),
    "symlink loop in source_dir": ([], "is a broken symlink or a symlink loop", loop_in_source_dir),
    "max wait without spot": (["--max-wait", "60"], "--max-wait only applies", nothing),
    "SDK config against its schema": (
        [],
        "invalid at SageMaker.PythonSDK.Modules.TelemetryOptOut: 'maybe' is not of type 'boolean'",
        sdk_config_of(
            "SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n"
            "      TelemetryOptOut: maybe\n"
        ),
    ),
    "SDK config not YAML": ([], "the SageMaker SDK's settings: while parsing", sdk_config_of("[")),
    "SDK config missing": ([], "Unable to load the config file", sdk_config_of(None)),
    "no channels at all": ([], "no channels: data/ has no folders", forget_data),
    "channel without a location": (["--channel", "test"], "expected NAME=LOCATION", nothing),
    "channel name with a space": (["--channel", "my data=data/train"], "SageMaker's rule", nothing),
    "folder name with a space": ([], "data/my data cannot be a channel", add_a_badly_named_folder),
    "unknown distribution": (["--distribution", "train=Sharded"], "malformed distrib", nothing),
    "distribution of no channel": (
        ["--distribution", "test=ShardedByS3Key"],
        "--distribution names no channel of the job: test",
        nothing,
    ),
    "validation and none": (
        ["--validation", "data/validation", "--no-validation"],
        "not allowed with argument --validation",
        nothing,
    ),
    "malformed S3 URI": (["--checkpoint-s3-uri", "https://x/y"], "malformed S3 URI", nothing),
    "malformed hyperparameter": (["--hyperparameter", "epochs"], "expected KEY=VALUE", nothing),
    "reserved hyperparameter": (
        ["--hyperparameter", "sagemaker_region=eu-west-1"],
        "is reserved",
        nothing,
    ),
    "malformed role": (["--role", "SageMakerRole"], "malformed role ARN", nothing),
    "job name over 63": (["--job-name", "a-" + "b" * 62], "malformed job name", nothing),
    "malformed image": (["--image-uri", "Not An Image"], "malformed image URI", nothing),
    "entry script missing": ([], "train.py is missing", drop_entry_script),
    "other entry point missing": (["--entry-point", "fit.py"], "fit.py is missing", nothing),
    "entry point outside": (["--entry-point", "../launch.py"], "must be a file in the", nothing),
    "entry point as a hyperparameter": (
        ["--hyperparameter", "sagemaker_program=fit.py"],
        "name the script with --entry-point",
        nothing,
    ),
    "framework runs no binary": (
        ["--mode", "framework", "--entry-point", "Dockerfile"],
        "runs only .py or .sh scripts",
        nothing,
    ),
{%- if not cookiecutter.include_mpi %}
    "several instances without MPI": (
        ["--instance-count", "2"],
        "re-render the project with include_mpi",
        nothing,
    ),
{%- endif %}
    "symlink out of source_dir": (
        [],
        "is a symlink to /etc/hostname, outside",
        link_out_of_source_dir,
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_costs_one_line_and_uploads_nothing(
    aws, run_launch, project, monkeypatch, mistake
):
    arguments, message, break_something = MISTAKES[mistake]
    break_something(project, monkeypatch)
    assert_refused(run_launch("--bucket", aws.bucket, "--no-wait", *arguments), message, aws)


def interrupt(*_, **__):
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("interrupted", "message", "started"),
    [
        ("tools.launcher.upload", "interrupted before the job was started", 0),
        ("tools.sdk.wait_for_job", f"stopped watching; job {JOB} goes on", 1),
    ],
)
def test_ctrl_c_costs_one_line_and_exits_130(
    aws, project, monkeypatch, capsys, interrupted, message, started
):
    monkeypatch.chdir(project)
    monkeypatch.setattr(interrupted, interrupt)
    try:
        exit_status = launch.main(["--bucket", aws.bucket, "--job-name", JOB])
    except KeyboardInterrupt:  # caught here, or it would stop the whole test session
        pytest.fail("Ctrl-C escaped launch.main")
    assert exit_status == 130
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert len(aws.sent("CreateTrainingJob")) == started


def test_the_longest_base_job_name_gives_a_valid_job_name_uncut(monkeypatch):
    monkeypatch.setattr(run_requests, "BASE_JOB_NAME", LONGEST_BASE_JOB_NAME)
    name = launch_options.parse_args(["--train", "s3://bucket/train", "--no-validation"]).job_name
    assert len(name) == 63 and SAGEMAKER_JOB_NAME.fullmatch(name)
    assert name.startswith(LONGEST_BASE_JOB_NAME + "-")


def test_a_base_job_name_too_long_for_the_suffix_is_refused(monkeypatch, capsys):
    monkeypatch.setattr(run_requests, "BASE_JOB_NAME", LONGEST_BASE_JOB_NAME + "j")
    with pytest.raises(SystemExit):
        launch_options.parse_args(["--train", "s3://bucket/train", "--no-validation"])
    assert "gives an invalid job name: pass --job-name" in capsys.readouterr().err


@pytest.fixture
def silent_endpoint():
    """A loopback server that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def test_an_endpoint_that_never_answers_costs_one_line_not_minutes(
    aws, project, monkeypatch, capsys, silent_endpoint
):
    short = Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1})
    monkeypatch.setattr(upload, "CLIENT_CONFIG", short)  # the shipped values are longer
    monkeypatch.setenv("AWS_ENDPOINT_URL", silent_endpoint)
    monkeypatch.chdir(project)
    started = time.monotonic()

    status = launch.main(["--bucket", aws.bucket, "--no-wait"])

    assert status == 2 and time.monotonic() - started < 30
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "Read timeout" in lines[0], lines
