"""What launch.py and local_run.py share on the command line: one-line errors, argument
types, and one exit-code policy."""

import argparse
import dataclasses
import json
import re
import sys
from pathlib import PurePosixPath

from tools import contract
from tools.egress import EgressError

FAILED = 1  # the job or the run failed: its reason was printed
USER_ERROR = 2  # the tool was asked for something it cannot do (argparse's code too)
INTERRUPTED = 130  # the shell's status for Ctrl-C

HYPERPARAMETER_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class UserError(Exception):
    """A mistake the user can fix; the message says how, in one line."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake costs one line on stderr instead of the whole usage."""

    def error(self, message):
        self.exit(USER_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def checked(pattern, what):
    """An argparse type that accepts only values matching pattern."""

    def check(value):
        if not pattern.fullmatch(value):
            raise argparse.ArgumentTypeError(f"malformed {what}: {value!r}")
        return value

    return check


def positive(value):
    """An argparse type: a whole number above 0."""
    number = int(value) if value.isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, got {value!r}")
    return number


def hyperparameter(text):
    """KEY=VALUE as (key, value); VALUE is read as JSON when it parses (3, 0.1, true), else
    kept as text."""
    key, separator, value = text.partition("=")
    if not separator or not HYPERPARAMETER_KEY.fullmatch(key):
        raise argparse.ArgumentTypeError(f"malformed hyperparameter {text!r} (expected KEY=VALUE)")
    if key == contract.PROGRAM:
        raise argparse.ArgumentTypeError(f"{key} is reserved: name the script with --entry-point")
    if key.startswith(contract.RESERVED_PREFIX):
        raise argparse.ArgumentTypeError(f"{key} is reserved for the launcher and the toolkit")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def add_hyperparameter_option(parser, help):
    """--hyperparameter KEY=VALUE, repeatable; the values arrive as a list of pairs."""
    parser.add_argument(
        "--hyperparameter",
        type=hyperparameter,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=help,
    )


def add_entry_point_option(parser):
    """--entry-point FILE: the script the toolkit runs, relative to the source folder."""
    parser.add_argument(
        "--entry-point",
        type=entry_point,
        metavar="FILE",
        default=contract.ENTRY_POINT,
        help=f"the script to run, in the source folder (default: {contract.ENTRY_POINT})",
    )


def entry_point(value):
    """An argparse type: a relative path that stays inside the source folder."""
    path = PurePosixPath(value)
    if not value or path.is_absolute() or ".." in path.parts:
        raise argparse.ArgumentTypeError(
            f"entry point {value!r} must be a file in the source folder, e.g. train.py"
        )
    return path.as_posix()


def parse_request(parser, argv, build):
    """build(options) for the parsed argv: the tool's request; a UserError from the checks
    exits with one line, as argparse's own mistakes do."""
    options = parser.parse_args(argv)
    try:
        return build(options)
    except UserError as error:
        parser.error(str(error))


def request_from(options, request_class, **computed):
    """request_class with each field from the option of its name, unless computed."""
    names = [
        field.name for field in dataclasses.fields(request_class) if field.name not in computed
    ]
    return request_class(**{name: getattr(options, name) for name in names}, **computed)


def one_line(error):
    """An error's message with its line breaks and runs of spaces folded."""
    return " ".join(str(error).split())


def run(prog, work, user_errors=tuple, interrupted="interrupted"):
    """work()'s exit status; a user's mistake costs one line and USER_ERROR, Ctrl-C one line
    and INTERRUPTED. Mistakes are UserError, EgressError, what user_errors() returns (called
    only once work() has raised, so its imports cost nothing otherwise), and an OSError about
    a file (one that cannot be read, say): the file's name and the reason."""
    try:
        return work()
    except KeyboardInterrupt:
        print(f"{prog}: {interrupted}", file=sys.stderr)
        return INTERRUPTED
    except (UserError, EgressError) as error:  # apart: user_errors() may import for seconds
        return refused(prog, one_line(error))
    except Exception as error:
        if isinstance(error, user_errors()):
            return refused(prog, one_line(error))
        if isinstance(error, OSError) and error.filename is not None:
            return refused(prog, f"{error.filename}: {error.strerror or error}")
        raise  # not the user's mistake: a fault of the tool's, with its traceback


def refused(prog, message):
    print(f"{prog}: error: {message}", file=sys.stderr)
    return USER_ERROR
