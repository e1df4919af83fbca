"""Helpers for the sample trainer's tests: damaged data, jobs through the toolkit, results."""

import gzip
import shutil

import joblib
import pytest

import train
import utils
from tools import job_tree, toolkit_run

TOOLKIT_TIMEOUT = 120  # seconds; a toolkit waiting for DNS would otherwise hang for 15 minutes


def corrupt(data, tmp_path, line_number, new_line, channel="train"):
    """A copy of data whose channel's first file has one line replaced."""
    copy = tmp_path / "bad-data"
    shutil.copytree(data, copy, dirs_exist_ok=True)
    path = copy / channel / "part-0000.csv"
    lines = path.read_text().splitlines()
    lines[line_number - 1] = new_line
    path.write_text("\n".join(lines) + "\n")
    return copy


def run_job(data, work, **hyperparameters):
    """One job through the toolkit's `train`, as SageMaker would start it."""
    tree = job_tree.prepare_job_tree(data, work, hyperparameters)
    result = toolkit_run.run_toolkit(tree, capture_output=True, text=True, timeout=TOOLKIT_TIMEOUT)
    return tree, result


def epoch_lines(log):
    return [line for line in log.splitlines() if line.startswith("epoch=")]


def trained_model(tree):
    return joblib.load(tree / "model" / "model.joblib").named_steps["model"]


def write(path, text):
    """A data file holding text (gzipped when its name ends in .gz), folders and all; its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def read_labels(files, cache, **options):
    """Every label read_batches yields from files, in order (two rows a batch)."""
    batches = utils.read_batches(files, 2, cache=cache, **options)
    return [label for _, labels in batches for label in labels]


def use_channels(monkeypatch, data):
    for channel in ("train", "validation"):
        if (data / channel).is_dir():
            monkeypatch.setenv(f"SM_CHANNEL_{channel.upper()}", str(data / channel))


def failure_of(job_env, argv):
    """Run train.py in-process, expecting a failure; return its one-line reason."""
    with pytest.raises(SystemExit) as exit_info:
        train.main(argv)

    assert exit_info.value.code == 1
    failure = (job_env / "output" / "failure").read_text()
    assert failure.count("\n") == 1
    return failure.strip()
