"""The table of named breakages (tests/mutations/named.py, run by `make mutation`) stays in step
with the code: each row's text is in its file exactly once, so a refactor that moves the text
fails here, in the fast tier, rather than an hour into a mutation run."""

import sys
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE / "tests" / "mutations"))  # named.py is a script beside its helpers
import named  # noqa: E402


@pytest.fixture(scope="module")
def mpi_project(cookies_session):
    return cookies_session.bake(extra_context={"include_mpi": True}).project_path


@pytest.mark.parametrize("mutation", named.MUTATIONS, ids=lambda mutation: mutation.id)
def test_each_named_breakage_finds_its_text_once(mutation, mpi_project):
    root = mpi_project if mutation.where == "project" else TEMPLATE
    assert (root / mutation.path).read_text().count(mutation.old) == 1
