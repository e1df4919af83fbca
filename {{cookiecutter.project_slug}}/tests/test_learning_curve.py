"""Learning curves: a local run draws one from its log next to its metrics, and a SageMaker
job's is drawn from its log in CloudWatch Logs (the moto stand-in holds one a test wrote).
The PNG carries the numbers it plots, which must be those the script printed."""

import json
import struct
import subprocess
import sys
import zlib

import pytest

from tools import learning_curve
from tools.project import PROJECT_DIR

# A log of three epochs of known metrics (one in exponent notation), and a script printing it.
LOG = """epoch=1 train:loss=0.9 validation:accuracy=0.5
epoch=2 train:loss=0.4 validation:accuracy=0.75
epoch=3 train:loss=2.5e-05 validation:accuracy=0.875
validation:misses=7 is no metric of the project's"""
REPORTER = f"print({LOG!r})"
PRINTED = {"train:loss": [0.9, 0.4, 2.5e-05], "validation:accuracy": [0.5, 0.75, 0.875]}


def png_facts(path):
    """(width, height, {text key: value}) of a PNG file, read chunk by chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    position, size, texts = 8, None, {}
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            texts[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, value = body.partition(b"\0")
            texts[key.decode("latin-1")] = zlib.decompress(value[1:]).decode("latin-1")
        position += 12 + length
    return (*size, texts)


def assert_plots(path, expected):
    width, height, texts = png_facts(path)
    assert 300 <= width <= 3000 and 300 <= height <= 3000, (width, height)
    assert json.loads(texts["Description"]) == expected


def test_the_log_is_read_with_the_projects_metric_definitions():
    assert learning_curve.metric_history(["train:loss=nan", "validation:loss= 1"]) == {}
    printed = [
        "epoch=1 train:loss=1e-05 validation:loss=-2.5E+3",
        "no metric here: validation:loss=",
        "epoch=2 train:loss=.5",
    ]
    assert learning_curve.metric_history(printed) == {
        "train:loss": [1e-05, 0.5],
        "validation:loss": [-2500.0],
    }


@pytest.mark.toolkit
def test_a_local_run_draws_its_curve_next_to_its_metrics(data, tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "train.py").write_text(REPORTER)
    work = tmp_path / "work"
    local_run = [str(PROJECT_DIR / "local_run.py"), "--data", str(data), "--work", str(work)]

    result = subprocess.run(
        [sys.executable, *local_run, "--source-dir", str(code)],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    picture = work / "opt" / "ml" / "output" / "data" / "learning-curve.png"
    assert f"Curve:   {picture}" in result.stdout.splitlines()
    assert_plots(picture, PRINTED)


@pytest.mark.aws
def test_a_sagemaker_jobs_curve_is_drawn_from_its_log(aws, project):
    aws.write_job_log("curve-job", LOG.splitlines())

    result = subprocess.run(
        [sys.executable, "-m", "tools.learning_curve", "curve-job"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    picture = project / ".local-run" / "jobs" / "curve-job" / "learning-curve.png"
    assert result.stdout.splitlines() == [f"Curve:   {picture}"]
    assert_plots(picture, PRINTED)
