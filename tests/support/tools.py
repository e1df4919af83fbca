"""Find the command-line tools installed in the test environment's virtualenv."""

import subprocess
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
# The generated projects' `train` group alone (`make setup` makes it beside .venv).
TRAIN_VENV = Path(__file__).resolve().parents[2] / ".venv-train"


def tool(name):
    """Absolute path of a console script installed next to this Python (ruff, shellcheck, ...)."""
    path = VENV_BIN / name
    if not path.exists():
        raise FileNotFoundError(f"{name} is not installed in {VENV_BIN}; run `make setup`")
    return str(path)


def run_make(project, *targets, check=True, **kwargs):
    """Run the generated project's own Makefile with this test environment as its venvs.

    `-o .installed` tells make the venvs are up to date, so they are not reinstalled for
    every freshly rendered (and so newer) pyproject.toml.
    """
    venv = VENV_BIN.parent
    command = [
        "make",
        "--no-print-directory",
        *("-o", f"{venv}/.installed", f"VENV={venv}"),
        *("-o", f"{TRAIN_VENV}/.installed", f"TRAIN_VENV={TRAIN_VENV}"),
        *targets,
    ]
    return subprocess.run(command, cwd=project, check=check, text=True, capture_output=True, **kwargs)
