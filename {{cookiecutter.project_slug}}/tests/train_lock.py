"""train.lock read and checked against pyproject.toml independently of the tool that wrote it
(uv, `make lock`): packaging's reading of the requirements, and each locked package's own
metadata as an installed copy of it declares. The lock is universal, so the check walks the
train group on every platform and Python the project supports.
"""

import json
import re
import subprocess
import tomllib
from dataclasses import dataclass

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

GROUP = "train"
# Where a train.lock is installed: the image (Linux on x86_64), and the machines people train on.
PLATFORMS = {  # label: (sys_platform, platform_system, platform_machine)
    "linux-x86_64": ("linux", "Linux", "x86_64"),
    "linux-aarch64": ("linux", "Linux", "aarch64"),
    "macos-arm64": ("darwin", "Darwin", "arm64"),
    "windows-amd64": ("win32", "Windows", "AMD64"),
}
PYTHONS = ["3.11", "3.12", "3.13", "3.14"]

# Run by an environment's own Python: its marker values and what is installed there, as JSON.
PROBE = r"""
import json, os, platform, sys
from importlib import metadata
environment = {
    "implementation_name": sys.implementation.name,
    "implementation_version": platform.python_version(),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
installed = {d.metadata["Name"]: [d.version, d.requires or []] for d in metadata.distributions()}
print(json.dumps({"environment": environment, "installed": installed}))
"""


@dataclass(frozen=True)
class Pin:
    """One entry of the lock: `name==version ; marker` and the hashes of its files."""

    name: str
    version: str
    marker: object
    hashes: tuple

    def applies(self, environment):
        return self.marker is None or self.marker.evaluate({**environment, "extra": ""})


def read_lock(text):
    """The lock's pins, read as pip reads a requirements file (continuations, comments)."""
    pins = []
    for line in re.sub(r"\\\n", " ", text).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement_text, *hashes = line.split(" --hash=")
        requirement = Requirement(requirement_text.strip())
        (pinned,) = requirement.specifier  # exactly one `==version`, or this raises
        if pinned.operator != "==":
            raise ValueError(f"{requirement_text.strip()} is not pinned with ==")
        name = canonicalize_name(requirement.name)
        pins.append(Pin(name, pinned.version, requirement.marker, tuple(h.strip() for h in hashes)))
    return pins


def read_group(pyproject_text, group=GROUP):
    """The group's requirements, its `include-group`s followed."""
    groups = tomllib.loads(pyproject_text)["dependency-groups"]
    requirements = []
    for item in groups[group]:
        if isinstance(item, dict):
            requirements += read_group(pyproject_text, item["include-group"])
        else:
            requirements.append(Requirement(item))
    return requirements


def environments(requires_python):
    """{label: marker values} for every platform and supported Python, CPython as the image's."""
    supported = SpecifierSet(requires_python)
    return {
        f"{label}-py{python}": {
            "sys_platform": sys_platform,
            "platform_system": system,
            "platform_machine": machine,
            "os_name": "nt" if sys_platform == "win32" else "posix",
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "python_version": python,
            "python_full_version": f"{python}.0",
            "implementation_version": f"{python}.0",
            "platform_release": "",
            "platform_version": "",
        }
        for label, (sys_platform, system, machine) in PLATFORMS.items()
        for python in PYTHONS
        if f"{python}.0" in supported
    }


def probe(*python):
    """(marker values, {(name, version): requirements}) of the environment this command's Python
    runs in (a path, or `podman run IMAGE python3`)."""
    result = subprocess.run([*python, "-c", PROBE], capture_output=True, text=True, check=True)
    facts = json.loads(result.stdout)
    installed = {
        (canonicalize_name(name), version): requires
        for name, (version, requires) in facts["installed"].items()
    }
    return facts["environment"], installed


def walk(environment, group, pins, metadata):
    """(pins reached from the group in environment, what is wrong on the way). A locked package's
    own requirements are followed where its metadata is known: {(name, version): [requirement]}."""
    reached, problems, followed = set(), [], set()
    pending = [(requirement, "the train group", ("",)) for requirement in group]
    while pending:
        requirement, needed_by, extras = pending.pop()
        marker = requirement.marker
        if marker and not any(marker.evaluate({**environment, "extra": extra}) for extra in extras):
            continue
        name = canonicalize_name(requirement.name)
        candidates = [pin for pin in pins if pin.name == name and pin.applies(environment)]
        if len(candidates) != 1:
            problems.append(f"{requirement} (for {needed_by}) is pinned {len(candidates)} times")
            continue
        pin = candidates[0]
        reached.add(pin)
        if not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(
                f"{name}=={pin.version} does not satisfy {requirement} (for {needed_by})"
            )
        if (pin, frozenset(requirement.extras)) not in followed:
            followed.add((pin, frozenset(requirement.extras)))
            for text in metadata.get((pin.name, pin.version), []):
                pending.append((Requirement(text), pin.name, ("", *requirement.extras)))
    return reached, problems


def lock_problems(lock_text, pyproject_text, metadata):
    """Everything wrong with the lock for pyproject's train group on every platform and Python
    the project supports, each a line naming the package (and the environment)."""
    pins, group = read_lock(lock_text), read_group(pyproject_text)
    targets = environments(tomllib.loads(pyproject_text)["project"]["requires-python"])
    problems = [f"{pin.name}=={pin.version} has no hash" for pin in pins if not pin.hashes]
    reached_anywhere = set()
    for label, environment in targets.items():
        reached, found = walk(environment, group, pins, metadata)
        reached_anywhere |= reached
        problems += [f"{label}: {problem}" for problem in found]
    problems += [
        f"{pin.name}=={pin.version} is needed nowhere"
        for pin in pins
        if pin not in reached_anywhere
    ]
    return problems
