"""train.py's hyperparameters (source_dir/hyperparameters.py), in-process: fast, and the same
code the toolkit runs."""

import re

import pytest

import hyperparameters
import utils


def test_hyperparameters_have_the_defaults_the_readme_lists():
    args = hyperparameters.parse_args([])

    assert (args.task, args.epochs, args.batch_size, args.seed) == ("classification", 10, 1024, 42)
    assert (args.learning_rate, args.alpha) == (0.1, 0.0001)


def test_the_smallest_hyperparameters_are_accepted():
    args = hyperparameters.parse_args(["--batch-size", "1", "--seed", "0", "--alpha", "0"])

    assert (args.batch_size, args.seed, args.alpha) == (1, 0, 0.0)


def test_hyperparameters_as_the_toolkit_passes_them():
    args = hyperparameters.parse_args(
        ["--epochs", "3", "--learning-rate", "0.5", "--task", "regression"]
    )

    assert (args.epochs, args.learning_rate, args.task) == (3, 0.5, "regression")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--epoch", "3"], "unrecognized arguments: --epoch 3"),
        (["--epochs", "three"], "argument --epochs: invalid int value: 'three'"),
        (["--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
        (["--learning-rate", "0"], "argument --learning-rate: must be greater than 0, got 0"),
        (["--task", "ranking"], "argument --task: invalid choice: 'ranking'"),
    ],
)
def test_bad_hyperparameters_are_one_line_user_errors(argv, expected):
    with pytest.raises(utils.UserError, match=re.escape(expected)) as error:
        hyperparameters.parse_args(argv)

    assert "\n" not in str(error.value)
