"""During a mutation run, launch.py runs in a fork of the test's process
(tests/mutations/hits/forked_launch.py): what it prints and how it exits must be what a new
Python running it prints and exits with, or the run would kill or spare mutants wrongly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "mutations" / "hits"))
import forked_launch
from support.tools import TRAIN_VENV

ROLE = "arn:aws:iam::123456789012:role/Training"
# launch.py run: (arguments, its exit status)
RUNS = {
    "a dry run": (["--dry-run", "--job-name", "forked", "--channel", "train=s3://bucket/train"], 0),
    "a usage mistake": (["--instance-count", "0"], 2),
    "a mistake found before the SDK": (["--dry-run", "--train", "missing"], 2),
}


@pytest.fixture(scope="module")
def sdk_imported():
    """This process as a mutation run's worker is: the SDK already imported."""
    forked_launch.import_the_sdk()


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """An environment with fake credentials and every AWS endpoint closed."""
    home = tmp_path_factory.mktemp("home")
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_CONFIG_FILE": str(home / "none"),
        "SAGEMAKER_ROLE_ARN": ROLE,
        "HOME": str(home),
        "TRAIN_VENV": str(TRAIN_VENV),  # the script's parser is asked, as in a project
    }


@pytest.mark.parametrize("run", RUNS)
def test_a_forked_launch_prints_and_exits_as_a_new_python_does(default_project, offline, sdk_imported, run):
    arguments, status = RUNS[run]
    command = [sys.executable, str(default_project / "launch.py"), *arguments]
    options = {"cwd": default_project, "env": offline, "capture_output": True, "text": True, "timeout": 120}

    new = subprocess.run(command, check=False, **options)
    forked = forked_launch.run(command, check=False, **options)

    assert new.returncode == status, new.stderr
    assert (forked.returncode, forked.stdout, forked.stderr) == (new.returncode, new.stdout, new.stderr)
