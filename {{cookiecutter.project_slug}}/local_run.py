"""Train through the real sagemaker-training toolkit on this machine, without Docker or AWS.

    python local_run.py --data data --work .local-run [--hyperparameter epochs=5 ...]
                        [--prepare-only] [--job-base-dir /opt/ml]

It builds the folder tree SageMaker mounts at /opt/ml in a training container (the
config JSONs as SageMaker writes them, the channels, a sourcedir.tar.gz of source_dir/),
points the toolkit at it with SAGEMAKER_BASE_DIR and runs the toolkit's `train`, which
unpacks the code and runs `python train.py --key value ...` just as in a job.

--prepare-only builds the tree and prints its path. --job-base-dir /opt/ml writes every
path inside the tree as a container sees it when the tree is mounted at /opt/ml.
The toolkit's output goes to the terminal and to output/local-run.log in the tree.
Tests import prepare_job_tree() and run_toolkit() rather than building their own tree.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import sourcedir
from launch import (
    BASE_JOB_NAME,
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_REGION,
    OneLineParser,
    hyperparameter,
)

PROJECT_DIR = Path(__file__).resolve().parent
SOURCE_DIR = PROJECT_DIR / "source_dir"
ENTRY_POINT = "train.py"
ARCHIVE_NAME = "sourcedir.tar.gz"  # at the top of the tree: the toolkit unpacks it into code/
LOG_NAME = "local-run.log"  # in the tree's output/
# Hyperparameters SageMaker reserves for the toolkit, besides the code's location.
TOOLKIT_HYPERPARAMETERS = {
    "sagemaker_program": ENTRY_POINT,
    "sagemaker_container_log_level": 20,
    "sagemaker_job_name": f"{BASE_JOB_NAME}-local",
    "sagemaker_region": DEFAULT_REGION,
}
DISTRIBUTIONS = ("FullyReplicated", "ShardedByS3Key")
# The toolkit's own report of a failed script follows the script's last words in the log.
TOOLKIT_FAILURE_REPORT = "sagemaker-training-toolkit ERROR"
LAST_WORDS = 3  # lines of the log shown when the script gave no one-line reason


class LocalRunError(Exception):
    """A mistake in how the local run was asked for: reported in one line."""


def encode_hyperparameters(hyperparameters):
    """hyperparameters.json as SageMaker writes it: every value JSON-encoded into a string."""
    return {key: json.dumps(value) for key, value in hyperparameters.items()}


def resource_config(hosts, current_host):
    """resourceconfig.json as SageMaker writes it on each host."""
    return {
        "current_host": current_host,
        "current_instance_type": DEFAULT_INSTANCE_TYPE,
        "current_group_name": "homogeneousCluster",
        "hosts": list(hosts),
        "instance_groups": [
            {
                "instance_group_name": "homogeneousCluster",
                "instance_type": DEFAULT_INSTANCE_TYPE,
                "hosts": list(hosts),
            }
        ],
        "network_interface_name": "eth0",
    }


def input_data_config(distributions):
    """inputdataconfig.json as SageMaker writes it: one entry per channel."""
    return {
        channel: {
            "ContentType": "text/csv",
            "TrainingInputMode": "File",
            "S3DistributionType": distribution,
            "RecordWrapperType": "None",
        }
        for channel, distribution in distributions.items()
    }


def channel_distributions(channels, distribution):
    """{channel: S3DistributionType}: distribution is one for every channel, or a
    {channel: type} mapping (channels it leaves out are FullyReplicated)."""
    if isinstance(distribution, str):
        distribution = dict.fromkeys(channels, distribution)
    chosen = {channel: distribution.get(channel, DISTRIBUTIONS[0]) for channel in channels}
    unknown = sorted(set(distribution) - set(channels))
    if unknown:
        raise LocalRunError(f"distribution names channels the data lacks: {', '.join(unknown)}")
    for value in chosen.values():
        if value not in DISTRIBUTIONS:
            raise LocalRunError(f"distribution {value!r} is not one of {DISTRIBUTIONS}")
    return chosen


def host_share(files, hosts, current_host, distribution):
    """The files SageMaker gives this host: all of them, or every n-th when sharded."""
    if distribution == "FullyReplicated":
        return files
    return files[hosts.index(current_host) :: len(hosts)]


def link_or_copy(source, target):
    """Hard-link (cheap, and unlike a symlink it survives a container mount), else copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def fill_channel(source, target, hosts, current_host, distribution):
    files = sorted(p for p in source.rglob("*") if p.is_file())
    target.mkdir(parents=True)
    for path in host_share(files, list(hosts), current_host, distribution):
        link_or_copy(path, target / path.relative_to(source))


def write_json(data, path):
    path.write_text(json.dumps(data, indent=2) + "\n")


def clear_tree(tree):
    """Remove an earlier run's tree, refusing to delete a folder that is not one."""
    if not tree.exists():
        return
    if any(tree.iterdir()) and not (tree / "input" / "config").is_dir():
        raise LocalRunError(f"{tree} exists and is not a job tree; choose another --work folder")
    try:
        # input/ (with config/) goes last, so a tree left half-deleted is still known as one.
        for entry in sorted(tree.iterdir(), key=lambda entry: entry.name == "input"):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        tree.rmdir()
    except OSError as error:
        # Typically files a rootful `docker run` (make train-container) left owned by root.
        raise LocalRunError(
            f"cannot delete the last run's {tree} ({error.strerror}: {error.filename}); "
            f"delete it with `sudo rm -rf {tree}`"
        ) from None


def prepare_job_tree(
    data,
    work,
    hyperparameters=None,
    job_base_dir=None,
    hosts=("algo-1",),
    current_host="algo-1",
    distribution="FullyReplicated",
    source_dir=SOURCE_DIR,
):
    """Build a fresh /opt/ml tree at WORK/opt/ml for one host and return its path.

    Every folder in DATA becomes a channel of that name (train/, validation/, ...).
    hyperparameters are the job's own (epochs, ...); job_base_dir is where the tree will
    be mounted when the job runs (default: where it is); distribution is every channel's
    S3DistributionType, or a {channel: type} mapping, as launch.py shards only train.
    """
    data, tree = Path(data), Path(work).resolve() / "opt" / "ml"
    if not data.is_dir():
        raise LocalRunError(f"data folder {data} does not exist (`make data` writes sample data)")
    channels = sorted(p.name for p in data.iterdir() if p.is_dir())
    distributions = channel_distributions(channels, distribution)
    clear_tree(tree)
    config = tree / "input" / "config"
    config.mkdir(parents=True)  # first, so that even a half-built tree is known as one
    sourcedir.write_archive(source_dir, tree / ARCHIVE_NAME)
    for channel, channel_distribution in distributions.items():
        target = tree / "input" / "data" / channel
        fill_channel(data / channel, target, hosts, current_host, channel_distribution)
    mounted_at = PurePosixPath(job_base_dir) if job_base_dir else PurePosixPath(tree)
    all_hyperparameters = {
        **TOOLKIT_HYPERPARAMETERS,
        "sagemaker_submit_directory": str(mounted_at / ARCHIVE_NAME),
        **(hyperparameters or {}),
    }
    write_json(encode_hyperparameters(all_hyperparameters), config / "hyperparameters.json")
    write_json(resource_config(hosts, current_host), config / "resourceconfig.json")
    write_json(input_data_config(distributions), config / "inputdataconfig.json")
    for folder in ("code", "model", "output/data", "checkpoints"):
        (tree / folder).mkdir(parents=True)
    return tree


def toolkit_command(tree):
    """The command and environment that run the toolkit's `train` on a prepared tree."""
    train = Path(sys.executable).parent / "train"
    if not train.exists():
        raise LocalRunError(f"no toolkit `train` next to {sys.executable}; run `make setup`")
    # Studio local mode skips the toolkit's wait for every host name to resolve in DNS.
    env = {**os.environ, "SAGEMAKER_BASE_DIR": str(tree), "SM_STUDIO_LOCAL_MODE": "true"}
    return [str(train)], env


def run_toolkit(tree, **run_options):
    """Run the toolkit on a prepared tree; run_options go to subprocess.run."""
    command, env = toolkit_command(tree)
    return subprocess.run(command, env=env, check=False, **run_options)


def run_toolkit_logged(tree):
    """Run the toolkit on a prepared tree, its output (stdout and stderr, in order) to the
    terminal and to the log; return its exit status."""
    command, env = toolkit_command(tree)
    env["PYTHONUNBUFFERED"] = "1"  # keep train.py's prints in step with its errors
    with (
        (tree / "output" / LOG_NAME).open("w") as log,
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as toolkit,
    ):
        for line in toolkit.stdout:
            sys.stdout.write(line)
            log.write(line)
    return toolkit.returncode


def failure_reason(tree):
    """The one-line reason train.py wrote to output/failure, or None. (The toolkit writes
    a several-line report of its own when the script crashed without one.)"""
    failure = tree / "output" / "failure"
    lines = failure.read_text().strip().splitlines() if failure.exists() else []
    return lines[0] if len(lines) == 1 else None


def last_words(log):
    """The last non-empty lines of the log before the toolkit's failure report: the end of
    a traceback, or of whatever else stopped the script."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    ends = [i for i, line in enumerate(lines) if TOOLKIT_FAILURE_REPORT in line]
    before_report = lines[: ends[0]] if ends else lines
    return [line for line in before_report if line.strip()][-LAST_WORDS:]


def report(tree, returncode):
    """Say where the results are, or why training failed; return the exit status."""
    if returncode != 0:
        reason = failure_reason(tree)
        if reason:
            print(f"Training failed: {reason}", file=sys.stderr)
        else:
            log = tree / "output" / LOG_NAME
            print("Training failed; the log ends with:", file=sys.stderr)
            for line in last_words(log):
                print(f"    {line}", file=sys.stderr)
            print(f"The whole log: {log}", file=sys.stderr)
        return 1
    metrics = tree / "output" / "data" / "metrics.json"
    print(f"Model:   {tree / 'model'}")
    print(f"Metrics: {metrics}")
    for name, value in json.loads(metrics.read_text()).items():
        print(f"  {name}={value:.6g}")
    return 0


def parse_args(argv):
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="folder with a folder per channel")
    parser.add_argument("--work", required=True, type=Path, help="where to build the /opt/ml tree")
    parser.add_argument(
        "--hyperparameter",
        type=hyperparameter,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a hyperparameter for train.py (repeatable), e.g. epochs=5",
    )
    parser.add_argument("--prepare-only", action="store_true", help="build the tree, do not run")
    parser.add_argument("--job-base-dir", help="where the tree will be mounted, e.g. /opt/ml")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        if args.job_base_dir and not PurePosixPath(args.job_base_dir).is_absolute():
            raise LocalRunError(f"--job-base-dir {args.job_base_dir} is not an absolute path")
        if args.job_base_dir and not args.prepare_only:
            raise LocalRunError("--job-base-dir builds a tree for a container: add --prepare-only")
        hyperparameters = dict(args.hyperparameter)
        tree = prepare_job_tree(args.data, args.work, hyperparameters, args.job_base_dir)
        if args.prepare_only:
            print(tree)
            return 0
        return report(tree, run_toolkit_logged(tree))
    except (LocalRunError, sourcedir.SourceDirError) as error:
        print(f"local_run.py: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("local_run.py: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
