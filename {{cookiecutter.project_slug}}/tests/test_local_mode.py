"""SageMaker local mode for real (marker `localmode`): `launch.py --instance-type local` runs
the project's image through the SDK and Docker Compose, with no AWS account, and reads the
job's verdict back; nothing of the job but its model and output stays.

Where this machine lacks a Docker API (Docker's, or podman's through DOCKER_HOST), a compose or
the image (`make build`; LOCAL_MODE_IMAGE names another), these tests skip and say which.
"""

import json
import os
import signal
import subprocess
import sys

import pytest
from own_scripts import FAILING, RECORDER

from tools import compose
from tools.project import LOCAL_IMAGE

pytestmark = pytest.mark.localmode

IMAGE = os.environ.get("LOCAL_MODE_IMAGE") or LOCAL_IMAGE
JOB = "local-mode-test"
MODES = ["toolkit", "framework"]
# What compose labels a project's containers with, and the network the SDK names.
COMPOSE_PROJECT_LABEL = "com.docker.compose.project"
SDK_NETWORK = "sagemaker-local"


def works(*command):
    try:
        return subprocess.run(command, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def lacking():
    """What this machine lacks for local mode, or None."""
    if not works("docker", "version"):
        return "a Docker API (`docker version` fails: start Docker, or set DOCKER_HOST)"
    if not (works("docker", "compose", "version") or works("docker-compose", "version")):
        return "Docker Compose (`docker compose` v2 or `docker-compose`)"
    if not works("docker", "image", "inspect", IMAGE):
        return f"the image {IMAGE} (`make build`, or LOCAL_MODE_IMAGE=...)"
    return None


@pytest.fixture(scope="session")
def engine():
    missing = lacking()
    if missing:
        pytest.skip(f"local mode needs {missing}")


@pytest.fixture
def no_aws_account(monkeypatch, tmp_path):
    """Credentials of no account, and an AWS that refuses every connection: a job that asks
    AWS anything fails, and the credentials must not reach the containers."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIANOTANACCOUNT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # the discard port: refused
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))


def launch_command(project, *arguments):
    local = ["--instance-type", "local", "--image-uri", IMAGE, "--job-name", JOB]
    return [sys.executable, str(project / "launch.py"), *local, *arguments]


def run_local(project, *arguments):
    return subprocess.run(
        launch_command(project, *arguments),
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def leftovers():
    """The job's containers and the SDK's network, if any is still here."""
    label = f"label={COMPOSE_PROJECT_LABEL}={JOB}"
    containers = subprocess.run(
        ["docker", "ps", "--all", "--quiet", "--filter", label], capture_output=True, text=True
    )
    networks = subprocess.run(
        ["docker", "network", "ls", "--format", "json"], capture_output=True, text=True
    )
    names = [json.loads(line)["Name"] for line in networks.stdout.splitlines() if line.strip()]
    return containers.stdout.split() + [name for name in names if name == SDK_NETWORK]


def kept(project):
    """What the job left in its folder."""
    return sorted(path.name for path in (project / ".local-run" / "local-mode" / JOB).iterdir())


def data_files(project, channel):
    """The files of a data folder that a job is sent: hidden ones stay behind."""
    folder = project / "data" / channel
    return sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))


@pytest.mark.parametrize("mode", MODES)
def test_a_job_trains_in_the_image_without_an_aws_account(engine, no_aws_account, project, mode):
    (project / "source_dir" / "record.py").write_text(RECORDER)
    (project / "data" / "train" / ".env").write_text("TOKEN=not-for-the-job\n")

    result = run_local(project, "--mode", mode, "--entry-point", "record.py",
                       "--hyperparameter", "epochs=2")  # fmt: skip

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    folder = project / ".local-run" / "local-mode" / JOB
    assert f"Model:   {folder / 'model'} (model.json)" in result.stdout
    recorded = json.loads((folder / "model" / "model.json").read_text())
    assert recorded["epochs"] == 2
    channels = {name: recorded["files"][name] for name in ("train", "validation")}
    assert channels == {name: data_files(project, name) for name in ("train", "validation")}
    assert recorded["credentials"] is False
    assert kept(project) == ["model", "output"]
    assert leftovers() == []


@pytest.mark.parametrize("mode", MODES)
def test_a_failing_script_fails_the_launch_with_its_reason(engine, project, mode):
    (project / "source_dir" / "fail.py").write_text(FAILING)

    result = run_local(project, "--mode", mode, "--entry-point", "fail.py")

    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    first = result.stderr.splitlines()[0]
    assert first == "Training failed: ValueError: the data has no label column", result.stderr
    assert kept(project) == ["model", "output"]
    assert leftovers() == []


# A script that says it has started, then trains for as long as anyone waits.
SLOW = """
import time
print("started", flush=True)
time.sleep(600)
"""


def as_at_a_terminal():
    """Ctrl-C's default handling in the child: a test run as a shell's background job
    inherits SIGINT ignored, and a Python started so never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_removes_the_containers(engine, project):
    (project / "source_dir" / "slow.py").write_text(SLOW)
    command = launch_command(project, "--entry-point", "slow.py")
    launched = subprocess.Popen(
        command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches
        preexec_fn=as_at_a_terminal,  # this test starts no threads
    )  # fmt: skip
    for line in launched.stdout:
        if line.rstrip().endswith("started"):
            break
    os.killpg(launched.pid, signal.SIGINT)
    _, errors = launched.communicate(timeout=300)

    assert launched.returncode == 130, errors
    assert errors.splitlines()[-1].startswith("launch.py: interrupted; the containers are gone")
    assert kept(project) == ["model", "output"]
    assert leftovers() == []


def test_the_job_ends_as_the_first_of_its_containers_to_end(engine):
    """Compose stops every host when the first ends and should exit with that one's status;
    through podman's Docker API it may exit 0 instead, so the launcher asks the containers."""
    label = f"{COMPOSE_PROJECT_LABEL}={JOB}"
    ended = []
    for status, seconds in ((3, 0), (0, 2)):  # the first to end failed; the other did not
        script = f"import sys, time; time.sleep({seconds}); sys.exit({status})"
        run = ["docker", "run", "--detach", "--label", label, IMAGE, "python3", "-c", script]
        ended.append(subprocess.run(run, capture_output=True, text=True).stdout.strip())
    try:
        subprocess.run(["docker", "wait", *ended], capture_output=True, timeout=120)
        assert compose.first_exit_status(JOB) == 3
    finally:
        subprocess.run(["docker", "rm", "--force", *ended], capture_output=True)


def test_a_channel_in_s3_is_read_by_the_sdk(engine, aws, project):
    """The SDK fetches an s3:// channel here; then, and only then, it hands the containers
    the credentials it used."""
    (project / "source_dir" / "record.py").write_text(RECORDER)
    for path in (project / "data" / "validation").iterdir():
        aws.s3.upload_file(str(path), aws.bucket, f"held-out/{path.name}")
    held_out = f"s3://{aws.bucket}/held-out/"

    result = run_local(project, "--entry-point", "record.py", "--validation", held_out)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    model = project / ".local-run" / "local-mode" / JOB / "model" / "model.json"
    recorded = json.loads(model.read_text())
    assert recorded["files"]["validation"] == data_files(project, "validation")
    assert recorded["credentials"] is True
    assert leftovers() == []
{%- if cookiecutter.include_mpi %}


# Each MPI process reports where it runs; the first writes what the world looked like.
MPI_RECORDER = """
import json, os, pathlib, socket
from mpi4py import MPI

world = MPI.COMM_WORLD
hosts = world.gather(socket.gethostname(), root=0)
if world.Get_rank() == 0:
    summary = {"size": world.Get_size(), "hosts": len(set(hosts))}
    pathlib.Path(os.environ["SM_MODEL_DIR"], "world.json").write_text(json.dumps(summary))
"""


def test_two_local_hosts_train_over_mpi(engine, project):
    (project / "source_dir" / "world.py").write_text(MPI_RECORDER)

    result = run_local(project, "--entry-point", "world.py", "--instance-count", "2")

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    world = project / ".local-run" / "local-mode" / JOB / "model" / "world.json"
    assert json.loads(world.read_text()) == {"size": 2, "hosts": 2}
    assert leftovers() == []
{%- endif %}
