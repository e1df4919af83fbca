"""launch.py --tune: a hyperparameter tuning job over the same trainer, against the moto
stand-in (which implements CreateHyperParameterTuningJob and its Describe, and answers
"Completed" at once with a best training job of its own invention)."""

import json

import pytest
from sent_requests import assert_refused, channel_sources

pytestmark = pytest.mark.aws

TUNING_JOB = "tuning-test-job"
RANGES = [
    "--tune", "learning-rate=0.001:0.5:log",
    "--tune", "epochs=3:20:int",
    "--tune", "task=classification,regression",
]  # fmt: skip
TUNE = [*RANGES, "--objective", "validation:loss", "--max-jobs", "6", "--max-parallel-jobs", "2"]


def test_the_tuning_request_carries_ranges_objective_limits_and_the_job(aws, run_launch):
    result = run_launch("--bucket", aws.bucket, "--job-name", TUNING_JOB, "--no-wait", *TUNE)

    assert result.returncode == 0, result.stderr
    (sent,) = aws.sent("CreateHyperParameterTuningJob")
    assert sent["HyperParameterTuningJobName"] == TUNING_JOB
    config = sent["HyperParameterTuningJobConfig"]
    assert config["HyperParameterTuningJobObjective"] == {
        "Type": "Minimize",
        "MetricName": "validation:loss",
    }
    assert config["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 6, "MaxParallelTrainingJobs": 2}
    ranges = config["ParameterRanges"]
    assert ranges["ContinuousParameterRanges"] == [
        {
            "Name": "learning-rate",
            "MinValue": "0.001",
            "MaxValue": "0.5",
            "ScalingType": "Logarithmic",
        }
    ]
    assert ranges["IntegerParameterRanges"] == [
        {"Name": "epochs", "MinValue": "3", "MaxValue": "20", "ScalingType": "Linear"}
    ]
    assert ranges["CategoricalParameterRanges"] == [
        {"Name": "task", "Values": ["classification", "regression"]}
    ]
    assert_each_trial_is_the_job(aws, sent["TrainingJobDefinition"])
    assert f"--hyper-parameter-tuning-job-name {TUNING_JOB}" in result.stdout


def assert_each_trial_is_the_job(aws, definition):
    """The trials' definition: the toolkit's reserved hyperparameters naming the uploaded code,
    the uploaded channels and the project's metrics; the tuned names left to the tuner."""
    static = definition["StaticHyperParameters"]
    assert json.loads(static["sagemaker_program"]) == "train.py"
    code = json.loads(static["sagemaker_submit_directory"])
    assert code.startswith(f"s3://{aws.bucket}/") and aws.read(code)[:2] == b"\x1f\x8b"
    assert not {"learning-rate", "epochs", "task"} & set(static)
    sources = channel_sources(definition)
    assert sorted(sources) == ["train", "validation"]
    for source in sources.values():
        prefix = source["S3Uri"].removeprefix(f"s3://{aws.bucket}/")
        assert any(key.startswith(prefix) for key in aws.object_keys())
    metrics = {m["Name"] for m in definition["AlgorithmSpecification"]["MetricDefinitions"]}
    assert "validation:loss" in metrics


def test_dry_run_prints_exactly_the_tuning_request_and_sends_nothing(aws, run_launch):
    # A dry run asks AWS nothing: given the bucket and image, it names what a real run sends.
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/tuned:latest"
    common = ["--bucket", aws.bucket, "--image-uri", image, "--job-name", TUNING_JOB, *TUNE]
    common += ["--warm-start", "earlier"]
    dry = run_launch(*common, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert aws.object_keys() == [] and aws.sent("CreateHyperParameterTuningJob") == []

    assert run_launch(*common, "--no-wait").returncode == 0
    (sent,) = aws.sent("CreateHyperParameterTuningJob")
    assert json.loads(dry.stdout) == sent
    assert sent["WarmStartConfig"] == {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "earlier"}],
        "WarmStartType": "TransferLearning",
    }


def test_waiting_ends_with_the_best_job_and_where_its_model_is(aws, run_launch):
    result = run_launch("--bucket", aws.bucket, "--job-name", TUNING_JOB, *TUNE)

    assert result.returncode == 0, result.stderr
    # moto's invented best job: FakeTrainingJobName, Accuracy=1, {"string": "TunedHyperParameters"}
    lines = result.stdout.splitlines()
    best = lines.index("Best training job: FakeTrainingJobName")
    assert lines[best + 1 : best + 3] == ["  Accuracy=1", "  string=TunedHyperParameters"]
    output = f"s3://{aws.bucket}/churn-model-training/output"
    assert lines[best + 3] == f"  model: {output}/FakeTrainingJobName/output/model.tar.gz"
    assert lines[-1] == f"Tuning job {TUNING_JOB} Completed"


# mistake: (arguments, what the one line says)
MISTAKES = {
    "low above high": (["--tune", "alpha=1:0.1"], "LOW must be a finite number below HIGH"),
    "log from zero": (["--tune", "alpha=0:1:log"], "a logarithmic scale needs LOW above 0"),
    "not a number": (["--tune", "alpha=low:1"], "could not convert string to float"),
    "fractional int": (["--tune", "epochs=1.5:9:int"], "invalid literal for int()"),
    "unknown scale": (["--tune", "alpha=0.1:1:cubic"], "expected LOW:HIGH[:int]"),
    "no values": (["--tune", "task=a,,b"], "distinct values separated by ','"),
    "reserved": (["--tune", "sagemaker_region=a,b"], "is reserved"),
    "no objective": (["--tune", "alpha=0.1:1"], "--tune needs --objective"),
    "undefined objective": (
        ["--tune", "alpha=0.1:1", "--objective", "f1"],
        "--objective f1 is not one of the project's metrics",
    ),
    "tuned and fixed": (
        ["--tune", "alpha=0.1:1", "--objective", "train:loss", "--hyperparameter", "alpha=0.5"],
        "alpha is tuned twice, or tuned and also fixed",
    ),
    "more parallel than jobs": (
        [
            "--tune",
            "alpha=0.1:1",
            "--objective",
            "train:loss",
            *("--max-jobs", "2"),
            *("--max-parallel-jobs", "3"),
        ],
        "--max-parallel-jobs cannot be above --max-jobs",
    ),
    "tuning option alone": (["--max-jobs", "3"], "--max-jobs applies to tuning"),
    "tuning name too long": (
        ["--tune", "alpha=0.1:1", "--objective", "train:loss", "--job-name", "t" * 33],
        "malformed tuning job name",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_tuning_mistake_costs_one_line_and_uploads_nothing(aws, run_launch, mistake):
    arguments, message = MISTAKES[mistake]
    assert_refused(run_launch("--bucket", aws.bucket, "--no-wait", *arguments), message, aws)
