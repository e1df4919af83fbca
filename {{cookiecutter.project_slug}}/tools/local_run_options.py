"""local_run.py's command line, read into a LocalRunRequest."""

from pathlib import Path

from tools.cli import (
    OneLineParser,
    add_entry_point_option,
    add_hyperparameter_option,
    parse_request,
    request_from,
)
from tools.project import INCLUDE_MPI, SOURCE_DIR
from tools.run_requests import LocalRunRequest

if INCLUDE_MPI:
    from tools import mpi


def build_parser():
    parser = OneLineParser(
        prog="local_run.py",
        description="Train through the real sagemaker-training toolkit here, without Docker"
        " or AWS.",
    )
    parser.add_argument("--data", required=True, type=Path, help="folder with a folder per channel")
    parser.add_argument("--work", required=True, type=Path, help="where to build the /opt/ml tree")
    parser.add_argument(
        "--source-dir",
        type=Path,
        default=SOURCE_DIR,
        help="the training code (default: source_dir/)",
    )
    add_entry_point_option(parser)
    add_hyperparameter_option(parser, help="for the script (repeatable), e.g. epochs=5")
    parser.add_argument("--prepare-only", action="store_true", help="build the tree, do not run")
    parser.add_argument("--job-base-dir", help="where the tree will be mounted, e.g. /opt/ml")
    container = parser.add_argument_group("in the image (make train-container)")
    container.add_argument("--image", help="run its `train` on the tree, mounted at /opt/ml")
    container.add_argument("--engine", default="docker", help="docker or podman (default: docker)")
    container.add_argument(
        "--network",
        default="bridge",
        help="the container's network; none cuts it (default: bridge)",
    )
    if INCLUDE_MPI:
        mpi.add_local_options(container)
    return parser


def parse_args(argv=None):
    """The LocalRunRequest argv asks for; a mistake exits with one line."""
    return parse_request(
        build_parser(),
        argv,
        lambda options: request_from(
            options,
            LocalRunRequest,
            hyperparameters=dict(options.hyperparameter),
            mpi=mpi.local_settings(options) if INCLUDE_MPI else None,
        ),
    )
