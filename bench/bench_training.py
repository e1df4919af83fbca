"""Benchmark the generated project's training: the toolkit's overhead, and how train.py scales.

    .venv/bin/python bench/bench_training.py [--rows 40000] [--epochs 2] [--repeats 3]

Renders the template with its defaults into a temporary folder, writes sample data with the
project's own scripts/make_data.py, then measures in this one run (the repeats interleaved;
of each kind, the whole run of median wall time):
1. `python local_run.py` (the real toolkit, what `make train-local` runs) against
   `python source_dir/train.py` run directly with the same SM_* folders and data;
2. train.py on a tiny set, and on 1x and 10x the rows: peak memory (max RSS) should stay
   flat, since train.py streams, and time, once the fixed start-up (the tiny run) is taken
   off, grow about tenfold.
Times are wall clock and CPU (user + system, the process and its children); the scaling
ratios use CPU time, which other load on the machine disturbs less.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
TINY_ROWS = 30
# The generated projects' train group alone, as `make setup` installs it beside .venv.
TRAIN_VENV = TEMPLATE / ".venv-train"


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    peak_mb: float


def measure(command, cwd, env=None):
    """Run command to completion and measure it together with its children."""
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)  # wait4: this child's own rusage
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        if process.returncode != 0:
            log.seek(0)
            sys.exit(f"{' '.join(map(str, command))} failed:\n{log.read().decode()}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)  # Linux: KB


def median(runs):
    """The run of median wall time, whole: its CPU time and memory come from that same run."""
    return sorted(runs, key=lambda run: run.wall)[len(runs) // 2]


def job_environment(data, work):
    """The SM_* folders the toolkit would give train.py, for a run in work on data."""
    return {
        **os.environ,
        "SAGEMAKER_BASE_DIR": str(work),
        "SM_CHANNEL_TRAIN": str(data / "train"),
        "SM_CHANNEL_VALIDATION": str(data / "validation"),
        "SM_MODEL_DIR": str(work / "model"),
        "SM_OUTPUT_DIR": str(work / "output"),
        "SM_OUTPUT_DATA_DIR": str(work / "output" / "data"),
    }


def direct_run(project, data, work, epochs):
    """python train.py with the SM_* folders the toolkit would set (fresh, so nothing resumes)."""
    command = [sys.executable, "source_dir/train.py", "--epochs", str(epochs)]
    return measure(command, project, job_environment(data, work))


def toolkit_run(project, data, work, epochs):
    """local_run.py in the template's .venv-train, the image's train group, as make runs it."""
    command = [sys.executable, "local_run.py", "--data", data, "--work", work]
    env = {**os.environ, "TRAIN_VENV": str(TRAIN_VENV)}
    return measure([*command, "--hyperparameter", f"epochs={epochs}"], project, env)


def make_data(project, out, rows):
    measure([sys.executable, "scripts/make_data.py", "--out", out, "--rows", str(rows)], project)
    return out


def print_report(direct, toolkit, sizes, args):
    base, tiny, big = direct["1x"], direct["tiny"], direct["10x"]
    lines = [
        (f"train.py direct, 1x ({sizes['1x']} rows)", base, "baseline"),
        ("local_run.py (toolkit), 1x", toolkit, f"wall x{toolkit.wall / base.wall:.2f}"),
        (f"train.py direct, tiny ({TINY_ROWS} rows)", tiny, "fixed start-up"),
        (
            f"train.py direct, 10x ({sizes['10x']} rows)",
            big,
            f"cpu x{big.cpu / base.cpu:.2f}, memory x{big.peak_mb / base.peak_mb:.2f}",
        ),
    ]
    print(f"\n{args.epochs} epochs; of {args.repeats} interleaved runs each, the median one\n")
    print(f"{'run':<40} {'wall (s)':>9} {'cpu (s)':>8} {'peak RSS (MB)':>14}  ratio")
    for label, run, ratio in lines:
        print(f"{label:<40} {run.wall:>9.2f} {run.cpu:>8.2f} {run.peak_mb:>14.1f}  {ratio}")
    print(f"\ntoolkit overhead: {toolkit.wall - base.wall:+.2f} s wall per job")
    marginal = (big.cpu - tiny.cpu) / (base.cpu - tiny.cpu)
    print(f"cpu beyond start-up, 10x vs 1x: x{marginal:.2f} (linear would be x10)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40_000, help="training rows at 1x")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-training-") as scratch:
        scratch = Path(scratch)
        project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(scratch / "render")))
        sizes = {"tiny": TINY_ROWS, "1x": args.rows, "10x": 10 * args.rows}
        data = {name: make_data(project, scratch / name, rows) for name, rows in sizes.items()}
        runs = {"toolkit": [], **{name: [] for name in sizes}}
        for i in range(args.repeats):  # interleaved: a busy machine's drift touches each alike
            runs["toolkit"].append(toolkit_run(project, data["1x"], scratch / f"toolkit-{i}", args.epochs))
            for name in sizes:
                runs[name].append(direct_run(project, data[name], scratch / f"{name}-{i}", args.epochs))
    direct = {name: median(runs[name]) for name in sizes}
    print_report(direct, median(runs["toolkit"]), sizes, args)


if __name__ == "__main__":
    main()
