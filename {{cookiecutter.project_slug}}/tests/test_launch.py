"""launch.py against a moto server: what it uploads and what it sends (channels are in
test_launch_channels.py, refusals in test_launch_refusals.py, dry runs in
test_launch_dry_run.py).

Each test runs the real CLI in a scratch copy of the project, then reads back from the
stand-in what was sent on the wire (moto's request recording) and what was stored.
"""

import io
import json
import re
import tarfile
import tracemalloc

import pytest
from answers import ECR_REPOSITORY, INSTANCE_TYPE, PREFIX
from failing_jobs import FAILURE_REASON, FailingJobsProxy
from sent_requests import channel_sources

from tools import plan, preflight

pytestmark = pytest.mark.aws

JOB = "launch-test-job"
{%- if cookiecutter.include_mpi %}
INSTANCE_COUNT = 2
{%- else %}
INSTANCE_COUNT = 1  # more needs MPI to combine the hosts' models
{%- endif %}


# A line as the sample trainer logs it, and what each of its metrics must read from it.
SAMPLE_LOG_LINE = "epoch=3 train:loss=1.5e-05 validation:loss=0.25 validation:accuracy=0.875"
SAMPLE_METRICS = {
    "train:loss": "1.5e-05",
    "validation:loss": "0.25",
    "validation:accuracy": "0.875",
    "validation:rmse": None,  # regression only
}


def scraped(request, line):
    """{metric name: what its sent regex captures from line, or None}."""
    found = {}
    for metric in request["AlgorithmSpecification"]["MetricDefinitions"]:
        match = re.search(metric["Regex"], line)
        found[metric["Name"]] = match and match.group(1)
    return found


def decoded(hyperparameters):
    return {key: json.loads(value) for key, value in hyperparameters.items()}


def archive_names(data):
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return sorted(archive.getnames())


def expected_names(source_dir):
    """Every file of the source folder (a fresh copy: no caches, secrets or links in it)."""
    files = [p for p in source_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(p.relative_to(source_dir).as_posix() for p in files)


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
    prefix = f"s3://{aws.bucket}/{PREFIX}"
    assert_compute_and_storage(request, prefix)
    assert scraped(request, SAMPLE_LOG_LINE) == SAMPLE_METRICS

    assert_toolkit_hyperparameters(request, aws, project, prefix)
    assert_channels_uploaded(request, aws, project)

    # moto keeps these fields as sent; the rest of its answer is invented.
    described = aws.sagemaker.describe_training_job(TrainingJobName=JOB)
    kept = ("HyperParameters", "RoleArn", "InputDataConfig", "ResourceConfig", "StoppingCondition")
    for field in kept:
        assert described[field] == request[field], field
    assert described["AlgorithmSpecification"]["TrainingImage"] == image


def assert_compute_and_storage(request, prefix):
    """Instances, limits, spot and where checkpoints and output go, as asked for."""
    assert request["ResourceConfig"] == {
        "InstanceType": INSTANCE_TYPE,
        "InstanceCount": INSTANCE_COUNT,
        "VolumeSizeInGB": 50,
        "KeepAlivePeriodInSeconds": 600,
    }
    assert request["StoppingCondition"] == {
        "MaxRuntimeInSeconds": 1800,
        "MaxWaitTimeInSeconds": 3600,
    }
    assert request["EnableManagedSpotTraining"] is True
    assert request["CheckpointConfig"] == {
        "S3Uri": f"{prefix}/checkpoints/{JOB}",
        "LocalPath": "/opt/ml/checkpoints",
    }
    assert request["OutputDataConfig"]["S3OutputPath"] == f"{prefix}/output"


def assert_toolkit_hyperparameters(request, aws, project, prefix):
    """The script's values and the toolkit's reserved ones; the archive holds source_dir/."""
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


def assert_channels_uploaded(request, aws, project):
    """Each channel's distribution, and its files stored under its S3 prefix."""
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
    assert scraped(request, SAMPLE_LOG_LINE) == SAMPLE_METRICS


def test_the_projects_own_metric_definitions_are_sent(aws, run_launch, project):
    pyproject = project / "pyproject.toml"
    own = 'metrics = ["test:f1=F1 score: ([0-9.]+)", "loss"]'
    pyproject.write_text(re.sub(r"(?m)^metrics = .*$", lambda _: own, pyproject.read_text()))

    result = run_launch("--bucket", aws.bucket, "--job-name", JOB, "--no-wait")

    assert result.returncode == 0, result.stderr
    assert scraped(aws.sent_job(), "step 9: loss=0.5, F1 score: 0.75") == {
        "test:f1": "0.75",
        "loss": "0.5",
    }


def test_another_entry_point_is_what_both_modes_run(aws, run_launch, project):
    (project / "source_dir" / "fit.py").write_text("print('fitting')\n")
    args = ("--bucket", aws.bucket, "--no-wait", "--entry-point", "fit.py")

    assert run_launch(*args, "--job-name", "toolkit-job").returncode == 0
    toolkit = aws.sagemaker.describe_training_job(TrainingJobName="toolkit-job")
    assert decoded(toolkit["HyperParameters"])["sagemaker_program"] == "fit.py"

    assert run_launch(*args, "--job-name", "framework-job", "--mode", "framework").returncode == 0
    framework = aws.sagemaker.describe_training_job(TrainingJobName="framework-job")
    drivers = channel_sources(framework)["sm_drivers"]["S3Uri"]
    # The SDK's driver reads the script's name from the SourceCode it uploaded as JSON.
    assert json.loads(aws.read(f"{drivers}/sourcecode.json"))["entry_script"] == "fit.py"


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


def test_wait_ends_with_the_status_and_the_model(aws, run_launch):
    result = run_launch("--bucket", aws.bucket, "--job-name", JOB)
    assert result.returncode == 0, result.stderr
    model = f"s3://{aws.bucket}/{PREFIX}/output/{JOB}/output/model.tar.gz"
    assert f"Training job {JOB} Completed; model: {model}" in result.stdout.splitlines()
    assert "Completed: Completed" in result.stdout  # the job's last progress (tools/follow.py)


@pytest.fixture
def failing_jobs(aws, moto_server, monkeypatch):
    """SageMaker requests go through a proxy whose jobs fail (see failing_jobs.py); S3's still
    go straight to moto."""
    proxy = FailingJobsProxy(moto_server.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", proxy.url)
    yield proxy
    proxy.stop()


def test_a_failed_job_ends_the_wait_with_its_reason_and_exit_1(aws, run_launch, failing_jobs):
    result = run_launch("--bucket", aws.bucket, "--job-name", JOB)

    assert result.returncode == 1, result.stderr
    assert f"launch.py: training job {JOB} Failed: {FAILURE_REASON}" in result.stderr.splitlines()
    assert "Completed" not in result.stdout
    assert aws.sent_job()["TrainingJobName"] == JOB  # the job was started through the proxy
    assert failing_jobs.rewritten >= 1  # the wait followed the job to its verdict


def test_data_files_are_hashed_without_reading_them_whole(tmp_path):
    size = 64 * 2**20
    with (tmp_path / "big.csv").open("wb") as big:
        big.truncate(size)  # sparse: no time or disk spent writing it
    tracemalloc.start()
    try:
        plan.folder_digest(preflight.data_files(tmp_path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < size / 16
