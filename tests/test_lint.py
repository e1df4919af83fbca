"""The rendered project passes its own `make lint` (ruff, shellcheck, hadolint, workflow schema)
in every combination, and each of those linters really fails on a planted mistake."""

import shutil
import subprocess

import pytest
from support.git import commit_all
from support.tools import VENV_BIN, run_make, tool


def copy_of(project, tmp_path):
    """Linters leave caches behind: work on a copy, so the shared render stays pristine."""
    return shutil.copytree(project, tmp_path / project.name)


def test_rendered_project_is_lint_clean(combination, tmp_path):
    _, project = combination
    result = run_make(copy_of(project, tmp_path), "lint", check=False)

    assert result.returncode == 0, result.stdout + result.stderr


# (file, text appended to it, the linter that must catch it, what that linter says)
PLANTED_MISTAKES = [
    ("launch.py", "\nprint(undefined_name)\n", "ruff check", "F821"),
    ("source_dir/utils.py", "\nx = [1,2,\n   3]\n", "ruff format", "1 file would be reformatted"),
    ("scripts/build_and_push.sh", "\necho $UNQUOTED_VARIABLE\n", "shellcheck", "SC2086"),
    ("Dockerfile", "\nRUN cd /tmp && apt-get install curl\n", "hadolint", "DL3003"),
    (".github/workflows/ci.yml", "\nunknown-top-level-key: true\n", "check-jsonschema", "ci.yml::$"),
]


@pytest.mark.parametrize(
    ("name", "mistake", "linter", "finding"), PLANTED_MISTAKES, ids=[m[2] for m in PLANTED_MISTAKES]
)
def test_lint_catches_a_planted_mistake(default_project, tmp_path, name, mistake, linter, finding):
    project = copy_of(default_project, tmp_path)
    with project.joinpath(name).open("a") as target:
        target.write(mistake)

    result = run_make(project, "lint", check=False)

    assert result.returncode != 0, f"{linter} did not catch the mistake planted in {name}"
    assert finding in result.stdout + result.stderr


def test_pre_commit_runs_the_same_linters(default_project, tmp_path, monkeypatch):
    """The project's pre-commit hooks pass on the fresh project and fail on a planted mistake."""
    project = copy_of(default_project, tmp_path)
    project.joinpath(".venv").symlink_to(VENV_BIN.parent)  # the hooks call the project's .venv tools
    commit_all(project, "Generated")
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))

    def pre_commit():
        return subprocess.run(
            [tool("pre-commit"), "run", "--all-files"], cwd=project, text=True, capture_output=True
        ).returncode

    assert pre_commit() == 0
    with project.joinpath("launch.py").open("a") as launch:
        launch.write("\nimport os\n")
    assert pre_commit() != 0
