"""The generated project's train.lock: every render holds exactly its own answers' lock (the
template's file is their merge, tests/support/train_lock.py), and each is in step with that
render's train group by the project's own check (its tests/train_lock.py)."""

import pytest
from support.rendering import project_module
from support.tools import TRAIN_VENV
from support.train_lock import LOCK, LOCK_ANSWERS, VARIANTS, merge

VARIANT_IDS = [f"py{python}-{'mpi' if mpi else 'no-mpi'}" for python, mpi in VARIANTS]


def rendered_lock(render, variant):
    return (render(**dict(zip(LOCK_ANSWERS, variant, strict=True))) / "train.lock").read_text()


def load_check(project):
    """The rendered project's own lock check, tests/train_lock.py."""
    return project_module(project / "tests" / "train_lock.py")


def test_the_renders_merge_back_into_the_template_lock(render):
    locks = {variant: rendered_lock(render, variant) for variant in VARIANTS}

    assert merge(locks) == LOCK.read_text()


@pytest.fixture(scope="module")
def installed_metadata(render):
    """{(name, version): requirements} of the shared .venv-train, probed by its own Python."""
    check = load_check(render())
    return check.probe(str(TRAIN_VENV / "bin" / "python"))[1]


@pytest.mark.parametrize("variant", VARIANTS, ids=VARIANT_IDS)
def test_each_render_lock_is_in_step_with_its_train_group(render, installed_metadata, variant):
    project = render(**dict(zip(LOCK_ANSWERS, variant, strict=True)))
    check = load_check(project)
    lock = rendered_lock(render, variant)

    problems = check.lock_problems(lock, (project / "pyproject.toml").read_text(), installed_metadata)

    assert problems == []
    assert ("mpi4py" in {pin.name for pin in check.read_lock(lock)}) == variant[1]
