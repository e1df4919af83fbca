"""The generated project's train.lock, one file for every answer that changes the `train` group.

`make lock` here renders the project once per Python version and MPI answer, runs each render's
own `make lock` (uv, from PyPI), and merges the locks into the template's train.lock: an entry
every render shares is written as it is, any other inside a Jinja condition naming the answers
whose render has it. So each rendered project holds exactly what its own `make lock` writes.

    make lock [UPGRADE=1]     (or .venv/bin/python tests/support/train_lock.py [--upgrade])
"""

import argparse
import itertools
import re
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter
from packaging.utils import canonicalize_name
from packaging.version import Version

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.rendering import CHOICES, TEMPLATE
from support.tools import run_make

LOCK = TEMPLATE / "{{cookiecutter.project_slug}}" / "train.lock"
# The answers the train group depends on; each of their combinations is a variant of the lock.
LOCK_ANSWERS = ("python_version", "include_mpi")
VARIANTS = [tuple(values) for values in itertools.product(*(CHOICES[name] for name in LOCK_ANSWERS))]
# An entry starts at an unindented requirement (`name==version ...`); its hashes and notes follow.
ENTRY_START = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^ ;\\]+)", re.MULTILINE)


def split(lock_text):
    """(header, entries): the comment lines before the first entry, then each entry's text."""
    starts = [match.start() for match in ENTRY_START.finditer(lock_text)]
    if not starts:
        raise ValueError("no pinned requirement in the lock")
    bounds = [*starts, len(lock_text)]
    return lock_text[: starts[0]], [lock_text[begin:end] for begin, end in itertools.pairwise(bounds)]


def entry_order(entry):
    """uv's order: by name, then by version (a name is pinned twice where Pythons disagree)."""
    match = ENTRY_START.match(entry)
    return canonicalize_name(match["name"]), Version(match["version"]), entry


def condition(variants):
    """The Jinja test true for exactly these variants (python_version x include_mpi)."""
    pythons = sorted({python for python, _ in variants})
    mpi_answers = {mpi for _, mpi in variants}
    if set(variants) != set(itertools.product(pythons, mpi_answers)):
        raise ValueError(f"an entry differs across answers in a way no simple condition says: {sorted(variants)}")
    tests = []
    if len(pythons) == 1:
        tests.append(f"cookiecutter.python_version == {pythons[0]!r}")
    elif len(pythons) < len(CHOICES["python_version"]):
        tests.append(f"cookiecutter.python_version in {pythons}")
    if len(mpi_answers) == 1:
        tests.append("cookiecutter.include_mpi" if True in mpi_answers else "not cookiecutter.include_mpi")
    return " and ".join(tests)


def merge(locks):
    """One train.lock template from {variant: lock text}; every variant must share the header."""
    headers = {split(text)[0] for text in locks.values()}
    if len(headers) != 1:
        raise ValueError("the variants' locks have different headers")
    holders = {}
    for variant, text in locks.items():
        for entry in split(text)[1]:
            holders.setdefault(entry, []).append(variant)
    merged = [headers.pop()]
    for entry in sorted(holders, key=entry_order):
        if len(holders[entry]) == len(locks):
            merged.append(entry)
        else:
            merged.append(f"{{% if {condition(holders[entry])} -%}}\n{entry}{{% endif -%}}\n")
    return "".join(merged)


def lock_variants(work, upgrade):
    """{variant: the train.lock its render's own `make lock` writes}."""
    locks = {}
    for variant in VARIANTS:
        answers = dict(zip(LOCK_ANSWERS, variant, strict=True))
        output_dir = work / "-".join(map(str, variant))
        project = Path(cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=output_dir))
        result = run_make(project, "lock", *(["UPGRADE=1"] if upgrade else []), check=False, timeout=600)
        if result.returncode != 0:
            sys.exit(f"train_lock.py: `make lock` failed for {answers}:\n{result.stderr[-2000:]}")
        locks[variant] = (project / "train.lock").read_text()
    return locks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="move every pin to the newest release allowed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="train-lock-") as work:
        locks = lock_variants(Path(work), args.upgrade)
    LOCK.write_text(merge(locks))
    print(f"Wrote {LOCK.relative_to(TEMPLATE)} for {len(locks)} variants ({', '.join(LOCK_ANSWERS)})")


if __name__ == "__main__":
    main()
