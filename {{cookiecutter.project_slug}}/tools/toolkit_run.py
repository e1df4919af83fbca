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


def toolkit_command(tree):
    """The command and environment that run the toolkit's `train` on a prepared tree."""
    train = Path(sys.executable).parent / "train"
    if not train.exists():
        raise UserError(f"no toolkit `train` next to {sys.executable}; run `make setup`")
    # Studio local mode skips the toolkit's wait for every host name to resolve in DNS.
    env = {**os.environ, "SAGEMAKER_BASE_DIR": str(tree), "SM_STUDIO_LOCAL_MODE": "true"}
    return [str(train)], env


def run_toolkit(tree, **run_options):
    """Run the toolkit on a prepared tree; run_options go to subprocess.run."""
    command, env = toolkit_command(tree)
    return subprocess.run(command, env=env, check=False, **run_options)


def run_toolkit_logged(tree):
    """Run the toolkit on a prepared tree, logged (see run_logged); its exit status."""
    command, env = toolkit_command(tree)
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
