"""`make train-local` with the sample trainer: where its results are, and its own reasons."""

import subprocess
import sys

import pytest

import local_run

pytestmark = pytest.mark.toolkit


def run_cli(*args):
    return subprocess.run(
        [sys.executable, local_run.__file__, *args], capture_output=True, text=True, timeout=120
    )


def test_train_local_runs_the_toolkit_and_says_where_the_results_are(data, tmp_path):
    result = run_cli("--data", str(data), "--work", str(tmp_path), "--hyperparameter", "epochs=2")

    assert result.returncode == 0, result.stderr
    tree = tmp_path / "opt" / "ml"
    assert f"Model:   {tree / 'model'}" in result.stdout
    assert f"Metrics: {tree / 'output' / 'data' / 'metrics.json'}" in result.stdout
    assert (tree / "model" / "model.joblib").is_file()
    assert (tree / "output" / "success").exists()


def test_train_local_reports_a_failed_job_in_one_line(data, tmp_path):
    result = run_cli("--data", str(data), "--work", str(tmp_path), "--hyperparameter", "epochs=0")

    assert result.returncode == 1
    reason = "hyperparameters: argument --epochs: must be at least 1, got 0"
    assert result.stderr.strip().splitlines()[-2] == f"Training failed: {reason}"
