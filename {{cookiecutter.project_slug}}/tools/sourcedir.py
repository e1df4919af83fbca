"""Pack source_dir/ into the sourcedir.tar.gz that the sagemaker-training toolkit unpacks.

The same files always give the same bytes (sorted members, fixed times, owners
and modes), so the archive's digest can name it in S3 and unchanged code is never
uploaded twice. What goes in is what tools/egress.py lets leave the machine: caches,
virtual environments, hidden files, secrets and keys are left out, and a symlink that leads
outside the folder is refused rather than followed.
"""

import gzip
import hashlib
import io
import os
import stat
import tarfile
from pathlib import Path

from tools.egress import EgressError, files_to_send

# 1980-01-01, the earliest time a zip file can hold; also what reproducible builds use.
FIXED_MTIME = 315532800


def members(source_dir):
    """Return (path, name in the archive) for every file to pack (tools/egress.py's
    policy), sorted by name."""
    if not Path(source_dir).is_dir():
        raise EgressError(f"source directory {source_dir} does not exist")
    return files_to_send(source_dir)


def tar_info(path, name):
    """A TarInfo that depends only on the file's name, kind, size and executable bit."""
    info = tarfile.TarInfo(name)
    info.mtime = FIXED_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if path.is_symlink():
        info.type = tarfile.SYMTYPE
        info.linkname = os.path.relpath(path.resolve(), path.parent.resolve())
        info.mode = 0o777
    else:
        mode = path.stat().st_mode
        info.size = path.stat().st_size
        info.mode = 0o755 if mode & stat.S_IXUSR else 0o644
    return info


def pack(source_dir, entry_point):
    """The archive's bytes, once sure it holds entry_point: the script the job runs."""
    packed = members(source_dir)
    if entry_point not in {name for _, name in packed}:
        path = Path(source_dir) / entry_point
        if path.is_file():
            raise EgressError(f"{entry_point} would not be packed: a hidden, secret or cache name")
        raise EgressError(f"{path} is missing: the job has nothing to run")
    return archive_of(packed)


def archive_bytes(source_dir):
    """The gzipped tar of source_dir, byte for byte the same for the same files."""
    return archive_of(members(source_dir))


def archive_of(packed):
    """The gzipped tar of (path, name) members, in their order."""
    raw = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path, name in packed:
            info = tar_info(path, name)
            if info.issym():
                tar.addfile(info)
            else:
                with path.open("rb") as content:
                    tar.addfile(info, content)
    return raw.getvalue()


def digest(data):
    """The SHA-256 (hex) that names an archive in S3."""
    return hashlib.sha256(data).hexdigest()
