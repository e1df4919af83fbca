"""The project's answers to the template's questions, and where its parts are.

The one tool module the template fills in: each answer arrives through the template's
`quoted` filter, so any text is a valid Python string. Everything else reads the answers from here.
"""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SOURCE_DIR = PROJECT_DIR / "source_dir"  # the training code, packed into sourcedir.tar.gz
# Local runs' trees and local mode's output; never packed (sourcedir skips the name).
LOCAL_RUN_DIR = PROJECT_DIR / ".local-run"
LOCAL_MODE_DIR = LOCAL_RUN_DIR / "local-mode"  # a folder per local-mode job: its model, output
# The data folder, relative to where the tools run (make runs them in the project).
DATA_FOLDER = "data"
# What local runs train in: a virtual environment of the image's `train` group only, so an
# import the image lacks fails here too (`make setup` makes it; TRAIN_VENV names another).
TRAIN_VENV = Path(os.environ.get("TRAIN_VENV") or PROJECT_DIR / ".venv-train")

DEFAULT_REGION = {{ cookiecutter.aws_region | quoted }}
DEFAULT_PREFIX = {{ cookiecutter.s3_prefix | quoted }}
BASE_JOB_NAME = {{ cookiecutter.base_job_name | quoted }}
DEFAULT_INSTANCE_TYPE = {{ cookiecutter.instance_type | quoted }}
ECR_REPOSITORY = {{ cookiecutter.ecr_repository | quoted }}
# The tag `make build` gives the image here; --instance-type local runs it.
LOCAL_IMAGE = {{ (cookiecutter.project_slug ~ ":latest") | quoted }}
# Whether the image and the launcher can train across several hosts (tools/mpi.py).
INCLUDE_MPI = {{ "True" if cookiecutter.include_mpi else "False" }}


def default_region():
    """Where jobs go unless told: $AWS_REGION, $AWS_DEFAULT_REGION, then the project's answer."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
