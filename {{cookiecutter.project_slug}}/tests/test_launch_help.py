"""launch.py's help, and what it answers before it loads the SageMaker SDK: the SDK takes
seconds to import, so --help, a command-line mistake or one in the code or data folders
(tools/preflight.py) is answered at once."""

import os
import re
import subprocess
import sys

import pytest
from answers import ANSWERS

from tools import launch_options
from tools.project import PROJECT_DIR

# What launch.py answers before it loads the SDK (about 4 s): help, command-line mistakes, and
# mistakes in the code and data folders (tools/preflight.py); the exit status of each.
ANSWERED_WITHOUT_THE_SDK = {
    "help": (["--help"], 0),
    "argument error": (["--instance-count", "zero"], 2),
    "entry point missing": (["--entry-point", "fit.py"], 2),
    "the project as data": (["--train", "."], 2),
}


@pytest.mark.parametrize(
    ("arguments", "exit_status"), ANSWERED_WITHOUT_THE_SDK.values(), ids=ANSWERED_WITHOUT_THE_SDK
)
def test_help_and_mistakes_found_here_do_not_load_the_sdk(arguments, exit_status):
    probe = (
        "import sys, launch\n"
        "try:\n    status = launch.main(sys.argv[1:])\n"
        "except SystemExit as exit:\n    status = exit.code\n"
        "heavy = sorted({'boto3', 'botocore', 'sagemaker'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
        "sys.exit(status)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *arguments],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
        check=False,
    )
    assert result.returncode == exit_status, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def test_help_names_each_default_once_and_no_local_path():
    shown = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "launch.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "(default: None)" not in shown and "(default: [])" not in shown
    for option in re.split(r"\n  (?=-)", shown):  # each option with its wrapped help
        assert option.count("default") <= 1, option
    assert str(PROJECT_DIR) not in shown


# The command line as the README teaches it: each option with its placeholder, in --help's order.
MPI_OPTIONS = ["[--mpi | --no-mpi]", "[--processes-per-host N]", "[--mpi-options OPTIONS]"]
USAGE = [
    "[-h]", "[--source-dir FOLDER]", "[--entry-point FILE]", "[--mode {toolkit,framework}]",
    "[--image-uri URI]", "[--hyperparameter KEY=VALUE]",
    "[--role ARN]", "[--region REGION]", "[--bucket NAME]", "[--prefix PREFIX]",
    "[--channel NAME=LOCATION]", "[--train LOCATION]", "[--validation LOCATION | --no-validation]",
    "[--distribution NAME=TYPE]",
    "[--instance-type TYPE]", "[--instance-count N]", "[--volume-size GB]", "[--max-run SECONDS]",
    *(MPI_OPTIONS if ANSWERS["include_mpi"] else []),
    "[--spot]", "[--max-wait SECONDS]", "[--checkpoint-s3-uri URI]", "[--keep-alive SECONDS]",
    "[--tune RANGE]", "[--objective METRIC]", "[--objective-type {Minimize,Maximize}]",
    "[--max-jobs N]", "[--max-parallel-jobs N]", "[--early-stopping {Off,Auto}]",
    "[--warm-start TUNING_JOB]",
    "[--job-name NAME]", "[--wait | --no-wait]", "[--dry-run]",
]  # fmt: skip
SECTIONS = ["options", "code and image", "AWS account", "data", "compute", "tuning", "job"]


def test_help_shows_each_option_with_its_placeholder_in_its_section():
    parser = launch_options.build_parser()

    assert " ".join(parser.format_usage().split()) == " ".join(["usage: launch.py", *USAGE])
    headings = re.findall(r"^(\S[^\n]*):$", parser.format_help(), flags=re.MULTILINE)
    assert headings == SECTIONS
