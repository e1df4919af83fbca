"""Write a small, deterministic sample data set in the layout train.py reads.

    python scripts/make_data.py --out data [--rows 4000] [--task classification] [--seed 7]

Creates OUT/train/ (several CSV files, one gzipped) and OUT/validation/, each file with
a header row and the label in the first column. The same options always give the same
bytes. Rows are generated and written one file at a time, so large sets are cheap.
"""

import argparse
import csv
import gzip
import io
import sys
from pathlib import Path

import numpy as np

TASKS = ("classification", "regression")
FEATURES = 6
TRAIN_FILES = ("part-0000.csv", "part-0001.csv", "part-0002.csv.gz")
VALIDATION_FILES = ("part-0000.csv",)
VALIDATION_SHARE = 0.25  # validation rows, as a share of the training rows
# Features on very different scales, as real data has: the trainer must standardise them.
FEATURE_SCALES = np.array([1.0, 10.0, 100.0, 0.1, 1.0, 1000.0])


def true_weights(seed):
    """The hidden linear relation the model should find (the same for every file)."""
    return np.random.default_rng([seed, 0]).normal(size=FEATURES)


def make_rows(rows, task, seed, part):
    """Generate one file's rows: (labels, features), reproducible per (seed, part)."""
    rng = np.random.default_rng([seed, 1, part])
    standard = rng.normal(size=(rows, FEATURES))
    signal = standard @ true_weights(seed) + rng.normal(scale=0.5, size=rows)
    labels = (signal > 0).astype(int) if task == "classification" else 3.0 * signal + 10.0
    return labels, standard * FEATURE_SCALES


def open_text(path):
    """A text stream to path, gzipped when the name ends in .gz (mtime=0: same bytes each time)."""
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.GzipFile(path, "wb", mtime=0), encoding="utf-8", newline="")
    return path.open("w", encoding="utf-8", newline="")


def write_csv(path, labels, features):
    with open_text(path) as text:
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(["label", *(f"feature_{i}" for i in range(1, FEATURES + 1))])
        for label, row in zip(labels, features, strict=True):
            writer.writerow([f"{value:.6g}" for value in (label, *row)])


def split_rows(total, parts):
    """Split total rows over parts as evenly as possible."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def write_sample_data(out, rows=4000, task="classification", seed=7):
    """Write OUT/train and OUT/validation; return the paths of the files written."""
    written = []
    validation_rows = max(1, round(rows * VALIDATION_SHARE))
    channels = (("train", TRAIN_FILES, rows), ("validation", VALIDATION_FILES, validation_rows))
    part = 0
    for channel, names, total in channels:
        folder = Path(out) / channel
        folder.mkdir(parents=True, exist_ok=True)
        for name, count in zip(names, split_rows(total, len(names)), strict=True):
            labels, features = make_rows(count, task, seed, part)
            write_csv(folder / name, labels, features)
            written.append(folder / name)
            part += 1
    return written


class OneLineParser(argparse.ArgumentParser):
    """Reports a usage mistake in one line, without the usage text."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def parse_args(argv):
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="where train/ and validation/ go")
    parser.add_argument("--rows", type=int, default=4000, help="training rows (validation: 1/4)")
    parser.add_argument("--task", choices=TASKS, default=TASKS[0])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.rows < len(TRAIN_FILES):
        parser.error(f"--rows must be at least {len(TRAIN_FILES)}")
    return args


def main(argv=None):
    args = parse_args(argv)
    files = write_sample_data(args.out, args.rows, args.task, args.seed)
    print(f"Wrote {len(files)} files ({args.rows} training rows, {args.task}) under {args.out}/")


if __name__ == "__main__":
    sys.exit(main())
