"""Container fixtures: podman set up for this machine, a local Debian base image, podman's
Docker-compatible service and a local registry. Each server is started and stopped by one fixture.

No registry can be pulled from here, so the base image is built with mmdebstrap (cached in
~/.cache between runs). Where containers cannot run, the fixtures skip with the reason; with
CONTAINER_TESTS=required (for CI machines that must run this tier) they fail instead.
"""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from support.tools import run_make

CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sagemaker-template-tests"
INSTALLER = "tests/support/install-container-tools.sh"

# crun refuses cgroups in hybrid mode and the default ulimits cannot be raised in this sandbox.
CONTAINERS_CONF = """\
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""

# The stand-in for python:X-slim-bookworm: Debian's python3 with venv and headers.
BASE_SUITE = "bookworm"
BASE_MIRRORS = [
    "deb http://deb.debian.org/debian bookworm main",
    "deb http://deb.debian.org/debian bookworm-updates main",
    "deb http://deb.debian.org/debian-security bookworm-security main",
]
BASE_PACKAGES = ["python3", "python3-venv", "python3-dev", "ca-certificates"]
# What the official debian:*-slim images leave out, and their apt settings (from debuerreotype):
# without them a Dockerfile that is lean on the real base looks fatter here, or the reverse.
SLIM_DPKG_OPTIONS = [
    *(f"path-exclude=/usr/share/{folder}/*" for folder in ("doc", "man", "info", "groff", "lintian", "locale")),
    "path-include=/usr/share/doc/*/copyright",
]
APT_CACHE_CLEANUP = (
    "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"
)
OFFICIAL_APT_SETTINGS = {
    "docker-clean": (
        f'DPkg::Post-Invoke {{ "{APT_CACHE_CLEANUP}"; }};\n'
        f'APT::Update::Post-Invoke {{ "{APT_CACHE_CLEANUP}"; }};\n'
        'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n'
    ),
    "docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
    "docker-gzip-indexes": 'Acquire::GzipIndexes "true";\nAcquire::CompressionTypes::Order:: "gz";\n',
    "docker-no-languages": 'Acquire::Languages "none";\n',
}
# A proxy that intercepts HTTPS signs with these: the test image trusts them, the template does not.
HOST_EXTRA_CA_DIR = Path("/usr/local/share/ca-certificates")


class ContainersUnavailable(Exception):
    """Containers cannot run on this machine; the message says why."""


def unavailable(reason):
    """Skip the test, or fail it where this tier is required to run."""
    if os.environ.get("CONTAINER_TESTS") == "required":
        pytest.fail(f"container tests required but {reason}", pytrace=False)
    pytest.skip(reason)


def podman(*args, check=True, timeout=600, **kwargs):
    """Run podman with the session's configuration; return the CompletedProcess (text output)."""
    result = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def built_image(project, base_image, tag):
    """Build the project's Dockerfile on the local base image as tag; yield the tag, then remove it."""
    podman("build", "--build-arg", f"BASE_IMAGE={base_image}", "--tag", tag, str(project), timeout=900)
    yield tag
    podman("rmi", "--force", tag, check=False)


def make_train_container(project, image, base_image, data, run_dir, *variables):
    """The project's own `make train-container`, with podman, the image built on the local base."""
    return run_make(
        project,
        "train-container",
        "ENGINE=podman",
        f"IMAGE={image}",
        f"BUILD_ARGS=--build-arg BASE_IMAGE={base_image}",
        f"DATA={data}",
        f"RUN_DIR={run_dir}",
        *variables,
        check=False,
        timeout=900,
    )


def sample_data(project, folder):
    """The project's own sample data set, written by its scripts/make_data.py into folder."""
    subprocess.run([sys.executable, "scripts/make_data.py", "--out", str(folder)], cwd=project, check=True)
    return folder


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def configure_podman(conf_dir):
    """Write the containers.conf this sandbox needs into conf_dir; return the environment naming it."""
    conf = Path(conf_dir) / "containers.conf"
    conf.write_text(CONTAINERS_CONF)
    return {"CONTAINERS_CONF": str(conf)}


# Programs podman runs for a build or a run, where they are not on PATH when missing: each is
# named here, so a fresh machine fails with its name rather than mid-build.
ENGINE_HELPERS = {
    "iptables": "netavark sets up every container network with it",
    "/usr/lib/podman/netavark": "podman's network backend",
    "/usr/lib/podman/aardvark-dns": "lets the cluster's hosts resolve each other",
}


def check_podman():
    if not shutil.which("podman"):
        raise ContainersUnavailable(f"podman is not installed (as root on Debian, {INSTALLER} installs it)")
    for helper, why in ENGINE_HELPERS.items():
        if not shutil.which(helper, path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin"):
            raise ContainersUnavailable(f"{helper} is missing ({why}); as root on Debian, {INSTALLER} installs it")
    info = podman("info", check=False, timeout=120)
    if info.returncode != 0:
        raise ContainersUnavailable(f"podman does not work here: {last_line(info.stderr)}")


def extra_ca_files():
    return sorted(HOST_EXTRA_CA_DIR.glob("*.crt")) if HOST_EXTRA_CA_DIR.is_dir() else []


def base_recipe():
    """Everything the base image is made from: its cache key."""
    return {
        "suite": BASE_SUITE,
        "mirrors": BASE_MIRRORS,
        "packages": BASE_PACKAGES,
        "dpkg": SLIM_DPKG_OPTIONS,
        "apt": OFFICIAL_APT_SETTINGS,
        "ca": {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in extra_ca_files()},
    }


def mmdebstrap_command(apt_settings_dir, tarball):
    ca_files = " ".join(str(path) for path in extra_ca_files())
    apt_files = " ".join(str(apt_settings_dir / name) for name in OFFICIAL_APT_SETTINGS)
    hooks = [f"copy-in {apt_files} /etc/apt/apt.conf.d"]
    if ca_files:
        hooks += [f"copy-in {ca_files} {HOST_EXTRA_CA_DIR}", 'chroot "$1" update-ca-certificates']
    # apt-get clean cannot find the package caches once docker-clean names them "".
    hooks.append('rm -f "$1"/var/cache/apt/*.bin')
    return [
        "mmdebstrap",
        "--quiet",
        "--variant=apt",
        f"--include={','.join(BASE_PACKAGES)}",
        *(f"--dpkgopt={option}" for option in SLIM_DPKG_OPTIONS),
        *(f"--customize-hook={hook}" for hook in hooks),
        BASE_SUITE,
        str(tarball),
        *BASE_MIRRORS,
    ]


def build_base_tarball(tarball, work_dir):
    """Bootstrap the base file system into tarball (written whole or not at all)."""
    if not shutil.which("mmdebstrap"):
        raise ContainersUnavailable(f"mmdebstrap is not installed to build the base image ({INSTALLER} installs it)")
    for name, text in OFFICIAL_APT_SETTINGS.items():
        (work_dir / name).write_text(text)
    for stale in CACHE_DIR.glob("base-*.tar"):  # older recipes, and any half-written tarball
        stale.unlink()
    partial = tarball.with_suffix(".partial.tar")
    result = subprocess.run(
        mmdebstrap_command(work_dir, partial), capture_output=True, text=True, timeout=900, check=False
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise ContainersUnavailable(f"cannot build the base image with mmdebstrap: {last_line(result.stderr)}")
    partial.replace(tarball)


def ensure_base_image(work_dir):
    """The local stand-in for python:3.11-slim-bookworm, built once per recipe; returns its name.

    The bootstrapped tarball is cached in CACHE_DIR, and imported when podman lacks the image.
    """
    key = hashlib.sha256(json.dumps(base_recipe(), sort_keys=True).encode()).hexdigest()[:12]
    image = f"localhost/sagemaker-template-base:{BASE_SUITE}-{key}"
    if podman("image", "exists", image, check=False).returncode != 0:
        tarball = CACHE_DIR / f"base-{key}.tar"
        if not tarball.exists():
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            build_base_tarball(tarball, Path(work_dir))
        podman("import", "--change", 'CMD ["/bin/bash"]', str(tarball), image)
    probe = podman("run", "--rm", "--network=none", image, "python3", "--version", check=False, timeout=120)
    if probe.returncode != 0:
        raise ContainersUnavailable(f"podman cannot run containers here: {last_line(probe.stderr)}")
    return image


@pytest.fixture(scope="session")
def container_engine(tmp_path_factory):
    """podman, configured through a containers.conf that this sandbox accepts."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in configure_podman(tmp_path_factory.mktemp("podman")).items():
            patch.setenv(name, value)
        try:
            check_podman()
        except ContainersUnavailable as error:
            unavailable(str(error))
        yield "podman"


@pytest.fixture(scope="session")
def base_image(container_engine, tmp_path_factory):
    """A local stand-in for python:3.11-slim-bookworm (see ensure_base_image)."""
    try:
        return ensure_base_image(tmp_path_factory.mktemp("base-image"))
    except ContainersUnavailable as error:
        unavailable(str(error))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(ready, server, log_path, timeout=30):
    """Poll ready() until it holds; fail with the server's log if it exits or takes too long."""
    deadline = time.monotonic() + timeout
    while not ready():
        if server.poll() is not None or time.monotonic() > deadline:
            stop(server)
            raise AssertionError(f"{server.args[0]} did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)


def stop(server):
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def registry_answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def local_registry(container_engine, tmp_path_factory):
    """A Distribution registry on a free local port (state in a temp dir); yields 'localhost:PORT'."""
    if not shutil.which("docker-registry"):
        unavailable(f"Debian's docker-registry is not installed ({INSTALLER} installs it)")
    state = tmp_path_factory.mktemp("registry")
    address = f"localhost:{free_port()}"
    config = state / "config.yml"
    config.write_text(
        "version: 0.1\n"
        "log: {level: warn}\n"
        f"storage: {{filesystem: {{rootdirectory: {state / 'storage'}}}, delete: {{enabled: true}}}}\n"
        f"http: {{addr: {address.replace('localhost', '127.0.0.1')}}}\n"
    )
    # podman (and its service) must talk plain HTTP to it.
    registries_conf = state / "registries.conf"
    registries_conf.write_text(f'[[registry]]\nlocation = "{address}"\ninsecure = true\n')
    log_path = state / "registry.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: registry_answers(f"http://{address}/v2/"), server, log_path)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("CONTAINERS_REGISTRIES_CONF", str(registries_conf))
            yield address
    finally:
        stop(server)


@pytest.fixture(scope="session")
def docker_host(container_engine, local_registry, tmp_path_factory):
    """podman's Docker-compatible API on a socket, for the real docker CLI; yields DOCKER_HOST.

    Started after the local registry so that the service trusts it.
    """
    if not shutil.which("docker"):
        unavailable(f"the docker CLI is not installed ({INSTALLER} installs it)")
    state = tmp_path_factory.mktemp("podman-service")
    docker_host = f"unix://{state / 'podman.sock'}"
    log_path = state / "service.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            ["podman", "system", "service", "--time=0", docker_host], stdout=log, stderr=subprocess.STDOUT
        )
    env = {**os.environ, "DOCKER_HOST": docker_host}

    def answers():
        return subprocess.run(["docker", "version"], env=env, capture_output=True, check=False).returncode == 0

    try:
        wait_until(answers, server, log_path)
        yield docker_host
    finally:
        stop(server)
