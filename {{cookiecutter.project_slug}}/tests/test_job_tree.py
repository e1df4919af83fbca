"""The /opt/ml tree a local run builds (tools/job_tree.py), and how the toolkit or an image is
started on it: the configs as SageMaker writes them, the channels, the code archive."""

import json
import shutil
import sys
import tarfile
from pathlib import Path

import pytest
from answers import BASE_JOB_NAME, INSTANCE_TYPE, REGION

from tools import container_run, job_tree, toolkit_run
from tools.cli import UserError
from tools.egress import EgressError

SOURCE_DIR = Path(__file__).parents[1] / "source_dir"  # what the archive must hold


def read_config(tree, name):
    return json.loads((tree / "input" / "config" / name).read_text())


def test_hyperparameters_are_json_strings_as_sagemaker_writes_them(data, tmp_path):
    tree = job_tree.prepare_job_tree(data, tmp_path, {"epochs": 3, "task": "regression"})

    written = read_config(tree, "hyperparameters.json")

    assert all(isinstance(value, str) for value in written.values())
    decoded = {key: json.loads(value) for key, value in written.items()}
    assert decoded["epochs"] == 3
    assert decoded["task"] == "regression"
    assert decoded["sagemaker_program"] == "train.py"
    assert decoded["sagemaker_submit_directory"] == str(tree / "sourcedir.tar.gz")
    assert decoded["sagemaker_region"] == REGION
    assert decoded["sagemaker_job_name"] == f"{BASE_JOB_NAME}-local"


def test_the_tree_holds_configs_channels_and_the_code_archive(data, tmp_path):
    tree = job_tree.prepare_job_tree(data, tmp_path)

    resources = read_config(tree, "resourceconfig.json")
    assert (resources["hosts"], resources["current_host"]) == (["algo-1"], "algo-1")
    assert resources["current_instance_type"] == INSTANCE_TYPE
    channels = read_config(tree, "inputdataconfig.json")
    assert sorted(channels) == ["train", "validation"]
    assert channels["train"]["S3DistributionType"] == "FullyReplicated"
    assert list((tree / "code").iterdir()) == []  # the toolkit unpacks only into an empty code/
    code = [p for p in SOURCE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    with tarfile.open(tree / "sourcedir.tar.gz") as archive:
        assert set(archive.getnames()) == {p.relative_to(SOURCE_DIR).as_posix() for p in code}
    for folder in ("model", "output/data", "checkpoints"):
        assert (tree / folder).is_dir()


def test_the_configs_are_what_sagemaker_writes_on_each_host(data, tmp_path):
    hosts = ["algo-1", "algo-2"]
    distribution = {"train": "ShardedByS3Key"}
    tree = job_tree.prepare_job_tree(
        data, tmp_path, hosts=hosts, current_host="algo-2", distribution=distribution
    )

    group = {
        "instance_group_name": "homogeneousCluster",
        "instance_type": INSTANCE_TYPE,
        "hosts": hosts,
    }
    assert read_config(tree, "resourceconfig.json") == {
        "current_host": "algo-2",
        "current_instance_type": INSTANCE_TYPE,
        "current_group_name": "homogeneousCluster",
        "hosts": hosts,
        "instance_groups": [group],
        "network_interface_name": "eth0",
    }
    csv = {"ContentType": "text/csv", "TrainingInputMode": "File", "RecordWrapperType": "None"}
    assert read_config(tree, "inputdataconfig.json") == {
        "train": csv | {"S3DistributionType": "ShardedByS3Key"},
        "validation": csv | {"S3DistributionType": "FullyReplicated"},
    }


def test_the_toolkit_runs_on_the_tree_with_the_runs_own_packages(data, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    tree = job_tree.prepare_job_tree(data, tmp_path)

    command, env = toolkit_run.toolkit_command(tree)

    assert command == [str(Path(sys.executable).parent / "train")]
    packages = tree / "run-packages"  # what requirements.txt installs, for this run only
    assert (env["SAGEMAKER_BASE_DIR"], env["PIP_TARGET"]) == (str(tree), str(packages))
    assert env["PYTHONPATH"] == f"{packages}:/elsewhere"
    assert env["SM_STUDIO_LOCAL_MODE"] == "true"  # no wait for the host names in DNS
    with pytest.raises(UserError, match=r"no toolkit `train` in \S+/bin: run `make setup`"):
        toolkit_run.toolkit_command(tree, tmp_path / "no-venv")


def test_a_container_gets_the_tree_at_opt_ml_as_host_algo_1(tmp_path):
    command = container_run.container_command(tmp_path, "image:1", "podman", "none")

    assert command == [
        *("podman", "run", "--rm", "--network=none", "--hostname", "algo-1"),
        *("--volume", f"{tmp_path}:/opt/ml", "image:1", "train"),
    ]
    with pytest.raises(UserError, match=r"^no-such-engine is not installed here"):
        container_run.run_container_logged(tmp_path, "image:1", engine="no-such-engine")


def test_channel_files_are_hard_links_not_symlinks(data, tmp_path):
    tree = job_tree.prepare_job_tree(data, tmp_path)

    for source in (data / "train").iterdir():
        linked = tree / "input" / "data" / "train" / source.name
        assert not linked.is_symlink()
        assert linked.samefile(source)


def test_files_in_a_channels_subfolders_keep_their_place(data, tmp_path):
    mine = shutil.copytree(data, tmp_path / "data")
    (mine / "train" / "2024" / "12").mkdir(parents=True)
    (mine / "train" / "2024" / "12" / "part.csv").write_text("1,2\n")

    tree = job_tree.prepare_job_tree(mine, tmp_path / "work")

    assert (tree / "input" / "data" / "train" / "2024" / "12" / "part.csv").read_text() == "1,2\n"


def test_files_that_cannot_be_hard_linked_are_copied(data, tmp_path, monkeypatch):
    def other_file_system(source, target):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(job_tree.os, "link", other_file_system)
    tree = job_tree.prepare_job_tree(data, tmp_path)

    for source in (data / "train").iterdir():
        copied = tree / "input" / "data" / "train" / source.name
        assert copied.read_bytes() == source.read_bytes()
        assert not copied.samefile(source)


def test_paths_can_be_written_as_a_container_sees_them(data, tmp_path):
    tree = job_tree.prepare_job_tree(data, tmp_path, job_base_dir="/opt/ml")

    submit = json.loads(read_config(tree, "hyperparameters.json")["sagemaker_submit_directory"])
    assert submit == "/opt/ml/sourcedir.tar.gz"


def test_sharded_channels_split_the_files_between_hosts(data, tmp_path):
    hosts = ("algo-1", "algo-2")
    shares = []
    for host in hosts:
        tree = job_tree.prepare_job_tree(
            data, tmp_path / host, hosts=hosts, current_host=host, distribution="ShardedByS3Key"
        )
        assert read_config(tree, "resourceconfig.json")["current_host"] == host
        shares.append({p.name for p in (tree / "input" / "data" / "train").iterdir()})

    assert shares[0] and shares[1] and not shares[0] & shares[1]
    assert shares[0] | shares[1] == {p.name for p in (data / "train").iterdir()}


def test_a_new_run_starts_from_a_fresh_tree(data, tmp_path):
    tree = job_tree.prepare_job_tree(data, tmp_path)
    stale = tree / "checkpoints" / "algo-1" / "epoch-0009.joblib"
    stale.parent.mkdir(parents=True)
    stale.write_text("from an earlier run")

    job_tree.prepare_job_tree(data, tmp_path)

    assert not stale.exists()


def test_a_tree_left_half_built_is_rebuilt(data, tmp_path, monkeypatch):
    def disk_full(*_):
        raise OSError("No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(job_tree, "fill_channel", disk_full)
        with pytest.raises(OSError):
            job_tree.prepare_job_tree(data, tmp_path)

    tree = job_tree.prepare_job_tree(data, tmp_path)

    assert (tree / "sourcedir.tar.gz").is_file()


def test_an_old_tree_loses_its_input_folder_last(data, tmp_path, monkeypatch):
    """Cut short, the deletion leaves input/config/: the folder is still known as a tree."""
    tree = job_tree.prepare_job_tree(data, tmp_path)
    deleted, delete = [], shutil.rmtree

    def record(path, *args, **kwargs):
        deleted.append(path.name)
        delete(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", record)
    job_tree.prepare_job_tree(data, tmp_path)

    assert deleted[-1] == "input" and len(deleted) > 1
    assert (tree / "input" / "config").is_dir()  # built anew


@pytest.mark.parametrize(
    ("distribution", "message"),
    [
        ({"test": "ShardedByS3Key", "extra": "FullyReplicated"}, "the data lacks: extra, test"),
        ("Sharded", "distribution 'Sharded' is not one of ('FullyReplicated', 'ShardedByS3Key')"),
    ],
)
def test_a_distribution_the_data_cannot_take_is_refused(data, tmp_path, distribution, message):
    with pytest.raises(UserError) as refused:
        job_tree.prepare_job_tree(data, tmp_path, distribution=distribution)

    assert str(refused.value).endswith(message)


def test_a_folder_that_cannot_be_a_channel_is_named(data, tmp_path):
    mine = shutil.copytree(data, tmp_path / "data")
    (mine / "my data").mkdir()

    with pytest.raises(UserError) as refused:
        job_tree.prepare_job_tree(mine, tmp_path / "work")

    rule = "its name breaks SageMaker's rule"
    assert str(refused.value) == f"{mine}/my data cannot be a channel: {rule}"


def test_a_folder_that_is_not_a_tree_is_never_deleted(data, tmp_path):
    precious = tmp_path / "opt" / "ml" / "notes.txt"
    precious.parent.mkdir(parents=True)
    precious.write_text("keep me")

    with pytest.raises(UserError, match="is not a job tree"):
        job_tree.prepare_job_tree(data, tmp_path)

    assert precious.read_text() == "keep me"


def test_the_entry_point_is_the_one_asked_for(data, tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "fit.py").write_text("print('fitting')\n")

    tree = job_tree.prepare_job_tree(data, tmp_path / "work", entry_point="fit.py", source_dir=code)

    assert json.loads(read_config(tree, "hyperparameters.json")["sagemaker_program"]) == "fit.py"
    with pytest.raises(EgressError, match=r"train\.py is missing"):
        job_tree.prepare_job_tree(data, tmp_path / "other", source_dir=code)


def test_a_tree_that_fails_half_way_is_not_left_behind(data, tmp_path, monkeypatch):
    def disk_full(*_):
        raise OSError(28, "No space left on device", str(tmp_path / "opt" / "ml" / "input"))

    with monkeypatch.context() as patch:
        patch.setattr(job_tree, "fill_channel", disk_full)
        with pytest.raises(OSError):
            job_tree.prepare_job_tree(data, tmp_path)

    assert not (tmp_path / "opt" / "ml").exists()
    tree = job_tree.prepare_job_tree(data, tmp_path)
    assert (tree / "sourcedir.tar.gz").is_file()
