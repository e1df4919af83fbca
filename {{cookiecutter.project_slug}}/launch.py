"""Package source_dir/, upload it and start a SageMaker training job (SageMaker Python SDK v3).

    python launch.py                      # defaults from the project's answers; `make train`
    python launch.py --dry-run            # print the CreateTrainingJob request, send nothing
    python launch.py --instance-type local  # SageMaker local mode: the image here, no AWS
    python launch.py --help               # every option

Two ways to run the code in the image:
- toolkit (default): source_dir/ becomes a deterministic sourcedir.tar.gz stored under its
  SHA-256 in S3; the job names it in the reserved `sagemaker_*` hyperparameters and the
  image's own `train` (the sagemaker-training toolkit) downloads it and runs train.py.
- framework: the SDK's SourceCode carries the same archive and the SDK's driver scripts run
  train.py instead of the toolkit.

Local data folders (--train/--validation) are uploaded the same way, under a digest of their
contents, so nothing unchanged is uploaded twice. The validation channel is optional.
In local mode (tools/local_mode.py) nothing is uploaded: the SDK runs the image here.
The code behind this is in tools/ (see tools/__init__.py).
"""

import sys

from tools import cli
from tools.launch_options import parse_args
from tools.project import LOCAL_MODE_DIR


def main(argv=None):
    request = parse_args(argv)
    interrupted = (
        f"interrupted; the containers are gone, what the job wrote is in"
        f" {LOCAL_MODE_DIR / request.job_name}"
        if request.local
        else "interrupted before the job was started"
    )
    return cli.run("launch.py", lambda: launch(request), aws_errors, interrupted)


def launch(request):
    from tools.hyperparameter_check import Probe
    from tools.preflight import prepare

    with Probe(request) as probe:  # the script's parser, asked while the SDK loads
        prepared = prepare(request)  # before the SDK: a mistake here costs no time
        from tools import launcher  # the SDK, only now: --help and argument errors return at once

        return launcher.launch(request, prepared, probe)


def aws_errors():
    """What AWS and the SDK raise for a mistake the user can fix (a role, a permission, ...)."""
    from tools import sdk

    return sdk.USER_ERRORS


if __name__ == "__main__":
    sys.exit(main())
