"""The verdict of a local run: the toolkit's exit status, and a report of what the script
left or why it failed, for scripts of other shapes than the sample trainer's."""

import subprocess
import sys

import pytest

from tools import job_tree, toolkit_run, verdict

# Scripts of other shapes than the sample trainer's, and what a run of each must report:
# (the script, its exit status through local_run, the lines the report must hold).
OUTCOMES = {
    "no metrics.json": (
        """
import os, pathlib
pathlib.Path(os.environ["SM_MODEL_DIR"], "weights.bin").write_bytes(b"w")
print("trained")
""",
        0,
        [
            "Training succeeded.",
            "Model:   {tree}/model (weights.bin)",
            "Output:  {tree}/output/data (empty)",
        ],
    ),
    "chained exception": (
        """
import json
try:
    json.loads("{bad")
except ValueError as error:
    raise RuntimeError("could not read the settings") from error
""",
        1,
        [
            "Training failed: RuntimeError: could not read the settings",
            "    caused by: json.decoder.JSONDecodeError: Expecting property name enclosed in"
            " double quotes: line 1 column 2 (char 1)",
        ],
    ),
    "own one-line reason": (
        """
import os, pathlib, sys
pathlib.Path(os.environ["SM_OUTPUT_DIR"], "failure").write_text("no rows in the test channel")
sys.exit(1)
""",
        1,
        ["Training failed: no rows in the test channel"],
    ),
    "exit without a traceback": (
        """
import sys
print("giving up: the GPU is busy")
sys.exit(3)
""",
        1,
        ["the log ends with:", "    giving up: the GPU is busy"],
    ),
}


@pytest.mark.toolkit
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_the_verdict_is_the_toolkits_and_says_what_is_there(data, tmp_path, outcome):
    script, status, expected = OUTCOMES[outcome]
    code = tmp_path / "code"
    code.mkdir()
    (code / "train.py").write_text(script)
    tree = job_tree.prepare_job_tree(data, tmp_path / "work", source_dir=code)

    result = subprocess.run(
        [sys.executable, "-c", REPORT, str(tree)], capture_output=True, text=True, timeout=120
    )

    assert result.returncode == status, result.stderr
    report = result.stdout if status == 0 else result.stderr
    for line in expected:
        assert line.format(tree=tree) in report, report
    assert "ExecuteUserScriptError" not in report
    if status:
        assert report.splitlines()[-1] == f"The whole log: {tree / 'output' / 'local-run.log'}"


# The run and its report, in a process of their own (the toolkit's output is the terminal's).
REPORT = """
import sys
from pathlib import Path
from tools.toolkit_run import run_toolkit_logged
from tools.verdict import report_run
tree = Path(sys.argv[1])
sys.exit(report_run(tree, run_toolkit_logged(tree)))
"""


@pytest.mark.toolkit
def test_the_terminal_sees_the_log_as_it_happens(data, tmp_path, capsys):
    code = tmp_path / "code"
    code.mkdir()
    (code / "train.py").write_text("print('step 1')\nraise RuntimeError('a bug in the code')\n")
    tree = job_tree.prepare_job_tree(data, tmp_path / "work", source_dir=code)

    assert toolkit_run.run_toolkit_logged(tree) != 0

    log = (tree / "output" / toolkit_run.LOG_NAME).read_text()
    assert "Traceback (most recent call last)" in log and "step 1" in log
    assert log == capsys.readouterr().out


# The SDK's framework driver prints a script's traceback with its indents stripped, then its own.
STRIPPED_TRACEBACK = """\
Executing command: /opt/venv/bin/python3 fail.py
Traceback (most recent call last):
File "/opt/ml/input/data/code/fail.py", line 7, in <module>
main()
File "/opt/ml/input/data/code/fail.py", line 4, in main
raise ValueError("the data has no label column")
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
ValueError: the data has no label column
Command failed with exit code 1. Traceback: Traceback (most recent call last):
  File "/opt/ml/input/data/sm_drivers/common/utils.py", line 193, in execute_commands
    raise subprocess.CalledProcessError(exitcode, commands)
subprocess.CalledProcessError: Command '['python3', 'fail.py']' returned non-zero exit status 1.
"""


def test_a_traceback_without_indents_still_names_its_exception():
    lines = STRIPPED_TRACEBACK.splitlines()
    assert verdict.chained_exceptions(lines) == ["ValueError: the data has no label column"]
