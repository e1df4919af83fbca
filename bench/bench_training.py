"""Benchmark the generated project's training: how near its passes come to the learning alone,
its memory as the data grows, the whole job against the trainer before, the toolkit's overhead.

    .venv/bin/python bench/bench_training.py [--rows 200000] [--epochs 3] [--repeats 3] [--baseline REF]

Renders the template with its defaults into a temporary folder, and the template as it was at
REF (by default the commit before train.py parsed each file once per job) as the baseline;
writes sample data with the project's own scripts/make_data.py; then measures, in this one run
and on the same data (the repeats interleaved):
1. passes of train.py's own learning code over the 1x data, in one process
   (bench/training_passes.py), fed four ways: its epochs after the first against the same
   learning on arrays in memory (the floor; target: within 1.5x), and its first pass, which
   parses and copies, against pandas' chunked parse plus the same learning (target: 1.3x);
2. train.py on a tiny set, and on 1x and 10x the rows: peak memory (max RSS; target: 10x
   within 1.1x of 1x) and time;
3. the whole job, `python source_dir/train.py --epochs N`, against the baseline's on the 1x data;
4. `python local_run.py` (the real toolkit, what `make train-local` runs) against train.py
   run directly: the toolkit's overhead.
Of each kind of run, the run of median wall time is reported whole; of each kind of pass, the
median CPU time and the median wall time. Ratios use CPU time, which other load on the machine
disturbs less than wall time: other agents share this machine's cores.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
PASSES = Path(__file__).resolve().parent / "training_passes.py"
TINY_ROWS = 30
# The generated projects' train group alone, as `make setup` installs it beside .venv.
TRAIN_VENV = TEMPLATE / ".venv-train"
# The last commit whose train.py parsed every file at every pass, with Python's csv module.
BASELINE = "4158f0d2ce1d671dad06ad3f0534fe48e3c03295"
# Each kind of pass in training_passes.py's report, and what it stands for.
PASS_KINDS = {
    "survey, memory": "survey pass, rows in memory",
    "survey, pandas": "survey pass, pandas' parse alone",
    "survey, first": "survey pass, train.py: parse + copy",
    "epoch, memory": "epoch, rows in memory (the floor)",
    "epoch, pandas": "epoch, pandas' parse alone",
    "epoch, first": "epoch, train.py: parse + copy",
    "epoch, copied": "epoch, train.py: from the copy",
}


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


def passes_run(project, data):
    """training_passes.py in .venv-train: {kind: {"wall": s, "cpu": s}}."""
    command = [TRAIN_VENV / "bin" / "python", PASSES, project / "source_dir", data]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def make_data(project, out, rows):
    measure([sys.executable, "scripts/make_data.py", "--out", out, "--rows", str(rows)], project)
    return out


def render_baseline(ref, out):
    """The template as it was at ref (from git), rendered with its defaults."""
    archive = subprocess.run(["git", "-C", TEMPLATE, "archive", ref], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(out / "template", filter="data")
    return Path(cookiecutter(str(out / "template"), no_input=True, output_dir=str(out / "render")))


def pass_medians(reports):
    """Of each kind of pass, the median wall and CPU seconds over the repeats."""
    return {
        kind: {clock: statistics.median(report[kind][clock] for report in reports) for clock in ("wall", "cpu")}
        for kind in PASS_KINDS
    }


def print_passes(passes, rows):
    print(f"\nPasses of train.py's learning code over {rows} rows, in one process (median of each)\n")
    print(f"{'pass':<40} {'wall (s)':>9} {'cpu (s)':>8}")
    for kind, label in PASS_KINDS.items():
        print(f"{label:<40} {passes[kind]['wall']:>9.2f} {passes[kind]['cpu']:>8.2f}")
    cpu = {kind: times["cpu"] for kind, times in passes.items()}
    print(
        f"\nepochs after the first vs the floor:        cpu x{cpu['epoch, copied'] / cpu['epoch, memory']:.2f}"
        " (target: at most 1.5)"
    )
    print(
        f"first pass vs pandas' parse + the learning: cpu x{cpu['survey, first'] / cpu['survey, pandas']:.2f}"
        f" (survey), x{cpu['epoch, first'] / cpu['epoch, pandas']:.2f} (a resumed job's first epoch)"
        " (target: at most 1.3)"
    )
    parse, copy = (cpu[f"epoch, {source}"] - cpu["epoch, memory"] for source in ("pandas", "copied"))
    print(f"cpu per epoch beyond the floor: {parse:+.2f} s parsing with pandas, {copy:+.2f} s reading the copy")


def print_runs(direct, baseline, toolkit, sizes, args):
    base, tiny, big = direct["1x"], direct["tiny"], direct["10x"]
    lines = [
        (f"train.py, 1x ({sizes['1x']} rows)", base, "the ratios' reference"),
        ("train.py at --baseline, 1x", baseline, "today's reader: every pass parses with csv"),
        ("local_run.py (toolkit), 1x", toolkit, f"wall x{toolkit.wall / base.wall:.2f}"),
        (f"train.py, tiny ({TINY_ROWS} rows)", tiny, "fixed start-up"),
        (
            f"train.py, 10x ({sizes['10x']} rows)",
            big,
            f"cpu x{big.cpu / base.cpu:.2f}, memory x{big.peak_mb / base.peak_mb:.2f} (target: at most 1.1)",
        ),
    ]
    print(f"\nWhole jobs, {args.epochs} epochs; of {args.repeats} interleaved runs each, the median one\n")
    print(f"{'run':<40} {'wall (s)':>9} {'cpu (s)':>8} {'peak RSS (MB)':>14}  ratio")
    for label, run, ratio in lines:
        print(f"{label:<40} {run.wall:>9.2f} {run.cpu:>8.2f} {run.peak_mb:>14.1f}  {ratio}")
    print(f"\nwhole job vs the baseline's: wall x{base.wall / baseline.wall:.2f}, cpu x{base.cpu / baseline.cpu:.2f}")
    print(f"toolkit overhead: {toolkit.wall - base.wall:+.2f} s wall per job")
    marginal = (big.cpu - tiny.cpu) / (base.cpu - tiny.cpu)
    print(f"cpu beyond start-up, 10x vs 1x: x{marginal:.2f} (linear would be x10)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="training rows at 1x")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE, help="the commit whose train.py to compare the job with")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the start")

    with tempfile.TemporaryDirectory(prefix="bench-training-") as scratch:
        scratch = Path(scratch)
        project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(scratch / "render")))
        before = render_baseline(args.baseline, scratch / "baseline")
        sizes = {"tiny": TINY_ROWS, "1x": args.rows, "10x": 10 * args.rows}
        data = {name: make_data(project, scratch / name, rows) for name, rows in sizes.items()}
        runs = {"toolkit": [], "baseline": [], "passes": [], **{name: [] for name in sizes}}
        for i in range(args.repeats):  # interleaved: a busy machine's drift touches each alike
            runs["passes"].append(passes_run(project, data["1x"]))
            runs["baseline"].append(direct_run(before, data["1x"], scratch / f"baseline-{i}", args.epochs))
            for name in sizes:
                runs[name].append(direct_run(project, data[name], scratch / f"{name}-{i}", args.epochs))
            runs["toolkit"].append(toolkit_run(project, data["1x"], scratch / f"toolkit-{i}", args.epochs))
    print_passes(pass_medians(runs["passes"]), args.rows)
    direct = {name: median(runs[name]) for name in sizes}
    print_runs(direct, median(runs["baseline"]), median(runs["toolkit"]), sizes, args)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
