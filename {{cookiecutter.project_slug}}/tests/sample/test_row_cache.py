"""Each CSV file is parsed once per job (source_dir/row_cache.py): later passes read a binary
copy of its rows, kept in the temporary folder only while the job runs, and the model is the
same as if every pass had parsed the files."""

import collections
import errno
import io
import shutil
from types import SimpleNamespace

import joblib
import numpy as np
import pytest
from sample_jobs import read_labels, use_channels, write

import checkpoints
import csv_files
import row_cache
import train
import utils

EPOCHS = 3


@pytest.fixture
def parses(monkeypatch):
    """How often pandas parsed each file (channel/name), counted around the real parser."""
    counts = collections.Counter()
    parse = csv_files.parsed_blocks

    def counted(path):
        counts[f"{path.parent.name}/{path.name}"] += 1
        return parse(path)

    monkeypatch.setattr(csv_files, "parsed_blocks", counted)
    return counts


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """The job's temporary folder: TMPDIR, as a job's environment may set it."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def data_files(data):
    return sorted(f"{p.parent.name}/{p.name}" for p in data.rglob("*") if p.is_file())


def model_of(base):
    return joblib.load(base / "model" / "model.joblib").named_steps["model"]


def test_each_file_is_parsed_once_per_job(job_env, classification_data, monkeypatch, parses):
    use_channels(monkeypatch, classification_data)

    train.main(["--epochs", str(EPOCHS)])

    # The survey, then each epoch and each evaluation after it, read all the files.
    assert parses == dict.fromkeys(data_files(classification_data), 1)


def test_without_room_every_pass_parses_and_trains_the_same_model(
    job_env, classification_data, monkeypatch, parses, scratch, capsys
):
    use_channels(monkeypatch, classification_data)
    train.main(["--epochs", str(EPOCHS), "--seed", "5"])
    with_copies = model_of(job_env)
    shutil.rmtree(job_env / "checkpoints")
    parses.clear()
    monkeypatch.setattr(row_cache, "RESERVED_BYTES", shutil.disk_usage(scratch).total)

    train.main(["--epochs", str(EPOCHS), "--seed", "5"])

    train_files = {name for name in data_files(classification_data) if name.startswith("train/")}
    assert parses == {
        name: 1 + EPOCHS if name in train_files else EPOCHS
        for name in data_files(classification_data)
    }
    [warning] = [line for line in capsys.readouterr().out.splitlines() if "Warning" in line]
    assert warning.startswith(f"Warning: no room in {scratch / 'parsed-rows-'}")
    assert warning.endswith("free): every pass parses the CSV files again")
    assert np.array_equal(model_of(job_env).coef_, with_copies.coef_)
    assert np.array_equal(model_of(job_env).intercept_, with_copies.intercept_)


def test_a_temporary_folder_that_cannot_be_used_costs_time_only(
    job_env, classification_data, monkeypatch, tmp_path, capsys
):
    use_channels(monkeypatch, classification_data)
    not_a_folder = tmp_path / "tmp-file"
    not_a_folder.write_text("")
    monkeypatch.setenv("TMPDIR", str(not_a_folder))

    train.main(["--epochs", "1"])

    assert f"Warning: no folder for copies of the parsed rows in {not_a_folder}" in (
        capsys.readouterr().out
    )
    assert (job_env / "model" / "model.joblib").is_file()


def test_copies_live_in_the_temporary_folder_only_while_the_job_runs(
    job_env, classification_data, monkeypatch, scratch
):
    use_channels(monkeypatch, classification_data)
    seen = []  # at each checkpoint: (the copies in the temporary folder, the job's own files)
    save = checkpoints.save_checkpoint

    def watched(folder, epoch, state):
        copies = sorted(p.name for p in scratch.rglob("*") if p.is_file())
        job_files = sorted(
            p.relative_to(job_env).as_posix()
            for p in job_env.rglob("*")
            if p.is_file() and scratch not in p.parents
        )
        seen.append((copies, job_files))
        return save(folder, epoch, state)

    monkeypatch.setattr(checkpoints, "save_checkpoint", watched)

    train.main(["--epochs", "2"])

    copies, job_files = seen[-1]
    assert len(copies) == len(data_files(classification_data))  # one per file, 8 bytes a number
    assert all(name.endswith(".f64") for name in copies)
    assert job_files == ["checkpoints/algo-1/epoch-0001.joblib"]  # nothing else, no copy
    assert list(scratch.iterdir()) == []  # gone with the job
    assert sorted(p.name for p in (job_env / "model").iterdir()) == ["model.joblib"]
    assert sorted(p.name for p in (job_env / "output").rglob("*")) == ["data", "metrics.json"]


def test_copies_are_deleted_when_the_job_fails(job_env, regression_data, monkeypatch, scratch):
    use_channels(monkeypatch, regression_data)

    with pytest.raises(SystemExit):  # in the first epoch, after the survey made the copies
        train.main(["--task", "regression", "--learning-rate", "1e300"])  # weights overflow

    assert "training diverged" in (job_env / "output" / "failure").read_text()
    assert list(scratch.iterdir()) == []


def test_a_resumed_job_trains_the_same_model(job_env, classification_data, monkeypatch):
    use_channels(monkeypatch, classification_data)
    monkeypatch.setenv("SAGEMAKER_BASE_DIR", str(job_env / "whole"))
    monkeypatch.setenv("SM_MODEL_DIR", str(job_env / "whole" / "model"))
    train.main(["--epochs", "4"])
    monkeypatch.setenv("SAGEMAKER_BASE_DIR", str(job_env / "resumed"))
    monkeypatch.setenv("SM_MODEL_DIR", str(job_env / "resumed" / "model"))
    train.main(["--epochs", "2"])

    train.main(["--epochs", "4"])  # parses the files again in its first epoch, then copies

    whole, resumed = model_of(job_env / "whole"), model_of(job_env / "resumed")
    assert np.array_equal(resumed.coef_, whole.coef_)
    assert np.array_equal(resumed.intercept_, whole.intercept_)


def test_a_changed_file_is_parsed_again(tmp_path, parses):
    path = write(tmp_path / "a.csv", "label,x\n1,10\n2,20\n")
    with row_cache.scratch_cache(tmp_path) as cache:
        assert read_labels([path], cache) == [1, 2]
        assert read_labels([path], cache) == [1, 2]
        write(path, "label,x\n3,10\n4,20\n")  # the same size: its modification time tells

        assert read_labels([path], cache) == [3, 4]
        path.unlink()
        write(path, "label,x\n5,10\n6,20\n7,30\n")
        assert read_labels([path], cache) == [5, 6, 7]
        assert read_labels([path], cache) == [5, 6, 7]

    assert parses[f"{tmp_path.name}/a.csv"] == 3


def test_a_pass_cut_short_leaves_no_copy(tmp_path, parses):
    path = write(tmp_path / "a.csv", "".join(f"{label},0\n" for label in range(5)))
    with row_cache.scratch_cache(tmp_path) as cache:
        batches = utils.read_batches([path], 2, cache=cache)
        next(batches)
        batches.close()  # say, bad data in the next file

        assert read_labels([path], cache) == [0, 1, 2, 3, 4]
        assert read_labels([path], cache) == [0, 1, 2, 3, 4]

    assert parses[f"{tmp_path.name}/a.csv"] == 2


def test_the_temporary_folder_follows_tmpdir(tmp_path):
    assert utils.job_paths({"TMPDIR": str(tmp_path)}).scratch == tmp_path
    assert utils.job_paths({}).scratch.as_posix() == "/tmp"


def test_a_copy_that_no_longer_serves_is_deleted_at_once(tmp_path):
    path = write(tmp_path / "a.csv", "0,0\n1,0\n")
    with row_cache.scratch_cache(tmp_path) as cache:
        read_labels([path], cache)
        write(path, "0,0\n1,0\n2,0\n")
        batches = utils.read_batches([path], 2, cache=cache)
        next(batches)
        batches.close()  # the pass that would have copied the file anew is cut short

        assert list(cache.folder.iterdir()) == []


def delete_copies(cache):
    for copy in cache.folder.iterdir():
        copy.unlink()


def test_a_copy_deleted_behind_the_cache_is_parsed_again(tmp_path, parses, monkeypatch):
    """As a cleaner of temporary files may do, while a pass writes the copy or after."""
    monkeypatch.setattr(csv_files, "BLOCK_BYTES", 8 * 2 * 2)  # blocks of two two-column rows
    path = write(tmp_path / "a.csv", "0,0\n1,0\n2,0\n3,oops\n")
    with row_cache.scratch_cache(tmp_path) as cache:
        batches = utils.read_batches([path], 2, cache=cache)
        next(batches)
        delete_copies(cache)
        with pytest.raises(utils.UserError, match=r"a\.csv, line 4, column 2: 'oops' is not"):
            next(batches)  # the bad row is what the pass reports
        write(path, "0,0\n1,0\n2,0\n3,0\n")
        assert read_labels([path], cache) == [0, 1, 2, 3]
        delete_copies(cache)

        assert read_labels([path], cache) == [0, 1, 2, 3]
        assert read_labels([path], cache) == [0, 1, 2, 3]

    assert parses[f"{tmp_path.name}/a.csv"] == 3


def refused(path, mode):
    raise PermissionError(errno.EACCES, "Permission denied")


class FullDisk(io.BytesIO):
    """A copy on a full disk: numpy writes through the file's descriptor."""

    def __init__(self, path, mode):
        super().__init__()

    def fileno(self):
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    ("owner", "name", "replacement", "problem"),
    [
        (row_cache, "open", refused, "cannot write in {} ([Errno 13] Permission denied)"),
        (row_cache, "open", FullDisk, "cannot write in {} ([Errno 28] No space left on device)"),
        (
            shutil,
            "disk_usage",
            lambda folder: SimpleNamespace(free=0),
            "no room in {} for more copies (keeping 1 GiB free)",
        ),
    ],
    ids=["folder refused", "disk full", "no room"],
)
def test_a_copy_that_cannot_be_kept_is_named_once_and_costs_time_only(
    tmp_path, monkeypatch, capsys, parses, owner, name, replacement, problem
):
    files = [write(tmp_path / "a.csv", "0,0\n1,0\n"), write(tmp_path / "b.csv", "2,0\n")]
    monkeypatch.setattr(owner, name, replacement, raising=False)
    with row_cache.scratch_cache(tmp_path) as cache:
        for _ in range(2):
            assert read_labels(files, cache) == [0, 1, 2]

    assert capsys.readouterr().out == (
        f"Warning: {problem.format(cache.folder)}: every pass parses the CSV files again\n"
    )
    assert sorted(parses.values()) == [2, 2]


@pytest.mark.parametrize(("size", "room"), [(100, True), (101, False)])
def test_a_copy_may_fill_the_disk_up_to_the_reserved_bytes(tmp_path, monkeypatch, size, room):
    free = row_cache.RESERVED_BYTES + 100
    monkeypatch.setattr(shutil, "disk_usage", lambda folder: SimpleNamespace(free=free))

    assert row_cache.RowCache(tmp_path).has_room(size) is room
