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
