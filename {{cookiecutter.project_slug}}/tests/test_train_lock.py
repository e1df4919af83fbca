"""train.lock (what the image and .venv-train install) is in step with pyproject.toml's train
group; `make lock` refreshes it. The metadata followed is the locked packages' own, as
installed in .venv-train, which must hold the lock's versions."""

import dataclasses
import re

import pytest
from train_lock import lock_problems, probe, read_lock

from tools.project import PROJECT_DIR, TRAIN_VENV

PYPROJECT = (PROJECT_DIR / "pyproject.toml").read_text()
LOCK = (PROJECT_DIR / "train.lock").read_text()


@pytest.fixture(scope="module")
def train_venv():
    """(marker values, {(name, version): requirements}) of .venv-train."""
    python = TRAIN_VENV / "bin" / "python"
    assert python.exists(), f"{TRAIN_VENV} is missing: run `make setup`"
    return probe(str(python))


def test_the_lock_pins_the_train_group_everywhere(train_venv):
    _, metadata = train_venv

    assert lock_problems(LOCK, PYPROJECT, metadata) == []


def test_the_train_venv_holds_the_lock(train_venv):
    environment, installed = train_venv
    pins = [pin for pin in read_lock(LOCK) if pin.applies(environment)]

    missing = [
        f"{pin.name}=={pin.version}" for pin in pins if (pin.name, pin.version) not in installed
    ]

    assert missing == [], f"{TRAIN_VENV} lacks these: run `make setup`"


def first_pin(name):
    return next(pin for pin in read_lock(LOCK) if pin.name == name)


def lock_without(name):
    """The lock with every pin of name cut out."""
    return re.sub(rf"(?ms)^{name}==.*?(?=^\S|\Z)", "", LOCK)


def write_pin(pin):
    marker = f" ; {pin.marker}" if pin.marker else ""
    hashes = "".join(f" \\\n    --hash={value}" for value in pin.hashes)
    return f"{pin.name}=={pin.version}{marker}{hashes}\n"


# Locks that `make lock` would never write, and the problem each must be reported as.
BROKEN_LOCKS = {
    "a-group-requirement-missing": (lambda: lock_without("scikit-learn"), "scikit-learn"),
    "a-dependency-missing": (lambda: lock_without("threadpoolctl"), "threadpoolctl"),
    "a-version-outside-the-range": (
        lambda: LOCK.replace(f"joblib=={first_pin('joblib').version}", "joblib==0.1"),
        "joblib==0.1 does not satisfy",
    ),
    "an-unneeded-package": (
        lambda: LOCK + write_pin(dataclasses.replace(first_pin("six"), name="requests")),
        "requests==",
    ),
    "a-pin-without-hashes": (
        lambda: LOCK + write_pin(dataclasses.replace(first_pin("six"), name="idna", hashes=())),
        "has no hash",
    ),
}


@pytest.mark.parametrize("name", BROKEN_LOCKS)
def test_a_lock_out_of_step_is_reported(train_venv, name):
    broken, expected = BROKEN_LOCKS[name]
    _, metadata = train_venv

    problems = lock_problems(broken(), PYPROJECT, metadata)

    assert any(expected in problem for problem in problems), problems
