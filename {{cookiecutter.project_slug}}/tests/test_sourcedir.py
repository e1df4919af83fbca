"""The sourcedir.tar.gz packer: same files, same bytes; secrets out; escapes refused."""

import io
import os
import tarfile

import pytest

from tools import sourcedir
from tools.egress import EgressError


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "source_dir"
    (folder / "pkg").mkdir(parents=True)
    (folder / "train.py").write_text("print('train')\n")
    (folder / "pkg" / "helpers.py").write_text("VALUE = 1\n")
    (folder / "requirements.txt").write_text("")
    return folder


def names(data):
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return archive.getnames()


def test_members_are_sorted_relative_names(source):
    assert names(sourcedir.archive_bytes(source)) == [
        "pkg/helpers.py",
        "requirements.txt",
        "train.py",
    ]


def test_same_files_give_the_same_bytes_whatever_their_times(source):
    first = sourcedir.archive_bytes(source)
    os.utime(source / "train.py", (0, 1_900_000_000))
    assert sourcedir.archive_bytes(source) == first


def test_a_changed_file_or_mode_changes_the_digest(source):
    first = sourcedir.digest(sourcedir.archive_bytes(source))
    (source / "train.py").chmod(0o755)
    executable = sourcedir.digest(sourcedir.archive_bytes(source))
    (source / "train.py").write_text("print('changed')\n")
    changed = sourcedir.digest(sourcedir.archive_bytes(source))
    assert len({first, executable, changed}) == 3


def test_members_carry_no_owner_or_time(source):
    with tarfile.open(fileobj=io.BytesIO(sourcedir.archive_bytes(source))) as archive:
        for member in archive.getmembers():
            assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", "")
            assert member.mtime == sourcedir.FIXED_MTIME
            assert member.mode == 0o644


@pytest.mark.parametrize(
    "planted",
    [".env", ".env.production", "id_rsa", "id_ed25519.pub", "server.pem", "deploy.key", ".netrc",
     "credentials", "__pycache__/train.cpython-311.pyc", ".git/config", ".aws/credentials",
     "pkg/__pycache__/helpers.cpython-313.pyc", "notebook/.ipynb_checkpoints/x.py", ".DS_Store",
     ".local-run/direct/checkpoints/algo-1/epoch-0001.joblib"],
)  # fmt: skip
def test_secrets_caches_and_junk_are_left_out(source, planted):
    path = source / planted
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("secret\n")
    assert planted not in names(sourcedir.archive_bytes(source))
    assert "train.py" in names(sourcedir.archive_bytes(source))


def test_a_virtual_environment_is_left_out_whatever_its_name(source):
    (source / "myenv" / "lib").mkdir(parents=True)
    (source / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (source / "myenv" / "lib" / "site.py").write_text("")
    assert not [name for name in names(sourcedir.archive_bytes(source)) if name.startswith("myenv")]


def test_a_symlink_inside_travels_as_a_link(source):
    (source / "alias.py").symlink_to("pkg/helpers.py")
    with tarfile.open(fileobj=io.BytesIO(sourcedir.archive_bytes(source))) as archive:
        link = archive.getmember("alias.py")
    assert link.issym() and link.linkname == "pkg/helpers.py"
    assert link.mode == 0o777  # as ln -s makes it, whatever umask the packing machine has


def test_an_executable_script_stays_executable_for_everyone(source):
    (source / "train.py").chmod(0o700)
    with tarfile.open(fileobj=io.BytesIO(sourcedir.archive_bytes(source))) as archive:
        assert archive.getmember("train.py").mode == 0o755


def test_the_gzip_header_holds_no_time_and_no_file_name(source):
    """RFC 1952: bytes 0-1 the magic, 2 the method, 3 the flags (FNAME is 0x08), 4-7 MTIME."""
    header = sourcedir.archive_bytes(source)[:8]

    assert header[:3] == b"\x1f\x8b\x08"
    assert header[3] == 0 and header[4:8] == bytes(4)


@pytest.mark.parametrize("target", ["/etc/hostname", "../../outside.py"])
def test_a_symlink_leaving_the_folder_is_refused(source, target):
    (source.parent / "outside.py").write_text("")
    (source / "pkg" / "escape.py").symlink_to(target)
    with pytest.raises(EgressError, match="outside"):
        sourcedir.archive_bytes(source)


def test_a_linked_folder_leaving_the_folder_is_refused(source, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (source / "data").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(EgressError, match="outside"):
        sourcedir.archive_bytes(source)


def test_a_pipe_is_refused_rather_than_read(source):
    os.mkfifo(source / "pipe")
    with pytest.raises(EgressError, match="not a regular file"):
        sourcedir.archive_bytes(source)


def test_a_missing_folder_is_reported(tmp_path):
    with pytest.raises(EgressError, match="does not exist"):
        sourcedir.archive_bytes(tmp_path / "nowhere")


def test_the_archive_extracts_to_the_same_files(source, tmp_path):
    with tarfile.open(fileobj=io.BytesIO(sourcedir.archive_bytes(source))) as archive:
        archive.extractall(tmp_path / "out", filter="data")
    assert (tmp_path / "out" / "pkg" / "helpers.py").read_text() == "VALUE = 1\n"


def test_packing_refuses_an_entry_point_it_would_leave_out_or_cannot_find(source):
    (source / ".fit.py").write_text("print('hidden')\n")

    with pytest.raises(EgressError, match=r"\.fit\.py would not be packed"):
        sourcedir.pack(source, ".fit.py")
    with pytest.raises(EgressError, match=r"fit\.py is missing: the job has nothing to run"):
        sourcedir.pack(source, "fit.py")
    assert sourcedir.pack(source, "train.py") == sourcedir.archive_bytes(source)
