"""Throwaway copies for the mutation runs: a rendered project, or the template itself.

Mutations are applied to these copies only, never to the working tree.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2]
# The generated projects' `train` group alone (`make setup` makes it beside .venv).
TRAIN_VENV = TEMPLATE / ".venv-train"
# What a copy of the template leaves out: environments, renders, caches, git.
NOT_TEMPLATE = (".git", ".venv", ".venv-train", "build", "mutants", "__pycache__", ".pytest_cache", ".ruff_cache")
# The test tiers that need more than this machine's Python: left out of the fast tier.
SLOW_TIERS = "toolkit or aws or container or cluster"


def render_project(folder):
    """The template rendered with MPI (every module, every test) into folder; its path.
    In a subprocess: the post-generation hook's next steps are not this run's output."""
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(folder), str(TEMPLATE), "include_mpi=true"]
    subprocess.run(command, capture_output=True, check=True, timeout=300)
    [project] = Path(folder).iterdir()
    return project


def copy_template(folder):
    """A copy of the template's files in folder; its path."""
    return Path(shutil.copytree(TEMPLATE, folder, ignore=shutil.ignore_patterns(*NOT_TEMPLATE), symlinks=True))


def pytest(folder, *arguments, timeout=1800):
    """This Python's pytest on folder's tests; the CompletedProcess (output captured)."""
    env = {**os.environ, "TRAIN_VENV": str(TRAIN_VENV), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *arguments]
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def first_failure(output):
    """The first FAILED or ERROR line of pytest's summary, or its last line."""
    lines = output.strip().splitlines()
    failed = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
    return (failed or lines or ["no output"])[0]
