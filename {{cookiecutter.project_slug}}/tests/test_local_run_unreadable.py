"""local_run.py on a file or folder it cannot read: one line naming it, exit 2, and the last
run's tree as it was. Root reads every file, so under root the tool runs as nobody."""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tools.project import PROJECT_DIR


@pytest.fixture
def open_to_all(data):
    """A copy of the tools and the sample data in a folder anyone may read and write: root
    reads every file, so an unreadable one is tried as another user (nobody) under root."""
    root = Path(tempfile.mkdtemp(prefix="unreadable-"))
    root.chmod(0o777)
    project = root / "project"
    ignore = shutil.ignore_patterns("__pycache__", ".*", "data", "tests")
    shutil.copytree(PROJECT_DIR, project, ignore=ignore)
    shutil.copytree(data, project / "data")
    for folder, dirs, files in os.walk(root):
        for path in [Path(folder, name) for name in dirs + files]:
            path.chmod(path.stat().st_mode | stat.S_IRWXO)
    yield project
    for folder, dirs, _ in os.walk(root):
        for path in [Path(folder, name) for name in dirs]:
            path.chmod(0o777)
    shutil.rmtree(root)


def open_to_others(path):
    """Whether a user who is neither its owner nor in its group may run path."""
    path = Path(path).resolve()
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


def as_another_user():
    """(python, subprocess options): as root, nobody and a Python nobody may run, for whom
    file modes still count; as anyone else, this Python as this user."""
    if os.geteuid() != 0:
        return sys.executable, {}
    pythons = [sys.executable, shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")]
    runnable = [python for python in pythons if python and open_to_others(python)]
    if not runnable:
        pytest.fail(f"no Python that another user may run (tried {pythons}): install python3")
    return runnable[0], {"user": 65534, "group": 65534, "extra_groups": []}


def prepare_as_another_user(project):
    python, options = as_another_user()
    command = [python, "local_run.py", "--data", "data", "--work", "work", "--prepare-only"]
    return subprocess.run(
        command, cwd=project, capture_output=True, text=True, timeout=120, **options
    )


def listing(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*"))


# What cannot be read, made so after a first run: the file or folder, relative to the project.
UNREADABLE = {
    "a-data-file": "data/train/part-0000.csv",
    "a-data-folder": "data/train/more",
    "a-source-file": "source_dir/train.py",
}


@pytest.mark.parametrize("name", UNREADABLE)
def test_what_it_cannot_read_costs_one_line_and_changes_no_tree(open_to_all, name):
    project, unreadable = open_to_all, open_to_all / UNREADABLE[name]
    if unreadable.name == "more":
        unreadable.mkdir()
        shutil.copy2(project / "data" / "train" / "part-0000.csv", unreadable / "extra.csv")
    first = prepare_as_another_user(project)
    assert first.returncode == 0, first.stderr
    before = listing(project / "work")
    unreadable.chmod(0)

    result = prepare_as_another_user(project)

    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("local_run.py: error: ")
    assert result.stderr.endswith(f"{UNREADABLE[name]}: Permission denied\n")
    assert result.stderr.count("\n") == 1
    assert listing(project / "work") == before
