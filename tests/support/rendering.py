"""Render the template with pytest-cookies, once per set of answers, shared across the session."""

import importlib.util
import itertools
import json
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parents[2]
DEFAULTS = json.loads((TEMPLATE / "cookiecutter.json").read_text())

# Every combination of the template's choices, derived from cookiecutter.json: each list is a
# choice (its first entry the default), each true/false answer is tried both ways, so a new
# answer of either kind joins the matrix here with nothing else to edit.
CHOICES = {
    name: default if isinstance(default, list) else [default, not default]
    for name, default in DEFAULTS.items()
    if not name.startswith("_") and isinstance(default, list | bool)
}


def combination_id(answers):
    """A readable id: a choice by its value (py3.12), a yes/no answer by its name (mpi, no-mpi)."""
    parts = []
    for name, value in answers.items():
        if isinstance(value, bool):
            label = name.removeprefix("include_").replace("_", "-")
            parts.append(label if value else f"no-{label}")
        else:
            parts.append(f"{name.partition('_')[0][:2]}{value}")
    return "-".join(parts)


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


def project_module(path):
    """A module of a rendered project (or of the template's project folder), loaded by its path."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
