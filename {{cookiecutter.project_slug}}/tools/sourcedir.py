"""Pack source_dir/ into the sourcedir.tar.gz that the sagemaker-training toolkit unpacks.

The same files always give the same bytes (sorted members, fixed times, owners
and modes), so the archive's digest can name it in S3 and unchanged code is never
uploaded twice. Caches, virtual environments, secrets and keys are left out, and a
symlink that leads outside the folder is refused rather than followed.
"""

import fnmatch
import gzip
import hashlib
import io
import os
import stat
import tarfile
from pathlib import Path

# 1980-01-01, the earliest time a zip file can hold; also what reproducible builds use.
FIXED_MTIME = 315532800
SKIPPED_DIRS = {
    "__pycache__", ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", ".aws", ".ssh",
    ".local-run",  # local runs' trees and checkpoints
}  # fmt: skip
SECRET_FILES = [
    ".env", ".env.*", "*.env", ".envrc", ".netrc", ".pypirc", "credentials", "*.pem", "*.key",
    "*.p12", "*.pfx", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",
]  # fmt: skip
JUNK_FILES = ["*.pyc", "*.pyo", ".DS_Store"]


class SourceDirError(ValueError):
    """source_dir cannot be packed as it is (the message says why)."""


def is_skipped_dir(path):
    """Caches, version control, credentials and virtual environments (a pyvenv.cfg inside)."""
    return path.name in SKIPPED_DIRS or (path / "pyvenv.cfg").exists()


def is_skipped_file(name):
    return any(fnmatch.fnmatch(name, pattern) for pattern in SECRET_FILES + JUNK_FILES)


def members(source_dir):
    """Return (path, name in the archive) for every file to pack, sorted by name."""
    root = Path(source_dir).resolve()
    if not root.is_dir():
        raise SourceDirError(f"source directory {source_dir} does not exist")
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = [d for d in dirs if not is_skipped_dir(here / d)]
        # os.walk does not descend into symlinked folders: they travel as links.
        linked_dirs = [here / d for d in dirs if (here / d).is_symlink()]
        kept_files = [here / f for f in files if not is_skipped_file(f)]
        for path in linked_dirs + kept_files:
            check_kind(root, path)
            found.append((path, path.relative_to(root).as_posix()))
    return sorted(found, key=lambda item: item[1])


def check_kind(root, path):
    """Accept regular files and symlinks that stay inside root; refuse the rest."""
    if path.is_symlink():
        target = path.resolve()
        if target != root and root not in target.parents:
            raise SourceDirError(
                f"{path} is a symlink to {target}, outside {root}; copy the file in instead"
            )
    elif not stat.S_ISREG(path.stat().st_mode):
        raise SourceDirError(f"{path} is not a regular file (a socket, pipe or device?)")


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


def archive_bytes(source_dir):
    """The gzipped tar of source_dir, byte for byte the same for the same files."""
    raw = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path, name in members(source_dir):
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


def write_archive(source_dir, target):
    """Write sourcedir.tar.gz to target and return its SHA-256 digest (hex)."""
    data = archive_bytes(source_dir)
    Path(target).write_bytes(data)
    return digest(data)
