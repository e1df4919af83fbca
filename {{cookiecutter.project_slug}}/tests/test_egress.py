"""What may leave the machine (tools/egress.py), for the code archive and data uploads alike:
hostile and careless folders, each with what is left out or why it is refused."""

import os

import pytest

from tools.egress import EgressError, check_data_folder, files_to_send
from tools.project import PROJECT_DIR

# Files a careless folder holds that must never be sent, by the path they have in it.
SECRETS = [
    ".env", ".git-credentials", ".npmrc", ".s3cfg", ".boto", ".pgpass", ".netrc",
    ".docker/config.json", ".aws/credentials", ".ssh/id_ed25519", ".kube/config",
    ".git/config", ".venv/pyvenv.cfg", "__pycache__/train.cpython-311.pyc", ".bash_history",
    "credentials.json", "client_secret_1234.apps.json", "gcp-service-account.json",
    "terraform.tfvars", "terraform.tfstate", "server.key", "cert.pem", "id_rsa", "keys/id_rsa.pub",
]  # fmt: skip
KEPT = ["train.py", "conf/settings.yaml", "data.csv", "model/weights.bin", "run.sh"]


def write(folder, names):
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")


def test_secrets_hidden_files_and_caches_are_left_out(tmp_path):
    write(tmp_path, SECRETS + KEPT)

    sent = [name for _, name in files_to_send(tmp_path)]

    assert sent == sorted(KEPT)


# How a folder is broken, and what the one line says.
def link_out(folder):
    (folder / "passwd.csv").symlink_to("/etc/passwd")


def link_loop(folder):
    (folder / "a").symlink_to(folder / "b")
    (folder / "b").symlink_to(folder / "a")


def name_not_utf8(folder):
    (folder / os.fsdecode(b"caf\xe9.csv")).write_text("1,2\n")


def fifo(folder):
    os.mkfifo(folder / "pipe.csv")


def link_nowhere(folder):
    (folder / "gone.csv").symlink_to(folder / "deleted.csv")


REFUSED = {
    "symlink out": (link_out, "is a symlink to /etc/passwd, outside"),
    "symlink loop": (link_loop, "is a broken symlink or a symlink loop"),
    "broken symlink": (link_nowhere, "gone.csv is a broken symlink or a symlink loop"),
    "name not UTF-8": (name_not_utf8, r"^caf\\udce9\.csv has a name that is not UTF-8: rename it$"),
    "named pipe": (fifo, "is not a regular file"),
}


@pytest.mark.parametrize("damage", REFUSED)
def test_what_cannot_be_sent_safely_is_refused_with_its_reason(tmp_path, damage):
    break_folder, message = REFUSED[damage]
    write(tmp_path, ["train.py"])
    break_folder(tmp_path)

    with pytest.raises(EgressError, match=message):
        files_to_send(tmp_path)


def test_files_are_sorted_by_their_names_as_text(tmp_path):
    """Not by path parts: "a-c" comes before "a/b" as text ("-" is below "/")."""
    write(tmp_path, ["a/b.csv", "a-c.csv"])

    assert [name for _, name in files_to_send(tmp_path)] == ["a-c.csv", "a/b.csv"]


def test_a_file_is_not_a_folder_to_send(tmp_path):
    write(tmp_path, ["train.csv"])

    with pytest.raises(EgressError) as refused:
        files_to_send(tmp_path / "train.csv")

    assert str(refused.value) == f"{tmp_path / 'train.csv'} is not a folder"


def test_a_data_folder_holding_the_project_is_refused():
    for folder in (PROJECT_DIR, PROJECT_DIR.parent):
        with pytest.raises(EgressError, match="holds the project itself"):
            check_data_folder(folder, PROJECT_DIR)


def test_a_home_like_folder_with_nothing_to_send_is_refused(tmp_path):
    write(tmp_path, [".aws/config", ".docker/config.json", ".kube/config", ".bash_history"])

    with pytest.raises(EgressError, match="holds no data files"):
        check_data_folder(tmp_path, PROJECT_DIR)


def test_any_data_format_still_goes(tmp_path):
    formats = ["a.csv", "b.parquet", "c.jsonl", "d.tfrecord", "images/e.png", "f.npy", "g.txt.gz"]
    write(tmp_path, [*formats, ".DS_Store", ".ipynb_checkpoints/a-checkpoint.csv"])

    assert [name for _, name in check_data_folder(tmp_path, PROJECT_DIR)] == sorted(formats)


def test_a_folder_it_cannot_list_is_an_error_not_left_out(tmp_path, monkeypatch):
    """As root every folder can be listed: the refusal a user meets is staged here."""
    write(tmp_path, ["train.py", "locked/part-0000.csv"])
    list_folder = os.scandir

    def scandir(path):
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return list_folder(path)

    monkeypatch.setattr(os, "scandir", scandir)

    with pytest.raises(PermissionError, match="locked"):
        files_to_send(tmp_path)
