"""Data-parallel training over MPI: how the data is shared out, and real `mpirun -np 2` runs.

The runs use the mpirun of the venv (the `openmpi` package of the dev group) and train.py
as the toolkit's MPI runner starts it (`python -m mpi4py train.py`); the image's Open MPI and
several hosts are the template's cluster tests. launch.py's MPI options are checked here too.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import joblib
import pytest
from sklearn.metrics import log_loss

import distributed
import utils
from scripts.make_data import write_sample_data
from tools import job_tree, launch_options
from tools.cli import UserError

PROJECT_DIR = Path(__file__).resolve().parent.parent
MPIRUN = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or shutil.which("mpirun")
RUN_TIMEOUT = 120  # seconds; a run that hangs in a collective must not hang the suite
# Two processes average their models once per epoch, so after a few epochs they trail a
# single process slightly: this is how far the validation loss may differ (relative).
LOSS_TOLERANCE = 0.10
ACCURACY_TOLERANCE = 0.01


def mpi_ready():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return "mpi4py is not installed (the dev group installs it)"
    if MPIRUN is None:
        return "no mpirun here (the dev group's openmpi package installs one)"
    return None


needs_mpi = pytest.mark.skipif(mpi_ready() is not None, reason=str(mpi_ready()))


# How each process's share is chosen.


def group(rank, size, local_rank=None, local_size=None):
    return SimpleNamespace(
        rank=rank,
        size=size,
        local_rank=rank if local_rank is None else local_rank,
        local_size=size if local_size is None else local_size,
    )


FILES = [Path(f"part-{i}.csv") for i in range(3)]


def test_a_replicated_channel_is_split_by_rows_over_all_processes():
    share = distributed.share_of(group(2, 4, local_rank=0, local_size=2), FILES, sharded=False)

    assert share == distributed.Share(FILES, part=2, parts=4)


def test_a_sharded_channel_is_split_by_files_between_a_hosts_processes():
    shares = [
        distributed.share_of(group(rank, 4, rank % 2, 2), FILES, sharded=True) for rank in (2, 3)
    ]

    assert shares == [distributed.Share(FILES[0::2]), distributed.Share(FILES[1::2])]


def test_a_sharded_channel_with_fewer_files_than_processes_is_split_by_rows():
    share = distributed.share_of(group(1, 2), FILES[:1], sharded=True)

    assert share == distributed.Share(FILES[:1], part=1, parts=2)


def test_one_process_reads_everything_and_never_imports_mpi4py():
    probe = (
        "import sys, distributed; g = distributed.current_group({}); "
        "print(type(g).__name__, g.size, 'mpi4py' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_DIR / "source_dir",
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.split() == ["SingleProcess", "1", "False"]


def test_row_parts_cover_every_row_once(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("label,x\n" + "".join(f"{i},{i}\n" for i in range(10)))

    parts = [
        [row for _, labels in utils.read_batches([path], 3, part, 3) for row in labels]
        for part in range(3)
    ]

    assert parts == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]


def test_the_input_data_config_names_the_sharded_channels():
    config = {
        "train": {"S3DistributionType": "ShardedByS3Key"},
        "validation": {"S3DistributionType": "FullyReplicated"},
    }

    paths = utils.job_paths({"SM_INPUT_DATA_CONFIG": json.dumps(config)})

    assert paths.sharded_channels == {"train"}


def test_local_trees_can_shard_only_the_train_channel(tmp_path):
    data = tmp_path / "data"
    write_sample_data(data, rows=200, task="classification")
    hosts = ("algo-1", "algo-2")

    tree = job_tree.prepare_job_tree(
        data,
        tmp_path / "work",
        hosts=hosts,
        current_host="algo-2",
        distribution={"train": "ShardedByS3Key"},
    )

    config = json.loads((tree / "input" / "config" / "inputdataconfig.json").read_text())
    assert {name: c["S3DistributionType"] for name, c in config.items()} == {
        "train": "ShardedByS3Key",
        "validation": "FullyReplicated",
    }
    validation = sorted(p.name for p in (tree / "input" / "data" / "validation").iterdir())
    assert validation == sorted(p.name for p in (data / "validation").iterdir())
    with pytest.raises(UserError, match="channels the data lacks: test"):
        job_tree.prepare_job_tree(data, tmp_path / "other", distribution={"test": "ShardedByS3Key"})


# launch.py's MPI options (argument checks only: nothing is sent).

DATA_IN_S3 = ["--train", "s3://bucket/train", "--validation", "s3://bucket/validation"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {}),
        (["--instance-count", "2"], {"sagemaker_mpi_num_of_processes_per_host": 1}),
        (["--processes-per-host", "2"], {"sagemaker_mpi_num_of_processes_per_host": 2}),
        (
            ["--mpi", "--mpi-options", "-x OMP_NUM_THREADS=1"],
            {"sagemaker_mpi_num_of_processes_per_host": 1},
        ),
    ],
)
def test_launch_asks_the_toolkit_for_mpi_when_it_is_needed(argv, expected):
    request = launch_options.parse_args([*DATA_IN_S3, *argv])

    sent = request.mpi.hyperparameters() if request.mpi else {}

    if expected:
        options = "-x OMP_NUM_THREADS=1" if "--mpi-options" in argv else ""
        expected |= {"sagemaker_mpi_enabled": True, "sagemaker_mpi_custom_mpi_options": options}
    assert sent == expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--processes-per-host", "2", "--no-mpi"], "more than one instance or process needs MPI"),
        (["--instance-count", "2", "--no-mpi"], "more than one instance or process needs MPI"),
        (["--mpi", "--mode", "framework"], "MPI runs through the toolkit"),
        (["--mpi-options", "-x A=1"], "--mpi-options only applies to MPI jobs"),
        (["--processes-per-host", "0"], "expected a whole number above 0"),
    ],
)
def test_launch_refuses_mpi_settings_that_cannot_work(argv, expected):
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "launch.py"), *DATA_IN_S3, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert expected in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.aws
def test_a_multi_instance_job_asks_the_toolkit_for_mpi(aws, run_launch):
    result = run_launch(
        "--bucket", aws.bucket, "--job-name", "mpi-job", "--no-wait",
        "--instance-count", "2", "--processes-per-host", "2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    sent = {key: json.loads(value) for key, value in aws.sent_job()["HyperParameters"].items()}

    assert sent["sagemaker_mpi_enabled"] is True
    assert sent["sagemaker_mpi_num_of_processes_per_host"] == 2
    assert sent["sagemaker_mpi_custom_mpi_options"] == ""
    assert sent["sagemaker_program"] == "train.py"


# Real runs under mpirun on this machine.


@pytest.fixture(scope="module")
def mpi_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("mpi-data")
    write_sample_data(data, rows=4000, task="classification")
    return data


def job_environment(data, work, sharded=()):
    """The SM_* variables the toolkit would export for a job on this data."""
    config = {
        channel: {
            "S3DistributionType": "ShardedByS3Key" if channel in sharded else "FullyReplicated"
        }
        for channel in ("train", "validation")
    }
    return {
        **os.environ,
        "SAGEMAKER_BASE_DIR": str(work),
        "SM_CHANNEL_TRAIN": str(data / "train"),
        "SM_CHANNEL_VALIDATION": str(data / "validation"),
        "SM_MODEL_DIR": str(work / "model"),
        "SM_OUTPUT_DIR": str(work / "output"),
        "SM_OUTPUT_DATA_DIR": str(work / "output" / "data"),
        "SM_INPUT_DATA_CONFIG": json.dumps(config),
    }


def run_processes(count, data, work, *arguments, sharded=()):
    """train.py in `count` processes, started the way the toolkit's MPI runner starts it."""
    command = [MPIRUN, "--allow-run-as-root", "--oversubscribe", "-np", str(count)]
    command += [sys.executable, "-m", "mpi4py", "source_dir/train.py", *arguments]
    return subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env=job_environment(data, work, sharded),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def metrics(work):
    return json.loads((work / "output" / "data" / "metrics.json").read_text())


@needs_mpi
@pytest.mark.toolkit
def test_two_processes_train_as_well_as_one(mpi_data, tmp_path):
    one = run_processes(1, mpi_data, tmp_path / "one", "--epochs", "5")
    two = run_processes(2, mpi_data, tmp_path / "two", "--epochs", "5")

    assert one.returncode == 0, one.stderr[-3000:]
    assert two.returncode == 0, two.stdout[-3000:] + two.stderr[-3000:]
    assert "Process 1 of 2" in two.stdout and "Process 2 of 2" in two.stdout
    single, pooled = metrics(tmp_path / "one"), metrics(tmp_path / "two")
    loss = single["validation:loss"]
    assert abs(pooled["validation:loss"] - loss) <= LOSS_TOLERANCE * loss, (single, pooled)
    accuracy_gap = abs(pooled["validation:accuracy"] - single["validation:accuracy"])
    assert accuracy_gap <= ACCURACY_TOLERANCE, (single, pooled)
    # One process writes: one line per epoch, one checkpoint, one model.
    assert len(re.findall(r"^epoch=\d+ ", two.stdout, flags=re.MULTILINE)) == 5
    checkpoints = sorted(
        p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("epoch-*")
    )
    assert checkpoints == [Path("checkpoints/algo-1/epoch-0005.joblib")]
    assert (tmp_path / "two" / "model" / "model.joblib").is_file()


@needs_mpi
@pytest.mark.toolkit
def test_a_sharded_channel_is_split_by_files_on_one_host(mpi_data, tmp_path):
    result = run_processes(2, mpi_data, tmp_path, "--epochs", "1", sharded=("train",))

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    training_files = sorted(
        int(n) for n in re.findall(r"Process \d of 2 on \S+: (\d) training", result.stdout)
    )
    assert training_files == [1, 2]  # the three files of the sample set


@needs_mpi
@pytest.mark.toolkit
def test_bad_data_in_one_share_ends_every_process_with_its_reason(mpi_data, tmp_path):
    data = shutil.copytree(mpi_data, tmp_path / "data")
    path = data / "train" / "part-0000.csv"
    lines = path.read_text().splitlines()
    lines[2] = "1,2,3,x,5,6,7"  # the second data row: process 2's share (rows are dealt out)
    path.write_text("\n".join(lines) + "\n")

    started = time.monotonic()
    result = run_processes(2, data, tmp_path / "work", "--epochs", "3")

    assert result.returncode != 0
    assert time.monotonic() - started < RUN_TIMEOUT / 2, "the other process waited for it"
    failure = (tmp_path / "work" / "output" / "failure").read_text()
    assert "part-0000.csv, line 3, column 4: 'x' is not a number" in failure
    assert not (tmp_path / "work" / "model").exists()


@needs_mpi
@pytest.mark.toolkit
def test_every_process_resumes_from_the_first_ones_checkpoint(mpi_data, tmp_path):
    first = run_processes(2, mpi_data, tmp_path, "--epochs", "2")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]

    resumed = run_processes(2, mpi_data, tmp_path, "--epochs", "4")
    refused = run_processes(2, mpi_data, tmp_path, "--epochs", "5", "--learning-rate", "0.5")

    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert "Resuming after epoch 2" in resumed.stdout
    assert re.findall(r"^epoch=(\d+) ", resumed.stdout, flags=re.MULTILINE) == ["3", "4"]
    assert refused.returncode != 0
    assert "made with other learning_rate" in (tmp_path / "output" / "failure").read_text()


@needs_mpi
@pytest.mark.toolkit
def test_the_pooled_training_loss_scores_each_batch_before_learning_from_it(mpi_data, tmp_path):
    data = tmp_path / "data"  # one file, one batch per process: an epoch is one step
    shutil.copytree(mpi_data / "validation", data / "validation")
    (data / "train").mkdir()
    shutil.copy(mpi_data / "train" / "part-0000.csv", data / "train")
    work, one_batch = tmp_path / "work", ["--batch-size", "100000"]
    first = run_processes(2, data, work, "--epochs", "1", *one_batch)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    after_one_epoch = joblib.load(work / "model" / "model.joblib")

    resumed = run_processes(2, data, work, "--epochs", "2", *one_batch)

    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    [(features, labels)] = utils.read_batches([data / "train" / "part-0000.csv"], 100000)
    expected = log_loss(labels, after_one_epoch.predict_proba(features))
    assert metrics(work)["train:loss"] == pytest.approx(expected, rel=1e-6)
