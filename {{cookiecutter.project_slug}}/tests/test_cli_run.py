"""How both command lines end (tools/cli.py's run): a user's mistake is one line and exit
status 2, Ctrl-C one line and 130 (the shell's 128 + SIGINT), anything else the tool's own
fault, raised with its traceback."""

import errno

import pytest

from tools.cli import UserError, run


def raising(error):
    def work():
        raise error

    return work


# work raises: (the line on stderr, the exit status)
ENDINGS = {
    "Ctrl-C": (KeyboardInterrupt(), "tool.py: interrupted", 130),
    "a mistake": (UserError("no channels"), "tool.py: error: no channels", 2),
    "a mistake its caller knows": (LookupError("no such job"), "tool.py: error: no such job", 2),
    "a file it cannot read": (
        OSError(errno.ENOENT, "No such file or directory", "data/train/part-0.csv"),
        "tool.py: error: data/train/part-0.csv: No such file or directory",
        2,
    ),
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_each_ending_is_one_line_and_its_status(capsys, ending):
    error, line, status = ENDINGS[ending]

    assert run("tool.py", raising(error), lambda: (LookupError,)) == status
    assert capsys.readouterr() == ("", f"{line}\n")


def test_ctrl_c_says_what_the_caller_asks(capsys):
    said = "stopped; nothing was sent"
    assert run("tool.py", raising(KeyboardInterrupt()), interrupted=said) == 130
    assert capsys.readouterr().err == "tool.py: stopped; nothing was sent\n"


FAULTS = {"an OSError about no file": OSError("disk full"), "a bug": ValueError("a bug")}


@pytest.mark.parametrize("error", FAULTS.values(), ids=FAULTS)
def test_the_tools_own_faults_keep_their_traceback(capsys, error):
    with pytest.raises(type(error)):
        run("tool.py", raising(error))

    assert capsys.readouterr().err == ""


def test_work_that_ends_well_gives_its_own_status():
    assert run("tool.py", lambda: 0) == 0
