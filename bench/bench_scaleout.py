"""Benchmark scale-out: train.py's time per epoch with 1 and 2 MPI processes, as a ratio.

    .venv/bin/python bench/bench_scaleout.py [--rows 400000] [--repeats 3]

Renders the template with include_mpi into a temporary folder, writes two halves of a data
set with the project's scripts/make_data.py (six training files), then runs train.py the way
the toolkit's MPI runner does (`mpirun -np N python -m mpi4py train.py`), with the venv's
mpirun, for N = 1 and 2 and for both kinds of channel:
- FullyReplicated: every process sees every file and keeps every N-th row;
- ShardedByS3Key: the files are this host's share; its processes split them by files.
Time per epoch is (time of 4 epochs - time of 1 epoch) / 3, so start-up, the survey pass
and saving cancel out; the runs of each repeat take turns, so that other load on the machine
falls on all of them alike. Needs mpi4py and mpirun in the venv (the MPI project's dev group).
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench_training import job_environment, measure
from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
DISTRIBUTIONS = ("FullyReplicated", "ShardedByS3Key")
PROCESSES = (1, 2)
SHORT, LONG = 1, 4  # epochs


def mpirun():
    found = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or shutil.which("mpirun")
    if found is None:
        sys.exit("no mpirun: install the MPI project's dev group (openmpi, mpi4py) into this venv")
    return found


def make_data(project, out, rows):
    """Two halves written by make_data.py (three files each), side by side in train/."""
    for half, seed in (("a", 7), ("b", 8)):
        command = [sys.executable, "scripts/make_data.py", "--out", out / half, "--rows", str(rows // 2)]
        measure([*command, "--seed", str(seed)], project)
        for channel in ("train", "validation"):
            (out / channel).mkdir(exist_ok=True)
            (out / half / channel).rename(out / channel / half)
    return out


def train_run(project, data, work, processes, distribution, epochs):
    config = {"train": {"S3DistributionType": distribution}}
    env = {**job_environment(data, work), "SM_INPUT_DATA_CONFIG": json.dumps(config)}
    command = [mpirun(), "--allow-run-as-root", "--oversubscribe", "-np", str(processes)]
    command += [sys.executable, "-m", "mpi4py", "source_dir/train.py", "--epochs", str(epochs)]
    return measure(command, project, env)


def seconds_per_epoch(project, data, scratch, processes, distribution):
    def wall(epochs):
        work = scratch / f"{distribution}-{processes}-{epochs}"
        shutil.rmtree(work, ignore_errors=True)  # fresh: nothing resumes
        return train_run(project, data, work, processes, distribution, epochs).wall

    return (wall(LONG) - wall(SHORT)) / (LONG - SHORT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000, help="training rows (validation: 1/4 more)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-scaleout-") as scratch:
        scratch = Path(scratch)
        context = {"include_mpi": True}
        project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(scratch), extra_context=context))
        data = make_data(project, scratch / "data", args.rows)
        runs = [(distribution, processes) for distribution in DISTRIBUTIONS for processes in PROCESSES]
        samples = {run: [] for run in runs}
        for _ in range(args.repeats):
            for distribution, processes in runs:
                samples[distribution, processes].append(
                    seconds_per_epoch(project, data, scratch, processes, distribution)
                )
        times = {run: statistics.median(values) for run, values in samples.items()}

    print(f"\n{args.rows} training rows in 6 files, {os.cpu_count()} cores, median of {args.repeats}\n")
    print(f"{'channel':<16} {'1 process (s/epoch)':>20} {'2 processes (s/epoch)':>22}  speed-up")
    for distribution in DISTRIBUTIONS:
        one, two = times[distribution, 1], times[distribution, 2]
        print(f"{distribution:<16} {one:>20.2f} {two:>22.2f}  x{one / two:.2f}")


if __name__ == "__main__":
    main()
