"""Fixtures for the sample trainer's tests: its own sample data, one set per task."""

import pytest

from scripts.make_data import write_sample_data


@pytest.fixture(scope="module")
def classification_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("classification")
    write_sample_data(data, rows=2000, task="classification")
    return data


@pytest.fixture(scope="module")
def regression_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("regression")
    write_sample_data(data, rows=2000, task="regression")
    return data


@pytest.fixture
def job_env(tmp_path, monkeypatch):
    """Point train.py at tmp_path the way the toolkit would; returns the base dir."""
    monkeypatch.setenv("SAGEMAKER_BASE_DIR", str(tmp_path))
    monkeypatch.setenv("SM_MODEL_DIR", str(tmp_path / "model"))
    monkeypatch.setenv("SM_OUTPUT_DIR", str(tmp_path / "output"))
    monkeypatch.setenv("SM_OUTPUT_DATA_DIR", str(tmp_path / "output" / "data"))
    monkeypatch.chdir(tmp_path)  # no data/ here: only the SM_CHANNEL_* variables count
    return tmp_path
