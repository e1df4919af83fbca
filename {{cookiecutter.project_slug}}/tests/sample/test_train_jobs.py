"""train.py as SageMaker runs it: real jobs through the toolkit's `train` (JSON
hyperparameters, a sourcedir.tar.gz), a failing job, and a killed job resumed."""

import json
import os
import re
import shutil
import signal
import subprocess
import time

import joblib
import numpy as np
import pandas as pd
import pytest
from sample_jobs import TOOLKIT_TIMEOUT, corrupt, epoch_lines, run_job, trained_model

from tools import job_tree, toolkit_run


@pytest.mark.toolkit
def test_toolkit_job_trains_a_classifier(classification_data, tmp_path):
    tree, result = run_job(classification_data, tmp_path, epochs=4)

    assert result.returncode == 0, result.stderr
    assert (tree / "output" / "success").exists()
    lines = epoch_lines(result.stdout)
    assert len(lines) == 4
    for name in ("train:loss", "validation:loss", "validation:accuracy"):
        assert all(re.search(rf"(^| ){name}=([-+0-9.eE]+)( |$)", line) for line in lines)
    metrics = json.loads((tree / "output" / "data" / "metrics.json").read_text())
    assert metrics["validation:accuracy"] > 0.85  # the sample data is learnable
    assert metrics["validation:loss"] < 0.45  # well below log(2), a coin toss
    pipeline = joblib.load(tree / "model" / "model.joblib")
    assert pipeline.predict(np.zeros((2, 6))).shape == (2,)
    # The reported accuracy is the saved model's own on the validation rows, exactly.
    validation = pd.read_csv(classification_data / "validation" / "part-0000.csv")
    features, labels = validation.iloc[:, 1:].to_numpy(), validation.iloc[:, 0].to_numpy()
    assert metrics["validation:accuracy"] == (pipeline.predict(features) == labels).mean()


@pytest.mark.toolkit
def test_toolkit_job_trains_a_regressor(regression_data, tmp_path):
    tree, result = run_job(regression_data, tmp_path, task="regression", epochs=4)

    assert result.returncode == 0, result.stderr
    metrics = json.loads((tree / "output" / "data" / "metrics.json").read_text())
    assert set(metrics) == {"train:loss", "validation:loss", "validation:rmse"}
    # The labels' noise has a standard deviation of 1.5; their spread is about 3 times that.
    assert metrics["validation:rmse"] < 2.0


@pytest.mark.toolkit
@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("cell", r"train/part-0000\.csv, line 3, column 2: 'n/a' is not a number"),
        ("no-train-channel", r"no train channel"),
        ("hyperparameter", r"hyperparameters: unrecognized arguments: --epoch 3"),
    ],
)
def test_toolkit_job_fails_in_one_line(classification_data, tmp_path, damage, expected):
    data, hyperparameters = classification_data, {}
    if damage == "cell":
        data = corrupt(classification_data, tmp_path, 3, "1,n/a,2,3,4,5,6")
    elif damage == "no-train-channel":
        data = tmp_path / "data"
        shutil.copytree(classification_data / "validation", data / "validation")
    else:
        hyperparameters = {"epoch": 3}

    tree, result = run_job(data, tmp_path / "work", **hyperparameters)

    assert result.returncode != 0
    failure = (tree / "output" / "failure").read_text()
    assert re.search(expected, failure) and failure.count("\n") == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tree / "output" / "success").exists()


def wait_for_checkpoint(folder, process, deadline):
    while time.monotonic() < deadline and process.poll() is None:
        if list(folder.glob("epoch-*.joblib")):
            return
        time.sleep(0.005)
    raise AssertionError("no checkpoint appeared while the job ran")


@pytest.mark.toolkit
def test_a_killed_job_resumes_to_the_same_model(classification_data, tmp_path):
    epochs = 12
    hyperparameters = {"epochs": epochs, "seed": 3}
    whole_tree, whole = run_job(classification_data, tmp_path / "whole", **hyperparameters)
    assert whole.returncode == 0, whole.stderr

    # Kill the toolkit and train.py together, as a spot interruption would.
    tree = job_tree.prepare_job_tree(classification_data, tmp_path / "killed", hyperparameters)
    command, env = toolkit_run.toolkit_command(tree)
    job = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    checkpoints = tree / "checkpoints" / "algo-1"
    try:
        wait_for_checkpoint(checkpoints, job, time.monotonic() + TOOLKIT_TIMEOUT)
    finally:
        os.killpg(job.pid, signal.SIGKILL)
        job.wait()
    assert not (tree / "output" / "success").exists()
    assert not (tree / "model" / "model.joblib").exists()

    restarted = toolkit_run.run_toolkit(
        tree, capture_output=True, text=True, timeout=TOOLKIT_TIMEOUT
    )

    assert restarted.returncode == 0, restarted.stderr
    resumed_after = int(re.search(r"Resuming after epoch (\d+)", restarted.stdout).group(1))
    assert 1 <= resumed_after < epochs
    assert len(epoch_lines(restarted.stdout)) == epochs - resumed_after
    whole_model, resumed_model = trained_model(whole_tree), trained_model(tree)
    assert np.array_equal(resumed_model.coef_, whole_model.coef_)
    assert np.array_equal(resumed_model.intercept_, whole_model.intercept_)
