"""Default job names: the base name and the UTC time, as the SDK names its jobs, within
SageMaker's limits (63 characters for a training job, 32 for a tuning job)."""

import calendar
import time

import pytest

from tools import contract, run_requests
from tools.cli import UserError

STAMP_LENGTH = len("-20261204031500")


def stamp_seconds(name):
    """The time a job name's stamp says, read as UTC, in seconds since the epoch."""
    return calendar.timegm(time.strptime(name[-14:], "%Y%m%d%H%M%S"))


def test_the_stamp_is_utc_whatever_the_machines_time_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # nine hours from UTC, no summer time
    time.tzset()
    try:
        name = contract.job_name("churn")
    finally:
        monkeypatch.undo()  # the machine's own TZ back, for the tests after this one
        time.tzset()

    assert abs(stamp_seconds(name) - time.time()) < 60


@pytest.mark.parametrize(
    ("base", "kept"),
    [
        ("churn", "churn"),
        ("customer-churn-prediction", "customer-churn-pr"),
        ("Customer-Churn-X-prediction", "Customer-Churn-X"),  # no hyphen left before the stamp
    ],
)
def test_a_tuning_job_name_keeps_what_fits_in_32_characters(base, kept):
    name = contract.tuning_job_name(base)

    assert name[:-STAMP_LENGTH] == kept
    assert len(name) <= 32


def test_the_default_names_start_with_the_projects_base_job_name():
    training, tuning = run_requests.default_job_name(), run_requests.default_job_name(tuning=True)

    assert training[:-STAMP_LENGTH] == run_requests.BASE_JOB_NAME  # the answer, whole
    assert run_requests.BASE_JOB_NAME.startswith(tuning[:-STAMP_LENGTH])
    assert len(training) <= 63 and len(tuning) <= 32


def test_a_base_job_name_sagemaker_refuses_is_one_line(monkeypatch):
    monkeypatch.setattr(run_requests, "BASE_JOB_NAME", "churn_model")

    with pytest.raises(UserError) as error:
        run_requests.default_job_name()

    assert str(error.value) == (
        "BASE_JOB_NAME 'churn_model' gives an invalid job name: pass --job-name"
    )
