"""Local mode's probe: launch.py asks `docker compose version` before it builds anything.

docker compose cannot run on every machine that runs these tests, so a `docker` of the test's
own stands in on PATH: it records how it was asked and answers with the status given.
"""

import os
import sys

import pytest

import launch
from tools import launcher

FAKE_DOCKER = """#!/bin/sh
echo "$@" >> "{asked}"
echo "Docker Compose version v2.27.0"
exit {status}
"""


def put_docker_on_path(tmp_path, monkeypatch, status):
    """A fake docker answering with status, first on PATH; the file it records its argv in."""
    asked = tmp_path / "asked"
    docker = tmp_path / "bin" / "docker"
    docker.parent.mkdir()
    docker.write_text(FAKE_DOCKER.format(asked=asked, status=status))
    docker.chmod(0o755)
    monkeypatch.setenv("PATH", f"{docker.parent}{os.pathsep}{os.environ['PATH']}")
    return asked


@pytest.mark.parametrize(("status", "works"), [(0, True), (1, False)])
def test_compose_works_when_docker_compose_version_succeeds(
    tmp_path, monkeypatch, capfd, status, works
):
    asked = put_docker_on_path(tmp_path, monkeypatch, status)

    assert launcher.compose_works() is works
    assert asked.read_text() == "compose version\n"
    assert capfd.readouterr() == ("", "")  # the answer is read, not shown


def test_without_docker_compose_does_not_work(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no docker at all

    assert launcher.compose_works() is False


def test_local_mode_without_docker_compose_costs_one_line(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable))  # Python, and no docker

    status = launch.main(["--instance-type", "local", "--dry-run"])

    assert status == 2
    assert capsys.readouterr().err == (
        "launch.py: error: --instance-type local needs Docker with `docker compose` working here\n"
    )
