"""mutmut over the generated project's tools/ and source_dir/ and the template's hooks/, driven
by the fast tests; every surviving mutant must be listed in survivors.toml with its reason
(one by one as [[survivor]], or a whole function whose behaviour only a slower tier checks as
[[other_tier]]). Exits 1 while a survivor is not listed.

    .venv/bin/python tests/mutations/mutmut_run.py [--target tools|source_dir|hooks] [--children 2]
        [--keep DIR]

A run cut short resumes: run again with the same --keep DIR, and mutmut tests only the mutants
that have no result yet.

Why mutmut (3): it records which tests reach each function, then forks one worker per mutant
from a process that has pytest and the project imported, and runs only those tests; the
project's fast tier takes 30-40 s, so a tool that reruns a test command per mutant
(cosmic-ray) would need days for a few thousand mutants on 2 cores. Its limits, and what
this driver does about them:
- it mutates function bodies only, not module-level constants (the regexes in
  tools/contract.py and hooks/pre_gen_project.py): named.py covers the ones issue #16 names;
- a mutant is active in the module named after its file's path, so source_dir/train.py would
  be `source_dir.train` while the tests import `train`: each source_dir module is staged as a
  top-level link to itself (mutmut writes its mutants through the link), and the hook tests
  load each hook as `hooks.<name>`;
- calls made in a test's subprocesses would not count for that test: hits/ (a sitecustomize
  and a pytest plugin on PYTHONPATH) hands them over, and in a script run as
  `python source_dir/train.py` (the module `__main__`) names its calls and mutants `train.*`;
- a surviving mutant of the launcher's modules runs every test that starts launch.py, each
  paying the SDK's 4 s import: the plugin in hits/ imports the SDK once, before mutmut forks,
  runs launch.py in a fork of the test's process, and runs a mutant's quickest tests first.
Help text (UNMUTATED) is left alone: some 300 rewordings of documentation, each costing the
tests that run the command lines.
Each target runs in a throwaway copy: a render with MPI (every module), or the template.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from pathlib import Path

from workspace import SLOW_TIERS, TRAIN_VENV, copy_template, render_project

HERE = Path(__file__).resolve().parent
SURVIVORS = HERE / "survivors.toml"
MUTMUT = Path(sys.executable).parent / "mutmut"
# What each target mutates (paths in its copy) and the fast tests that drive it. Left out:
# the test that runs local_run.py as another user, under a Python without mutmut, where a
# mutant's trampoline cannot import mutmut.
PROJECT_FAST_TESTS = [
    "tests",
    "-m",
    "not (toolkit or aws or localmode)",
    "--ignore=tests/test_local_run_unreadable.py",
]
TARGETS = {
    "tools": (["tools"], PROJECT_FAST_TESTS),
    "source_dir": (["source_dir"], PROJECT_FAST_TESTS),
    "hooks": (["hooks"], ["tests/test_hooks.py", "tests/test_post_gen_project.py", "-m", f"not ({SLOW_TIERS})"]),
}
KILLED = {"killed", "timeout", "caught by type check"}
# Lines whose expressions are not mutated: argparse's help text and descriptions are
# documentation (the tests check what --help must name, not its wording).
UNMUTATED = [r"\bhelp=", r"\bdescription="]


def stage(target, scratch):
    """A copy for target with a setup.cfg for mutmut; its path."""
    root = copy_template(scratch / "template") if target == "hooks" else render_project(scratch)
    folders, tests = TARGETS[target]
    sources = [str(path) for path in folders if path != "source_dir"]
    if "source_dir" in folders:
        sources += link_source_modules(root)
    also_copy = sorted(entry.name for entry in root.iterdir() if entry.name not in [*sources, "mutants"])
    settings = {
        "source_paths": sources,
        "also_copy": also_copy,
        "pytest_add_cli_args": ["-p", "mutmut_hits"],
        "pytest_add_cli_args_test_selection": tests,
        "do_not_mutate_patterns": UNMUTATED,
    }
    lines = ["[mutmut]"] + [
        f"{key}=\n" + "".join(f"    {value}\n" for value in values) for key, values in settings.items()
    ]
    (root / "setup.cfg").write_text("\n".join(lines))
    return root


def kept_or_staged(target, folder):
    """The copy an earlier run kept in folder (to resume it), else a new one."""
    kept = sorted(folder.glob("*/setup.cfg")) if folder.is_dir() else []
    return kept[0].parent if kept else stage(target, folder)


def link_source_modules(root):
    """Link each source_dir module at the top level, where mutmut names it as train.py imports
    it (`train`, not `source_dir.train`); mutants/ gets the same links, so the mutants written
    to mutants/train.py land in mutants/source_dir/train.py. Their names."""
    names = sorted(path.name for path in (root / "source_dir").glob("*.py"))
    (root / "mutants").mkdir()
    subprocess.run(["cp", "-a", str(root / "source_dir"), str(root / "mutants")], check=True)
    for name in names:
        (root / name).symlink_to(f"source_dir/{name}")
        (root / "mutants" / name).symlink_to(f"source_dir/{name}")
    return names


def run_mutmut(root, children):
    """mutmut run in root; its wall time in seconds."""
    hits = root / ".mutmut-hits"
    hits.mkdir(exist_ok=True)
    path = os.pathsep.join(filter(None, [str(HERE / "hits"), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "PYTHONPATH": path,
        "MUTMUT_HITS_DIR": str(hits),
        "TRAIN_VENV": str(TRAIN_VENV),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    started = time.monotonic()
    log = root / "mutmut.log"
    with log.open("w") as output:
        run = subprocess.run([str(MUTMUT), "run", "--max-children", str(children)], cwd=root, env=env, stdout=output)
    if run.returncode != 0:
        sys.exit(f"error: mutmut run failed ({run.returncode}); its output:\n{log.read_text()[-3000:]}")
    return time.monotonic() - started


def results(root):
    """Every mutant of the run, as mutmut_results.py prints them."""
    command = [sys.executable, str(HERE / "mutmut_results.py")]
    return json.loads(subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout)


def accepted_survivors():
    """{(function, old, new): reason} for each [[survivor]] of survivors.toml, and {(function,):
    reason} for each [[other_tier]] function, whose mutants only a slower tier can kill."""
    listed = tomllib.loads(SURVIVORS.read_text())
    exact = {(e["function"], e["old"], e["new"]): e["reason"] for e in listed.get("survivor", [])}
    return exact | {(e["function"],): e["reason"] for e in listed.get("other_tier", [])}


def listing_key(mutant, accepted):
    """The key of survivors.toml that accepts the mutant, or None."""
    for key in ((mutant["function"],), (mutant["function"], mutant["old"], mutant["new"])):
        if key in accepted:
            return key
    return None


def report(target, mutants, seconds, accepted):
    """Print the figures and every survivor (those no fast test reaches, by function); return
    the survivors."""
    survivors = [m for m in mutants if m["status"] not in KILLED]
    untested = Counter(m["function"] for m in survivors if m["status"] == "no tests")
    killed = len(mutants) - len(survivors)
    print(f"\n{target}: {len(mutants)} mutants, {killed} killed, {len(survivors)} survivors", end="")
    print(f" ({untested.total()} in functions no fast test reaches), kill rate {killed / len(mutants):.1%},", end="")
    print(f" {seconds:.0f} s wall")
    for function, count in sorted(untested.items()):
        print(f"  {'listed' if (function,) in accepted else 'NEW':6} no tests  {function} ({count} mutants)")
    for mutant in survivors:
        if mutant["status"] != "no tests":
            print(f"  {'listed' if listing_key(mutant, accepted) else 'NEW':6} {mutant['status']:9} {mutant['name']}")
            for sign, text in (("-", mutant["old"]), ("+", mutant["new"])):
                print("".join(f"      {sign} {line}\n" for line in text.splitlines() or [""]), end="")
    return survivors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=sorted(TARGETS), action="append", help="default: all")
    parser.add_argument("--children", type=int, default=os.cpu_count() or 2, help="parallel workers")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it, or resume the run kept there")
    options = parser.parse_args(argv)
    scratch = options.keep or Path(tempfile.mkdtemp(prefix="mutmut-"))
    accepted, survivors = accepted_survivors(), []
    for target in options.target or sorted(TARGETS):
        root = kept_or_staged(target, scratch / target)
        seconds = run_mutmut(root, options.children)
        survivors += report(target, results(root), seconds, accepted)
    unlisted = [mutant for mutant in survivors if not listing_key(mutant, accepted)]
    if not options.target:  # every target ran: an entry no survivor matches has gone stale
        for key in sorted(set(accepted) - {listing_key(mutant, accepted) for mutant in survivors}):
            print(f"stale in {SURVIVORS.name} (nothing survives there now): {' | '.join(key)}")
    if unlisted:
        print(f"\n{len(unlisted)} survivors are not in {SURVIVORS.name}: kill each with a test, or list it and why")
    if not options.keep:
        subprocess.run(["rm", "-rf", str(scratch)], check=False)
    return 1 if unlisted else 0


if __name__ == "__main__":
    sys.exit(main())
