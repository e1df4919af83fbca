"""train.py's hyperparameters: the toolkit passes each as `--name value` on the command line.

A bad value is a UserError (one line in output/failure), not argparse's usage text.
"""

import argparse
import math

import utils

TASKS = ("classification", "regression")


class OneLineParser(argparse.ArgumentParser):
    """Reports a bad hyperparameter as a UserError (one line) instead of usage text."""

    def error(self, message):
        raise utils.UserError(f"hyperparameters: {message}")


def at_least(kind, minimum, inclusive=True):
    """An argparse type: a number of the given kind, checked against its lower bound."""

    def parse(text):
        value = kind(text)
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
        if value < minimum or (value == minimum and not inclusive):
            bound = "at least" if inclusive else "greater than"
            raise argparse.ArgumentTypeError(f"must be {bound} {minimum}, got {text}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def parse_args(argv):
    parser = OneLineParser(description="Train a linear model on CSV channels.", allow_abbrev=False)
    parser.add_argument("--task", choices=TASKS, default=TASKS[0])
    parser.add_argument("--epochs", type=at_least(int, 1), default=10)
    parser.add_argument("--batch-size", type=at_least(int, 1), default=1024)
    parser.add_argument("--learning-rate", type=at_least(float, 0, inclusive=False), default=0.1)
    parser.add_argument("--alpha", type=at_least(float, 0), default=0.0001, help="L2 penalty")
    parser.add_argument("--seed", type=at_least(int, 0), default=42)
    return parser.parse_args(argv)
