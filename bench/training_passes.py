"""Time passes of the generated project's trainer over one data set, in this one process.

    python bench/training_passes.py SOURCE_DIR DATA [--batch-size 1024]

bench_training.py runs this in the image's train group (.venv-train) and reads the JSON it
prints: the wall and CPU seconds of each kind of pass. Every kind runs train.py's own learning code (train.survey,
train.train_one_epoch and train.evaluate); only where the batches come from differs:
- memory: the rows already in memory, as arrays (the floor: the learning alone);
- pandas: pandas' chunked C parser and nothing else (no checks, no copies): the parse-plus-learn
  baseline;
- first: train.py's own reading, from CSV (the first pass of a job: it copies the rows);
- copied: train.py's own reading once the first pass made its copies (every later pass).
A survey pass fits the scaler; an epoch learns from the training rows, then evaluates on the
validation rows, as each of train.py's epochs does.
"""

import argparse
import importlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

MODULES = ("csv_files", "distributed", "hyperparameters", "row_cache", "train", "utils")


def pandas_batches(files, batch_size, block_rows):
    """(features, labels) from pandas' chunked C parser alone; the sample data has a header."""
    for path in files:
        with pd.read_csv(path, header=None, skiprows=1, dtype=np.float64, chunksize=block_rows) as chunks:
            for chunk in chunks:
                table = chunk.to_numpy()
                for start in range(0, len(table), batch_size):
                    batch = table[start : start + batch_size]
                    yield batch[:, 1:], batch[:, 0]


class Passes:
    """The trainer's passes over one data set, fed from one source or another."""

    def __init__(self, project, data, batch_size):
        self.project, self.reading = project, project.train.batches
        self.args = project.hyperparameters.parse_args(["--batch-size", str(batch_size)])
        self.group = project.distributed.SingleProcess()
        self.shares = {
            channel: project.distributed.Share(project.utils.list_data_files(channel, data / channel))
            for channel in ("train", "validation")
        }
        self.memory = {
            channel: list(project.utils.read_batches(share.files, batch_size)) for channel, share in self.shares.items()
        }
        self.scaler, self.classes = project.train.survey(self.shares["train"], self.args, self.group, None)

    def feed(self, source):
        """Make train.batches read from source: "memory", "pandas", or train.py's own reading
        through this row cache."""
        block_rows = self.project.csv_files.block_rows(self.scaler.n_features_in_ + 1)

        def batches(share, args, cache, scaler=None, classes=None):
            if source == "memory":
                return iter(self.memory[share.files[0].parent.name])
            if source == "pandas":
                return pandas_batches(share.files, args.batch_size, block_rows)
            return self.reading(share, args, source, scaler, classes)

        self.project.train.batches = batches

    def survey(self, source):
        self.feed(source)
        return timed(lambda: self.project.train.survey(self.shares["train"], self.args, self.group, None))

    def epoch(self, source):
        self.feed(source)
        train, model = self.project.train, self.project.train.new_model(self.args)

        def epoch():
            train.train_one_epoch(model, self.scaler, self.classes, self.shares["train"], self.args, None)
            train.evaluate(model, self.scaler, self.shares["validation"], self.args, self.group, None)

        return timed(epoch)


def timed(function):
    """{"wall": seconds, "cpu": seconds of this process} that function() took."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def measure(passes, scratch):
    """The time each kind of pass took, the kinds interleaved."""
    row_cache = passes.project.row_cache
    times = {}
    times["survey, memory"] = passes.survey("memory")
    times["survey, pandas"] = passes.survey("pandas")
    with row_cache.scratch_cache(scratch) as cache:
        times["survey, first"] = passes.survey(cache)
    times["epoch, memory"] = passes.epoch("memory")
    times["epoch, pandas"] = passes.epoch("pandas")
    with row_cache.scratch_cache(scratch) as cache:
        times["epoch, first"] = passes.epoch(cache)
        times["epoch, copied"] = passes.epoch(cache)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_dir", type=Path)
    parser.add_argument("data", type=Path)
    parser.add_argument("--batch-size", type=int, default=1024)
    args = parser.parse_args()

    sys.path.insert(0, str(args.source_dir))
    project = argparse.Namespace(**{name: importlib.import_module(name) for name in MODULES})
    passes = Passes(project, args.data, args.batch_size)
    with tempfile.TemporaryDirectory(prefix="bench-passes-") as scratch:
        print(json.dumps(measure(passes, scratch)))


if __name__ == "__main__":
    main()
