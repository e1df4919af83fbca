"""The toolkit's `train` run on a prepared /opt/ml tree, here, and its verdict.

SAGEMAKER_BASE_DIR points the toolkit at the tree; it unpacks the code and runs the entry
point just as in a job. The output goes to the terminal and to output/local-run.log.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from tools import contract
from tools.cli import FAILED, UserError

LOG_NAME = "local-run.log"  # in the tree's output/
# The toolkit's own report of a failed script follows the script's last words in the log.
TOOLKIT_FAILURE_REPORT = "sagemaker-training-toolkit ERROR"
LAST_WORDS = 3  # lines of the log shown when the script gave no one-line reason


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
    """Run the toolkit on a prepared tree, its output (stdout and stderr, in order) to the
    terminal and to the log; return its exit status."""
    command, env = toolkit_command(tree)
    env["PYTHONUNBUFFERED"] = "1"  # keep train.py's prints in step with its errors
    with (
        log_path(tree).open("w") as log,
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as toolkit,
    ):
        for line in toolkit.stdout:
            sys.stdout.write(line)
            log.write(line)
    return toolkit.returncode


def log_path(tree):
    return tree / "output" / LOG_NAME


def failure_reason(tree):
    """The one-line reason the script wrote to output/failure, or None. (The toolkit writes
    a several-line report of its own when the script crashed without one.)"""
    failure = tree / contract.FAILURE_FILE
    lines = failure.read_text().strip().splitlines() if failure.exists() else []
    return lines[0] if len(lines) == 1 else None


def last_words(log):
    """The last non-empty lines of the log before the toolkit's failure report: the end of
    a traceback, or of whatever else stopped the script."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    ends = [i for i, line in enumerate(lines) if TOOLKIT_FAILURE_REPORT in line]
    before_report = lines[: ends[0]] if ends else lines
    return [line for line in before_report if line.strip()][-LAST_WORDS:]


def report_run(tree, returncode):
    """Say where the results are, or why training failed; return the exit status."""
    if returncode != 0:
        reason = failure_reason(tree)
        if reason:
            print(f"Training failed: {reason}", file=sys.stderr)
        else:
            print("Training failed; the log ends with:", file=sys.stderr)
            for line in last_words(log_path(tree)):
                print(f"    {line}", file=sys.stderr)
            print(f"The whole log: {log_path(tree)}", file=sys.stderr)
        return FAILED
    metrics = tree / contract.OUTPUT_DATA_DIR / "metrics.json"
    print(f"Model:   {tree / contract.MODEL_DIR}")
    print(f"Metrics: {metrics}")
    for name, value in json.loads(metrics.read_text()).items():
        print(f"  {name}={value:.6g}")
    return 0
