"""Render the template with pytest-cookies, once per set of answers, shared across the session."""

import itertools
import json
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parents[2]
DEFAULTS = json.loads((TEMPLATE / "cookiecutter.json").read_text())

# Every combination of the template's choices, with a readable id for each.
CHOICES = {
    "python_version": DEFAULTS["python_version"],
    "include_github_actions": [True, False],
    "include_mpi": [False, True],
}


def combination_id(answers):
    ci = "with-ci" if answers["include_github_actions"] else "no-ci"
    mpi = "-mpi" if answers["include_mpi"] else ""
    return f"py{answers['python_version']}-{ci}{mpi}"


COMBINATIONS = [dict(zip(CHOICES, values, strict=True)) for values in itertools.product(*CHOICES.values())]
COMBINATION_IDS = [combination_id(answers) for answers in COMBINATIONS]


@pytest.fixture(scope="session")
def render(cookies_session):
    """render(**answers) -> path of the rendered project; each set of answers is baked once."""
    baked = {}

    def _render(**answers):
        key = json.dumps(answers, sort_keys=True)
        if key not in baked:
            result = cookies_session.bake(extra_context=answers, template=str(TEMPLATE))
            assert result.exception is None, f"rendering {answers} failed: {result.exception!r}"
            baked[key] = result.project_path
        return baked[key]

    return _render


@pytest.fixture(scope="session")
def default_project(render):
    """The project rendered with every default answer."""
    return render()


@pytest.fixture(scope="session", params=COMBINATIONS, ids=COMBINATION_IDS)
def combination(request, render):
    """(answers, project path) for each combination of the template's choices."""
    return request.param, render(**request.param)
