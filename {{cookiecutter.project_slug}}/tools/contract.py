"""What SageMaker and the sagemaker-training toolkit define, each named once.

In the spirit of the toolkit's own sagemaker_training/params.py: the reserved hyperparameters
and how they are encoded, the entry point and archive, the /opt/ml layout, the channel
distributions, SageMaker's naming rules and the metric definitions the launcher sends.
"""

import json
import logging
import re
import time

# Hyperparameters the toolkit reads for itself; a user's own must not start with the prefix.
RESERVED_PREFIX = "sagemaker_"
PROGRAM = "sagemaker_program"  # the entry point's file name
SUBMIT_DIRECTORY = "sagemaker_submit_directory"  # where sourcedir.tar.gz is
REGION = "sagemaker_region"
CONTAINER_LOG_LEVEL = "sagemaker_container_log_level"
JOB_NAME_HYPERPARAMETER = "sagemaker_job_name"
MPI_ENABLED = "sagemaker_mpi_enabled"
MPI_PROCESSES_PER_HOST = "sagemaker_mpi_num_of_processes_per_host"
MPI_CUSTOM_OPTIONS = "sagemaker_mpi_custom_mpi_options"

ENTRY_POINT = "train.py"  # the default; --entry-point (ENTRY_POINT= for make) names another
ARCHIVE_NAME = "sourcedir.tar.gz"
REQUIREMENTS = "requirements.txt"  # in source_dir/: the toolkit pip-installs it first

# The /opt/ml tree, relative to its root (SAGEMAKER_BASE_DIR in a local run).
CONFIG_DIR = "input/config"  # hyperparameters.json, resourceconfig.json, inputdataconfig.json
CHANNELS_DIR = "input/data"  # a folder per channel
MODEL_DIR = "model"
OUTPUT_DATA_DIR = "output/data"
FAILURE_FILE = "output/failure"  # the script's reason for failing
CHECKPOINT_DIR = "checkpoints"
CODE_DIR = "code"
CONTAINER_BASE_DIR = "/opt/ml"  # where SageMaker mounts the tree
CURRENT_GROUP = "homogeneousCluster"  # the one instance group of a plain job
FIRST_HOST = "algo-1"  # SageMaker names a job's hosts algo-1, algo-2, ...
JOB_LOG_GROUP = "/aws/sagemaker/TrainingJobs"  # each host's log: a stream <job>/algo-N-<time>
# The network interface a container has on a podman or compose network (SageMaker's own hosts
# are told ethwe), named in each host's resourceconfig.json for MPI to find the others.
CONTAINER_NETWORK_INTERFACE = "eth0"

# How a channel's files are spread over the hosts (S3DistributionType).
FULLY_REPLICATED = "FullyReplicated"
SHARDED_BY_S3_KEY = "ShardedByS3Key"
DISTRIBUTIONS = (FULLY_REPLICATED, SHARDED_BY_S3_KEY)

# Instance types the SDK's local mode runs on this machine instead of in SageMaker.
LOCAL_INSTANCE_TYPES = ("local", "local_gpu")

# SageMaker's and AWS's naming rules, checked before anything is sent.
CHANNEL_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
JOB_NAME = re.compile(r"(?=.{1,63}\Z)[a-zA-Z0-9](?:-*[a-zA-Z0-9])*")
TUNING_JOB_NAME = re.compile(r"(?=.{1,32}\Z)[a-zA-Z0-9](?:-*[a-zA-Z0-9])*")
S3_URI = re.compile(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/\S*)?")
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
IMAGE_URI = re.compile(
    r"[a-z0-9][a-z0-9._-]*(?::\d+)?(?:/[a-z0-9._-]+)*(?::[\w.-]{1,128}|@sha256:[0-9a-f]{64})?"
)
# The v3 SDK's job name suffix (sagemaker.train.utils._get_unique_name); the template leaves
# base_job_name room for it within the 63 characters.
JOB_NAME_STAMP = "%Y%m%d%H%M%S"

# A metric definition: SageMaker's MetricName and a regex of at most 500 characters whose
# one group captures the number; NUMBER is that group for a plain decimal or exponent number.
METRIC_NAME = re.compile(r".{1,255}")
MAX_METRIC_REGEX = 500
NUMBER = r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"


def name_value_regex(name):
    """The regex that captures the number of a `name=<number>` token in the job's log."""
    return f"{re.escape(name)}={NUMBER}"


def job_name(base):
    """base plus the UTC time to the second, as the v3 SDK names its jobs."""
    return f"{base}-{time.strftime(JOB_NAME_STAMP, time.gmtime())}"


def tuning_job_name(base):
    """job_name of base cut to fit a tuning job's 32 characters."""
    return job_name(base[: 32 - len("-YYYYmmddHHMMSS")].rstrip("-"))


def toolkit_hyperparameters(entry_point, submit_directory, region, job_name=None):
    """The reserved hyperparameters that make the toolkit run entry_point from the archive
    at submit_directory (an s3:// URI, or a path inside the container). SageMaker itself adds
    the job's name in a real job; a local run names its own."""
    reserved = {
        PROGRAM: entry_point,
        SUBMIT_DIRECTORY: submit_directory,
        REGION: region,
        CONTAINER_LOG_LEVEL: logging.INFO,
    }
    return reserved | ({JOB_NAME_HYPERPARAMETER: job_name} if job_name else {})


def encode_hyperparameters(values):
    """Every value JSON-encoded into a string, as SageMaker stores them and the toolkit reads
    them back (3 stays a number, "3" a string)."""
    return {key: json.dumps(value) for key, value in values.items()}
