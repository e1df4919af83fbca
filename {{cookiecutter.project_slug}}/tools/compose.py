"""Docker Compose and the Docker API here: what SageMaker local mode runs the image with.

The SDK writes a compose file (one service per host, on a network named sagemaker-local) and
runs `up`; it looks for `docker compose` v2 first, then for `docker-compose`. This module
checks the same, in the same order, before anything starts, and takes the job's containers
and network down afterwards, which the SDK never does.
"""

import json
import os
import re
import subprocess
import sys
from contextlib import contextmanager

from tools.cli import UserError

COMPOSE_V2 = ("docker", "compose")
COMPOSE_V1 = ("docker-compose",)
COMPOSE_FILE = "docker-compose.yaml"  # what the SDK writes in the job's folder
PROJECT_VARIABLE = "COMPOSE_PROJECT_NAME"  # every compose reads it
PROJECT_LABEL = "com.docker.compose.project"  # and labels the containers with it
PROBE_SECONDS = 60
INSTALL = (
    "install Docker Compose v2 (https://docs.docker.com/compose/install/), or on Debian and"
    " Ubuntu `apt install docker-compose`"
)
DOCKER_API = (
    "start Docker, or serve podman's Docker API (`podman system service --time=0"
    " unix:///tmp/podman.sock &`) and set DOCKER_HOST=unix:///tmp/podman.sock"
)


def answer(command):
    """command's standard output if it runs and succeeds, else None."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def find_compose():
    """The compose command the SDK will run, once sure it works here; else a UserError
    saying what was looked for and how to install one."""
    version = answer([*COMPOSE_V2, "version"]) or ""
    major = re.search(r"version\s+v?(\d+)", version)
    if major and int(major.group(1)) >= 2:
        return COMPOSE_V2
    if answer([*COMPOSE_V1, "version"]) is not None:
        return COMPOSE_V1
    raise UserError(
        "local mode runs the image with Docker Compose, and neither `docker compose` (v2) nor"
        f" `docker-compose` works here: {INSTALL}"
    )


def check_engine(image):
    """Refuse, in one line, a machine without a Docker API or without the image."""
    if answer(["docker", "version"]) is None:  # fails when it reaches no server
        raise UserError(
            f"local mode needs a Docker API, and `docker version` finds none: {DOCKER_API}"
        )
    if answer(["docker", "image", "inspect", image]) is None:
        raise UserError(f"image {image} is not on this machine: `make build` builds it")


def first_exit_status(job_name):
    """The exit status of the job's container that ended first, whose end stopped the others
    (the SDK runs `up --abort-on-container-exit`); None if there is none to ask. Compose's
    own exit status should be this, but through podman's Docker API it can be 0 instead."""
    label = f"{PROJECT_LABEL}={project_name(job_name)}"
    ids = (answer(["docker", "ps", "--all", "--quiet", "--filter", f"label={label}"]) or "").split()
    described = json.loads(answer(["docker", "inspect", *ids]) or "[]") if ids else []
    ended = [container["State"] for container in described]
    if not ended:
        return None
    return min(ended, key=lambda state: finish_time(state["FinishedAt"]))["ExitCode"]


def finish_time(stamp):
    """An RFC 3339 time as Docker and podman write it (to the nanosecond), as a sortable key."""
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?", stamp)
    return (match.group(1), (match.group(2) or "").ljust(9, "0")) if match else (stamp, "")


def project_name(job_name):
    """The compose project of a job: its containers carry it as a label."""
    return job_name.lower()


@contextmanager
def compose_project(compose, folder, job_name):
    """Run the body with the job's compose project named, then take down its containers
    and network, whatever happened; a failure to do so is one line, not an error."""
    previous = os.environ.get(PROJECT_VARIABLE)
    os.environ[PROJECT_VARIABLE] = project_name(job_name)
    try:
        yield
    finally:
        take_down(compose, folder)
        if previous is None:
            os.environ.pop(PROJECT_VARIABLE)
        else:
            os.environ[PROJECT_VARIABLE] = previous


def take_down(compose, folder):
    compose_file = folder / COMPOSE_FILE
    if not compose_file.exists():  # the SDK stopped before it started any container
        return
    command = [*compose, "-f", str(compose_file), "down", "--remove-orphans"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        failed = done.returncode != 0 and (done.stderr.strip().splitlines() or ["?"])[-1]
    except (OSError, subprocess.TimeoutExpired) as error:
        failed = str(error)
    if failed:
        print(
            f"launch.py: could not remove the job's containers ({failed}): run"
            f" `{' '.join(command)}`",
            file=sys.stderr,
        )
