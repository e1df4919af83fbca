"""What may leave this machine: the one policy for the code archive and for data uploads.

A file goes only if it is a regular file (or a symlink that stays inside its folder), not
hidden, not a secret or a key by its name, and not in a hidden, cache or virtual-environment
folder. Everything else is left out, and what cannot be sent safely is refused with a reason:
a symlink out of the folder, a socket or device, a name that is not UTF-8.
"""

import fnmatch
import os
import stat
from pathlib import Path

# Besides every hidden folder (.git, .venv, .aws, .ssh, .docker, ...): caches and venvs.
SKIPPED_DIRS = {"__pycache__", "venv", "node_modules"}
# Besides every hidden file (.env, .netrc, .npmrc, .git-credentials, .pgpass, .s3cfg, ...).
SECRET_FILES = [
    "*.env", "credentials", "credentials.json", "client_secret*.json", "*service-account*.json",
    "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.kdbx", "*.tfvars",
    "*.tfstate", "*.tfstate.*", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",
]  # fmt: skip
JUNK_FILES = ["*.pyc", "*.pyo"]


class EgressError(ValueError):
    """A folder cannot be sent as it is (the message says why)."""


def is_skipped_dir(path):
    """Hidden folders, caches, and virtual environments (a pyvenv.cfg inside)."""
    return path.name.startswith(".") or path.name in SKIPPED_DIRS or (path / "pyvenv.cfg").exists()


def is_skipped_file(name):
    """Hidden files, secrets and keys by their names, and bytecode."""
    patterns = SECRET_FILES + JUNK_FILES
    return name.startswith(".") or any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def files_to_send(folder):
    """(path, name relative to folder) of every file that may leave, sorted by name.
    Symlinked folders inside are listed as themselves (os.walk does not follow them)."""
    root = Path(folder).resolve()
    if not root.is_dir():
        raise EgressError(f"{folder} is not a folder")
    found = []
    for here, dirs, files in walk(root):
        here = Path(here)
        dirs[:] = [d for d in dirs if not is_skipped_dir(here / d)]
        linked_dirs = [here / d for d in dirs if (here / d).is_symlink()]
        kept_files = [here / f for f in files if not is_skipped_file(f)]
        for path in linked_dirs + kept_files:
            check_kind(root, path)
            found.append((path, checked_name(path.relative_to(root).as_posix())))
    return sorted(found, key=lambda item: item[1])


def walk(folder):
    """os.walk, except that a folder it cannot list raises its OSError: os.walk would leave
    it out in silence, and its files with it."""
    return os.walk(folder, onerror=raise_error)


def raise_error(error):
    raise error


def checked_name(name):
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = name.encode("utf-8", "backslashreplace").decode()
        raise EgressError(f"{shown} has a name that is not UTF-8: rename it") from None
    return name


def check_kind(root, path):
    """Accept regular files and symlinks that stay inside root; refuse the rest."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise EgressError(f"{path} is a broken symlink or a symlink loop") from None
        if target != root and root not in target.parents:
            raise EgressError(
                f"{path} is a symlink to {target}, outside {root}; copy the file in instead"
            )
    elif not stat.S_ISREG(path.stat().st_mode):
        raise EgressError(f"{path} is not a regular file (a socket, pipe or device?)")


def check_data_folder(folder, project_dir):
    """Refuse a data folder that is the project or holds it, or that holds nothing to send."""
    root = Path(folder).resolve()
    if root == project_dir or root in project_dir.parents:
        raise EgressError(f"{folder} holds the project itself: name the folder of the data only")
    files = [(path, name) for path, name in files_to_send(root) if path.is_file()]
    if not files:
        raise EgressError(
            f"{folder} holds no data files once hidden, secret and cache files are left out"
        )
    return files
