"""launch.py against a moto server: what it uploads, what it sends, and how it refuses.

Each test runs the real CLI in a scratch copy of the project, then reads back from the
stand-in what was sent on the wire (moto's request recording) and what was stored.
"""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tracemalloc

import pytest

import launch
from tools import contract, launch_options, launcher, plan, run_requests, sourcedir
from tools.project import DEFAULT_INSTANCE_TYPE, DEFAULT_PREFIX, ECR_REPOSITORY, PROJECT_DIR

pytestmark = pytest.mark.aws

JOB = "launch-test-job"
{%- if cookiecutter.include_mpi %}
INSTANCE_COUNT = 2
{%- else %}
INSTANCE_COUNT = 1  # more needs MPI to combine the hosts' models
{%- endif %}
# The longest base_job_name the template accepts: room for the "-YYYYmmddHHMMSS" suffix.
LONGEST_BASE_JOB_NAME = "j" * (63 - 15)


def decoded(hyperparameters):
    return {key: json.loads(value) for key, value in hyperparameters.items()}


def channel_sources(request):
    return {
        channel["ChannelName"]: channel["DataSource"]["S3DataSource"]
        for channel in request["InputDataConfig"]
    }


def archive_names(data):
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return sorted(archive.getnames())


def expected_names(source_dir):
    return sorted(name for _, name in sourcedir.members(source_dir))


def test_toolkit_mode_sends_the_job_it_describes(aws, run_launch, project):
    result = run_launch(
        "--bucket", aws.bucket, "--job-name", JOB, "--no-wait",
        "--hyperparameter", "epochs=3", "--hyperparameter", "task=classification",
        "--instance-count", str(INSTANCE_COUNT), "--volume-size", "50", "--max-run", "1800",
        "--spot", "--max-wait", "3600", "--keep-alive", "600",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    request = aws.sent_job()

    assert request["TrainingJobName"] == JOB
    assert request["RoleArn"] == aws.role
    image = request["AlgorithmSpecification"]["TrainingImage"]
    assert image == f"123456789012.dkr.ecr.{aws.region}.amazonaws.com/{ECR_REPOSITORY}:latest"
    assert request["ResourceConfig"] == {
        "InstanceType": DEFAULT_INSTANCE_TYPE,
        "InstanceCount": INSTANCE_COUNT,
        "VolumeSizeInGB": 50,
        "KeepAlivePeriodInSeconds": 600,
    }
    assert request["StoppingCondition"] == {
        "MaxRuntimeInSeconds": 1800,
        "MaxWaitTimeInSeconds": 3600,
    }
    assert request["EnableManagedSpotTraining"] is True
    prefix = f"s3://{aws.bucket}/{DEFAULT_PREFIX}"
    assert request["CheckpointConfig"] == {
        "S3Uri": f"{prefix}/checkpoints/{JOB}",
        "LocalPath": "/opt/ml/checkpoints",
    }
    assert request["OutputDataConfig"]["S3OutputPath"] == f"{prefix}/output"
    sent_metrics = {
        m["Name"]: m["Regex"] for m in request["AlgorithmSpecification"]["MetricDefinitions"]
    }
    assert sent_metrics == contract.metric_regexes()

    hyperparameters = decoded(request["HyperParameters"])
    code_uri = hyperparameters.pop("sagemaker_submit_directory")
    assert hyperparameters == {
        "epochs": 3,
        "task": "classification",
        "sagemaker_program": "train.py",
        "sagemaker_region": aws.region,
        "sagemaker_container_log_level": 20,
{%- if cookiecutter.include_mpi %}
        # Several instances: the toolkit's MPI runner starts one process per host.
        "sagemaker_mpi_enabled": True,
        "sagemaker_mpi_num_of_processes_per_host": 1,
        "sagemaker_mpi_custom_mpi_options": "",
{%- endif %}
    }
    assert code_uri.startswith(f"{prefix}/code/") and code_uri.endswith("/sourcedir.tar.gz")
    assert archive_names(aws.read(code_uri)) == expected_names(project / "source_dir")

    sources = channel_sources(request)
    assert {name: s["S3DataDistributionType"] for name, s in sources.items()} == {
        "train": "ShardedByS3Key" if INSTANCE_COUNT > 1 else "FullyReplicated",
        "validation": "FullyReplicated",
    }
    for name, source in sources.items():
        key_prefix = source["S3Uri"].removeprefix(f"s3://{aws.bucket}/")
        stored = sorted(
            key.removeprefix(key_prefix) for key in aws.object_keys() if key.startswith(key_prefix)
        )
        assert stored == sorted(p.name for p in (project / "data" / name).iterdir())

    # moto keeps these fields as sent; the rest of its answer is invented.
    described = aws.sagemaker.describe_training_job(TrainingJobName=JOB)
    kept = ("HyperParameters", "RoleArn", "InputDataConfig", "ResourceConfig", "StoppingCondition")
    for field in kept:
        assert described[field] == request[field], field
    assert described["AlgorithmSpecification"]["TrainingImage"] == image


def test_framework_mode_hands_the_same_archive_to_the_sdk_driver(aws, run_launch, project):
    result = run_launch(
        "--bucket", aws.bucket, "--job-name", JOB, "--no-wait",
        "--mode", "framework", "--hyperparameter", "epochs=2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    request = aws.sent_job()

    # The SDK's driver runs train.py, not the toolkit: no reserved hyperparameters.
    assert request["HyperParameters"] == {"epochs": "2"}
    assert request["AlgorithmSpecification"]["ContainerEntrypoint"] == ["/bin/bash"]
    sources = channel_sources(request)
    assert set(sources) == {"train", "validation", "code", "sm_drivers"}
    code = aws.read(sources["code"]["S3Uri"])
    assert archive_names(code) == expected_names(project / "source_dir")
    drivers = sources["sm_drivers"]["S3Uri"].removeprefix(f"s3://{aws.bucket}/")
    assert f"{drivers}/sm_train.sh" in aws.object_keys()
    sent_metrics = {m["Name"] for m in request["AlgorithmSpecification"]["MetricDefinitions"]}
    assert sent_metrics == set(contract.METRIC_NAMES)


@pytest.mark.parametrize("mode", ["toolkit", "framework"])
def test_dry_run_prints_the_request_and_sends_nothing(aws, run_launch, mode):
    dry = run_launch("--bucket", aws.bucket, "--job-name", JOB, "--mode", mode, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    printed = json.loads(dry.stdout)
    assert aws.object_keys() == [] and aws.uploaded_bytes() == 0
    assert aws.sent("CreateTrainingJob") == []

    real = run_launch("--bucket", aws.bucket, "--job-name", JOB, "--mode", mode, "--no-wait")
    assert real.returncode == 0, real.stderr
    sent = aws.sent_job()
    if mode == "framework":  # the SDK names its driver upload after its own clock
        for request in (printed, sent):
            request["InputDataConfig"] = [
                c for c in request["InputDataConfig"] if c["ChannelName"] != "sm_drivers"
            ]
    assert printed == sent


def test_unchanged_code_is_uploaded_once_and_a_change_gets_a_new_key(aws, run_launch, project):
    assert run_launch("--bucket", aws.bucket, "--no-wait").returncode == 0
    first_keys = aws.object_keys()
    aws.mark()
    assert run_launch("--bucket", aws.bucket, "--no-wait").returncode == 0
    assert aws.uploaded_bytes() == 0
    assert aws.object_keys() == first_keys
    assert len(aws.sent("CreateTrainingJob")) == 1

    with (project / "source_dir" / "train.py").open("a") as script:
        script.write("\n# changed\n")
    assert run_launch("--bucket", aws.bucket, "--no-wait").returncode == 0
    code_keys = [key for key in aws.object_keys() if key.endswith("sourcedir.tar.gz")]
    assert len(code_keys) == 2


def test_secrets_and_caches_never_reach_the_archive(aws, run_launch, project):
    source = project / "source_dir"
    (source / ".env").write_text("AWS_SECRET_ACCESS_KEY=leaked\n")
    (source / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / "train.cpython-311.pyc").write_bytes(b"\0")
    (source / ".venv").mkdir()
    (source / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert run_launch("--bucket", aws.bucket, "--no-wait").returncode == 0
    code_uri = decoded(aws.sent_job()["HyperParameters"])["sagemaker_submit_directory"]
    names = archive_names(aws.read(code_uri))
    assert "train.py" in names
    assert not [
        name for name in names if name.split("/")[0] in {".env", "id_rsa", "__pycache__", ".venv"}
    ]


def test_without_a_validation_folder_the_job_has_no_validation_channel(aws, run_launch, project):
    shutil.rmtree(project / "data" / "validation")
    result = run_launch("--bucket", aws.bucket, "--job-name", JOB, "--no-wait")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "launch.py: no data/validation folder, so no validation channel\n"
    assert set(channel_sources(aws.sent_job())) == {"train"}


def test_no_validation_leaves_the_folder_out(aws, run_launch):
    result = run_launch("--bucket", aws.bucket, "--job-name", JOB, "--no-wait", "--no-validation")
    assert result.returncode == 0, result.stderr
    assert set(channel_sources(aws.sent_job())) == {"train"}
    assert not [key for key in aws.object_keys() if "/data/validation/" in key]


def link_out_of_source_dir(project, monkeypatch):
    (project / "source_dir" / "settings.py").symlink_to("/etc/hostname")


def drop_entry_script(project, monkeypatch):
    (project / "source_dir" / "train.py").unlink()


def forget_role(project, monkeypatch):
    monkeypatch.delenv("SAGEMAKER_ROLE_ARN")


def forget_credentials(project, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)


def forget_validation(project, monkeypatch):
    shutil.rmtree(project / "data" / "validation")


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
    "no note before an error": (["--max-wait", "60"], "--max-wait only applies", forget_validation),
    "validation and none": (
        ["--validation", "data/validation", "--no-validation"],
        "not allowed with argument --validation",
        nothing,
    ),
    "malformed S3 URI": (["--checkpoint-s3-uri", "https://x/y"], "malformed S3 URI", nothing),
    "malformed hyperparameter": (["--hyperparameter", "epochs"], "expected KEY=VALUE", nothing),
    "reserved hyperparameter": (
        ["--hyperparameter", "sagemaker_program=x.py"],
        "is reserved",
        nothing,
    ),
    "malformed role": (["--role", "SageMakerRole"], "malformed role ARN", nothing),
    "job name over 63": (["--job-name", "a-" + "b" * 62], "malformed job name", nothing),
    "malformed image": (["--image-uri", "Not An Image"], "malformed image URI", nothing),
    "entry script missing": ([], "train.py is missing", drop_entry_script),
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


def assert_refused(result, message, aws):
    """A non-zero exit, one line on stderr saying message, nothing uploaded or started."""
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert aws.object_keys() == [] and aws.uploaded_bytes() == 0
    assert aws.sent("CreateTrainingJob") == []


def test_wait_ends_with_the_status_and_the_model(aws, run_launch):
    result = run_launch("--bucket", aws.bucket, "--job-name", JOB)
    assert result.returncode == 0, result.stderr
    model = f"s3://{aws.bucket}/{DEFAULT_PREFIX}/output/{JOB}/output/model.tar.gz"
    assert f"Training job {JOB} Completed; model: {model}" in result.stdout.splitlines()
    assert "Final Resource Status: Completed" in result.stderr.splitlines()  # the SDK's, plain


def interrupt(*_, **__):
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("interrupted", "message", "started"),
    [
        ("tools.launcher.upload", "interrupted before the job was started", 0),
        ("sagemaker.core.resources.TrainingJob.wait", f"stopped watching; job {JOB} goes on", 1),
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


def test_a_failed_job_reports_its_reason_and_exits_non_zero(capsys):
    # moto's jobs always complete, so the report is fed a failed job's description.
    failed = {
        "TrainingJobName": JOB,
        "TrainingJobStatus": "Failed",
        "FailureReason": "AlgorithmError: boom",
    }
    assert launcher.report_job(failed) == 1
    reported = capsys.readouterr().err
    assert reported == f"launch.py: training job {JOB} Failed: AlgorithmError: boom\n"


COMPOSE_WORKS = launcher.compose_works()


@pytest.mark.skipif(
    not COMPOSE_WORKS, reason="local mode needs a Docker engine with `docker compose`"
)
def test_local_mode_trains_in_the_image(aws, run_launch, project):
    result = run_launch("--bucket", aws.bucket, "--instance-type", "local", timeout=900)
    assert result.returncode == 0, result.stderr
    assert list((project / ".local-run" / "sagemaker-local-mode").rglob("model.joblib"))


@pytest.mark.skipif(COMPOSE_WORKS, reason="checks what happens where docker compose is missing")
def test_local_mode_without_compose_costs_one_line(aws, run_launch):
    result = run_launch("--bucket", aws.bucket, "--instance-type", "local")
    assert_refused(result, "needs Docker with `docker compose`", aws)


@pytest.mark.parametrize("arguments", [["--help"], ["--instance-count", "zero"]])
def test_help_and_argument_errors_do_not_import_the_sdk(arguments):
    probe = (
        "import sys, launch\n"
        "try:\n    launch.main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({'boto3', 'botocore', 'sagemaker'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *arguments],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_help_names_each_default_once_and_no_local_path():
    shown = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "launch.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "(default: None)" not in shown and "(default: [])" not in shown
    for option in re.split(r"\n  (?=-)", shown):  # each option with its wrapped help
        assert option.count("default") <= 1, option
    assert str(PROJECT_DIR) not in shown


def test_the_longest_base_job_name_gives_a_valid_job_name_uncut(monkeypatch):
    monkeypatch.setattr(run_requests, "BASE_JOB_NAME", LONGEST_BASE_JOB_NAME)
    name = launch_options.parse_args(["--train", "s3://bucket/train", "--no-validation"]).job_name
    assert len(name) == 63 and contract.JOB_NAME.fullmatch(name)
    assert name.startswith(LONGEST_BASE_JOB_NAME + "-")


def test_a_base_job_name_too_long_for_the_suffix_is_refused(monkeypatch, capsys):
    monkeypatch.setattr(run_requests, "BASE_JOB_NAME", LONGEST_BASE_JOB_NAME + "j")
    with pytest.raises(SystemExit):
        launch_options.parse_args(["--train", "s3://bucket/train", "--no-validation"])
    assert "gives an invalid job name: pass --job-name" in capsys.readouterr().err


def test_data_files_are_hashed_without_reading_them_whole(tmp_path):
    size = 64 * 2**20
    with (tmp_path / "big.csv").open("wb") as big:
        big.truncate(size)  # sparse: no time or disk spent writing it
    tracemalloc.start()
    try:
        plan.folder_digest(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < size / 16
