"""One CSV data file as checked rows of numbers: parsed by pandas' C engine, which is fast;
where it balks, read again with Python's csv module, which is slow but names the problem.

A data row is a label, then the features. Blank lines (even of spaces) are skipped, and a
first line in which no cell is a number is a header. Files are plain or gzipped (.csv.gz),
UTF-8 with or without a byte-order mark, with LF or CRLF line ends, numbers quoted or not.
Every row must be as wide as the first (or as the width asked for), every cell a finite
number no larger than MAX_MAGNITUDE, and every label one of the classes, when given.
"""

import csv
import gzip
import math
import zlib

import numpy as np
import pandas as pd

# The largest value a cell may hold: its square, summed over many rows, must stay finite.
MAX_MAGNITUDE = 1e100
# Rows are parsed (and copied, see row_cache.py) this many bytes of numbers at a time:
# enough that pandas' cost per chunk vanishes, little enough that memory stays flat.
BLOCK_BYTES = 4 * 1024 * 1024
# What pandas, or the file, can raise: the csv module then reads on and names the problem.
PARSER_ERRORS = (ValueError, OSError, EOFError, zlib.error, csv.Error)


class BadData(Exception):
    """A problem in a data file, named by its file, line and (for a cell) column."""


def block_rows(width):
    """How many rows of this many columns make one block."""
    return max(1, BLOCK_BYTES // (8 * width))


def file_blocks(path, width=None, classes=None):
    """Yield the file's data rows as float64 arrays (rows x columns), in order, all checked.

    pandas parses the file a block at a time. A block it cannot parse, or one that breaks a
    rule, hands over to the csv module from that block's first row on: it either finds the
    first problem (and raises BadData after yielding the rows before it) or, for a number
    only Python reads (say 1_000), reads the rest of the file itself.
    """
    done = 0
    try:
        for block in parsed_blocks(path):
            if not acceptable(block, width, classes):
                break
            width = block.shape[1]
            done += len(block)
            yield block
        else:
            return
    except PARSER_ERRORS:
        pass
    yield from checked_blocks(path, width, classes, skip=done)


def parsed_blocks(path):
    """The file's data rows, parsed by pandas a block at a time, unchecked."""
    line_number, first = first_row(path)
    if first is None:
        return
    skip = int(is_header(line_number, first))
    options = dict(header=None, skiprows=skip, dtype=np.float64, encoding="utf-8")
    with pd.read_csv(path, chunksize=block_rows(len(first)), **options) as chunks:
        for chunk in chunks:
            yield np.ascontiguousarray(chunk.to_numpy())  # pandas keeps columns apart


def acceptable(block, width, classes):
    """Whether every row has the width asked for (or the block's, at least 2), every cell is
    usable and every label is known."""
    if block.shape[1] < 2 or block.shape[1] != (width or block.shape[1]):
        return False
    if not (np.abs(block) <= MAX_MAGNITUDE).all():  # also false for NaN: an empty cell
        return False
    return classes is None or np.isin(block[:, 0], classes).all()


def checked_blocks(path, width, classes, skip=0):
    """The data rows after the first skip ones, read by the csv module and checked one by
    one; at the first problem, the rows before it are yielded, then BadData raised."""
    rows, problem = [], None
    try:
        for index, (line_number, cells) in enumerate(csv_rows(path)):
            if index < skip:
                continue
            width = width or len(cells)
            rows.append(checked_row(path, line_number, cells, width, classes))
            if len(rows) == block_rows(width):
                yield np.array(rows)
                rows = []
    except BadData as error:
        problem = error
    if rows:
        yield np.array(rows)
    if problem:
        raise problem


def raise_first_problem(path, width, classes):
    """Raise BadData for the file's first row that breaks a rule (the file's copy did)."""
    for _ in checked_blocks(path, width, classes):
        pass
    raise BadData(f"{path}: changed while the job read it")


def checked_row(path, line_number, cells, width, classes):
    """The row's cells as numbers, or BadData naming the line and the column."""
    if len(cells) != width or width < 2:
        raise BadData(
            f"{path}, line {line_number}: {len(cells)} columns, expected {max(width, 2)} "
            "(a label, then the features)"
        )
    values = [number(cell) for cell in cells]
    for column, (cell, value) in enumerate(zip(cells, values, strict=True), start=1):
        if not abs(value) <= MAX_MAGNITUDE:
            raise BadData(
                f"{path}, line {line_number}, column {column}: {cell!r} is not a number the"
                f" model can use (finite, at most {MAX_MAGNITUDE:g} in size)"
            )
    if classes is not None and values[0] not in classes:
        known = ", ".join(f"{label:g}" for label in classes[:10]) + (", ..." * (len(classes) > 10))
        raise BadData(
            f"{path}, line {line_number}: label {values[0]:g} is not one of the model's classes"
            f" ({known}): a label never seen in the training data it started from"
        )
    return values


def number(text):
    """The cell's value; NaN (never usable) if it is not a number."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def is_header(line_number, cells):
    """A first line in which no cell is a number."""
    return line_number == 1 and not any(is_number(cell) for cell in cells)


def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def first_row(path):
    """(line number, cells) of the file's first row that is not blank; (None, None) if none."""
    for line_number, cells in csv_rows(path, keep_header=True):
        return line_number, cells
    return None, None


def csv_rows(path, keep_header=False):
    """Yield (line number, cells) for each data row of a file, skipping blank lines and
    a header (a first row in which no cell is a number), unless keep_header."""
    opener = gzip.open if path.name.endswith(".gz") else open
    reader = None
    try:
        # utf-8-sig drops the byte-order mark Excel puts first. Bytes that are not UTF-8
        # become U+FFFD, so they surface as a bad cell with its line.
        with opener(path, "rt", newline="", encoding="utf-8-sig", errors="replace") as text:
            reader = csv.reader(text)
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip(" \t")):  # as pandas skips
                    continue
                if not keep_header and is_header(reader.line_num, row):
                    continue
                yield reader.line_num, row
    except csv.Error as error:
        raise BadData(f"{path}, line {reader.line_num}: {error}") from None
    except (OSError, EOFError, zlib.error) as error:  # zlib: corrupt data inside a .gz
        raise BadData(f"{path}: cannot be read ({error})") from None
