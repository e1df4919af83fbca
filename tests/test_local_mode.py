"""SageMaker local mode for real (marker `localmode`): images built from the template on the
local base, run by `launch.py --instance-type local` through the SDK, the compose the
container-tools installer puts here and podman's Docker API. The project's own local-mode
tests do the checking (tests/test_local_mode.py in the project); this adds its make target.
"""

import shutil
import subprocess

import pytest
from support.containers import INSTALLER, built_image, unavailable
from support.tools import VENV_BIN, run_make

pytestmark = pytest.mark.localmode

# The project's local-mode tests a variant runs: an MPI project adds two hosts to the rest.
VARIANTS = {
    "default": ({}, ["-m", "localmode"]),
    "mpi": ({"include_mpi": True}, ["-m", "localmode", "-k", "two_local_hosts"]),
}


@pytest.fixture(scope="module")
def compose(container_engine):
    if not shutil.which("docker-compose"):
        unavailable(f"docker-compose is not installed (as root on Debian, {INSTALLER} installs it)")


@pytest.fixture
def local_mode_env(compose, docker_host, monkeypatch):
    """The environment a user of podman sets for local mode: DOCKER_HOST at its service."""
    monkeypatch.setenv("DOCKER_HOST", docker_host)


def project_copy(rendered, tmp_path):
    return shutil.copytree(rendered, tmp_path / rendered.name)


@pytest.fixture(scope="module", params=VARIANTS)
def variant(request, render, base_image):
    """(the variant's name, its rendered project, its image built on the local base)."""
    answers, _ = VARIANTS[request.param]
    project = render(**answers)
    tag = f"localhost/template-tests/local-mode-{request.param}:test"
    for image in built_image(project, base_image, tag):
        yield request.param, project, image


def test_the_projects_local_mode_tests_pass(variant, local_mode_env, tmp_path, monkeypatch):
    name, rendered, image = variant
    project = project_copy(rendered, tmp_path)
    monkeypatch.setenv("LOCAL_MODE_IMAGE", image)

    result = subprocess.run(
        [str(VENV_BIN / "pytest"), *VARIANTS[name][1], "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary, result.stdout[-2000:]


def test_make_train_local_mode(default_project, base_image, local_mode_env, tmp_path):
    project = project_copy(default_project, tmp_path)
    tag = "localhost/template-tests/local-mode-make:test"
    try:
        result = run_make(
            project,
            "train-local-mode",
            "ENGINE=podman",
            f"IMAGE={tag}",
            f"BUILD_ARGS=--build-arg BASE_IMAGE={base_image}",
            check=False,
            timeout=900,
        )
    finally:
        subprocess.run(["podman", "rmi", "--force", tag], capture_output=True, check=False)

    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert "Training succeeded." in result.stdout
    jobs = list((project / ".local-run" / "local-mode").iterdir())
    assert len(jobs) == 1 and (jobs[0] / "model" / "model.joblib").is_file()
