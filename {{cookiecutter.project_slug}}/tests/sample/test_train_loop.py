"""train.py's loop in-process, against what the test works out itself: what the log says, the
model the hyperparameters ask for, the training loss over several batches, the class limit,
which channel a mistake is in, and a job resumed after its last epoch."""

import math
import shutil

import joblib
import numpy as np
import pandas as pd
import pytest
from sample_jobs import failure_of, use_channels
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import StandardScaler

import train


def written_lines(capsys):
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("channels", [("train", "validation"), ("train",)])
def test_the_log_says_where_which_files_each_epoch_and_where_the_results_are(
    job_env, classification_data, monkeypatch, capsys, channels
):
    for channel in channels:
        monkeypatch.setenv(f"SM_CHANNEL_{channel.upper()}", str(classification_data / channel))
    monkeypatch.setenv("SM_HOSTS", '["algo-1", "algo-2"]')
    monkeypatch.setenv("SM_CURRENT_HOST", "algo-1")
    counts = [len(list((classification_data / c).iterdir())) for c in channels] + [0]

    train.main(["--epochs", "2"])

    lines = written_lines(capsys)
    assert lines[0].startswith(
        f"Host algo-1 (1 of 2): {counts[0]} training and {counts[1]} validation files; Namespace("
    )
    assert [line.split()[0] for line in lines if line.startswith("epoch=")] == [
        "epoch=1",
        "epoch=2",
    ]
    assert lines[-1] == (
        f"Saved the model to {job_env / 'model'} and the metrics to {job_env / 'output' / 'data'}"
    )


def test_the_model_learns_as_the_hyperparameters_say(job_env, classification_data, monkeypatch):
    use_channels(monkeypatch, classification_data)

    train.main(["--epochs", "1", "--alpha", "0.01", "--learning-rate", "0.05", "--seed", "7"])

    model = joblib.load(job_env / "model" / "model.joblib").named_steps["model"]
    settings = {name: model.get_params()[name] for name in ("alpha", "eta0", "random_state")}
    assert settings == {"alpha": 0.01, "eta0": 0.05, "random_state": 7}
    # The learning rate given is where the step size starts (README), not a fixed step.
    assert (model.loss, model.learning_rate) == ("log_loss", "invscaling")


def test_the_training_loss_scores_every_batch_before_the_model_learns_from_it(
    job_env, classification_data, monkeypatch
):
    one_file = job_env / "train" / "part-0000.csv"  # batches end at a file's end
    one_file.parent.mkdir()
    shutil.copy(classification_data / "train" / one_file.name, one_file)
    monkeypatch.setenv("SM_CHANNEL_TRAIN", str(one_file.parent))

    train.main(["--epochs", "1", "--batch-size", "100", "--seed", "3"])

    # The same model, fed the same batches, scored by scikit-learn before each partial_fit.
    rows = pd.read_csv(one_file).to_numpy()
    labels, features = rows[:, 0], StandardScaler().fit_transform(rows[:, 1:])
    model = SGDClassifier(loss="log_loss", learning_rate="invscaling", eta0=0.1, random_state=3)
    losses = []
    for start in range(0, len(rows), 100):
        x, y = features[start : start + 100], labels[start : start + 100]
        if start == 0:  # all zeros: a coin toss between the two classes
            losses += [math.log(2)] * len(y)
        else:
            picked = model.predict_proba(x)[np.arange(len(y)), np.searchsorted(model.classes_, y)]
            losses += list(-np.log(picked))
        model.partial_fit(x, y, classes=[0.0, 1.0])
    metrics = pd.read_json(job_env / "output" / "data" / "metrics.json", typ="series")
    assert len(rows) > 300  # several batches
    assert metrics["train:loss"] == pytest.approx(np.mean(losses), rel=1e-9)


def test_a_sure_and_wrong_prediction_costs_a_finite_loss():
    model = SGDClassifier(loss="log_loss").partial_fit([[1.0], [-1.0]], [1, 0], classes=[0, 1])
    model.coef_[...] = 1e6  # certain that a positive feature is class 1

    losses = train.row_losses(model, np.array([[1.0]]), np.array([0]))

    assert losses == pytest.approx([-math.log(1e-15)])


def labelled_rows(folder, labels):
    folder.mkdir(parents=True)
    (folder / "part-0000.csv").write_text("".join(f"{label},{label % 7}\n" for label in labels))
    return folder


@pytest.mark.parametrize("count", [100, 101])
def test_more_than_a_hundred_classes_is_taken_for_regression_data(job_env, monkeypatch, count):
    folder = labelled_rows(job_env / "train", range(count))
    monkeypatch.setenv("SM_CHANNEL_TRAIN", str(folder))

    if count == 100:
        train.main(["--epochs", "1"])
        assert (job_env / "model" / "model.joblib").is_file()
    else:
        assert failure_of(job_env, ["--epochs", "1"]) == (
            "train channel: more than 100 distinct labels; "
            "is this regression data? (set the task hyperparameter to regression)"
        )


@pytest.mark.parametrize("channel", ["train", "validation"])
def test_an_empty_channel_is_named(job_env, classification_data, monkeypatch, channel):
    use_channels(monkeypatch, classification_data)
    empty = job_env / "empty"
    empty.mkdir()
    monkeypatch.setenv(f"SM_CHANNEL_{channel.upper()}", str(empty))

    failure = failure_of(job_env, ["--epochs", "1"])

    assert failure == f"{channel} channel: no .csv or .csv.gz files in {empty}"


def test_a_job_resumed_after_its_last_epoch_only_saves_the_results(
    job_env, classification_data, monkeypatch, capsys
):
    use_channels(monkeypatch, classification_data)
    train.main(["--epochs", "2"])
    (job_env / "model" / "model.joblib").unlink()  # say, the job stopped before saving it
    capsys.readouterr()

    train.main(["--epochs", "2"])

    lines = written_lines(capsys)
    assert f"Resuming after epoch 2 from {job_env / 'checkpoints' / 'algo-1'}" in lines
    assert not [line for line in lines if line.startswith("epoch=")]
    assert (job_env / "model" / "model.joblib").is_file()
