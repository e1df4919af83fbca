"""Local mode's probe: which compose the SDK will run, found as the SDK finds it (`docker
compose` v2 first, then `docker-compose`), before anything is built.

A compose cannot run on every machine that runs these tests, so programs of the test's own
stand in on a PATH of nothing else: each records how it was asked and answers as told.
"""

import pytest

from tools import compose
from tools.cli import UserError

PROGRAM = """#!/bin/sh
echo "$@" >> "{asked}"
echo "{says}"
exit {status}
"""


@pytest.fixture
def path(tmp_path, monkeypatch):
    """put(name, says, status): a program on a PATH that holds only such programs."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))

    def put(name, says, status):
        program = folder / name
        program.write_text(PROGRAM.format(asked=tmp_path / name, says=says, status=status))
        program.chmod(0o755)
        return tmp_path / name

    return put


def test_docker_compose_v2_comes_first(path):
    asked = path("docker", "Docker Compose version v2.27.0", 0)
    path("docker-compose", "docker-compose version 1.29.2", 0)

    assert compose.find_compose() == ("docker", "compose")
    assert asked.read_text() == "compose version\n"


@pytest.mark.parametrize(
    ("docker_says", "status"),
    [("Docker Compose version v2.27.0", 1), ("docker-compose version 1.29.2", 0)],
    ids=["docker compose fails", "docker compose is v1"],
)
def test_docker_compose_v1_is_next(path, docker_says, status):
    path("docker", docker_says, status)
    asked = path("docker-compose", "docker-compose version 1.29.2", 0)

    assert compose.find_compose() == ("docker-compose",)
    assert asked.read_text() == "version\n"


def test_no_compose_is_one_line_that_says_what_was_looked_for(path):
    path("docker", "unknown command: docker compose", 1)
    path("docker-compose", "cannot run", 1)

    looked_for = (
        r"^local mode runs the image with Docker Compose, and neither `docker compose` \(v2\) nor"
        r" `docker-compose` works here: "
    )
    with pytest.raises(UserError, match=looked_for):
        compose.find_compose()
