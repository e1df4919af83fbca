"""Finish the rendered project: executable bits, folders left empty, next steps.

Runs inside the new project folder. Optional files are left out by the template itself (their
names render empty when not chosen), so this hook deletes nothing: on a re-render over an
existing project (`cookiecutter -f`) every file a user made or changed stays. It needs no
network, and running it twice leaves the same tree.
"""

from pathlib import Path

EXECUTABLES = ["scripts/build_and_push.sh"]
# Folders that only hold optional files (.github/workflows/ci.yml): removed when empty, deepest first.
MAYBE_EMPTY = [".github/workflows", ".github"]


def make_executable(path):
    path.chmod(path.stat().st_mode | 0o111)


def remove_if_empty(folder):
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def main(project=None):
    project = Path(project or Path.cwd())
    for name in EXECUTABLES:
        make_executable(project / name)
    for name in MAYBE_EMPTY:
        remove_if_empty(project / name)
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
