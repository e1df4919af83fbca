"""The toolkit's `train` run on a prepared /opt/ml tree, here (tools/verdict.py reads the
outcome).

SAGEMAKER_BASE_DIR points the toolkit at the tree; it unpacks the code and runs the entry
point just as in a job. The output goes to the terminal and to output/local-run.log.
"""

import os
import subprocess
import sys
from pathlib import Path

from tools.cli import UserError

LOG_NAME = "local-run.log"  # in the tree's output/
RUN_PACKAGES = "run-packages"  # in the tree: what requirements.txt installed for this run


def toolkit_command(tree, venv=None):
    """The command and environment that run the toolkit's `train` on a prepared tree, from
    the virtual environment venv (default: this Python's).

    source_dir/requirements.txt, which the toolkit pip-installs first, goes into the tree
    (PIP_TARGET), for this run only: the environment stays what the image holds.
    """
    bin_dir = Path(venv) / "bin" if venv else Path(sys.executable).parent
    train = bin_dir / "train"
    if not train.exists():
        raise UserError(f"no toolkit `train` in {bin_dir}: run `make setup`")
    packages = tree / RUN_PACKAGES
    env = {
        **os.environ,
        "SAGEMAKER_BASE_DIR": str(tree),
        # Studio local mode skips the toolkit's wait for every host name to resolve in DNS.
        "SM_STUDIO_LOCAL_MODE": "true",
        "PIP_TARGET": str(packages),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(packages), os.environ.get("PYTHONPATH")])),
    }
    return [str(train)], env


def run_toolkit(tree, venv=None, **run_options):
    """Run the toolkit on a prepared tree; run_options go to subprocess.run."""
    command, env = toolkit_command(tree, venv)
    return subprocess.run(command, env=env, check=False, **run_options)


def run_toolkit_logged(tree, venv=None):
    """Run the toolkit on a prepared tree, logged (see run_logged); its exit status."""
    command, env = toolkit_command(tree, venv)
    env["PYTHONUNBUFFERED"] = "1"  # keep train.py's prints in step with its errors
    return run_logged(command, env, log_path(tree))


def run_logged(command, env, log_file):
    """Run command, its output (stdout and stderr, in order) to the terminal and to
    log_file; return its exit status."""
    with (
        log_file.open("w") as log,
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as process,
    ):
        for line in process.stdout:
            sys.stdout.write(line)
            log.write(line)
    return process.returncode


def log_path(tree):
    return tree / "output" / LOG_NAME
