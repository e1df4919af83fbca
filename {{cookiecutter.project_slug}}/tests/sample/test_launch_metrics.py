"""Every `name=value` metric the real train.py prints is scraped by one of the project's
metric definitions (pyproject.toml's [tool.launch]), with the same value; run through the
toolkit on both tasks."""

import re
import subprocess
import sys

import pytest

import utils
from tools import job_tree, toolkit_run
from tools.project import PROJECT_DIR
from tools.settings import metric_definitions

pytestmark = pytest.mark.toolkit

METRIC_TOKEN = re.compile(r"(\w+:\w+)=(\S+)")


def test_the_project_defines_exactly_the_metrics_train_py_knows():
    assert set(metric_definitions()) == set(utils.METRIC_NAMES)


def training_log(task, tmp_path):
    data = tmp_path / task / "data"
    make_data = [sys.executable, str(PROJECT_DIR / "scripts" / "make_data.py")]
    subprocess.run(
        [*make_data, "--out", str(data), "--rows", "400", "--task", task],
        check=True,
        capture_output=True,
    )
    tree = job_tree.prepare_job_tree(data, tmp_path / task / "work", {"task": task, "epochs": 2})
    run = toolkit_run.run_toolkit(tree, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout + run.stderr


def test_every_printed_metric_is_scraped_with_its_value(tmp_path):
    regexes = {name: re.compile(regex) for name, regex in metric_definitions().items()}
    seen = set()
    for task in ("classification", "regression"):
        for line in training_log(task, tmp_path).splitlines():
            for name, value in METRIC_TOKEN.findall(line):
                assert name in regexes, f"{name} is printed but has no metric definition"
                scraped = regexes[name].search(line)
                assert scraped and float(scraped.group(1)) == float(value), line
                seen.add(name)
    # What the sample prints: the loss for both tasks, then accuracy or RMSE.
    assert seen == {"train:loss", "validation:loss", "validation:accuracy", "validation:rmse"}
