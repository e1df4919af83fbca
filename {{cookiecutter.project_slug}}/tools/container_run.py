"""The image's own `train` run on a prepared /opt/ml tree, as SageMaker runs a job: the tree
mounted at /opt/ml, the host named algo-1 (what `make train-container` does)."""

import os
import shutil

from tools import contract
from tools.cli import UserError
from tools.toolkit_run import log_path, run_logged


def container_command(tree, image, engine, network):
    return [
        engine,
        "run",
        "--rm",
        f"--network={network}",
        "--hostname",
        contract.FIRST_HOST,
        "--volume",
        f"{tree}:{contract.CONTAINER_BASE_DIR}",
        image,
        "train",
    ]


def run_container_logged(tree, image, engine="docker", network="bridge"):
    """Run the image on the tree, logged as a local run is; the container's exit status."""
    if shutil.which(engine) is None:
        raise UserError(f"{engine} is not installed here (ENGINE=podman runs podman instead)")
    command = container_command(tree, image, engine, network)
    return run_logged(command, dict(os.environ), log_path(tree))
