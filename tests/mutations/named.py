"""The breakages issue #16 names, each applied to a fresh copy: the tests that guard it must fail.

    .venv/bin/python tests/mutations/named.py [ID ...]      # `make mutation` runs it

MUTATIONS is the table: an id, where (a project rendered with MPI, or the template), the file,
the exact text and what replaces it, and the tests that guard it. Each test selection first
runs on the unbroken copy and must pass there (else a failure would prove nothing); then each
mutation is applied to its own copy and the same tests must fail. A text that is not in its
file exactly once is reported as a stale row. Exits 1 unless every mutation was caught.
"""

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from workspace import copy_template, first_failure, pytest, render_project


@dataclass(frozen=True)
class Mutation:
    id: str
    where: str  # "project" (rendered with MPI) or "template"
    path: str
    old: str
    new: str
    tests: tuple  # pytest arguments: the tests that guard it


MUTATIONS = [
    Mutation(
        "averaging-returns-its-input",
        "project",
        "source_dir/train.py",
        "    if group.size == 1:\n        return model\n",
        "    return model\n",
        ("tests/sample/test_mpi.py",),
    ),
    Mutation(
        "pooled-survey-skipped",
        "project",
        "source_dir/train.py",
        "    if group.size > 1:\n        scaler, classes = pooled_survey(group, scaler, classes, rows)\n",
        "",
        ("tests/sample/test_mpi.py",),
    ),
    Mutation(
        "failed-job-exits-0",
        "project",
        "tools/launcher.py",
        '    print(f"launch.py: training job {name} {status}: {reason}", file=sys.stderr)\n    return FAILED\n',
        '    print(f"launch.py: training job {name} {status}: {reason}", file=sys.stderr)\n    return 0\n',
        ("tests/test_launch.py",),
    ),
    Mutation(
        "data-digest-over-names-only",
        "project",
        "tools/plan.py",
        'total.update(f"{name}\\0{digest}\\n".encode())',
        'total.update(f"{name}\\n".encode())',
        ("tests/test_launch_channels.py",),
    ),
    Mutation(
        "metric-regex-without-exponents",
        "project",
        "tools/contract.py",
        r'NUMBER = r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"',
        r'NUMBER = r"([-+]?(?:\d+(?:\.\d*)?|\.\d+))"',
        ("tests/test_launch.py",),
    ),
    Mutation(
        "accuracy-fixed-at-1",
        "project",
        "source_dir/train.py",
        '"validation:accuracy": correct / rows',
        '"validation:accuracy": 1.0',
        ("tests/sample/test_train_jobs.py",),
    ),
    Mutation(
        "hook-refuses-local-gpu",
        "template",
        "hooks/pre_gen_project.py",
        '|local|local_gpu")',
        '|local")',
        ("tests/test_hooks.py",),
    ),
    Mutation(
        "multi-instance-jobs-not-sharded",
        "project",
        "tools/run_requests.py",
        'sharded = channel == "train" and self.instance_count > 1',
        "sharded = False",
        ("tests/test_launch.py",),
    ),
]


def fresh_copy(where, folder):
    """A render of the project, or a copy of the template, in folder."""
    return render_project(folder) if where == "project" else copy_template(folder / "template")


def apply(mutation, root):
    """Replace the mutation's text in its file under root; an error unless it is there once."""
    path = root / mutation.path
    text = path.read_text()
    if text.count(mutation.old) != 1:
        raise LookupError(f"{mutation.id}: its text is in {mutation.path} {text.count(mutation.old)} times, not once")
    path.write_text(text.replace(mutation.old, mutation.new))


def check_baselines(mutations, scratch):
    """Run each distinct test selection on an unbroken copy; the selections that fail there."""
    failing = []
    for index, (where, tests) in enumerate(sorted({(m.where, m.tests) for m in mutations})):
        root = fresh_copy(where, scratch / f"baseline-{index}")
        result = pytest(root, *tests)
        print(f"baseline  {where:8} {' '.join(tests):40} {'passes' if result.returncode == 0 else 'FAILS'}")
        if result.returncode != 0:
            failing.append((where, tests, first_failure(result.stdout)))
    return failing


def try_mutation(mutation, scratch):
    """Apply one mutation to a fresh copy and run its tests; (caught, what showed it)."""
    root = fresh_copy(mutation.where, scratch / mutation.id)
    try:
        apply(mutation, root)
    except LookupError as stale:
        return False, f"stale row: {stale}"
    started = time.monotonic()
    result = pytest(root, "-x", *mutation.tests)
    seconds = time.monotonic() - started
    if result.returncode == 0:
        return False, f"SURVIVED: {' '.join(mutation.tests)} all passed ({seconds:.0f} s)"
    return True, f"{first_failure(result.stdout)} ({seconds:.0f} s)"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="run only these mutations (default: all)")
    wanted = parser.parse_args(argv).ids
    mutations = [m for m in MUTATIONS if not wanted or m.id in wanted]
    scratch = Path(tempfile.mkdtemp(prefix="named-mutations-"))
    try:
        failing = check_baselines(mutations, scratch)
        for where, tests, failure in failing:
            print(f"error: {' '.join(tests)} fails on the unbroken {where}: {failure}", file=sys.stderr)
        caught = 0
        for mutation in mutations:
            ok, shown = try_mutation(mutation, scratch)
            caught += ok
            print(f"{'caught' if ok else 'MISSED':7} {mutation.id:32} {mutation.path:26} {shown}", flush=True)
        print(f"{caught} of {len(mutations)} named mutations caught")
        return 0 if caught == len(mutations) and not failing else 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
