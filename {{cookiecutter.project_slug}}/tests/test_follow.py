"""Following a job prints each change of its progress once, and its log as it comes. moto's
jobs end at once, so the stages of real ones are scripted here (the describes only)."""

import pytest

from tools import follow

TRAINING = [
    {"TrainingJobStatus": "InProgress"},  # just created
    {"TrainingJobStatus": "InProgress", "SecondaryStatus": "Starting",
     "SecondaryStatusTransitions": [{"StatusMessage": "Launching requested ML instances"}]},
    {"TrainingJobStatus": "InProgress", "SecondaryStatus": "Starting",
     "SecondaryStatusTransitions": [{"StatusMessage": "Launching requested ML instances"}]},
    {"TrainingJobStatus": "InProgress", "SecondaryStatus": "Training",
     "SecondaryStatusTransitions": [{}, {"StatusMessage": "Training image download completed"}]},
    {"TrainingJobStatus": "Failed", "SecondaryStatus": "Failed", "FailureReason": "OOM"},
]  # fmt: skip
TUNING = [
    {"HyperParameterTuningJobStatus": "InProgress"},  # just created
    {"HyperParameterTuningJobStatus": "InProgress", "TrainingJobStatusCounters": {}},
    {"HyperParameterTuningJobStatus": "InProgress",
     "TrainingJobStatusCounters": {"InProgress": 2, "Completed": 0}},
    {"HyperParameterTuningJobStatus": "InProgress",
     "TrainingJobStatusCounters": {"InProgress": 1, "Completed": 1}},
    {"HyperParameterTuningJobStatus": "Completed",
     "TrainingJobStatusCounters": {"InProgress": 0, "Completed": 6}},
]  # fmt: skip


def test_a_training_job_shows_each_stage_once_and_its_log(capsys):
    stages, logs = iter(TRAINING), iter([[], [], ["algo-1 | epoch=1"], [], ["algo-1 | oom"]])
    pauses = []

    last = follow.follow(
        lambda: next(stages), follow.training_progress, "TrainingJobStatus", lambda: next(logs),
        sleep=pauses.append,
    )  # fmt: skip

    assert last["FailureReason"] == "OOM"
    assert capsys.readouterr().out.splitlines() == [
        "InProgress",
        "InProgress: Starting (Launching requested ML instances)",
        "algo-1 | epoch=1",
        "InProgress: Training (Training image download completed)",
        "algo-1 | oom",
        "Failed: Failed",
    ]
    assert pauses == [follow.POLL_SECONDS] * 4


def test_a_tuning_job_shows_its_training_jobs_counts_once_each(capsys):
    stages = iter(TUNING)

    last = follow.follow(
        lambda: next(stages), follow.tuning_progress, "HyperParameterTuningJobStatus",
        sleep=lambda seconds: None,
    )  # fmt: skip

    assert last["HyperParameterTuningJobStatus"] == "Completed"
    assert capsys.readouterr().out.splitlines() == [
        "InProgress: no training jobs yet",
        "InProgress: 2 InProgress",
        "InProgress: 1 InProgress, 1 Completed",
        "Completed: 6 Completed",
    ]


@pytest.mark.aws
def test_waiting_for_a_job_prints_its_log_and_how_it_ended(aws, run_launch):
    aws.write_job_log("followed-job", ["epoch=1 train:loss=0.5"])

    result = run_launch("--bucket", aws.bucket, "--job-name", "followed-job")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "algo-1 | epoch=1 train:loss=0.5" in lines
    assert lines[-1].startswith("Training job followed-job Completed; model: s3://")
