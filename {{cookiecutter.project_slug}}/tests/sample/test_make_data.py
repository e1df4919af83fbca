"""scripts/make_data.py: the sample data set the sample trainer learns from."""

import gzip

from scripts.make_data import write_sample_data


def test_sample_data_is_deterministic_with_a_header_and_a_gzipped_file(data, tmp_path):
    again = write_sample_data(tmp_path, rows=400)  # as conftest's sample_data

    assert [p.relative_to(tmp_path).as_posix() for p in again] == [
        "train/part-0000.csv",
        "train/part-0001.csv",
        "train/part-0002.csv.gz",
        "validation/part-0000.csv",
    ]
    for path in again:
        assert path.read_bytes() == (data / path.relative_to(tmp_path)).read_bytes()
    header = gzip.decompress(again[2].read_bytes()).decode().splitlines()[0]
    assert header.startswith("label,feature_1,")
