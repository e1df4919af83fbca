"""source_dir/csv_files.py: pandas' C engine reads the usual forms of CSV on its own, and hands
what it balks at to the csv module, which reads the same rows or names the line at fault."""

import numpy as np
import pytest
from sample_jobs import write

import csv_files

ROWS = [[1.0, 2.5, -30.0], [0.0, 0.25, 4e-3]]
# The same two rows, written as spreadsheets and scripts write them.
USUAL_FORMS = {
    "plain": "1,2.5,-30\n0,0.25,0.004\n",
    "header": "label,x,y\n1,2.5,-30\n0,0.25,0.004\n",
    "quoted header": '"label","x","y"\n1,2.5,-30\n0,0.25,0.004\n',
    "byte-order mark": "\ufefflabel,x,y\n1,2.5,-30\n0,0.25,0.004\n",
    "byte-order mark before a number": "\ufeff1,2.5,-30\n0,0.25,0.004\n",
    "CRLF": "label,x,y\r\n1,2.5,-30\r\n0,0.25,0.004\r\n",
    "quoted numbers": '"1","2.5","-30"\n"0","0.25","0.004"\n',
    "exponents and signs": "1e0,+2.5,-3E1\n0.,.25,4e-3\n",
    "spaces around numbers": "1, 2.5 ,-30\n0 ,0.25, 0.004\n",
    "blank lines": "label,x,y\n\n1,2.5,-30\n   \n\t\n0,0.25,0.004\n\n",
    "no final line end": "1,2.5,-30\n0,0.25,0.004",
}


def rows_of(blocks):
    return np.concatenate(list(blocks)).tolist()


def no_csv_module(*args):
    raise AssertionError("the csv module read a file pandas should have")


@pytest.mark.parametrize("name", ["a.csv", "a.csv.gz"])
@pytest.mark.parametrize("form", USUAL_FORMS)
def test_pandas_reads_the_usual_forms_alone(tmp_path, monkeypatch, form, name):
    path = write(tmp_path / name, USUAL_FORMS[form])
    careful = rows_of(csv_files.checked_blocks(path, None, None))
    monkeypatch.setattr(csv_files, "checked_blocks", no_csv_module)

    assert rows_of(csv_files.file_blocks(path)) == ROWS
    assert careful == ROWS  # the csv module reads them alike


def test_pandas_alone_reads_rows_at_the_limits(tmp_path, monkeypatch):
    """A label and one feature, cells as large as allowed, labels among the classes."""
    limit = csv_files.MAX_MAGNITUDE
    path = write(tmp_path / "a.csv", f"1,{limit!r}\n0,{-limit!r}\n")
    classes = np.array([0.0, 1.0])
    careful = rows_of(csv_files.checked_blocks(path, 2, classes))
    monkeypatch.setattr(csv_files, "checked_blocks", no_csv_module)

    assert rows_of(csv_files.file_blocks(path, 2, classes)) == [[1.0, limit], [0.0, -limit]]
    assert careful == [[1.0, limit], [0.0, -limit]]


@pytest.mark.parametrize(("cell", "value"), [("1_000", 1000.0), ("\u0663", 3.0)])
def test_a_number_only_python_reads_is_read_by_the_csv_module(tmp_path, cell, value):
    path = write(tmp_path / "a.csv", f"label,x\n1,2\n0,{cell}\n")

    assert rows_of(csv_files.file_blocks(path)) == [[1.0, 2.0], [0.0, value]]


def test_a_bad_row_in_a_later_block_is_named_by_its_line(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_files, "BLOCK_BYTES", 8 * 2 * 10)  # blocks of ten two-column rows
    lines = ["label,x"] + [f"{i},{i}" if i % 7 else "" for i in range(1, 40)]  # blank lines too
    lines[33] = "1,oops"
    path = write(tmp_path / "a.csv", "\n".join(lines) + "\n")
    read = []

    with pytest.raises(csv_files.BadData, match=r"a\.csv, line 34, column 2: 'oops' is not"):
        for block in csv_files.file_blocks(path):
            read.extend(block[:, 0].tolist())

    assert read == [float(i) for i in range(1, 33) if i % 7]  # every row before line 34


def test_the_csv_module_reads_a_long_file_a_block_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_files, "BLOCK_BYTES", 8 * 2 * 10)  # blocks of ten two-column rows
    rows = "".join(f"{i},{i}\n" for i in range(2, 26))
    path = write(tmp_path / "a.csv", "label,x\n1,1_000\n" + rows)  # pandas balks at line 2

    blocks = list(csv_files.file_blocks(path))

    assert [len(block) for block in blocks] == [10, 10, 5]
    assert rows_of(blocks) == [[1.0, 1000.0]] + [[float(i), float(i)] for i in range(2, 26)]


def test_rows_after_the_first_block_are_held_to_its_width(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_files, "BLOCK_BYTES", 8 * 3 * 10)  # blocks of ten three-column rows
    path = write(tmp_path / "a.csv", "0,0,0\n" * 10 + "1,1\n" * 5)

    with pytest.raises(csv_files.BadData, match=r"a\.csv, line 11: 2 columns, expected 3"):
        list(csv_files.file_blocks(path))


# Pandas reads each as a row of one cell; so must the csv module, or it would drop the line.
@pytest.mark.parametrize("line", ["\u00a0", "\f", "X"], ids=["no-break space", "form feed", "X"])
def test_a_line_of_one_cell_that_is_not_blank_is_a_bad_row(tmp_path, line):
    path = write(tmp_path / "a.csv", f"1,2\n{line}\n3,4\n")

    with pytest.raises(csv_files.BadData, match=r"a\.csv, line 2: 1 columns, expected 2"):
        list(csv_files.file_blocks(path))


@pytest.mark.parametrize(
    ("count", "named"),
    [(10, "0, 1, 2, 3, 4, 5, 6, 7, 8, 9"), (11, "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...")],
)
def test_a_label_outside_the_classes_names_the_first_ten(tmp_path, count, named):
    path = write(tmp_path / "a.csv", "1,0\n12,0\n")

    with pytest.raises(csv_files.BadData) as error:
        list(csv_files.file_blocks(path, classes=np.arange(float(count))))

    assert str(error.value) == (
        f"{path}, line 2: label 12 is not one of the model's classes ({named}): a label never"
        " seen in the training data it started from"
    )
