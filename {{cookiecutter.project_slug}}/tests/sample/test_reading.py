"""source_dir/utils.py's read_batches with a row cache: a pass that reads a file's copy yields
the rows, the batches and the errors a pass that parses the file would."""

import os

import numpy as np
import pytest
from sample_jobs import read_labels, write

import csv_files
import row_cache
import utils


def no_parsing(*args):
    raise AssertionError("a pass parsed a file it has a copy of")


def test_each_share_of_the_rows_has_its_own_copy(tmp_path, monkeypatch):
    files = [
        write(tmp_path / "a.csv", "0,0\n1,0\n2,0\n3,0\n"),
        write(tmp_path / "b.csv", "4,0\n5,0\n6,0\n7,0\n8,0\n"),
        write(tmp_path / "c.csv", "9,0\n10,0\n"),
    ]
    expected = [[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8]]  # dealt across files
    with row_cache.scratch_cache(tmp_path) as cache:
        assert [read_labels(files, cache, part=part, parts=3) for part in range(3)] == expected
        monkeypatch.setattr(csv_files, "file_blocks", no_parsing)

        assert [read_labels(files, cache, part=part, parts=3) for part in range(3)] == expected


def test_batches_run_across_blocks_and_a_copy_is_read_a_block_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_files, "BLOCK_BYTES", 8 * 2 * 10)  # blocks of ten two-column rows
    path = write(tmp_path / "a.csv", "".join(f"{label},0\n" for label in range(25)))
    expected = [list(range(first, min(first + 4, 25))) for first in range(0, 25, 4)]
    with row_cache.scratch_cache(tmp_path) as cache:
        batches = utils.read_batches([path], 4, cache=cache)
        assert [labels.tolist() for _, labels in batches] == expected
        monkeypatch.setattr(csv_files, "file_blocks", no_parsing)

        batches = utils.read_batches([path], 4, cache=cache)
        assert [labels.tolist() for _, labels in batches] == expected
        [copy] = cache.copies.values()
        assert [len(block) for block in copy.blocks()] == [10, 10, 5]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("0,1\n0,2\n1,3\n", r"a\.csv, line 3: label 1 is not one of the model's classes \(0, 2\)"),
        (
            "0,1,1\n2,2,2\n",
            r"a\.csv, line 1: 3 columns, expected 2 \(a label, then the features\)$",
        ),
    ],
)
def test_rows_from_a_copy_are_held_to_the_width_and_the_classes(
    tmp_path, monkeypatch, rows, expected
):
    path = write(tmp_path / "a.csv", rows)
    with row_cache.scratch_cache(tmp_path) as cache:
        read_labels([path], cache)  # the first pass, which makes the copy
        monkeypatch.setattr(csv_files, "file_blocks", no_parsing)

        with pytest.raises(utils.UserError, match=expected):  # the csv module names the line
            read_labels([path], cache, width=2, classes=np.array([0.0, 2.0]))


def test_a_file_after_a_copied_one_is_held_to_its_width(tmp_path):
    files = [write(tmp_path / "a.csv", "0,0,0\n"), write(tmp_path / "b.csv", "1,0\n")]
    with row_cache.scratch_cache(tmp_path) as cache:
        for _ in range(2):  # a.csv parsed, then read from its copy
            with pytest.raises(utils.UserError, match=r"b\.csv, line 1: 2 columns, expected 3"):
                read_labels(files, cache)


def test_a_file_changed_without_a_trace_is_named_when_its_copy_disagrees(tmp_path):
    path = write(tmp_path / "a.csv", "1,0\n2,0\n")
    with row_cache.scratch_cache(tmp_path) as cache:
        read_labels([path], cache)
        status = path.stat()
        write(path, "0,0\n0,0\n")  # the same size, then its modification time put back
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))

        with pytest.raises(utils.UserError) as error:
            read_labels([path], cache, classes=np.array([0.0]))

    assert str(error.value) == f"{path}: changed while the job read it"
