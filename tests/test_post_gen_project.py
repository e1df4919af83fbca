"""The post-generation hook: executable bits, empty optional folders removed, nothing deleted.

Its functions are called on scratch trees (the hook loaded as a module), and a re-render over
an existing project checks, end to end, that no file a user made or changed is lost.
"""

import hashlib
import json
import re

from cookiecutter.hooks import run_hook
from cookiecutter.main import cookiecutter
from cookiecutter.utils import work_in
from support.hooks import default_answers, load_hook
from support.rendering import TEMPLATE

HOOK = load_hook("post_gen_project", default_answers())


def test_the_push_script_becomes_executable(tmp_path):
    script = tmp_path / "scripts" / "build_and_push.sh"
    script.parent.mkdir()
    script.write_text("#!/usr/bin/env bash\n")
    script.chmod(0o644)

    HOOK.main(tmp_path)

    assert script.stat().st_mode & 0o777 == 0o755


# A line of the next steps: a command, then maybe a comment saying what it does.
NEXT_STEP = re.compile(r"  (?P<command>\S.*?)(\s+# \S.*)?")


def test_the_next_steps_are_commands_the_new_project_has(default_project, capsys):
    HOOK.main(default_project)

    head, _, steps = capsys.readouterr().out.partition(" Next steps:\n")
    assert head == f"\nCreated {default_project.name}."
    targets = set(re.findall(r"^([a-z-]+):", (default_project / "Makefile").read_text(), flags=re.MULTILINE))
    for line in steps.rstrip().splitlines():
        step = NEXT_STEP.fullmatch(line)
        assert step, f"not a command: {line!r}"
        program, *arguments = step["command"].split()
        if program == "make":
            assert arguments[0] in targets, line
        elif program == "cd":
            assert arguments == [default_project.name], line
        else:
            assert step["command"].startswith("git init && git add . && git commit "), line


def test_optional_folders_left_empty_are_removed(tmp_path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "build_and_push.sh").write_text("")

    HOOK.main(tmp_path)

    assert not (tmp_path / ".github").exists()


def test_a_users_files_in_optional_folders_stay(tmp_path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    dependabot = tmp_path / ".github" / "dependabot.yml"
    dependabot.write_text("version: 2\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "build_and_push.sh").write_text("")

    HOOK.main(tmp_path)

    assert dependabot.read_text() == "version: 2\n"
    assert not (tmp_path / ".github" / "workflows").exists()


def files_in(project):
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in project.rglob("*") if p.is_file()}


def test_a_re_render_without_the_options_loses_nothing(tmp_path):
    """`cookiecutter -f -s` over a project rendered with CI and MPI, now answered without."""
    render = {"template": str(TEMPLATE), "output_dir": str(tmp_path), "no_input": True}
    project = tmp_path / cookiecutter(**render, extra_context={"include_mpi": True}).rsplit("/", 1)[-1]
    (project / ".github" / "dependabot.yml").write_text("version: 2\n")
    with (project / "tests" / "sample" / "test_mpi.py").open("a") as edited:
        edited.write("\n# my own change\n")
    before = files_in(project)

    cookiecutter(
        **render,
        overwrite_if_exists=True,
        skip_if_file_exists=True,
        extra_context={"include_mpi": False, "include_github_actions": False},
    )

    after = files_in(project)
    lost = {name for name in before if name not in after}
    changed = {name for name in before if name in after and after[name] != before[name]}
    assert lost == set()
    assert changed == set()  # -s: files that exist are skipped, the hook touches none


def snapshot(project):
    """Every file's name, mode and content digest."""
    return {
        name: (project.joinpath(name).stat().st_mode, hashlib.sha256(project.joinpath(name).read_bytes()).hexdigest())
        for name in sorted(files_in(project))
    }


def test_post_generation_hook_is_idempotent(render):
    project = render(include_github_actions=False)
    answers = json.loads(project.joinpath(".cookiecutter.json").read_text())["cookiecutter"]
    before = snapshot(project)

    with work_in(TEMPLATE):
        run_hook("post_gen_project", str(project), {"cookiecutter": answers})

    assert snapshot(project) == before
