"""train.py's own parser (pyproject.toml [tool.launch] hyperparameter-parsers), asked by
launch.py about every job's hyperparameters and every tuning bound and value before anything
is sent: what it refuses costs one line, against the moto stand-in."""

import pytest
from sent_requests import assert_refused

pytestmark = pytest.mark.aws

TUNE = ["--objective", "train:loss", "--tune"]
# mistake: (arguments, what the one line says)
REFUSED = {
    "a value": (
        ["--hyperparameter", "epochs=0"],
        "train.py's parser (hyperparameters:parse_args) refuses: --epochs 0: hyperparameters:"
        " argument --epochs: must be at least 1, got 0",
    ),
    "an unknown name": (["--hyperparameter", "epoch=3"], "unrecognized arguments: --epoch 3"),
    "a tuned name it does not know": (
        [*TUNE, "learning_rate=0.01:0.1"],
        "unrecognized arguments: --learning_rate 0.01",
    ),
    "a bound": (
        [*TUNE, "learning-rate=0:0.5"],
        "--learning-rate 0.0: hyperparameters: argument --learning-rate: must be greater than 0",
    ),
    "a choice": ([*TUNE, "task=classification,ranking"], "invalid choice: 'ranking'"),
}


@pytest.mark.parametrize("mistake", REFUSED)
def test_what_train_py_refuses_costs_one_line_and_sends_nothing(aws, run_launch, mistake):
    arguments, message = REFUSED[mistake]
    assert_refused(run_launch("--bucket", aws.bucket, "--no-wait", *arguments), message, aws)


def test_a_parser_that_is_gone_costs_one_line(aws, run_launch, project):
    (project / "source_dir" / "hyperparameters.py").unlink()

    result = run_launch("--bucket", aws.bucket, "--no-wait")

    assert result.returncode == 2
    assert result.stderr.startswith(
        "launch.py: error: train.py's parser (hyperparameters:parse_args)"
    )
    assert "cannot load it: No module named 'hyperparameters'" in result.stderr
    assert aws.object_keys() == []
