"""Binary copies of parsed CSV rows, so that a job parses each data file once.

The first pass over a file (the survey, or the first epoch of a resumed job) parses it and
writes this process's rows here, as raw float64; later passes (every epoch, the validation
after each) read them back a block at a time, which costs little next to parsing. A copy
serves only while its file is unchanged (same size, modification time and inode) and for the
same share of the rows; without room for it, a pass parses the file again.

Where: a folder of its own in the temporary folder, $TMPDIR, else /tmp. In a SageMaker job,
/tmp is on the job's storage volume, is never uploaded, and is the scratch space SageMaker's
documentation suggests for large files; the model, output and checkpoint folders are uploaded
(checkpoints even while the job runs). The folder goes when the job ends, failed or not; only
a killed process leaves it behind, and a killed job's container goes with it. Its size: 8
bytes per number of this process's rows.
"""

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from csv_files import block_rows

# Left free for what shares the volume and must not fail for lack of room: checkpoints, the
# model, the output.
RESERVED_BYTES = 1024**3


@contextlib.contextmanager
def scratch_cache(scratch):
    """A RowCache in a new folder in scratch, deleted on leaving; one that keeps nothing if
    the folder cannot be made."""
    try:
        folder = Path(tempfile.mkdtemp(prefix="parsed-rows-", dir=scratch))
    except OSError as error:
        warn(f"no folder for copies of the parsed rows in {scratch} ({error})")
        yield RowCache(None)
        return
    try:
        yield RowCache(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def warn(problem):
    print(f"Warning: {problem}: every pass parses the CSV files again", flush=True)


def signature(path):
    """What changes when a file does: its size, modification time and inode (None if gone)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns, status.st_ino, status.st_dev


@dataclass(frozen=True)
class Copy:
    """The copy of one file's rows for one share of them."""

    path: Path  # the binary copy
    source: tuple  # its file's signature when parsed
    file_rows: int  # the file's data rows, this process's or not
    width: int | None  # None for a file without data rows
    rows: int  # this process's rows, in the copy

    def blocks(self):
        """The copy's rows, a block at a time: only one block is in memory. Read rather than
        memory-mapped: a mapped file's pages count in the process's memory once touched."""
        if not self.rows:
            return
        with open(self.path, "rb") as file:
            count = block_rows(self.width) * self.width
            while (block := np.fromfile(file, dtype=np.float64, count=count)).size:
                yield block.reshape(-1, self.width)


class RowCache:
    """The copies of one job's parsed rows, in folder (None: keep no copies)."""

    def __init__(self, folder):
        self.folder = folder
        self.copies = {}  # (file, key) -> Copy
        self.made = 0  # names the next copy
        self.full = folder is None  # no more copies: no folder, or it ran out of room

    def copy_of(self, path, key):
        """The copy of the file's rows for key (the share), if it is still the file's."""
        copy = self.copies.get((path, key))
        if copy is None:
            return None
        size = copy.path.stat().st_size if copy.path.exists() else -1
        if copy.source == signature(path) and size == copy.rows * (copy.width or 0) * 8:
            return copy
        self.drop(path, key)
        return None

    def drop(self, path, key):
        copy = self.copies.pop((path, key), None)
        if copy:
            copy.path.unlink(missing_ok=True)

    def writer(self, path, key):
        """A Writer for the file's rows for key; one that writes nothing once the cache is full."""
        self.made += 1
        return Writer(self, path, key, None if self.full else self.folder / f"{self.made:06d}.f64")

    def has_room(self, size):
        return shutil.disk_usage(self.folder).free - size >= RESERVED_BYTES

    def no_room(self, problem):
        """No more copies: the files without one are parsed at every pass (said once)."""
        if not self.full:
            warn(problem)
        self.full = True


class Writer:
    """Writes one file's rows to a copy while a pass parses it; the copy serves later passes
    only once finished (a pass cut short, by bad data say, leaves none)."""

    def __init__(self, cache, source, key, path):
        self.cache, self.source, self.key, self.path = cache, source, key, path
        self.signature = signature(source)  # before parsing: a file changed meanwhile is not kept
        self.rows = 0
        self.file = None
        if path is not None:
            try:
                self.file = open(path, "wb")  # noqa: SIM115 (closed by finish or discard)
            except OSError as error:
                cache.no_room(f"cannot write in {cache.folder} ({error})")

    def write(self, block):
        if self.file is None:
            return
        if not self.cache.has_room(block.nbytes):
            room = f"{RESERVED_BYTES / 1024**3:g} GiB"
            self.discard(f"no room in {self.cache.folder} for more copies (keeping {room} free)")
            return
        try:
            block.tofile(self.file)
        except OSError as error:  # the disk filled after all
            self.discard(f"cannot write in {self.cache.folder} ({error})")
            return
        self.rows += len(block)

    def finish(self, file_rows, width):
        """The file's rows are all written: the copy replaces any older one."""
        if self.file is None:
            return
        self.file.close()
        self.file = None
        if signature(self.source) != self.signature:
            self.path.unlink()
            return
        self.cache.drop(self.source, self.key)
        self.cache.copies[(self.source, self.key)] = Copy(
            self.path, self.signature, file_rows, width, self.rows
        )

    def discard(self, problem=None):
        if self.file is None:
            return
        self.file.close()
        self.file = None
        self.path.unlink(missing_ok=True)
        if problem:
            self.cache.no_room(problem)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.discard()  # unless finished
