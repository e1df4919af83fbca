"""Helpers for train.py: where things are, reading CSV in batches, metrics, failures.

Everything here works the same under the sagemaker-training toolkit (which sets the
SM_* variables), in a local run (SAGEMAKER_BASE_DIR points at a temporary /opt/ml)
and with a plain `python source_dir/train.py` from the project folder (a direct run,
which writes under the project's .local-run/direct wherever it is started from).
"""

import csv
import gzip
import json
import math
import os
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The metric names train.py prints as `name=value` and writes to metrics.json. The project's
# metric definitions (pyproject.toml [tool.launch]) must scrape each: a sample test checks.
METRIC_NAMES = ("train:loss", "validation:loss", "validation:accuracy", "validation:rmse")

DATA_SUFFIXES = (".csv", ".csv.gz")
# The largest value a cell may hold: its square, summed over many rows, must stay finite.
MAX_MAGNITUDE = 1e100
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


def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_rows(path):
    """Yield (line number, cells) for each data row of a file, skipping blank lines and
    a header (a first row in which no cell is a number)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    reader = None
    try:
        # utf-8-sig drops the byte-order mark Excel puts first. Bytes that are not UTF-8
        # become U+FFFD, so they surface as a bad cell with its line.
        with opener(path, "rt", newline="", encoding="utf-8-sig", errors="replace") as text:
            reader = csv.reader(text)
            for row in reader:
                if not row:
                    continue
                if reader.line_num == 1 and not any(is_number(cell) for cell in row):
                    continue
                yield reader.line_num, row
    except csv.Error as error:
        raise UserError(f"{path}, line {reader.line_num}: {error}") from None
    except (OSError, EOFError, zlib.error) as error:  # zlib: corrupt data inside a .gz
        raise UserError(f"{path}: cannot be read ({error})") from None


def rows_to_arrays(rows, line_numbers, path, classes=None):
    """Turn text rows into (features, labels) float arrays, naming the first bad cell,
    or the first label that is not one of classes (when given)."""
    try:
        table = np.array(rows, dtype=np.float64)
    except ValueError:
        table = None
    if table is None or not usable(table).all():
        for line_number, row in zip(line_numbers, rows, strict=True):
            for column, cell in enumerate(row, start=1):
                if not is_number(cell) or not usable(float(cell)):
                    where = f"{path}, line {line_number}, column {column}"
                    raise UserError(
                        f"{where}: {cell!r} is not a number the model can use"
                        f" (finite, at most {MAX_MAGNITUDE:g} in size)"
                    )
    if classes is not None:
        check_labels(table[:, 0], classes, line_numbers, path)
    return table[:, 1:], table[:, 0]


def usable(values):
    """Finite, and small enough that squaring it (the scaler's variance) stays finite."""
    return np.isfinite(values) & (np.abs(values) <= MAX_MAGNITUDE)


def check_labels(labels, classes, line_numbers, path):
    """Refuse a label the model has no class for, naming its line."""
    unknown = np.flatnonzero(~np.isin(labels, classes))
    if unknown.size:
        first = unknown[0]
        known = ", ".join(f"{label:g}" for label in classes[:10]) + (", ..." * (len(classes) > 10))
        raise UserError(
            f"{path}, line {line_numbers[first]}: label {labels[first]:g} is not one of the "
            f"model's classes ({known}): a label never seen in the training data it started from"
        )


def read_batches(files, batch_size, part=0, parts=1, width=None, classes=None):
    """Yield (features, labels) arrays of at most batch_size rows, file after file.

    The label is the first column, as SageMaker's built-in algorithms expect. Only one
    batch is in memory at a time, so a bigger channel costs time, not memory. With parts
    above 1, only every parts-th data row, from the part-th on, is returned (one process's
    share of the rows); every row is still checked for its width. That width is the first
    row's unless given (the model's, for data it did not survey); with classes given, every
    label must be one of them.
    """
    row_index = -1
    for path in files:
        rows, line_numbers = [], []
        for line_number, row in csv_rows(path):
            width = width or len(row)
            if len(row) != width or width < 2:
                raise UserError(
                    f"{path}, line {line_number}: {len(row)} columns, expected {max(width, 2)} "
                    "(a label, then the features)"
                )
            row_index += 1
            if row_index % parts != part:
                continue
            rows.append(row)
            line_numbers.append(line_number)
            if len(rows) == batch_size:
                yield rows_to_arrays(rows, line_numbers, path, classes)
                rows, line_numbers = [], []
        if rows:
            yield rows_to_arrays(rows, line_numbers, path, classes)
    if row_index < 0:
        raise UserError(f"{files[0].parent}: no data rows in {len(files)} file(s)")


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
