"""The pre-generation hook: every answer is checked against AWS's or Python's own rule.

A bad answer must end with one line on stderr naming the key, the value and the
rule, a non-zero exit, and nothing on disk. Answers are data: text that looks like
code must never run.
"""

import json
import subprocess
import tomllib

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter
from support.hooks import default_answers, load_hook
from support.rendering import TEMPLATE
from support.tools import tool

# (key, bad value, why it is bad); the reason is the test id.
BAD_ANSWERS = [
    ("project_name", "Churn\nModel", "name-spans-two-lines"),
    ("project_name", "x" * 101, "name-too-long"),
    ("project_slug", "Churn_Model", "slug-uppercase-and-underscore"),
    ("project_slug", "churn--model", "slug-double-hyphen"),
    ("project_slug", "1churn", "slug-starts-with-digit"),
    ("project_slug", "churn-", "slug-trailing-hyphen"),
    ("description", "line one\nline two", "description-two-lines"),
    ("description", "one\u2028two", "description-line-separator"),
    ("description", "safe\u202eevil", "description-bidi-override"),
    ("author_name", "Ann\x7f", "author-delete-character"),
    ("author_name", "", "author-empty"),
    ("aws_region", "useast1", "region-without-hyphens"),
    ("aws_region", "US-EAST-1", "region-uppercase"),
    ("aws_region", "us-east", "region-without-number"),
    ("ecr_repository", "Team/Churn", "ecr-uppercase"),
    ("ecr_repository", "a", "ecr-too-short"),
    ("ecr_repository", "team//churn", "ecr-empty-path-part"),
    ("ecr_repository", "/team/churn", "ecr-leading-slash"),
    ("ecr_repository", "r" * 257, "ecr-too-long"),
    ("base_job_name", "churn_model", "job-name-underscore"),
    ("base_job_name", "-churn", "job-name-leading-hyphen"),
    ("base_job_name", "j" * 49, "job-name-leaves-no-room-for-timestamp"),
    ("s3_prefix", "/churn", "prefix-leading-slash"),
    ("s3_prefix", "churn/", "prefix-trailing-slash"),
    ("s3_prefix", "a//b", "prefix-double-slash"),
    ("instance_type", "m5.large", "instance-without-ml-prefix"),
    ("instance_type", "ml.m5", "instance-without-size"),
    ("instance_type", "ml.m5.huge", "instance-unknown-size"),
    ("instance_type", "local-gpu", "instance-misspelt-local-mode"),
]

# Unusual but real values that must pass.
GOOD_ANSWERS = [
    ("aws_region", "us-gov-west-1", "govcloud-region"),
    ("aws_region", "cn-northwest-1", "china-region"),
    ("aws_region", "ap-southeast-5", "newer-region"),
    ("instance_type", "ml.p4d.24xlarge", "gpu-instance"),
    ("instance_type", "ml.trn1.32xlarge", "trainium-instance"),
    ("instance_type", "local", "local-mode"),
    ("instance_type", "local_gpu", "local-mode-with-gpus"),
    ("ecr_repository", "team.ml/churn_model-v2", "ecr-nested-with-separators"),
    ("base_job_name", "j" * 48, "job-name-at-the-limit"),
    ("s3_prefix", "teams/ml/churn", "nested-prefix"),
    ("project_name", "x" * 100, "name-at-the-limit"),
    ("project_name", "X", "name-of-one-character"),
    ("description", "", "no-description"),
]


def assert_rejected(capfd, output_dir, key, value):
    err_lines = [line for line in capfd.readouterr().err.splitlines() if line.startswith("error:")]
    assert err_lines == [err_lines[0]], f"expected one error line, got {err_lines}"
    assert err_lines[0].startswith(f"error: {key} {value!r} is invalid: it must be ")
    assert list(output_dir.iterdir()) == [], "a rejected answer left files behind"


DEFAULT_ANSWERS = default_answers()


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, v, _ in BAD_ANSWERS], ids=[r for *_, r in BAD_ANSWERS])
def test_bad_answer_is_named_with_its_rule(key, value):
    hook = load_hook("pre_gen_project", DEFAULT_ANSWERS)

    message = hook.first_error(DEFAULT_ANSWERS | {key: value})

    assert message.startswith(f"error: {key} {value!r} is invalid: it must be ")
    assert "\n" not in message


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, v, _ in GOOD_ANSWERS], ids=[r for *_, r in GOOD_ANSWERS])
def test_unusual_but_valid_answer_passes_the_rules(key, value):
    hook = load_hook("pre_gen_project", DEFAULT_ANSWERS)

    assert hook.first_error(DEFAULT_ANSWERS | {key: value}) is None


def test_the_default_answers_pass_the_rules():
    assert load_hook("pre_gen_project", DEFAULT_ANSWERS).first_error(DEFAULT_ANSWERS) is None


def test_the_hook_exits_1_with_one_line_for_a_bad_answer_and_quietly_otherwise(capsys):
    with pytest.raises(SystemExit) as exit_info:
        load_hook("pre_gen_project", DEFAULT_ANSWERS | {"aws_region": "useast1"}).main()

    assert exit_info.value.code == 1
    written = capsys.readouterr()
    assert written.out == "" and written.err.count("\n") == 1
    assert written.err.startswith("error: aws_region 'useast1' is invalid: it must be an AWS region")

    load_hook("pre_gen_project", DEFAULT_ANSWERS).main()
    assert capsys.readouterr() == ("", "")


# A few bad answers baked end to end: the hook's exit stops cookiecutter before any file.
BAKED_BAD_ANSWERS = [("project_slug", "Churn_Model"), ("instance_type", "local-gpu"), ("s3_prefix", "a//b")]


@pytest.mark.parametrize(("key", "value"), BAKED_BAD_ANSWERS, ids=[key for key, _ in BAKED_BAD_ANSWERS])
def test_bad_answer_is_rejected_before_anything_is_written(cookies, capfd, tmp_path, key, value):
    result = cookies.bake(extra_context={key: value}, template=str(TEMPLATE))

    assert isinstance(result.exception, FailedHookException)
    assert_rejected(capfd, tmp_path / "cookies" / "bake00", key, value)


def test_unusual_but_valid_answers_render(cookies):
    unusual = {key: value for key, value, _ in GOOD_ANSWERS}  # one value per key: the last
    result = cookies.bake(extra_context=unusual, template=str(TEMPLATE))

    assert result.exception is None
    answers = json.loads(result.project_path.joinpath(".cookiecutter.json").read_text())["cookiecutter"]
    assert answers.items() >= unusual.items()


def run_cookiecutter(cwd, *args):
    """The cookiecutter command line, as a user runs it; its exit status and every line it printed."""
    result = subprocess.run([tool("cookiecutter"), *args], cwd=cwd, capture_output=True, text=True, check=False)
    return result.returncode, (result.stdout + result.stderr).splitlines()


def folders_and_files(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


FOLDER_RULE = "it must be one folder name, without '/', '\\' or '..' (the project's folder is made from it)."
# Slugs that are paths: cookiecutter makes the project folder from the slug, parents and all,
# before any hook runs, so they are refused as the folder's name is rendered. {root} is a
# temporary folder holding the output folder.
PATH_SLUGS = {
    "climbs-out-of-the-output-folder": "../made/sub/leaf",
    "nested-folders": "made/sub/leaf",
    "absolute-path": "{root}/elsewhere/leaf",
    "parent-folder": "..",
    "windows-separator": "made\\leaf",
    "trailing-slash": "leaf/",
}


@pytest.mark.parametrize("slug", PATH_SLUGS.values(), ids=PATH_SLUGS.keys())
def test_a_slug_with_path_parts_makes_no_folder_anywhere(tmp_path, slug):
    slug = slug.format(root=tmp_path)
    (tmp_path / "out").mkdir()

    status, lines = run_cookiecutter(tmp_path / "out", "--no-input", "-o", ".", str(TEMPLATE), f"project_slug={slug}")

    assert (status, lines) == (1, [f"error: project_slug {slug!r} is invalid: {FOLDER_RULE}"])
    assert folders_and_files(tmp_path) == ["out"]


def test_a_replayed_slug_with_path_parts_makes_no_folder_anywhere(default_project, tmp_path):
    replay = json.loads(default_project.joinpath(".cookiecutter.json").read_text())
    replay["cookiecutter"]["project_slug"] = "../made/sub/leaf"
    (tmp_path / "replay.json").write_text(json.dumps(replay))
    (tmp_path / "out").mkdir()

    status, lines = run_cookiecutter(tmp_path, "--replay-file", "replay.json", "-o", "out", str(TEMPLATE))

    assert (status, lines) == (1, [f"error: project_slug '../made/sub/leaf' is invalid: {FOLDER_RULE}"])
    assert folders_and_files(tmp_path) == ["out", "replay.json"]


def test_the_command_line_shows_a_bad_answer_in_its_hook_line_and_no_traceback(tmp_path):
    status, lines = run_cookiecutter(tmp_path, "--no-input", "-o", ".", str(TEMPLATE), "aws_region=EU")

    assert status == 1
    assert sorted(lines) == [
        "Hook script failed (exit status: 1)",
        "error: aws_region 'EU' is invalid: it must be an AWS region such as us-east-1, eu-central-2, "
        "us-gov-west-1 or cn-north-1.",
    ]
    assert folders_and_files(tmp_path) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [("python_version", "3.9"), ("include_github_actions", "yes")],
    ids=["python-too-old", "flag-not-a-boolean"],
)
def test_replayed_answers_are_checked_too(default_project, capfd, tmp_path, key, value):
    """Replays (and cruft) skip cookiecutter's own choice checks; the hook still holds."""
    replay = json.loads(default_project.joinpath(".cookiecutter.json").read_text())
    replay["cookiecutter"][key] = value
    replay_file = tmp_path / "replay.json"
    replay_file.write_text(json.dumps(replay))
    output_dir = tmp_path / "out"
    output_dir.mkdir()

    with pytest.raises(FailedHookException):
        cookiecutter(str(TEMPLATE), replay=str(replay_file), output_dir=str(output_dir))
    assert_rejected(capfd, output_dir, key, value)


# `{% raw %}` keeps cookiecutter from rendering the Jinja in the answer itself.
INJECTED_NAME = 'Evil """ \' `touch TICK` $(touch DOLLAR) \\ {% raw %}{{ 7 * 7 }} {%{% endraw %}'


def test_answers_that_look_like_code_stay_data(cookies, tmp_path, monkeypatch):
    """Quotes, backslashes, Jinja and shell substitutions in free text reach files verbatim."""
    monkeypatch.chdir(tmp_path)
    result = cookies.bake(
        extra_context={"project_name": INJECTED_NAME, "description": INJECTED_NAME, "author_name": INJECTED_NAME},
        template=str(TEMPLATE),
    )

    assert result.exception is None, result.exception
    project = result.project_path
    literal = INJECTED_NAME.replace("{% raw %}", "").replace("{% endraw %}", "")
    answers = json.loads(project.joinpath(".cookiecutter.json").read_text())["cookiecutter"]
    assert answers["project_name"] == answers["description"] == answers["author_name"] == literal
    assert literal in project.joinpath("README.md").read_text()
    assert not list(tmp_path.rglob("TICK")) and not list(tmp_path.rglob("DOLLAR"))
    # The generated code still parses: the name did not break out of any string or comment.
    subprocess.run([tool("ruff"), "check", "--select", "E9,F63,F7", "--no-cache", str(project)], check=True)
    for script in project.rglob("*.sh"):
        subprocess.run(["bash", "-n", str(script)], check=True)
    subprocess.run(["make", "--dry-run", "help"], cwd=project, check=True, capture_output=True)


# Free text with what breaks naive quoting in some format: emoji outside the BMP (a surrogate
# pair in JSON), a joined emoji, quotes and backslashes, TOML's and YAML's specials.
UNUSUAL_TEXT = {
    "project_name": "Churn ♥ Model 🚀",
    "description": 'Predicts "churn" \\ fast: 👩‍💻 #1, key = [value], {braces}, 100% & <tags>',
    "author_name": "Zoë O'Brien-Łukasiewicz",
}


def test_unusual_text_reaches_every_file_format_intact(cookies):
    result = cookies.bake(extra_context=UNUSUAL_TEXT, template=str(TEMPLATE))

    assert result.exception is None, result.exception
    project = result.project_path
    pyproject = tomllib.loads(project.joinpath("pyproject.toml").read_text())["project"]
    assert pyproject["description"] == UNUSUAL_TEXT["description"]
    assert pyproject["authors"] == [{"name": UNUSUAL_TEXT["author_name"]}]
    answers = json.loads(project.joinpath(".cookiecutter.json").read_text())["cookiecutter"]
    assert {key: answers[key] for key in UNUSUAL_TEXT} == UNUSUAL_TEXT
    assert UNUSUAL_TEXT["description"] in project.joinpath("README.md").read_text()
    subprocess.run([tool("ruff"), "check", "--no-cache", str(project)], check=True)
