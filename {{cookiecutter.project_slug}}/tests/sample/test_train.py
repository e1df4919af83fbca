"""train.py in-process: whole runs, failures, resuming, the loss, direct runs."""

import json
import math
import os
import re
import shutil
import subprocess
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
from sample_jobs import TOOLKIT_TIMEOUT, corrupt, epoch_lines, failure_of, use_channels
from sklearn.metrics import log_loss, mean_squared_error

import train
import utils

# Whole runs in-process, with the SM_* environment the toolkit would set.


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_metrics_are_the_saved_models_own_on_the_validation_rows(
    job_env, classification_data, regression_data, monkeypatch, task
):
    data = classification_data if task == "classification" else regression_data
    use_channels(monkeypatch, data)

    train.main(["--task", task, "--epochs", "2", "--batch-size", "64"])  # several batches

    metrics = json.loads((job_env / "output" / "data" / "metrics.json").read_text())
    pipeline = joblib.load(job_env / "model" / "model.joblib")
    assert [name for name, _ in pipeline.steps] == ["scale", "model"]
    rows = pd.concat(pd.read_csv(path) for path in sorted((data / "validation").iterdir()))
    labels, features = rows.iloc[:, 0].to_numpy(), rows.iloc[:, 1:].to_numpy()
    if task == "classification":
        loss = log_loss(labels, pipeline.predict_proba(features), labels=pipeline.classes_)
        accuracy = (pipeline.predict(features) == labels).mean()
        expected = {"validation:loss": loss, "validation:accuracy": accuracy}
    else:
        loss = mean_squared_error(labels, pipeline.predict(features))
        expected = {"validation:loss": loss, "validation:rmse": np.sqrt(loss)}
    assert {name: metrics[name] for name in expected} == pytest.approx(expected, rel=1e-9)


def test_every_host_checkpoints_but_only_the_first_saves_the_model(
    job_env, classification_data, monkeypatch
):
    use_channels(monkeypatch, classification_data)
    monkeypatch.setenv("SM_HOSTS", '["algo-1", "algo-2"]')
    monkeypatch.setenv("SM_CURRENT_HOST", "algo-2")

    train.main(["--epochs", "2"])

    assert (job_env / "checkpoints" / "algo-2" / "epoch-0002.joblib").is_file()
    assert not (job_env / "model").exists()


def test_resuming_with_other_hyperparameters_is_refused(job_env, classification_data, monkeypatch):
    use_channels(monkeypatch, classification_data)
    train.main(["--epochs", "1"])

    with pytest.raises(SystemExit) as exit_info:
        train.main(["--epochs", "2", "--learning-rate", "0.5", "--seed", "7"])

    assert exit_info.value.code == 1
    failure = (job_env / "output" / "failure").read_text()
    assert failure.endswith(
        "made with other learning_rate, seed; "
        "restore those hyperparameters or delete the checkpoint folder\n"
    )


@pytest.mark.parametrize(
    ("line_number", "new_line", "expected"),
    [
        (4, "1,2,3,x,5,6,7", r"part-0000\.csv, line 4, column 4: 'x' is not a number"),
        (7, "1,2,3", r"part-0000\.csv, line 7: 3 columns, expected 7"),
    ],
)
def test_bad_training_data_fails_in_one_line(
    job_env, classification_data, monkeypatch, capsys, line_number, new_line, expected
):
    use_channels(monkeypatch, corrupt(classification_data, job_env, line_number, new_line))

    with pytest.raises(SystemExit) as exit_info:
        train.main([])

    assert exit_info.value.code == 1
    failure = (job_env / "output" / "failure").read_text()
    assert re.search(expected, failure) and failure.count("\n") == 1
    assert capsys.readouterr().err == f"error: {failure}"
    assert not (job_env / "model").exists()


def test_labels_unseen_in_training_fail_validation(job_env, classification_data, monkeypatch):
    use_channels(monkeypatch, classification_data)
    shutil.copytree(classification_data / "validation", job_env / "validation")
    (job_env / "validation" / "extra.csv").write_text("7,1,2,3,4,5,6\n")
    monkeypatch.setenv("SM_CHANNEL_VALIDATION", str(job_env / "validation"))

    failure = failure_of(job_env, ["--epochs", "1"])

    assert re.search(r"extra\.csv, line 1: label 7 is not one of the model's classes", failure)
    assert failure.endswith("(0, 1): a label never seen in the training data it started from")


def test_validation_data_must_be_as_wide_as_the_training_data(
    job_env, classification_data, monkeypatch
):
    wider = corrupt(classification_data, job_env, 2, "1,2,3,4,5,6,7,8", channel="validation")
    use_channels(monkeypatch, wider)

    failure = failure_of(job_env, ["--epochs", "1"])

    assert re.search(r"validation/part-0000\.csv, line 2: 8 columns, expected 7", failure)
    assert not (job_env / "model").exists()


def test_a_single_class_is_one_line(job_env, monkeypatch):
    path = job_env / "data" / "train" / "part-0000.csv"
    path.parent.mkdir(parents=True)
    path.write_text("label,x\n1,0.5\n1,0.7\n")
    monkeypatch.setenv("SM_CHANNEL_TRAIN", str(path.parent))

    failure = failure_of(job_env, ["--epochs", "1"])

    assert failure == "train channel: every label is 1; classification needs two or more"


# Resuming from a checkpoint: only what the checkpoint can continue.


def test_a_checkpoint_past_the_epochs_asked_for_is_refused(
    job_env, classification_data, monkeypatch
):
    use_channels(monkeypatch, classification_data)
    train.main(["--epochs", "3"])

    failure = failure_of(job_env, ["--epochs", "2"])

    assert failure.endswith(
        "is from epoch 3, past the 2 epochs asked for; raise epochs or delete the checkpoint folder"
    )


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("0,1,2,3,4,5,6\n7,1,2,3,4,5,6\n", r"new\.csv, line 2: label 7 is not one of the model's"),
        ("0,1,2,3,4,5,6,7\n1,1,2,3,4,5,6,7\n", r"new\.csv, line 1: 8 columns, expected 7"),
    ],
)
def test_resuming_on_data_the_checkpoint_cannot_take_is_one_line(
    job_env, classification_data, monkeypatch, rows, expected
):
    use_channels(monkeypatch, classification_data)
    train.main(["--epochs", "1"])
    new_data = job_env / "new-train" / "new.csv"
    new_data.parent.mkdir()
    new_data.write_text(rows)
    monkeypatch.setenv("SM_CHANNEL_TRAIN", str(new_data.parent))

    failure = failure_of(job_env, ["--epochs", "2"])

    assert re.search(expected, failure)


# The training loss scores each batch before the model learns from it.


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_one_batch_is_scored_by_the_model_before_it_learned(
    job_env, classification_data, regression_data, monkeypatch, task
):
    data = classification_data if task == "classification" else regression_data
    one_file = job_env / "train" / "part-0000.csv"  # batches end at a file's end
    one_file.parent.mkdir()
    shutil.copy(data / "train" / one_file.name, one_file)
    monkeypatch.setenv("SM_CHANNEL_TRAIN", str(one_file.parent))

    train.main(["--task", task, "--epochs", "1", "--batch-size", "100000"])

    metrics = json.loads((job_env / "output" / "data" / "metrics.json").read_text())
    [(_, labels)] = utils.read_batches([one_file], 100000)
    # An untrained model is all zeros: a coin toss between the two classes, or 0 for every row.
    untrained_loss = math.log(2) if task == "classification" else np.mean(labels**2)
    assert metrics["train:loss"] == pytest.approx(untrained_loss)


def test_regression_data_as_classification_is_caught(job_env, regression_data, monkeypatch):
    use_channels(monkeypatch, regression_data)

    with pytest.raises(SystemExit):
        train.main([])

    assert "is this regression data?" in (job_env / "output" / "failure").read_text()


# Direct runs: `python source_dir/train.py`, outside any job.


def run_directly(project, cwd, *arguments):
    """train.py as a person runs it from a checkout: no toolkit, no SM_* environment."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SM_", "SAGEMAKER_"))
    }
    environ["PYTHONDONTWRITEBYTECODE"] = "1"  # source_dir/ is compared before and after
    return subprocess.run(
        [sys.executable, str(project / "source_dir" / "train.py"), *arguments],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=TOOLKIT_TIMEOUT,
        check=False,
    )


def test_a_direct_run_writes_model_and_metrics_in_the_project(project):
    result = run_directly(project, project, "--epochs", "3")

    assert result.returncode == 0, result.stderr
    assert len(epoch_lines(result.stdout)) == 3
    written = project / ".local-run" / "direct"
    metrics = json.loads((written / "output" / "data" / "metrics.json").read_text())
    assert set(metrics) == {"train:loss", "validation:loss", "validation:accuracy"}
    assert (written / "model" / "model.joblib").is_file()


def test_a_direct_run_starts_afresh_rather_than_resuming(project):
    first = run_directly(project, project, "--epochs", "2")
    assert first.returncode == 0, first.stderr

    again = run_directly(project, project, "--epochs", "2")  # say, after an edit to the code

    assert again.returncode == 0, again.stderr
    checkpoints = project / ".local-run" / "direct" / "checkpoints" / "algo-1"
    assert f"Starting afresh: deleted the checkpoints in {checkpoints}" in again.stdout
    assert len(epoch_lines(again.stdout)) == 2
    assert sorted(p.name for p in checkpoints.iterdir()) == [
        "epoch-0001.joblib",
        "epoch-0002.joblib",
    ]


def test_a_direct_run_from_source_dir_writes_nothing_there(project):
    shipped = sorted(p.name for p in (project / "source_dir").iterdir())

    result = run_directly(project, project / "source_dir", "--epochs", "1")

    assert result.returncode == 1
    assert "there is no data/train here" in result.stderr
    assert (project / ".local-run" / "direct" / "output" / "failure").is_file()
    assert sorted(p.name for p in (project / "source_dir").iterdir()) == shipped
