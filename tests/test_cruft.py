"""Staying in step with the template: cruft create, check and update on a real git history."""

import json
import shutil
import subprocess

import pytest
from support.git import commit_all, git
from support.rendering import TEMPLATE
from support.tools import tool

USER_EDIT = "# A line the team added to train.py.\n"
TEMPLATE_CHANGE = "# A line a later template release added to the Makefile.\n"


def cruft(*args, cwd):
    return subprocess.run([tool("cruft"), *args], cwd=cwd, text=True, capture_output=True)


@pytest.fixture
def template_repo(tmp_path):
    """A git repository holding this template's files as they are now (committed or not)."""
    repo = tmp_path / "template"
    listed = git(TEMPLATE, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    for name in filter(None, listed):
        if TEMPLATE.joinpath(name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE / name, repo / name)
    commit_all(repo, "Template release 1")
    return repo


@pytest.fixture
def project(template_repo, tmp_path):
    """A project made with `cruft create`, committed, with a user's edit to train.py."""
    created = cruft("create", "--no-input", "--output-dir", str(tmp_path / "out"), str(template_repo), cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    project = tmp_path / "out" / "churn-model-training"
    commit_all(project, "Generated")
    with (project / "source_dir" / "train.py").open("a") as train:
        train.write(USER_EDIT)
    commit_all(project, "Our own training tweak")
    return project


def release_template_change(template_repo):
    """A new template commit that changes a template-owned file and a user-owned one."""
    for name in ("Makefile", "source_dir/train.py"):
        with (template_repo / "{{cookiecutter.project_slug}}" / name).open("a") as target:
            target.write(TEMPLATE_CHANGE)
    commit_all(template_repo, "Template release 2")


def test_a_fresh_project_is_up_to_date(project):
    assert cruft("check", cwd=project).returncode == 0


def test_update_applies_template_changes_and_keeps_the_users(project, template_repo):
    release_template_change(template_repo)
    assert cruft("check", cwd=project).returncode != 0, "cruft check did not notice the new template commit"

    updated = cruft("update", "--skip-apply-ask", cwd=project)

    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert TEMPLATE_CHANGE in (project / "Makefile").read_text()
    train = (project / "source_dir" / "train.py").read_text()
    assert USER_EDIT in train and TEMPLATE_CHANGE not in train
    assert (project / "scripts" / "build_and_push.sh").stat().st_mode & 0o111
    assert cruft("check", cwd=project).returncode == 0


def test_create_refuses_a_slug_with_path_parts_and_makes_no_folder(template_repo, tmp_path):
    work = tmp_path / "work"
    (work / "out").mkdir(parents=True)
    answers = json.dumps({"project_slug": "../made/sub/leaf"})

    created = cruft(
        "create", "--no-input", "--output-dir", "out", "--extra-context", answers, str(template_repo), cwd=work
    )

    assert created.returncode != 0
    # cruft shows any error in a traceback of its own, wrapped to the terminal's width.
    said = " ".join((created.stdout + created.stderr).split())
    assert "error: project_slug '../made/sub/leaf' is invalid: it must be one folder name" in said
    assert sorted(str(path.relative_to(work)) for path in work.rglob("*")) == ["out"]
