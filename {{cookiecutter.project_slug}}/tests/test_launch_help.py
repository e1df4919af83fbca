"""launch.py's help, and what it answers before it loads the SageMaker SDK: the SDK takes
seconds to import, so --help, a command-line mistake or one in the code or data folders
(tools/preflight.py) is answered at once."""

import os
import re
import subprocess
import sys

import pytest

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
