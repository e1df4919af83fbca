"""source_dir/csv_files.py: pandas' C engine reads the usual forms of CSV on its own, and hands
what it balks at to the csv module, which reads the same rows or names the line at fault."""

import gzip

import numpy as np
import pytest

import csv_files

ROWS = [[1.0, 2.5, -30.0], [0.0, 0.25, 4e-3]]
# The same two rows, written as spreadsheets and scripts write them.
USUAL_FORMS = {
    "plain": "1,2.5,-30\n0,0.25,0.004\n",
    "header": "label,x,y\n1,2.5,-30\n0,0.25,0.004\n",
    "quoted header": '"label","x","y"\n1,2.5,-30\n0,0.25,0.004\n',
    "byte-order mark": "\ufefflabel,x,y\n1,2.5,-30\n0,0.25,0.004\n",
    "CRLF": "label,x,y\r\n1,2.5,-30\r\n0,0.25,0.004\r\n",
    "quoted numbers": '"1","2.5","-30"\n"0","0.25","0.004"\n',
    "exponents and signs": "1e0,+2.5,-3E1\n0.,.25,4e-3\n",
    "spaces around numbers": "1, 2.5 ,-30\n0 ,0.25, 0.004\n",
    "blank lines": "label,x,y\n\n1,2.5,-30\n   \n\t\n0,0.25,0.004\n\n",
    "no final line end": "1,2.5,-30\n0,0.25,0.004",
}


def write(path, text):
    data = text.encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def rows_of(blocks):
    return np.concatenate(list(blocks)).tolist()


@pytest.mark.parametrize("name", ["a.csv", "a.csv.gz"])
@pytest.mark.parametrize("form", USUAL_FORMS)
def test_pandas_reads_the_usual_forms_alone(tmp_path, monkeypatch, form, name):
    path = write(tmp_path / name, USUAL_FORMS[form])
    careful = rows_of(csv_files.checked_blocks(path, None, None))

    def no_csv_module(*args):
        raise AssertionError("the csv module read a file pandas should have")

    monkeypatch.setattr(csv_files, "checked_blocks", no_csv_module)

    assert rows_of(csv_files.file_blocks(path)) == ROWS
    assert careful == ROWS  # the csv module reads them alike


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
