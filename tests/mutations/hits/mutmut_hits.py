"""A pytest plugin for mutmut runs (named on its command line by mutmut_run.py):
- the calls a test's subprocesses recorded (sitecustomize.py) count as the test's own, so
  mutmut runs that test against their mutants;
- a mutant's tests run quickest first, so one that fails early (mutmut stops at the first
  failure) decides it before the slower tests have run;
- launch.py runs in a fork of the test's process, which has the SDK imported already
  (forked_launch.py): the SDK is imported here, once, before mutmut forks its workers."""

import json
import os
import subprocess
from pathlib import Path

import forked_launch
import pytest
from mutmut.state import state

forked_launch.import_the_sdk()  # before mutmut forks its workers


def pytest_configure(config):
    subprocess.run = forked_launch.run


@pytest.hookimpl(tryfirst=True)  # before mutmut's own teardown files the test's calls
def pytest_runtest_teardown(item, nextitem):
    folder = os.environ.get("MUTMUT_HITS_DIR")
    if os.environ.get("MUTANT_UNDER_TEST") != "stats" or not folder:
        return
    for path in Path(folder).glob("*.json"):
        state()._stats.update(json.loads(path.read_text()))
        path.unlink()


def pytest_collection_modifyitems(items):
    """Quickest first, by the durations mutmut recorded (nothing to sort while it records)."""
    durations = state().duration_by_test
    if durations and os.environ.get("MUTANT_UNDER_TEST") != "stats":
        items.sort(key=lambda item: durations.get(item.nodeid, 0.0))
