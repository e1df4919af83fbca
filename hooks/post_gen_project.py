"""Finish the rendered project: executable bits, optional files, next steps.

Runs inside the new project folder. It only touches files the template made,
needs no network, and running it twice leaves the same tree.
"""

import json
import shutil
import stat
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")

EXECUTABLES = ["scripts/build_and_push.sh"]
OPTIONAL = {"include_github_actions": [".github"], "include_mpi": ["tests/test_mpi.py", "tools/mpi.py"]}


def make_executable(path):
    mode = path.stat().st_mode
    path.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def remove(path):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def main():
    project = Path.cwd()
    for name in EXECUTABLES:
        make_executable(project / name)
    for answer, paths in OPTIONAL.items():
        if not ANSWERS[answer]:
            for name in paths:
                remove(project / name)
    print(
        f"\nCreated {project.name}. Next steps:\n"
        f"  cd {project.name}\n"
        "  make setup          # one virtual environment with everything\n"
        "  make train-local    # make sample data and train on it through the real toolkit\n"
        "  git init && git add . && git commit -m 'Generated'   # images are tagged with the commit\n"
        "  make help           # every other step: build, push, train on SageMaker\n"
    )


if __name__ == "__main__":
    main()
