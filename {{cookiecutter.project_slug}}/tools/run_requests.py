"""The typed requests the two command lines build: checked once, then only read.

Tests build them directly, without an argv; every default is named here once and the
command lines show these same values in --help.
"""

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from tools import contract
from tools.cli import UserError
from tools.project import (
    BASE_JOB_NAME,
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_PREFIX,
    DEFAULT_REGION,
    INCLUDE_MPI,
    SOURCE_DIR,
)

MODES = ("toolkit", "framework")  # who runs train.py in the image: the toolkit, or the SDK
FRAMEWORK_SCRIPTS = (".py", ".sh")  # what the SDK's driver can start
DEFAULT_VOLUME_GB = 30
DEFAULT_MAX_RUN = 3600  # seconds
# What a local-mode job has no use for: request field -> its option.
LOCAL_MODE_LACKS = {
    "spot": "--spot",
    "checkpoint_s3_uri": "--checkpoint-s3-uri",
    "keep_alive": "--keep-alive",
    "dry_run": "--dry-run (it prints a SageMaker job's request)",
    "tuning": "--tune",
}
ONE_HOST_ONLY = (
    "train over MPI"
    if INCLUDE_MPI
    else "use one instance, or re-render the project with include_mpi"
)


@dataclass(frozen=True)
class LaunchRequest:
    """One SageMaker training job (or a local-mode run of it), as asked for."""

    job_name: str
    channels: dict  # channel name -> s3:// URI or local folder to upload
    distributions: dict = field(default_factory=dict)  # channel -> S3DistributionType asked for
    source_dir: Path = SOURCE_DIR
    entry_point: str = contract.ENTRY_POINT  # relative to source_dir
    mode: str = MODES[0]
    image_uri: str | None = None  # None: the project's ECR image (the local one in local mode)
    hyperparameters: dict = field(default_factory=dict)  # the script's own
    role: str | None = None
    region: str = DEFAULT_REGION
    bucket: str | None = None  # None: the SDK's default bucket
    prefix: str = DEFAULT_PREFIX
    instance_type: str = DEFAULT_INSTANCE_TYPE
    instance_count: int = 1
    volume_size: int = DEFAULT_VOLUME_GB
    max_run: int = DEFAULT_MAX_RUN
    spot: bool = False
    max_wait: int | None = None  # with spot: at least max_run (None: max_run)
    checkpoint_s3_uri: str | None = None
    keep_alive: int | None = None
    mpi: object = None  # tools.mpi.MpiSettings in MPI projects, when the job trains over MPI
    tuning: object = None  # tools.tuning_options.TuningSettings: a tuning job instead of a job
    wait: bool = True
    dry_run: bool = False

    def __post_init__(self):
        if self.mode not in MODES:
            raise UserError(f"mode {self.mode!r} is not one of {', '.join(MODES)}")
        if self.mode == "framework" and not self.entry_point.endswith(FRAMEWORK_SCRIPTS):
            raise UserError(
                f"--mode framework runs only {' or '.join(FRAMEWORK_SCRIPTS)} scripts, not"
                f" {self.entry_point} (the toolkit runs any)"
            )
        name_rule = contract.TUNING_JOB_NAME if self.tuning else contract.JOB_NAME
        if not name_rule.fullmatch(self.job_name):
            what = "tuning job name (at most 32 characters)" if self.tuning else "job name"
            raise UserError(f"malformed {what}: {self.job_name!r}")
        if self.max_wait and not self.spot:
            raise UserError("--max-wait only applies with --spot")
        if self.spot and self.max_wait and self.max_wait < self.max_run:
            raise UserError("--max-wait must be at least --max-run")
        unknown = sorted(set(self.distributions) - set(self.channels))
        if unknown:
            raise UserError(f"--distribution names no channel of the job: {', '.join(unknown)}")
        if self.local:
            self.check_local()
        if self.instance_count > 1 and not self.mpi:
            raise UserError(
                "--instance-count above 1 would train each host on its own shard with nothing to"
                f" combine the models: {ONE_HOST_ONLY}"
            )

    def check_local(self):
        """What local mode cannot do, refused in one line."""
        for asked, option in LOCAL_MODE_LACKS.items():
            if getattr(self, asked):
                raise UserError(f"{option} applies to SageMaker jobs, not to local mode")
        if not self.wait:
            raise UserError("local mode runs here until the job ends: leave out --no-wait")
        if contract.SHARDED_BY_S3_KEY in self.distributions.values():
            raise UserError(
                f"local mode gives every host all of a channel: {contract.SHARDED_BY_S3_KEY}"
                " needs a SageMaker job"
            )

    @property
    def max_wait_time(self):
        """With spot, how long the job may wait for capacity plus run; else None."""
        return (self.max_wait or self.max_run) if self.spot else None

    @property
    def local(self):
        """Whether the SDK's local mode runs the image here instead of SageMaker."""
        return self.instance_type in contract.LOCAL_INSTANCE_TYPES

    def distribution(self, channel):
        """The channel's S3DistributionType: as asked for, else with several hosts each gets
        its own share of the train files; every other channel goes whole to every host, as
        every channel does in local mode (the SDK's local mode has no other)."""
        if channel in self.distributions:
            return self.distributions[channel]
        sharded = channel == "train" and self.instance_count > 1 and not self.local
        return contract.SHARDED_BY_S3_KEY if sharded else contract.FULLY_REPLICATED


def default_job_name(tuning=False):
    """The project's base job name plus the UTC time, as the SDK would name the job; a tuning
    job's name is cut to SageMaker's 32 characters."""
    name = (contract.tuning_job_name if tuning else contract.job_name)(BASE_JOB_NAME)
    if not contract.JOB_NAME.fullmatch(name):
        raise UserError(
            f"BASE_JOB_NAME {BASE_JOB_NAME!r} gives an invalid job name: pass --job-name"
        )
    return name


@dataclass(frozen=True)
class LocalRunRequest:
    """One run of the toolkit on this machine, on a tree built under work."""

    data: Path  # a folder per channel
    work: Path  # where the /opt/ml tree is built
    source_dir: Path = SOURCE_DIR
    entry_point: str = contract.ENTRY_POINT  # relative to source_dir
    hyperparameters: dict = field(default_factory=dict)
    prepare_only: bool = False  # build the tree, do not run
    job_base_dir: str | None = None  # where the tree will be mounted, e.g. /opt/ml
    image: str | None = None  # run this image's `train` on the tree instead of the toolkit here
    engine: str = "docker"  # or podman: anything with docker's command line
    network: str = "bridge"  # the container's; none mimics network isolation
    mpi: object = None  # tools.mpi.MpiSettings in MPI projects: mpirun in the image

    def __post_init__(self):
        if self.image and (self.prepare_only or self.job_base_dir):
            given = "--prepare-only" if self.prepare_only else "--job-base-dir"
            raise UserError(f"--image runs the tree it builds: leave out {given}")
        if self.job_base_dir and not PurePosixPath(self.job_base_dir).is_absolute():
            raise UserError(f"--job-base-dir {self.job_base_dir} is not an absolute path")
        if self.job_base_dir and not self.prepare_only:
            raise UserError("--job-base-dir builds a tree for a container: add --prepare-only")
