"""launch.py --tune read in-process, without AWS: the ranges a good argv asks SageMaker to
search, the tuning job's settings, and the exact line each bad range or option costs.

The expectations are written out from the user's input and SageMaker's rules (a logarithmic
scale needs LOW above 0, a reverse logarithmic one 0 <= LOW < HIGH < 1, an integer range whole
numbers, at most 30 ranges) and the project's metrics in pyproject.toml, never computed by
tools.tuning_options. The same ranges against the stand-in are in test_launch_tuning.py."""

import json

import pytest

from tools import launch_options, settings

ROLE = "arn:aws:iam::123456789012:role/Training"
JOB = ["--role", ROLE, "--channel", "train=s3://bucket/train"]  # no data/ folder needed
METRICS = "train:loss, validation:loss, validation:accuracy, validation:rmse"  # pyproject.toml
THIRTY = [f"h{number}=0:1" for number in range(30)]  # SageMaker's most
THIRTY_VALUES = tuple(f"v{number}" for number in range(30))  # ... and values in one range


def tune(*ranges, objective="validation:loss"):
    """argv searching each range for the objective."""
    return ["--objective", objective, *(word for item in ranges for word in ("--tune", item))]


def parse(argv):
    return launch_options.parse_args([*JOB, *argv])


def refusal(argv, capsys):
    """The one line launch.py prints for argv, between "error: " and " (see --help)"."""
    with pytest.raises(SystemExit) as exit_info:
        parse(argv)
    assert exit_info.value.code == 2
    printed = capsys.readouterr().err
    assert printed.startswith("launch.py: error: ") and printed.endswith(" (see --help)\n")
    return printed.removeprefix("launch.py: error: ").removesuffix(" (see --help)\n")


def as_sent(item):
    """A range as SageMaker receives it: the bounds as text (an integer range's "3", never
    "3.0") with the kind and scale, or the values."""
    if item.kind == "Categorical":
        return (item.name, item.values)
    return (item.name, item.kind, str(item.low), str(item.high), item.scale)


# --tune RANGE: (name, kind, MinValue, MaxValue, ScalingType), or (name, values)
RANGES = {
    "linear from zero": ("alpha=0:1", ("alpha", "Continuous", "0.0", "1.0", "Linear")),
    "linear across zero": ("alpha=-1:1", ("alpha", "Continuous", "-1.0", "1.0", "Linear")),
    "log below one": (
        "learning-rate=0.001:0.5:log",
        ("learning-rate", "Continuous", "0.001", "0.5", "Logarithmic"),
    ),
    "reverse log from zero": (
        "alpha=0:0.9:reverse-log",
        ("alpha", "Continuous", "0.0", "0.9", "ReverseLogarithmic"),
    ),
    "whole numbers": ("epochs=3:20:int", ("epochs", "Integer", "3", "20", "Linear")),
    "whole numbers, log": (
        "epochs=1:100:int:log",
        ("epochs", "Integer", "1", "100", "Logarithmic"),
    ),
    "log, whole numbers": (
        "epochs=1:100:log:int",
        ("epochs", "Integer", "1", "100", "Logarithmic"),
    ),
    "values": ("task=classification,regression", ("task", ("classification", "regression"))),
    "one value": ("task=regression", ("task", ("regression",))),
    "a value holding '='": ("task=a=b,c", ("task", ("a=b", "c"))),
    "thirty values": ("task=" + ",".join(THIRTY_VALUES), ("task", THIRTY_VALUES)),
}


@pytest.mark.parametrize("case", RANGES)
def test_each_range_is_sent_as_written(case):
    text, expected = RANGES[case]

    (item,) = parse(tune(text)).tuning.ranges

    assert as_sent(item) == expected


# --tune RANGE: why it is refused (the line is "argument --tune: --tune RANGE: <why>")
RANGE_MISTAKES = {
    "low above high": ("alpha=1:0.1", "LOW must be a finite number below HIGH"),
    "low equal to high": ("alpha=0.5:0.5", "LOW must be a finite number below HIGH"),
    "infinite high": ("alpha=0:inf", "LOW must be a finite number below HIGH"),
    "low not a number": ("alpha=nan:1", "LOW must be a finite number below HIGH"),
    "log from zero": ("alpha=0:1:log", "a logarithmic scale needs LOW above 0"),
    "reverse log up to one": (
        "alpha=0.5:1:reverse-log",
        "a reverse logarithmic scale needs 0 <= LOW < HIGH < 1, not whole numbers",
    ),
    "reverse log from below zero": (
        "alpha=-0.5:0.5:reverse-log",
        "a reverse logarithmic scale needs 0 <= LOW < HIGH < 1, not whole numbers",
    ),
    "reverse log of whole numbers": (
        "epochs=0:1:int:reverse-log",
        "a reverse logarithmic scale needs 0 <= LOW < HIGH < 1, not whole numbers",
    ),
    "unknown scale": ("alpha=0.1:1:cubic", "expected LOW:HIGH[:int][:log|:reverse-log]"),
    "two scales": ("alpha=0.1:1:log:log", "expected LOW:HIGH[:int][:log|:reverse-log]"),
    "int twice": ("epochs=1:9:int:int", "expected LOW:HIGH[:int][:log|:reverse-log]"),
    "fractional whole number": (
        "epochs=1.5:9:int",
        "invalid literal for int() with base 10: '1.5'",
    ),
    "bound not a number": ("alpha=low:1", "could not convert string to float: 'low'"),
    "an empty value": ("task=a,,b", "expected 1-30 distinct values separated by ','"),
    "a value twice": ("task=a,b,a", "expected 1-30 distinct values separated by ','"),
    "31 values": (
        "task=" + ",".join((*THIRTY_VALUES, "v30")),
        "expected 1-30 distinct values separated by ','",
    ),
}


@pytest.mark.parametrize("mistake", RANGE_MISTAKES)
def test_each_bad_range_costs_exactly_its_line(capsys, mistake):
    text, why = RANGE_MISTAKES[mistake]

    assert refusal(tune(text), capsys) == f"argument --tune: --tune {text}: {why}"


# argv: the whole line
MISTAKES = {
    "no '='": (tune("alpha"), "argument --tune: malformed range 'alpha' (expected NAME=LOW:HIGH)"),
    "name not a hyperparameter key": (
        tune("1st=0:1"),
        "argument --tune: malformed range '1st=0:1' (expected NAME=LOW:HIGH)",
    ),
    "reserved name": (
        tune("sagemaker_region=a,b"),
        "argument --tune: sagemaker_region is reserved for the launcher and the toolkit",
    ),
    "no objective": (
        ["--tune", "alpha=0:1"],
        f"--tune needs --objective, one of the project's metrics ({METRICS})",
    ),
    "objective not a metric": (
        tune("alpha=0:1", objective="f1"),
        f"--objective f1 is not one of the project's metrics ({METRICS}): name one, or define it"
        " in pyproject.toml [tool.launch] metrics",
    ),
    "tuned twice": (
        tune("alpha=0:1", "alpha=1:2"),
        "alpha is tuned twice, or tuned and also fixed",
    ),
    "tuned and fixed": (
        [*tune("alpha=0:1"), "--hyperparameter", "alpha=0.5"],
        "alpha is tuned twice, or tuned and also fixed",
    ),
    "31 ranges": (
        tune(*THIRTY, "h30=0:1"),
        "a tuning job searches at most 30 hyperparameters",
    ),
    "more in parallel than in all": (
        [*tune("alpha=0:1"), "--max-jobs", "2", "--max-parallel-jobs", "3"],
        "--max-parallel-jobs cannot be above --max-jobs",
    ),
    "a tuning option without --tune": (
        ["--max-parallel-jobs", "2"],
        "--max-parallel-jobs applies to tuning: add --tune NAME=LOW:HIGH",
    ),
    "warm start without --tune": (
        ["--warm-start", "earlier"],
        "--warm-start applies to tuning: add --tune NAME=LOW:HIGH",
    ),
    "a tuning job name over 32 characters": (
        [*tune("alpha=0:1"), "--job-name", "t" * 33],
        f"malformed tuning job name (at most 32 characters): '{'t' * 33}'",
    ),
    "warm start from a malformed name": (
        [*tune("alpha=0:1"), "--warm-start", "earlier_job"],
        "malformed tuning job name: 'earlier_job'",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_tuning_mistake_costs_exactly_its_line(capsys, mistake):
    argv, line = MISTAKES[mistake]

    assert refusal(argv, capsys) == line


# argv: (objective, objective_type, max_jobs, max_parallel_jobs, early_stopping,
# warm_start_from, ranges)
SETTINGS = {
    "a loss is minimized": (
        tune("alpha=0:1"),
        ("validation:loss", "Minimize", 10, 1, "Off", (), 1),
    ),
    "an rmse is minimized": (
        tune("alpha=0:1", objective="validation:rmse"),
        ("validation:rmse", "Minimize", 10, 1, "Off", (), 1),
    ),
    "an accuracy is maximized": (
        tune("alpha=0:1", objective="validation:accuracy"),
        ("validation:accuracy", "Maximize", 10, 1, "Off", (), 1),
    ),
    "the type given wins": (
        [*tune("alpha=0:1"), "--objective-type", "Maximize"],
        ("validation:loss", "Maximize", 10, 1, "Off", (), 1),
    ),
    "as many in parallel as in all": (
        [*tune("alpha=0:1"), "--max-jobs", "2", "--max-parallel-jobs", "2"],
        ("validation:loss", "Minimize", 2, 2, "Off", (), 1),
    ),
    "warm start from earlier jobs": (
        [*tune("alpha=0:1"), "--warm-start", "earlier", "--warm-start", "tuning-7"],
        ("validation:loss", "Minimize", 10, 1, "Off", ("earlier", "tuning-7"), 1),
    ),
    "early stopping asked for": (
        [*tune("alpha=0:1"), "--early-stopping", "Auto"],
        ("validation:loss", "Minimize", 10, 1, "Auto", (), 1),
    ),
    "thirty ranges": (tune(*THIRTY), ("validation:loss", "Minimize", 10, 1, "Off", (), 30)),
}


@pytest.mark.parametrize("case", SETTINGS)
def test_the_tuning_job_is_the_one_asked_for(case):
    argv, expected = SETTINGS[case]

    tuning = parse(argv).tuning

    limits = (tuning.objective, tuning.objective_type, tuning.max_jobs, tuning.max_parallel_jobs)
    assert (*limits, tuning.early_stopping, tuning.warm_start_from, len(tuning.ranges)) == expected


@pytest.fixture
def metrics(tmp_path, monkeypatch):
    """define(*names): the project's metrics ([tool.launch] metrics) replaced by names."""

    def define(*names):
        pyproject = tmp_path / "pyproject.toml"
        pyproject.write_text(f"[tool.launch]\nmetrics = {json.dumps(names)}\n")
        monkeypatch.setattr(settings, "PYPROJECT", pyproject)

    return define


def test_a_metric_whose_name_says_no_direction_needs_the_objective_type(metrics, capsys):
    metrics("throughput")
    argv = tune("alpha=0:1", objective="throughput")

    line = "is throughput better high or low? pass --objective-type Minimize or Maximize"
    assert refusal(argv, capsys) == line
    assert parse([*argv, "--objective-type", "Maximize"]).tuning.objective_type == "Maximize"


def test_without_metrics_the_missing_objective_line_says_none(metrics, capsys):
    metrics()

    line = "--tune needs --objective, one of the project's metrics (none)"
    assert refusal(["--tune", "alpha=0:1"], capsys) == line
