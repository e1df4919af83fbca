"""Unit tests for source_dir/utils.py: paths, CSV batches, metrics, checkpoints, failures."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from sample_jobs import write

import checkpoints
import utils
from tools.project import PROJECT_DIR


def read_all(files, batch_size=100):
    batches = list(utils.read_batches(files, batch_size))
    return np.vstack([f for f, _ in batches]), np.concatenate([y for _, y in batches])


def test_reads_label_first_and_skips_the_header(tmp_path):
    path = write(tmp_path / "a.csv", "label,x,y\n1,2.5,3\n0,-1,4e2\n")

    features, labels = read_all([path])

    assert labels.tolist() == [1.0, 0.0]
    assert features.tolist() == [[2.5, 3.0], [-1.0, 400.0]]


@pytest.mark.parametrize("content", ["label,x\n1,2\n", "1,2\n"])
def test_a_byte_order_mark_is_not_part_of_the_first_cell(tmp_path, content):
    path = write(tmp_path / "a.csv.gz", "\ufeff" + content)  # as Excel exports "CSV UTF-8"

    _, labels = read_all([path])

    assert labels.tolist() == [1.0]


def test_a_numeric_first_row_is_data(tmp_path):
    path = write(tmp_path / "a.csv", "1,2\n3,4\n")

    _, labels = read_all([path])

    assert labels.tolist() == [1.0, 3.0]


def test_reads_gzipped_files_and_many_files_in_batches(tmp_path):
    plain = write(tmp_path / "a.csv", "".join(f"{i},{i}\n" for i in range(5)))
    zipped = write(tmp_path / "b.csv.gz", "label,x\n" + "".join(f"{i},{i}\n" for i in range(5, 8)))

    sizes = [len(labels) for _, labels in utils.read_batches([plain, zipped], batch_size=2)]

    assert sizes == [2, 2, 1, 2, 1]  # batches stop at file ends
    assert read_all([plain, zipped])[1].tolist() == list(range(8))


def test_batches_stream_before_the_whole_file_is_read(tmp_path):
    path = write(tmp_path / "a.csv", "".join(f"{i},{i}\n" for i in range(10)) + "9,oops\n")
    batches = utils.read_batches([path], batch_size=4)

    first_features, _ = next(batches)  # the bad row at the end is not reached yet

    assert first_features.shape == (4, 1)
    with pytest.raises(utils.UserError):
        list(batches)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("label,x\n1,2\n0,abc\n", r"a\.csv, line 3, column 2: 'abc' is not a number"),
        ("1,2\n0,\n", r"a\.csv, line 2, column 2: '' is not a number"),
        ("1,2\n0,nan\n", r"a\.csv, line 2, column 2: 'nan' is not a number"),
        ("1,2,3\n0,1\n", r"a\.csv, line 2: 2 columns, expected 3"),
        ("1\n0\n", r"a\.csv, line 1: 1 columns, expected 2"),
        ("label,x\n", r"no data rows in 1 file"),
    ],
)
def test_bad_data_names_file_and_line(tmp_path, content, expected):
    path = write(tmp_path / "a.csv", content)

    with pytest.raises(utils.UserError, match=expected):
        read_all([path])


def test_rows_can_be_held_to_a_given_width(tmp_path):
    path = write(tmp_path / "a.csv", "label,x,y\n1,2,3\n")

    with pytest.raises(utils.UserError, match=r"a\.csv, line 2: 3 columns, expected 2"):
        list(utils.read_batches([path], 100, width=2))


def test_labels_can_be_held_to_given_classes(tmp_path):
    path = write(tmp_path / "a.csv", "1,2\n0,2\n2.5,3\n")
    classes = np.array([0.0, 1.0])

    expected = r"a\.csv, line 3: label 2\.5 is not one of the model's classes \(0, 1\)"
    with pytest.raises(utils.UserError, match=expected):
        list(utils.read_batches([path], 100, classes=classes))


def test_rows_must_have_the_same_width_across_files(tmp_path):
    first = write(tmp_path / "a.csv", "1,2,3\n")
    second = write(tmp_path / "b.csv", "1,2\n")

    with pytest.raises(utils.UserError, match=r"b\.csv, line 1: 2 columns, expected 3"):
        read_all([first, second])


def test_a_broken_gzip_file_is_a_user_error(tmp_path):
    path = tmp_path / "a.csv.gz"
    path.write_bytes(b"not gzip at all")

    with pytest.raises(utils.UserError, match=r"a\.csv\.gz: cannot be read \(Not a gzipped file"):
        read_all([path])


def test_bytes_that_are_not_text_are_a_bad_cell(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"1,2\n0,\xff\n")

    with pytest.raises(utils.UserError, match=r"line 2, column 2: '\ufffd' is not a number"):
        read_all([path])


def test_malformed_csv_names_the_line(tmp_path):
    path = write(tmp_path / "a.csv", "1,2\n0," + "9" * 200_000 + "\n")

    with pytest.raises(utils.UserError, match=r"a\.csv, line 2: field larger than field limit"):
        read_all([path])


def test_lists_csv_files_sorted_and_recursively(tmp_path):
    for name in ("b.csv", "a.csv.gz", "sub/c.csv", "notes.txt"):
        write(tmp_path / name, "1,2\n")

    files = utils.list_data_files("train", tmp_path)

    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["a.csv.gz", "b.csv", "sub/c.csv"]


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        (
            None,
            r"^no train channel: the job has no 'train' input \(SM_CHANNEL_TRAIN is not set\) and"
            r" there is no data/train here$",
        ),
        ("missing", "train channel: folder .*missing does not exist"),
        ("empty", "train channel: no .csv or .csv.gz files"),
    ],
)
def test_missing_or_empty_channels_are_user_errors(tmp_path, folder, expected):
    (tmp_path / "empty").mkdir()

    with pytest.raises(utils.UserError, match=expected):
        utils.list_data_files("train", folder and tmp_path / folder)


def test_job_paths_follow_the_sagemaker_environment(tmp_path):
    environ = {
        "SAGEMAKER_BASE_DIR": str(tmp_path),
        "SM_CHANNEL_TRAIN": "/t",
        "SM_MODEL_DIR": "/m",
        "SM_OUTPUT_DIR": "/o",
        "SM_OUTPUT_DATA_DIR": "/o/d",
        "SM_HOSTS": '["algo-2", "algo-1"]',
        "SM_CURRENT_HOST": "algo-2",
    }

    paths = utils.job_paths(environ)

    assert (paths.train, paths.model, paths.output) == (Path("/t"), Path("/m"), Path("/o"))
    assert paths.output_data == Path("/o/d")
    assert paths.checkpoints == tmp_path / "checkpoints" / "algo-2"
    assert paths.hosts == ("algo-1", "algo-2")
    assert not paths.is_leader


def test_job_paths_default_to_the_project_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(utils, "JOB_BASE_DIR", tmp_path / "no-opt-ml")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "train").mkdir(parents=True)

    paths = utils.job_paths({})

    assert paths.train.as_posix() == "data/train"
    assert paths.validation is None
    # In the project, not in the current folder (source_dir/ would ship it).
    assert paths.model == PROJECT_DIR / ".local-run" / "direct" / "model"
    assert paths.is_leader and paths.direct


@pytest.mark.parametrize(
    ("job_files", "direct"),
    [
        (["metadata/resource-metadata.json"], True),  # a SageMaker notebook or Studio machine
        (["input/config/hyperparameters.json"], False),  # a training job
    ],
)
def test_only_a_job_makes_opt_ml_the_base_dir(tmp_path, monkeypatch, job_files, direct):
    opt_ml = tmp_path / "opt" / "ml"
    for name in job_files:
        write(opt_ml / name, "{}")
    monkeypatch.setattr(utils, "JOB_BASE_DIR", opt_ml)

    paths = utils.job_paths({})

    assert paths.direct == direct
    assert paths.model.parent == (utils.CHECKOUT_BASE_DIR if direct else opt_ml)


def test_a_local_run_is_not_a_direct_run(tmp_path):
    assert not utils.job_paths({"SAGEMAKER_BASE_DIR": str(tmp_path)}).direct


def test_metrics_are_name_value_tokens_that_metric_definitions_match():
    line = utils.format_metrics({"train:loss": 0.5, "validation:rmse": 1.25e-7})

    assert line == "train:loss=0.5 validation:rmse=1.25e-07"
    assert re.search(r"validation:rmse=([-+0-9.eE]+)", line).group(1) == "1.25e-07"


def test_a_metric_without_a_definition_is_refused():
    with pytest.raises(ValueError, match=re.escape("add ['train:f1'] to utils.METRIC_NAMES")):
        utils.format_metrics({"train:f1": 0.5})


def test_checkpoints_keep_the_newest_two(tmp_path):
    assert checkpoints.load_latest_checkpoint(tmp_path / "none") is None

    for epoch in (1, 2, 3):
        checkpoints.save_checkpoint(tmp_path, epoch, {"epoch": epoch})

    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch-0002.joblib", "epoch-0003.joblib"]
    assert checkpoints.load_latest_checkpoint(tmp_path) == {"epoch": 3}


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (lambda path: path.write_bytes(path.read_bytes()[:20]), "EOFError"),
        (lambda path: path.write_bytes(b"junk"), "error"),  # struct.error
    ],
    ids=["truncated", "garbage"],
)
def test_an_unreadable_newest_checkpoint_falls_back_to_the_one_before(
    tmp_path, capsys, damage, error
):
    for epoch in (1, 2):
        checkpoints.save_checkpoint(tmp_path, epoch, {"epoch": epoch})
    damage(tmp_path / "epoch-0002.joblib")

    assert checkpoints.load_latest_checkpoint(tmp_path) == {"epoch": 1}
    warning = f"Warning: skipping unreadable checkpoint epoch-0002.joblib ({error})\n"
    assert capsys.readouterr().out == warning


def test_checkpoints_can_be_deleted(tmp_path):
    for epoch in (1, 2):
        checkpoints.save_checkpoint(tmp_path, epoch, {"epoch": epoch})
    (tmp_path / "notes.txt").write_text("kept")

    assert checkpoints.delete_checkpoints(tmp_path) == 2
    assert checkpoints.delete_checkpoints(tmp_path / "none") == 0
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_json_is_written_whole(tmp_path):
    checkpoints.write_json_atomically({"train:loss": 0.5}, tmp_path / "out" / "metrics.json")

    assert json.loads((tmp_path / "out" / "metrics.json").read_text()) == {"train:loss": 0.5}
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["metrics.json"]


def test_json_without_infinity_is_all_that_is_written(tmp_path):
    with pytest.raises(ValueError, match="not JSON compliant"):
        checkpoints.write_json_atomically({"train:loss": float("inf")}, tmp_path / "metrics.json")

    assert list(tmp_path.iterdir()) == []


def test_failure_is_one_line_in_output_failure_and_stderr(tmp_path, capsys):
    utils.report_failure(tmp_path / "output", "a.csv, line 3: bad")

    assert (tmp_path / "output" / "failure").read_text() == "a.csv, line 3: bad\n"
    assert capsys.readouterr().err == "error: a.csv, line 3: bad\n"
