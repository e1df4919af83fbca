"""train.py as SageMaker runs it: real jobs through the toolkit's `train` (JSON
hyperparameters, a sourcedir.tar.gz), a failing job, and a killed job resumed."""

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

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


# Put on the killed job's PYTHONPATH, this stops the process (SIGSTOP) right after it writes its
# first checkpoint, after naming itself in a file: the test kills it there, whatever the load.
STOP_AT_FIRST_CHECKPOINT = """
import os, pathlib, signal

_replace = os.replace


def replace(source, target, *args, **kwargs):
    _replace(source, target, *args, **kwargs)
    if pathlib.Path(target).name.startswith("epoch-"):
        named = pathlib.Path(os.environ["STOPPED_PID_FILE"])
        named.with_suffix(".partial").write_text(str(os.getpid()))
        _replace(named.with_suffix(".partial"), named)
        os.kill(os.getpid(), signal.SIGSTOP)


os.replace = replace
"""


def gated_environment(env, tmp_path):
    """env with the checkpoint gate on its PYTHONPATH; returns it and the file that will name
    the stopped process."""
    gate = tmp_path / "gate"
    gate.mkdir()
    (gate / "sitecustomize.py").write_text(STOP_AT_FIRST_CHECKPOINT)
    stopped = tmp_path / "stopped.pid"
    path = os.pathsep.join(filter(None, [str(gate), env.get("PYTHONPATH")]))
    return {**env, "PYTHONPATH": path, "STOPPED_PID_FILE": str(stopped)}, stopped


def wait_until_stopped(pid_file, job, deadline):
    """The pid of the process the gate stopped, once it is stopped (state T)."""
    while time.monotonic() < deadline and job.poll() is None:
        if pid_file.exists():
            pid = int(pid_file.read_text())
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
            if state == "T":
                return pid
        time.sleep(0.05)
    raise AssertionError(f"the job never stopped at its first checkpoint (exit {job.poll()})")


@pytest.mark.toolkit
def test_a_killed_job_resumes_to_the_same_model(classification_data, tmp_path):
    epochs = 12
    hyperparameters = {"epochs": epochs, "seed": 3}
    whole_tree, whole = run_job(classification_data, tmp_path / "whole", **hyperparameters)
    assert whole.returncode == 0, whole.stderr

    # Stop the job at its first checkpoint, then kill the toolkit and train.py together, as a
    # spot interruption would.
    tree = job_tree.prepare_job_tree(classification_data, tmp_path / "killed", hyperparameters)
    command, env = toolkit_run.toolkit_command(tree)
    env, pid_file = gated_environment(env, tmp_path)
    job = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_stopped(pid_file, job, time.monotonic() + TOOLKIT_TIMEOUT)
    finally:
        os.killpg(job.pid, signal.SIGKILL)
        job.wait()
    checkpoints = tree / "checkpoints" / "algo-1"
    assert [p.name for p in checkpoints.iterdir()] == ["epoch-0001.joblib"]
    assert not (tree / "output" / "success").exists()
    assert not (tree / "model" / "model.joblib").exists()

    restarted = toolkit_run.run_toolkit(
        tree, capture_output=True, text=True, timeout=TOOLKIT_TIMEOUT
    )

    assert restarted.returncode == 0, restarted.stderr
    assert "Resuming after epoch 1 " in restarted.stdout
    assert len(epoch_lines(restarted.stdout)) == epochs - 1
    whole_model, resumed_model = trained_model(whole_tree), trained_model(tree)
    assert np.array_equal(resumed_model.coef_, whole_model.coef_)
    assert np.array_equal(resumed_model.intercept_, whole_model.intercept_)
