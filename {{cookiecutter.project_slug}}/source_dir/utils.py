"""Helpers for train.py: where things are, reading CSV in batches, metrics, failures.

Everything here works the same under the sagemaker-training toolkit (which sets the
SM_* variables), in a local run (SAGEMAKER_BASE_DIR points at a temporary /opt/ml)
and with a plain `python source_dir/train.py` from the project folder (a direct run,
which writes under the project's .local-run/direct wherever it is started from).
"""

import json
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import csv_files
import row_cache

# The metric names train.py prints as `name=value` and writes to metrics.json. The project's
# metric definitions (pyproject.toml [tool.launch]) must scrape each: a sample test checks.
METRIC_NAMES = ("train:loss", "validation:loss", "validation:accuracy", "validation:rmse")

DATA_SUFFIXES = (".csv", ".csv.gz")
# A job's folders. Its input/config tells a job apart from a machine that merely has an
# /opt/ml (SageMaker Studio and notebook instances keep /opt/ml/metadata there).
JOB_BASE_DIR = Path("/opt/ml")
# Where a direct `python train.py` writes: in the project (this file is in its source_dir/),
# never in the current folder, from which source_dir/ would be packed and shipped.
CHECKOUT_BASE_DIR = Path(__file__).resolve().parent.parent / ".local-run" / "direct"


class UserError(Exception):
    """A mistake in the data or the hyperparameters: reported in one line, no traceback."""


@dataclass(frozen=True)
class JobPaths:
    """The folders of one training job, as this host sees them."""

    train: Path
    validation: Path | None
    model: Path
    output: Path
    output_data: Path
    checkpoints: Path
    # Room for temporary files, outside every folder SageMaker uploads (see row_cache.py).
    scratch: Path
    hosts: tuple[str, ...]
    current_host: str
    # Channels whose files SageMaker split between the hosts (S3DistributionType ShardedByS3Key).
    sharded_channels: frozenset[str] = frozenset()
    # A direct `python train.py`, outside any job: it starts afresh rather than resuming.
    direct: bool = False

    @property
    def is_leader(self):
        """The first host saves the model; every host trains and checkpoints."""
        return self.current_host == self.hosts[0]


def base_dir(environ):
    """SAGEMAKER_BASE_DIR in a local run, /opt/ml in a job, the project's folder otherwise."""
    if "SAGEMAKER_BASE_DIR" in environ:
        return Path(environ["SAGEMAKER_BASE_DIR"])
    if (JOB_BASE_DIR / "input" / "config").is_dir():
        return JOB_BASE_DIR
    return CHECKOUT_BASE_DIR


def job_paths(environ=os.environ):
    """Read the job's locations from the SM_* environment, with checkout defaults."""
    base = base_dir(environ)
    output = Path(environ.get("SM_OUTPUT_DIR", base / "output"))
    current_host = environ.get("SM_CURRENT_HOST", "algo-1")
    hosts = tuple(sorted(json.loads(environ.get("SM_HOSTS", json.dumps([current_host])))))
    return JobPaths(
        train=channel_dir("train", environ),
        validation=channel_dir("validation", environ),
        model=Path(environ.get("SM_MODEL_DIR", base / "model")),
        output=output,
        output_data=Path(environ.get("SM_OUTPUT_DATA_DIR", output / "data")),
        # One folder per host: SageMaker syncs every host's checkpoints to the same S3 prefix.
        checkpoints=base / "checkpoints" / current_host,
        scratch=Path(environ.get("TMPDIR", "/tmp")),
        hosts=hosts,
        current_host=current_host,
        sharded_channels=sharded_channels(environ),
        direct=base == CHECKOUT_BASE_DIR,
    )


def sharded_channels(environ):
    """The channels the job's input data config (SM_INPUT_DATA_CONFIG) shards by S3 key."""
    config = json.loads(environ.get("SM_INPUT_DATA_CONFIG", "{}"))
    return frozenset(
        channel
        for channel, settings in config.items()
        if settings.get("S3DistributionType") == "ShardedByS3Key"
    )


def channel_dir(channel, environ):
    """SM_CHANNEL_<NAME> in a job; data/<name> when run from the project folder; else None."""
    folder = environ.get(f"SM_CHANNEL_{channel.upper()}")
    if folder is None and (Path("data") / channel).is_dir():
        folder = Path("data") / channel
    return Path(folder) if folder else None


def list_data_files(channel, folder):
    """The channel's CSV files (plain or gzipped), sorted; an error if there are none."""
    if folder is None:
        raise UserError(
            f"no {channel} channel: the job has no '{channel}' input "
            f"(SM_CHANNEL_{channel.upper()} is not set) and there is no data/{channel} here"
        )
    if not folder.is_dir():
        raise UserError(f"{channel} channel: folder {folder} does not exist")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name.endswith(DATA_SUFFIXES))
    if not files:
        raise UserError(f"{channel} channel: no .csv or .csv.gz files in {folder}")
    return files


@dataclass
class Reading:
    """A pass over a channel's files so far: the rows seen and their width, and this process's
    part of them (every parts-th row, from the part-th on, counted across the files)."""

    part: int = 0
    parts: int = 1
    width: int | None = None
    seen: int = 0

    def deal(self, block):
        """This process's rows of the channel's next block of rows."""
        self.width = block.shape[1]
        first = (self.part - self.seen) % self.parts
        self.seen += len(block)
        return block[first :: self.parts]


def read_batches(files, batch_size, part=0, parts=1, width=None, classes=None, cache=None):
    """Yield (features, labels) arrays of at most batch_size rows, file after file.

    The label is the first column, as SageMaker's built-in algorithms expect. Only a block of
    rows is in memory at a time, so a bigger channel costs time, not memory. With parts
    above 1, only every parts-th data row, from the part-th on, is returned (one process's
    share of the rows), but every row is checked (see csv_files.py): as wide as the first
    row, or as width if given (the model's, for data it did not survey); with classes given,
    every label one of them. With a cache (row_cache.RowCache), each file is parsed once:
    later passes read the cache's copy of its rows.
    """
    reading, cache = Reading(part, parts, width), cache or row_cache.RowCache(None)
    try:
        for path in files:
            yield from batches_of(file_share(path, reading, classes, cache), batch_size)
    except csv_files.BadData as problem:
        raise UserError(str(problem)) from None
    if not reading.seen:
        raise UserError(f"{files[0].parent}: no data rows in {len(files)} file(s)")


def file_share(path, reading, classes, cache):
    """This process's rows of one file, in blocks: the cache's copy of them if it has one, else
    parsed (and copied, if the cache has room, for the next pass)."""
    key = (reading.part, reading.parts, reading.seen)
    copy = cache.copy_of(path, key)
    if copy is None:
        yield from parsed_share(path, reading, classes, cache.writer(path, key))
    else:
        yield from copied_share(copy, path, reading, classes)


def parsed_share(path, reading, classes, writer):
    """This process's rows of the file, parsed, and written to a copy as they pass."""
    first = reading.seen
    with writer:
        for block in csv_files.file_blocks(path, reading.width, classes):
            mine = reading.deal(block)
            writer.write(mine)
            yield mine
        writer.finish(reading.seen - first, reading.width)


def copied_share(copy, path, reading, classes):
    """The copy's rows, held to the width and the classes asked for: a row that breaks them
    is named by reading the file again."""
    if copy.width and copy.width != (reading.width or copy.width):
        csv_files.raise_first_problem(path, reading.width, classes)
    reading.width, reading.seen = reading.width or copy.width, reading.seen + copy.file_rows
    for block in copy.blocks():
        if classes is not None and not np.isin(block[:, 0], classes).all():
            csv_files.raise_first_problem(path, reading.width, classes)
        yield block


def batches_of(blocks, batch_size):
    """(features, labels) of the blocks' rows, batch_size rows at a time (the last fewer). Each
    batch is an array of its own: one the caller keeps holds its rows, not a whole block."""
    held, count = [], 0
    for block in blocks:
        while len(block):
            taken = block[: batch_size - count]
            held.append(taken)
            count += len(taken)
            block = block[len(taken) :]
            if count == batch_size:
                batch, held, count = np.concatenate(held), [], 0
                yield batch[:, 1:], batch[:, 0]
    if count:
        batch = np.concatenate(held)
        yield batch[:, 1:], batch[:, 0]


def check_finite(metrics, epoch):
    """A loss that overflowed is a failed job, not a result."""
    for name, value in metrics.items():
        if not math.isfinite(value):
            raise UserError(diverged(f"epoch {epoch}: {name} is {value}"))


def diverged(what):
    return (
        f"{what}: training diverged (lower the learning-rate, or scale labels and features to"
        " smaller values)"
    )


def format_metrics(metrics):
    """`name=value` tokens, the form SageMaker metric definitions scrape from the log."""
    unknown = set(metrics) - set(METRIC_NAMES)
    if unknown:  # no metric definition would scrape it
        raise ValueError(f"add {sorted(unknown)} to utils.METRIC_NAMES")
    return " ".join(f"{name}={value:.6g}" for name, value in metrics.items())


def log(message):
    print(message, flush=True)


def report_failure(output_dir, message):
    """Tell SageMaker why the job failed (output/failure becomes its FailureReason) and
    the person reading the log, in one line each."""
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "failure").write_text(message + "\n")
    print(f"error: {message}", file=sys.stderr, flush=True)
