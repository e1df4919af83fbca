"""A fresh machine and the template's public CI: the installer installs every program podman
runs, a missing one is named before any build (rather than met at the first RUN), and the CI
job that names every tier runs them as root and fails on a skip."""

import re
from pathlib import Path

import pytest
from support import containers
from support.containers import ENGINE_HELPERS, INSTALLER, ContainersUnavailable, check_podman, unavailable
from support.rendering import TEMPLATE

INSTALLED = re.search(r"packages=\(([^)]*)\)", (TEMPLATE / INSTALLER).read_text()).group(1).split()
WORKFLOW = (TEMPLATE / ".github" / "workflows" / "ci.yml").read_text()


@pytest.mark.parametrize("helper", ENGINE_HELPERS)
def test_the_installer_installs_each_engine_helper(helper):
    assert Path(helper).name in INSTALLED


@pytest.mark.parametrize("helper", ENGINE_HELPERS)
def test_a_missing_engine_helper_is_named_before_any_build(monkeypatch, helper):
    def which(name, **_):  # podman is there, this helper is not
        return None if name == helper else f"/usr/bin/{Path(name).name}"

    monkeypatch.setattr(containers.shutil, "which", which)

    with pytest.raises(ContainersUnavailable, match=f"^{re.escape(helper)} is missing .*{re.escape(INSTALLER)}"):
        check_podman()


def test_a_required_tier_fails_rather_than_skips(monkeypatch):
    monkeypatch.setenv("CONTAINER_TESTS", "required")

    with pytest.raises(pytest.fail.Exception, match="container tests required but iptables is missing"):
        unavailable("iptables is missing")


def job(name):
    """The text of one job of the template's CI workflow."""
    return re.search(rf"^  {name}:\n(?:(?:    .*)?\n)+", WORKFLOW, re.MULTILINE).group(0)


def test_the_ci_job_that_names_every_tier_runs_them_as_root_and_fails_on_a_skip():
    full = job("full")
    runs = re.findall(r"^\s+run: (.*)$", full, re.MULTILINE)

    assert f"sudo bash {INSTALLER}" in runs
    assert any(run.startswith("sudo ") and "CONTAINER_TESTS=required make test" in run for run in runs), runs
