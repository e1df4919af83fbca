"""The sample trainer on hostile and careless input: each case ends the job with one line
naming what is wrong (exit 1, output/failure), never with a traceback or a wrong result."""

import gzip
import json
import re

import pytest
from sample_jobs import corrupt, failure_of, use_channels


def cell(value):
    """Line 4 of the first training file with one feature replaced by value."""
    return lambda data, job_env: corrupt(data, job_env, 4, f"1,2,3,{value},5,6,7")


def labels(value):
    """Every label of the first training file replaced by value."""

    def damage(data, job_env):
        copy = corrupt(
            data, job_env, 1, (data / "train" / "part-0000.csv").read_text().splitlines()[0]
        )
        path = copy / "train" / "part-0000.csv"
        rows = [line.split(",", 1) for line in path.read_text().splitlines()]
        path.write_text(
            "\n".join([",".join(rows[0])] + [f"{value},{rest}" for _, rest in rows[1:]]) + "\n"
        )
        return copy

    return damage


def corrupt_deflate(data, job_env):
    copy = corrupt(data, job_env, 1, (data / "train" / "part-0000.csv").read_text().splitlines()[0])
    packed = gzip.compress(b"label,a,b,c,d,e,f\n1,2,3,4,5,6,7\n" * 50)
    (copy / "train" / "part-0002.csv.gz").write_bytes(packed[:20] + b"\xff" * 40 + packed[60:])
    return copy


def unchanged(data, job_env):
    return data


# case: (how the data is damaged, hyperparameters, what the one line says)
HOSTILE = {
    "feature too large": (
        cell("1e300"),
        [],
        r"column 4: '1e300' is not a number the model can use",
    ),
    "feature infinite": (cell("inf"), [], r"column 4: 'inf' is not a number the model can use"),
    "corrupt deflate data": (corrupt_deflate, [], r"part-0002\.csv\.gz: cannot be read"),
    "fractional class labels": (labels("0.5"), [], r"label 0\.5 is not a whole number"),
    "learning rate NaN": (
        unchanged,
        ["--learning-rate", "NaN"],
        r"must be a finite number, got NaN",
    ),
    "loss overflows": (
        unchanged,
        ["--learning-rate", "1e150"],
        r"^epoch 1: train:loss is inf: training diverged \(lower the learning-rate, or scale labels"
        r" and features to smaller values\)$",
    ),
    "weights overflow": (
        unchanged,
        ["--learning-rate", "1e300"],
        r"weights overflowed: training diverged",
    ),
    "regression labels around 1e200": (
        labels("1e200"),
        [],
        r"column 1: '1e200' is not a number the model can use",
    ),
    "learning rate infinite": (
        unchanged,
        ["--learning-rate", "Infinity"],
        r"must be a finite number, got Infinity",
    ),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_data_fails_in_one_line(job_env, regression_data, monkeypatch, case):
    damage, argv, expected = HOSTILE[case]
    use_channels(monkeypatch, damage(regression_data, job_env))

    task = "classification" if "class labels" in case else "regression"
    failure = failure_of(job_env, ["--epochs", "1", "--task", task, *argv])

    assert re.search(expected, failure), failure
    assert not (job_env / "model" / "model.joblib").exists()
    metrics = job_env / "output" / "data" / "metrics.json"
    if metrics.exists():  # what was written stays JSON: no Infinity or NaN
        json.loads(metrics.read_text(), parse_constant=refuse_constant)


def refuse_constant(name):
    raise AssertionError(f"metrics.json holds {name}, which is not JSON")
