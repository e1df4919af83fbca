"""A local run trains where the image would: in the `train` group alone (TRAIN_VENV), with
source_dir/requirements.txt installed for that run only."""

import subprocess
import sys

import pytest

import local_run
from tools.project import TRAIN_VENV

pytestmark = pytest.mark.toolkit


def run_script(data, tmp_path, script, requirements=None):
    code = tmp_path / "code"
    code.mkdir()
    (code / "train.py").write_text(script)
    if requirements:
        (code / "requirements.txt").write_text(requirements)
    arguments = ["--data", str(data), "--work", str(tmp_path / "work"), "--source-dir", str(code)]
    return subprocess.run(
        [sys.executable, local_run.__file__, *arguments],
        capture_output=True,
        text=True,
        timeout=300,
    )


def importable_in_the_train_venv(module):
    probe = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
    return subprocess.run([TRAIN_VENV / "bin" / "python", "-c", probe], check=False).returncode == 0


def test_an_import_the_image_lacks_fails_here_too(data, tmp_path):
    # pytest is in the dev environment that runs this test, not in the image's `train` group.
    assert not importable_in_the_train_venv("pytest")

    result = run_script(data, tmp_path, "import pytest\n")

    assert result.returncode == 1
    assert "Training failed: ModuleNotFoundError: No module named 'pytest'" in result.stderr


def test_the_scientific_stack_is_there(data, tmp_path):
    script = "import numpy, pandas, scipy, sklearn\nprint('stack', pandas.__version__)\n"

    result = run_script(data, tmp_path, script)

    assert result.returncode == 0, result.stderr
    assert "stack " in result.stdout


def test_requirements_are_installed_for_the_run_only(data, tmp_path):
    assert not importable_in_the_train_venv("tomli_w")
    script = "import tomli_w\nprint(tomli_w.dumps({'installed': True}))\n"

    result = run_script(data, tmp_path, script, requirements="tomli-w==1.2.0\n")

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "installed = true" in result.stdout
    assert not importable_in_the_train_venv("tomli_w")
