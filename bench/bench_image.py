"""Benchmark the generated training image against a naive single-stage build of the same stack.

    .venv/bin/python bench/bench_image.py [--repeats 3]

Renders the template with its defaults, then in this one run, on the same local base image
(the container tests' mmdebstrap stand-in for python:3.11-slim-bookworm, see
tests/support/containers.py), builds without any cache:
1. the generated Dockerfile (a builder stage compiles; the image gets only the venv);
2. a naive Dockerfile of the same stack, as the original notebook built it: one stage,
   build-essential installed and kept, apt lists and pip's cache left in the image.
It reports each image's size and cold build time (the median of the repeats, built in turns
so that a slow spell of the network hits both), and the floor: the base image plus the
installed packages (the venv), which no image of this stack can go below.
Needs podman (tests/support/install-container-tools.sh installs it); about 1.5 minutes a repeat.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TEMPLATE / "tests"))

from support.containers import ContainersUnavailable, check_podman, configure_podman, ensure_base_image, podman  # noqa: E402

NAIVE_DOCKERFILE = """\
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PYTHONIOENCODING=UTF-8 LANG=C.UTF-8
RUN apt-get update && apt-get install -y build-essential
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY train.lock /tmp/train.lock
RUN pip install --upgrade pip && pip install -r /tmp/train.lock
"""
MB = 1_000_000


@dataclass
class Row:
    name: str
    size: int  # bytes
    build_seconds: float | None = None


def cold_build(context, dockerfile, base_image, tag):
    """Build with no cache (and no intermediate images kept); return the seconds it took."""
    start = time.perf_counter()
    podman(
        "build",
        "--no-cache",
        "--layers=false",
        "--build-arg",
        f"BASE_IMAGE={base_image}",
        "--file",
        str(dockerfile),
        "--tag",
        tag,
        str(context),
        timeout=1800,
    )
    return time.perf_counter() - start


def image_size(image):
    return int(podman("image", "inspect", "--format", "{{.Size}}", image).stdout)


def venv_size(image):
    """Bytes of the installed packages: the venv, as the image holds it."""
    return int(podman("run", "--rm", image, "du", "-sb", "/opt/venv").stdout.split()[0])


def check_stack(image):
    """Both images must hold the same working stack for the comparison to mean anything."""
    podman("run", "--rm", "--network=none", image, "python3", "-c", "import sagemaker_training, sklearn, numpy")


def print_table(rows, floor):
    print(f"{'image':<34} {'size MB':>9} {'x floor':>8} {'cold build s':>13}")
    for row in rows:
        build = f"{row.build_seconds:13.1f}" if row.build_seconds is not None else f"{'-':>13}"
        print(f"{row.name:<34} {row.size / MB:9.0f} {row.size / floor:8.2f} {build}")


def measure(work, base_image, repeats):
    """Build both images cold on base_image; return the table's rows and the floor."""
    project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(work)))
    naive_dockerfile = work / "Dockerfile.naive"
    naive_dockerfile.write_text(NAIVE_DOCKERFILE)
    generated, naive = "localhost/bench-image/generated:latest", "localhost/bench-image/naive:latest"
    try:
        builds = {generated: [], naive: []}
        for _ in range(repeats):
            builds[generated].append(cold_build(project, project / "Dockerfile", base_image, generated))
            builds[naive].append(cold_build(project, naive_dockerfile, base_image, naive))
        generated_seconds, naive_seconds = (statistics.median(builds[image]) for image in (generated, naive))
        for image in (generated, naive):
            check_stack(image)
        base = image_size(base_image)
        floor = base + venv_size(generated)
        rows = [
            Row("base (local python3 stand-in)", base),
            Row("floor (base + installed venv)", floor),
            Row("generated (two-stage)", image_size(generated), generated_seconds),
            Row("naive (one stage, tools + caches)", image_size(naive), naive_seconds),
        ]
    finally:
        podman("rmi", "--force", generated, naive, check=False)
    return rows, floor


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="cold builds of each image (the median counts)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bench-image-") as work:
        os.environ.update(configure_podman(work))
        try:
            check_podman()
            base_image = ensure_base_image(work)
        except ContainersUnavailable as error:
            sys.exit(f"bench_image.py: {error}")
        rows, floor = measure(Path(work), base_image, args.repeats)

    print_table(rows, floor)
    generated, naive = rows[-2:]
    print(
        f"\nnaive / generated: size {naive.size / generated.size:.2f}x, cold build "
        f"{naive.build_seconds / generated.build_seconds:.2f}x; the generated image is "
        f"{(generated.size - floor) / MB:.0f} MB over the floor"
    )


if __name__ == "__main__":
    main()
