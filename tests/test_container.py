"""The generated image, built for real on a local base (marker `container`): it trains as
SageMaker runs it, holds no code and no compiler, and the project's own build_and_push.sh pushes
it through the docker CLI. Fast tests (no marker) check the script's ECR plan and its refusals.

The /opt/ml trees come from the project's own local_run.py; the data from its make_data.py.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from support.containers import built_image, make_train_container, podman, sample_data
from support.git import commit_all, git
from support.rendering import TEMPLATE, project_module

# A hung toolkit (for instance waiting for DNS) must not hang the suite.
RUN_TIMEOUT = "300"
# What the build copies in is only the dependency list; these must never be in the image.
PROJECT_CODE = [
    "source_dir/train.py",
    "source_dir/utils.py",
    "local_run.py",
    "launch.py",
    "tools/sourcedir.py",
]

# Runs inside the image: facts about it as JSON.
IMAGE_PROBE = r"""
import hashlib, importlib.util, json, os, shutil, sys
code_digests = set(sys.argv[1:])
baked = []
for folder, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/sys", "/dev")]
    for name in files:
        path = os.path.join(folder, name)
        if name.endswith(".py") and os.path.isfile(path):
            with open(path, "rb") as file:
                if hashlib.sha256(file.read()).hexdigest() in code_digests:
                    baked.append(path)
print(json.dumps({
    "compilers": [c for c in ("gcc", "cc", "c++", "g++", "clang", "make") if shutil.which(c)],
    "plotting": importlib.util.find_spec("matplotlib") is not None,
    "train": shutil.which("train"),
    "baked_code": baked,
    "opt_ml_exists": os.path.exists("/opt/ml"),
    "pip_cache": os.path.exists(os.path.expanduser("~/.cache/pip")),
    "apt_lists": os.listdir("/var/lib/apt/lists") if os.path.isdir("/var/lib/apt/lists") else [],
    "env": {k: os.environ.get(k) for k in ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONIOENCODING", "LANG")},
}))
"""


@pytest.fixture(scope="module")
def project(default_project, tmp_path_factory):
    """A private copy of the default project, committed, as a user's checkout would be."""
    copy = shutil.copytree(default_project, tmp_path_factory.mktemp("container") / default_project.name)
    commit_all(copy, "Rendered project")
    return copy


@pytest.fixture(scope="module")
def image(project, base_image):
    yield from built_image(project, base_image, "localhost/template-tests/training-image:test")


@pytest.fixture(scope="module")
def data(project, tmp_path_factory):
    return sample_data(project, tmp_path_factory.mktemp("data"))


def prepare_tree(project, data, work, *hyperparameters):
    """The project's own local_run.py lays out the /opt/ml tree, as mounted in the container."""
    options = [f"--hyperparameter={item}" for item in hyperparameters]
    command = [sys.executable, "local_run.py", "--data", str(data), "--work", str(work), *options]
    command += ["--prepare-only", "--job-base-dir", "/opt/ml"]
    result = subprocess.run(command, cwd=project, check=True, capture_output=True, text=True)
    return Path(result.stdout.strip())


def run_like_sagemaker(image, tree):
    """`docker run IMAGE train` as SageMaker does it: the tree at /opt/ml, host algo-1, no network."""
    sagemaker_options = ["--network=none", "--hostname", "algo-1", "--volume", f"{tree}:/opt/ml"]
    return subprocess.run(
        ["timeout", RUN_TIMEOUT, "podman", "run", "--rm", *sagemaker_options, image, "train"],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.container
def test_trains_like_sagemaker(project, image, data, tmp_path):
    tree = prepare_tree(project, data, tmp_path, "epochs=2")

    result = run_like_sagemaker(image, tree)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (tree / "output" / "success").exists()
    assert not (tree / "output" / "failure").exists()
    assert any((tree / "model").iterdir()), "no model written"
    metrics = json.loads((tree / "output" / "data" / "metrics.json").read_text())
    assert metrics, "no metrics written"


@pytest.mark.container
def test_failing_script_reports_failure(project, image, data, tmp_path):
    tree = prepare_tree(project, data, tmp_path, "epochs=0")

    result = run_like_sagemaker(image, tree)

    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert (tree / "output" / "failure").read_text().strip()
    assert not (tree / "output" / "success").exists()
    assert not any((tree / "model").iterdir())


@pytest.mark.container
def test_image_holds_no_code_no_compiler_no_caches(project, image):
    digests = [hashlib.sha256((project / path).read_bytes()).hexdigest() for path in PROJECT_CODE]

    result = podman("run", "--rm", "--network=none", image, "python3", "-c", IMAGE_PROBE, *digests)
    facts = json.loads(result.stdout)

    assert facts["baked_code"] == []
    assert facts["compilers"] == []
    assert not facts["plotting"], "matplotlib belongs to the dev group, not the training image"
    assert facts["train"] == "/opt/venv/bin/train"
    assert not facts["opt_ml_exists"], "/opt/ml belongs to SageMaker's mount"
    assert not facts["pip_cache"]
    assert [name for name in facts["apt_lists"] if name not in ("lock", "partial", "auxfiles")] == []
    assert facts["env"] == {
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "UTF-8",
        "LANG": "C.UTF-8",
    }


@pytest.mark.container
def test_image_holds_exactly_the_lock(project, image):
    check = project_module(project / "tests" / "train_lock.py")
    environment, installed = check.probe("podman", "run", "--rm", "--network=none", image, "python3")
    pins = check.read_lock((project / "train.lock").read_text())

    wanted = {(pin.name, pin.version) for pin in pins if pin.applies(environment)}
    extra = {name for name, _ in installed} - {pin.name for pin in pins}

    assert environment["platform_machine"] == "x86_64"
    assert wanted - set(installed) == set(), "the image lacks these pins of train.lock"
    assert extra <= {"setuptools"}, "beyond the lock, only what `python -m venv` seeds (before 3.12)"


@pytest.mark.container
def test_make_train_container(project, image, base_image, tmp_path):
    data = sample_data(project, tmp_path / "data")
    result = make_train_container(
        project, image, base_image, data, tmp_path / "run", "HYPERPARAMETERS=epochs=2 task=classification"
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    tree = tmp_path / "run" / "opt" / "ml"
    assert "Training succeeded." in result.stdout
    assert f"Model:   {tree / 'model'} (model.joblib)" in result.stdout
    assert f"Metrics: {tree / 'output' / 'data' / 'metrics.json'}" in result.stdout
    hyperparameters = json.loads((tree / "input" / "config" / "hyperparameters.json").read_text())
    assert (hyperparameters["epochs"], hyperparameters["task"]) == ("2", '"classification"')
    assert epoch_count(tree / "output" / "local-run.log") == 2


def epoch_count(log):
    return sum(line.startswith("epoch=") for line in log.read_text().splitlines())


@pytest.mark.container
def test_build_and_push_through_docker_cli(project, base_image, local_registry, docker_host):
    repository = "template-tests/pushed"
    commit = git(project, "rev-parse", "--short", "HEAD")
    env = {**os.environ, "ENGINE": "docker", "DOCKER_HOST": docker_host}

    options = ["--registry", local_registry, "--repository", repository, "--build-arg", f"BASE_IMAGE={base_image}"]
    result = subprocess.run(
        ["scripts/build_and_push.sh", *options],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with urllib.request.urlopen(f"http://{local_registry}/v2/{repository}/tags/list", timeout=10) as response:
        assert sorted(json.load(response)["tags"]) == sorted([commit, "latest"])
    pushed = f"{local_registry}/{repository}"
    podman("rmi", f"{pushed}:{commit}", f"{pushed}:latest")  # so that the pull below must fetch it
    podman("pull", "--quiet", f"{pushed}:{commit}", timeout=300)
    try:
        podman("run", "--rm", "--network=none", f"{pushed}:{commit}", "python3", "-c", "import sagemaker_training")
    finally:
        podman("rmi", f"{pushed}:{commit}", check=False)


def build_and_push(project, *args, **env):
    """Run the project's script with no AWS credentials around; return the CompletedProcess."""
    clean_env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    return subprocess.run(
        ["scripts/build_and_push.sh", *args],
        cwd=project,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


BAD_ARGUMENTS = [
    ["--bogus"],
    ["--region"],
    ["--tag", "--dry-run"],
    ["--region", "EU"],
    ["--tag", "a b"],
    ["--build-arg", "NO_VALUE"],
]


@pytest.mark.parametrize("arguments", BAD_ARGUMENTS)
def test_build_and_push_refuses_bad_arguments_before_running(project, arguments):
    result = build_and_push(project, "--dry-run", *arguments)

    assert result.returncode == 2
    assert result.stdout == "", "something ran before the arguments were checked"
    assert result.stderr.startswith("build_and_push.sh: ")
    assert "usage: scripts/build_and_push.sh" in result.stderr


def test_build_and_push_help(project):
    result = build_and_push(project, "--help")

    assert result.returncode == 0
    for option in ("--region", "--repository", "--tag", "--registry", "--platform", "--build-only", "--dry-run"):
        assert option in result.stdout


def test_build_and_push_ecr_plan(project):
    commit = git(project, "rev-parse", "--short", "HEAD")

    result = build_and_push(project, "--dry-run", ENGINE="docker")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    image = "ACCOUNT_ID.dkr.ecr.us-east-1.amazonaws.com/sagemaker-training-containers/churn-model-training"
    build, only_if_missing, create, login, push_commit, push_latest, done = lines
    assert build.startswith("+ docker build --platform linux/amd64 ")
    assert f"--tag {image}:{commit} --tag {image}:latest" in build
    assert only_if_missing.startswith("# only if")
    assert "--image-scanning-configuration scanOnPush=true" in create
    assert "--encryption-configuration encryptionType=AES256" in create
    assert login == (
        "+ aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin "
        "ACCOUNT_ID.dkr.ecr.us-east-1.amazonaws.com"
    )
    assert (push_commit, push_latest) == (f"+ docker push {image}:{commit}", f"+ docker push {image}:latest")
    assert done == "Dry run: nothing was built or pushed"


def test_build_and_push_marks_uncommitted_build_inputs_dirty(default_project, tmp_path):
    project = shutil.copytree(default_project, tmp_path / default_project.name)
    commit_all(project, "Rendered project")
    commit = git(project, "rev-parse", "--short", "HEAD")
    with (project / "train.lock").open("a") as lock:
        lock.write("# changed\n")

    result = build_and_push(project, "--dry-run", "--build-only", ENGINE="docker")

    assert result.returncode == 0, result.stderr
    assert f":{commit}-dirty " in result.stdout


# The generated project's foreign-style scripts ({name: (source, model file)}), loaded from the
# template: the module holds data only.
OWN_SCRIPTS = project_module(TEMPLATE / "{{cookiecutter.project_slug}}" / "tests" / "own_scripts.py").SCRIPTS


@pytest.mark.container
@pytest.mark.parametrize("name", OWN_SCRIPTS)
def test_a_foreign_script_trains_unchanged_in_the_image(project, image, base_image, data, tmp_path, name):
    script, model_file = OWN_SCRIPTS[name]
    byos = shutil.copytree(project, tmp_path / "byos")
    (byos / "source_dir" / name).write_text(script)
    channels = tmp_path / "channels"
    shutil.copytree(data / "train", channels / "training")
    shutil.copytree(data / "validation", channels / "test")

    result = make_train_container(
        byos, image, base_image, channels, tmp_path / "run", f"ENTRY_POINT={name}", "HYPERPARAMETERS=max-iter=200"
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    model = tmp_path / "run" / "opt" / "ml" / "model"
    assert f"Model:   {model} ({model_file})" in result.stdout
