"""local_run.py: its command line, its one-line mistakes, and a run with the AWS libraries
unimportable (the tree it builds is in test_job_tree.py)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import local_run
from tools import job_tree
from tools.project import PROJECT_DIR


def run_cli(*args):
    return subprocess.run(
        [sys.executable, local_run.__file__, *args], capture_output=True, text=True, timeout=120
    )


def test_a_tree_it_cannot_delete_is_one_line_with_the_fix(data, tmp_path, monkeypatch, capsys):
    tree = job_tree.prepare_job_tree(data, tmp_path)
    delete = shutil.rmtree

    def owned_by_root(path, *args, **kwargs):  # what a rootful `docker run` leaves behind
        if path.name == "model":
            raise PermissionError(13, "Permission denied", str(path / "model.joblib"))
        delete(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", owned_by_root)
    status = local_run.main(["--data", str(data), "--work", str(tmp_path), "--prepare-only"])

    assert status == 2  # a user error
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert f"Permission denied: {tree / 'model' / 'model.joblib'}" in error
    assert f"delete it with `sudo rm -rf {tree}`" in error
    assert (tree / "input" / "config").is_dir()  # still known as a tree: deleted once fixed


def test_prepare_only_prints_the_tree_with_the_command_lines_hyperparameters(data, tmp_path):
    hyperparameters = ["epochs=5", "learning-rate=0.5", "task=regression", "note=a=b"]
    options = [option for text in hyperparameters for option in ("--hyperparameter", text)]

    result = run_cli("--data", str(data), "--work", str(tmp_path), "--prepare-only", *options)

    assert result.returncode == 0, result.stderr
    tree = tmp_path / "opt" / "ml"
    assert result.stdout.strip() == str(tree)
    assert not (tree / "output" / "success").exists()
    written = json.loads((tree / "input" / "config" / "hyperparameters.json").read_text())
    decoded = {key: json.loads(value) for key, value in written.items()}
    expected = {"epochs": 5, "learning-rate": 0.5, "task": "regression", "note": "a=b"}
    assert decoded.items() >= expected.items()


# Run in a fresh interpreter where importing the AWS libraries fails.
WITHOUT_AWS = """
import sys


class NoAws:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {"sagemaker", "boto3", "botocore"}:
            raise ImportError(f"{name} is blocked: local_run.py must work offline")


sys.meta_path.insert(0, NoAws())
sys.path.insert(0, sys.argv.pop(1))
import local_run

sys.exit(local_run.main(sys.argv[1:]))
"""


def test_local_run_works_with_the_aws_libraries_unimportable(data, tmp_path):
    project_dir = str(Path(local_run.__file__).parent)
    arguments = ["--data", str(data), "--work", str(tmp_path), "--prepare-only"]
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_AWS, project_dir, *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "opt" / "ml" / "sourcedir.tar.gz").is_file()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--hyperparameter", "epochs"], "malformed hyperparameter 'epochs'"),
        (["--hyperparameter", "sagemaker_program=x.py"], "name the script with --entry-point"),
        (["--hyperparameter", "sagemaker_region=x"], "sagemaker_region is reserved"),
        (["--entry-point", "nowhere.py"], "nowhere.py is missing"),
        (["--job-base-dir", "opt/ml", "--prepare-only"], "is not an absolute path"),
        (["--job-base-dir", "/opt/ml"], "add --prepare-only"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_usage_mistakes_are_one_line(data, tmp_path, args, expected):
    result = run_cli("--data", str(data), "--work", str(tmp_path), *args)

    assert result.returncode != 0
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_data_points_at_make_data(tmp_path):
    result = run_cli("--data", str(tmp_path / "nowhere"), "--work", str(tmp_path))

    assert result.returncode == 2  # a user error
    assert "`make data`" in result.stderr and result.stderr.count("\n") == 1


def test_a_data_folder_without_channels_is_refused_and_left_alone(tmp_path):
    empty = tmp_path / "mine"
    empty.mkdir()

    result = run_cli("--data", str(empty), "--work", str(tmp_path / "work"))

    assert result.returncode == 2
    assert "holds no channel folders" in result.stderr and result.stderr.count("\n") == 1
    assert list(empty.iterdir()) == []


def test_make_fills_only_the_default_data_folder_with_the_sample(tmp_path):
    """`make train-local DATA=elsewhere` must not write the sample set there."""
    planned = subprocess.run(
        ["make", "--dry-run", "train-local", f"DATA={tmp_path}", "HYPERPARAMETERS=epochs=2"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "make_data.py" not in planned
    assert f"--data {tmp_path}" in planned and "--hyperparameter epochs=2" in planned
