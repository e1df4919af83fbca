"""train.py's checkpoints and results, written so that a kill never leaves half a file."""

import json
import os

import joblib

from utils import log

KEPT_CHECKPOINTS = 2  # the newest and the one before it


def dump_atomically(obj, path):
    """Write with joblib through a temporary file, so a kill never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    joblib.dump(obj, partial)
    os.replace(partial, path)


def write_json_atomically(data, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")  # JSON has no inf
    os.replace(partial, path)


def save_checkpoint(folder, epoch, state):
    """Save the state after an epoch; keep the one before it too, in case this one is lost
    (a disk that fills, a sync cut short), and drop the older ones."""
    path = folder / f"epoch-{epoch:04d}.joblib"
    dump_atomically(state, path)
    for older in sorted(folder.glob("epoch-*.joblib"))[:-KEPT_CHECKPOINTS]:
        older.unlink()
    return path


def delete_checkpoints(folder):
    """Delete every checkpoint in folder; return how many there were."""
    checkpoints = list(folder.glob("epoch-*.joblib")) if folder.is_dir() else []
    for path in checkpoints:
        path.unlink()
    return len(checkpoints)


def load_latest_checkpoint(folder):
    """The state of the newest checkpoint in folder that can be read, or None when there is
    none; one that cannot be read is skipped with a warning."""
    checkpoints = sorted(folder.glob("epoch-*.joblib")) if folder.is_dir() else []
    for path in reversed(checkpoints):
        try:
            return joblib.load(path)
        except Exception as error:  # truncated or garbage: pickle raises many kinds
            log(f"Warning: skipping unreadable checkpoint {path.name} ({type(error).__name__})")
    return None
