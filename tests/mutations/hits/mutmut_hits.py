"""A pytest plugin for mutmut runs: the calls a test's subprocesses recorded (sitecustomize.py)
count as the test's own, so mutmut runs that test against their mutants; and a mutant's tests
run quickest first, so one that fails early (mutmut stops at the first failure) decides it
before the tests that start launch.py (seconds each) have run."""

import json
import os
from pathlib import Path

import pytest
from mutmut.state import state


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
