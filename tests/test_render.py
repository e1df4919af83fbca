"""Rendering: the exact file set for every combination, and nothing of the template left in it."""

import ast
import json
import re

BASE_FILES = {
    ".cookiecutter.json",
    ".dockerignore",
    ".editorconfig",
    ".gitattributes",
    ".gitignore",
    ".pre-commit-config.yaml",
    "Dockerfile",
    "Makefile",
    "docs/how-it-works.md",
    "docs/iam.md",
    "docs/scaling-out.md",
    "README.md",
    "launch.py",
    "local_run.py",
    "pyproject.toml",
    "scripts/build_and_push.sh",
    "scripts/make_data.py",
    "source_dir/checkpoints.py",
    "source_dir/csv_files.py",
    "source_dir/distributed.py",
    "source_dir/hyperparameters.py",
    "source_dir/requirements.txt",
    "source_dir/row_cache.py",
    "source_dir/train.py",
    "source_dir/utils.py",
    "train.lock",
    "tests/conftest.py",
    "tests/sample/conftest.py",
    "tests/sample/sample_jobs.py",
    "tests/sample/test_csv_files.py",
    "tests/sample/test_hostile_data.py",
    "tests/sample/test_hyperparameters.py",
    "tests/sample/test_launch_hyperparameters.py",
    "tests/sample/test_launch_metrics.py",
    "tests/sample/test_local_run_sample.py",
    "tests/sample/test_make_data.py",
    "tests/sample/test_reading.py",
    "tests/sample/test_row_cache.py",
    "tests/sample/test_train.py",
    "tests/sample/test_train_jobs.py",
    "tests/sample/test_train_loop.py",
    "tests/sample/test_utils.py",
    "tests/test_egress.py",
    "tests/test_follow.py",
    "tests/test_launch.py",
    "tests/own_scripts.py",
    "tests/sent_requests.py",
    "tests/answers.py",
    "tests/failing_jobs.py",
    "tests/test_cli_run.py",
    "tests/test_command_lines.py",
    "tests/test_compose_probe.py",
    "tests/test_job_request.py",
    "tests/test_job_tree.py",
    "tests/test_hyperparameter_check.py",
    "tests/test_job_names.py",
    "tests/test_launch_channels.py",
    "tests/test_launch_chain.py",
    "tests/test_launch_dry_run.py",
    "tests/test_launch_help.py",
    "tests/test_launch_offline.py",
    "tests/test_launch_refusals.py",
    "tests/test_launch_tuning.py",
    "tests/test_learning_curve.py",
    "tests/test_local_run.py",
    "tests/test_local_run_env.py",
    "tests/test_local_mode.py",
    "tests/test_local_mode_refusals.py",
    "tests/test_local_run_unreadable.py",
    "tests/test_own_scripts.py",
    "tests/test_progress.py",
    "tests/test_sourcedir.py",
    "tests/test_sdk_config.py",
    "tests/test_train_lock.py",
    "tests/test_tuning_options.py",
    "tests/test_upload_progress.py",
    "tests/test_verdict.py",
    "tests/train_lock.py",
    "tools/__init__.py",
    "tools/channel_options.py",
    "tools/cli.py",
    "tools/compose.py",
    "tools/container_run.py",
    "tools/contract.py",
    "tools/egress.py",
    "tools/follow.py",
    "tools/hyperparameter_check.py",
    "tools/job_tree.py",
    "tools/launch_options.py",
    "tools/launcher.py",
    "tools/learning_curve.py",
    "tools/local_mode.py",
    "tools/local_run_options.py",
    "tools/plan.py",
    "tools/preflight.py",
    "tools/progress.py",
    "tools/project.py",
    "tools/run_requests.py",
    "tools/sdk.py",
    "tools/sdk_session.py",
    "tools/sdk_tuning.py",
    "tools/settings.py",
    "tools/sourcedir.py",
    "tools/toolkit_run.py",
    "tools/tuning.py",
    "tools/tuning_options.py",
    "tools/upload.py",
    "tools/verdict.py",
}
CI_FILES = {".github/workflows/ci.yml"}
MPI_FILES = {"tests/test_launch_mpi.py", "tests/sample/test_mpi.py", "tests/sample/test_mpi_shares.py", "tools/mpi.py"}
EXECUTABLES = {"scripts/build_and_push.sh"}

# Jinja left behind; GitHub's own `${{ }}` expressions and the `.cookiecutter.json` name are fine.
TEMPLATE_SYNTAX = re.compile(r"(?<!\$)\{\{|\{%|cookiecutter\.(?!json)")


def files_in(project):
    return {path.relative_to(project).as_posix() for path in project.rglob("*") if path.is_file()}


def test_project_folder_is_named_after_the_slug(default_project):
    assert default_project.name == "churn-model-training"


def test_exact_file_set(combination):
    answers, project = combination
    expected = (
        BASE_FILES
        | (CI_FILES if answers["include_github_actions"] else set())
        | (MPI_FILES if answers["include_mpi"] else set())
    )

    assert files_in(project) == expected


def test_no_template_syntax_left(combination):
    _, project = combination
    leftovers = {
        name: match.group()
        for name in files_in(project)
        if (match := TEMPLATE_SYNTAX.search(project.joinpath(name).read_text()))
    }
    assert leftovers == {}


def test_line_endings_are_lf(combination):
    _, project = combination
    assert [name for name in files_in(project) if b"\r" in project.joinpath(name).read_bytes()] == []


def test_only_scripts_are_executable(combination):
    _, project = combination
    executables = {name for name in files_in(project) if project.joinpath(name).stat().st_mode & 0o111}

    assert executables == EXECUTABLES


def test_derived_answers_follow_the_project_name(render):
    project = render(project_name="Fraud Detector: EU / V2")
    answers = json.loads(project.joinpath(".cookiecutter.json").read_text())["cookiecutter"]

    assert project.name == "fraud-detector-eu-v2"
    assert answers["ecr_repository"] == "sagemaker-training-containers/fraud-detector-eu-v2"
    assert answers["base_job_name"] == answers["s3_prefix"] == "fraud-detector-eu-v2"


def test_long_names_still_give_a_valid_job_name(render):
    """The job name keeps room for the SDK's timestamp and never ends on the hyphen it was cut at."""
    project = render(project_name="Customer Churn Prediction For The Retail Branch Of Europe")
    answers = json.loads(project.joinpath(".cookiecutter.json").read_text())["cookiecutter"]

    assert answers["base_job_name"] == "customer-churn-prediction-for-the-retail-branch"


# What a newcomer can take in: no module longer than this, no function longer than that.
MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 40


def test_rendered_python_stays_small(render):
    project = render(include_mpi=True)  # the superset of files
    too_long = []
    for path in sorted(project.rglob("*.py")):
        source = path.read_text()
        name = path.relative_to(project).as_posix()
        if len(source.splitlines()) > MAX_FILE_LINES:
            too_long.append(f"{name}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno >= MAX_FUNCTION_LINES:
                too_long.append(f"{name}: {node.name}() {node.end_lineno - node.lineno + 1} lines")
    assert too_long == []
