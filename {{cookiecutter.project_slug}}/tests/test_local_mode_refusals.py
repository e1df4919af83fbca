"""Local mode refusing, in one line and before anything is written or sent: what only a
SageMaker job can do, and a machine without a compose or a Docker API."""

import shutil

import pytest
from sent_requests import assert_refused

pytestmark = pytest.mark.aws


def nothing(project, monkeypatch):
    pass


def without_any_compose(project, monkeypatch):
    monkeypatch.setenv("PATH", str(project / "no-programs-here"))


def without_a_docker_api(project, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{project / 'no-docker.sock'}")


# mistake: (arguments after --instance-type local, what the one line says, how the project or
# environment is broken first)
LOCAL_MODE_MISTAKES = {
    "spot": (["--spot"], "--spot applies to SageMaker jobs, not to local mode", nothing),
    "no wait": (["--no-wait"], "leave out --no-wait", nothing),
    "dry run": (["--dry-run"], "--dry-run (it prints a SageMaker job's request) applies", nothing),
    "sharded channel": (
        ["--distribution", "train=ShardedByS3Key"],
        "local mode gives every host all of a channel",
        nothing,
    ),
    "no compose": (
        [],
        "neither `docker compose` (v2) nor `docker-compose` works",
        without_any_compose,
    ),
}
if shutil.which("docker-compose"):  # found, so the Docker API is what is missing
    LOCAL_MODE_MISTAKES["no Docker API"] = ([], "needs a Docker API", without_a_docker_api)


@pytest.mark.parametrize("mistake", LOCAL_MODE_MISTAKES)
def test_each_local_mode_mistake_costs_one_line(aws, run_launch, project, monkeypatch, mistake):
    arguments, message, break_something = LOCAL_MODE_MISTAKES[mistake]
    break_something(project, monkeypatch)
    assert_refused(run_launch("--instance-type", "local", *arguments), message, aws)
    assert not (project / ".local-run").exists()
