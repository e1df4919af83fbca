"""Train through the real sagemaker-training toolkit on this machine, without Docker or AWS.

    python local_run.py --data data --work .local-run [--entry-point train.py]
                        [--hyperparameter epochs=5 ...] [--prepare-only] [--job-base-dir /opt/ml]

It builds the folder tree SageMaker mounts at /opt/ml in a training container (the
config JSONs as SageMaker writes them, the channels, a sourcedir.tar.gz of source_dir/),
points the toolkit at it with SAGEMAKER_BASE_DIR and runs the toolkit's `train`, which
unpacks the code and runs `python train.py --key value ...` (or the --entry-point) just as
in a job.

--prepare-only builds the tree and prints its path. --job-base-dir /opt/ml writes every
path inside the tree as a container sees it when the tree is mounted at /opt/ml.
--image IMAGE runs that image's own `train` on the tree instead, mounted at /opt/ml as in
a job (`make train-container`).
The toolkit runs in .venv-train, the image's `train` group alone, so a local run sees what
the image has; source_dir/requirements.txt is installed into the tree, for that run only.
The toolkit's output goes to the terminal and to output/local-run.log in the tree.
The code behind this is in tools/ (job_tree, toolkit_run); tests use those directly.
"""

import sys

from tools import cli, contract
from tools.container_run import run_container_logged
from tools.job_tree import prepare_job_tree
from tools.local_run_options import parse_args
from tools.project import TRAIN_VENV
from tools.toolkit_run import run_toolkit_logged
from tools.verdict import report_run


def main(argv=None):
    request = parse_args(argv)
    return cli.run("local_run.py", lambda: run(request))


def run(request):
    mpi = request.mpi.hyperparameters() if request.mpi else {}
    tree = prepare_job_tree(
        request.data,
        request.work,
        request.hyperparameters | mpi,
        entry_point=request.entry_point,
        source_dir=request.source_dir,
        job_base_dir=contract.CONTAINER_BASE_DIR if request.image else request.job_base_dir,
    )
    if request.prepare_only:
        print(tree)
        return 0
    if request.image:
        status = run_container_logged(tree, request.image, request.engine, request.network)
    else:
        status = run_toolkit_logged(tree, TRAIN_VENV)
    return report_run(tree, status)


if __name__ == "__main__":
    sys.exit(main())
