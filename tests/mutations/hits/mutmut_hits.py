"""A pytest plugin for mutmut runs: the calls a test's subprocesses recorded (sitecustomize.py)
count as the test's own, so mutmut runs that test against their mutants."""

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
