"""Scale-out on real container hosts (marker `cluster`), for a project rendered with
include_mpi: its image built on the local base, and two containers from it, `algo-1` and
`algo-2`, on one private podman network, each with its own /opt/ml tree, running `train` as
SageMaker runs a two-instance job. The toolkit's MPI runner then starts mpirun on algo-1, which
reaches algo-2 over SSH. The trees come from the project's own tools.job_tree.prepare_job_tree,
the data from its make_data.py. The network is internal: traffic goes only between the two
hosts. (The project's own MPI tests, mpirun on this machine, run in test_project_tests.py.)
"""

import json
import shutil
import subprocess
import sys
import time
import uuid

import pytest
from support.containers import built_image, make_train_container, podman, sample_data

HOSTS = ("algo-1", "algo-2")
# Each host's `train` runs under this `timeout`, as a job's stopping condition would end it.
RUN_TIMEOUT = 300
# What launch.py sends for a two-instance job with one process per instance.
MPI_HYPERPARAMETERS = {
    "sagemaker_mpi_enabled": True,
    "sagemaker_mpi_num_of_processes_per_host": 1,
    "sagemaker_mpi_custom_mpi_options": "",
}
EPOCHS = 5
# Two hosts average their models once per epoch, so after EPOCHS they trail one host a little:
# the validation loss may differ by this share of the single host's, the accuracy by 0.01.
LOSS_TOLERANCE = 0.10
ACCURACY_TOLERANCE = 0.01
# After a host dies, the first host's job must have failed within this many seconds.
FAILURE_BOUND = 60

PREPARE = """
import json, sys
from tools.job_tree import prepare_job_tree
print(prepare_job_tree(**json.loads(sys.argv[1])))
"""


@pytest.fixture(scope="module")
def mpi_project(render):
    return render(include_mpi=True)


@pytest.fixture(scope="module")
def mpi_image(mpi_project, base_image):
    yield from built_image(mpi_project, base_image, "localhost/template-tests/mpi-training-image:test")


@pytest.fixture(scope="module")
def cluster_data(mpi_project, tmp_path_factory):
    return sample_data(mpi_project, tmp_path_factory.mktemp("cluster-data"))


def prepare_tree(project, work, **options):
    """The project's tools.job_tree.prepare_job_tree, in its own process (the project's modules
    stay out of this one); paths inside are as the container sees them at /opt/ml."""
    options = {"data": str(options.pop("data")), "work": str(work), "job_base_dir": "/opt/ml", **options}
    result = subprocess.run(
        [sys.executable, "-c", PREPARE, json.dumps(options)],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.fixture
def network(container_engine):
    """A private network for this test's hosts; the hosts and the network are removed after."""
    name = f"sagemaker-cluster-{uuid.uuid4().hex[:8]}"
    podman("network", "create", "--internal", name)
    try:
        yield name
    finally:
        podman("rm", "--force", "--time", "0", *HOSTS, check=False)
        podman("network", "rm", "--force", name, check=False)


def start_job(project, image, network, data, work, epochs):
    """Start both hosts of a two-instance MPI job (train sharded, validation replicated)."""
    for host in HOSTS:
        tree = prepare_tree(
            project,
            work / host,
            data=data,
            hyperparameters={"epochs": epochs, **MPI_HYPERPARAMETERS},
            hosts=HOSTS,
            current_host=host,
            distribution={"train": "ShardedByS3Key"},
        )
        podman(
            "run", "--detach", "--name", host, "--hostname", host, "--network", network,
            "--volume", f"{tree}:/opt/ml", image, "timeout", str(RUN_TIMEOUT), "train",
        )  # fmt: skip
    return {host: work / host / "opt" / "ml" for host in HOSTS}


def wait_for_exit(host, timeout):
    """The host's exit code once its container has stopped; a failure if it takes longer."""
    try:
        return int(podman("wait", host, timeout=timeout).stdout.strip())
    except subprocess.TimeoutExpired:
        pytest.fail(f"{host} still runs after {timeout} s:\n{logs(host)[-4000:]}", pytrace=False)


def logs(host):
    result = podman("logs", host, check=False)
    return result.stdout + result.stderr


def metrics(tree):
    return json.loads((tree / "output" / "data" / "metrics.json").read_text())


@pytest.fixture(scope="module")
def single_host_metrics(mpi_project, mpi_image, cluster_data, tmp_path_factory):
    """The same data and epochs trained by one host, without MPI: the reference."""
    work = tmp_path_factory.mktemp("single-host")
    tree = prepare_tree(mpi_project, work, data=cluster_data, hyperparameters={"epochs": EPOCHS})
    sagemaker_options = ["--network=none", "--hostname", "algo-1", "--volume", f"{tree}:/opt/ml"]
    podman("run", "--rm", *sagemaker_options, mpi_image, "timeout", str(RUN_TIMEOUT), "train", timeout=RUN_TIMEOUT + 60)
    return metrics(work / "opt" / "ml")


@pytest.mark.cluster
def test_two_hosts_train_one_model_as_well_as_one_host(
    mpi_project, mpi_image, network, cluster_data, single_host_metrics, tmp_path
):
    trees = start_job(mpi_project, mpi_image, network, cluster_data, tmp_path, EPOCHS)

    exit_codes = {host: wait_for_exit(host, RUN_TIMEOUT + 60) for host in HOSTS}

    leader_log = logs("algo-1")
    assert exit_codes == {"algo-1": 0, "algo-2": 0}, leader_log[-4000:] + logs("algo-2")[-2000:]
    assert "Process 1 of 2 on algo-1" in leader_log and "Process 2 of 2 on algo-2" in leader_log
    assert (trees["algo-1"] / "output" / "success").exists()
    assert (trees["algo-1"] / "model" / "model.joblib").is_file()
    assert not any((trees["algo-2"] / "model").iterdir()), "only the first host saves the model"
    pooled, single = metrics(trees["algo-1"]), single_host_metrics
    loss = single["validation:loss"]
    assert abs(pooled["validation:loss"] - loss) <= LOSS_TOLERANCE * loss, (pooled, single)
    assert abs(pooled["validation:accuracy"] - single["validation:accuracy"]) <= ACCURACY_TOLERANCE


def end_host(host, how, network):
    if how == "killed":  # its processes end: the kernel resets their connections
        podman("kill", host)
    else:  # it vanishes without a word: only keepalives can notice
        podman("network", "disconnect", "--force", network, host)


@pytest.mark.cluster
@pytest.mark.parametrize("how", ["killed", "vanished"])
def test_a_host_that_dies_mid_job_fails_the_job_on_the_first_host(
    mpi_project, mpi_image, network, cluster_data, tmp_path, how
):
    trees = start_job(mpi_project, mpi_image, network, cluster_data, tmp_path, epochs=10_000)
    deadline = time.monotonic() + RUN_TIMEOUT
    while "epoch=2 " not in logs("algo-1"):  # training is under way on both hosts
        assert time.monotonic() < deadline, logs("algo-1")[-4000:]
        time.sleep(0.5)

    end_host("algo-2", how, network)
    started = time.monotonic()
    exit_code = wait_for_exit("algo-1", FAILURE_BOUND)
    took = time.monotonic() - started

    leader_log = logs("algo-1")
    assert exit_code == 1, leader_log[-4000:]
    assert took < FAILURE_BOUND
    assert "lost communication with a remote daemon" in leader_log
    assert "ExecuteUserScriptError" in (trees["algo-1"] / "output" / "failure").read_text()
    assert not (trees["algo-1"] / "output" / "success").exists()
    assert not any((trees["algo-1"] / "model").iterdir())


@pytest.mark.cluster
def test_make_train_container_trains_several_processes_under_mpi(
    mpi_project, mpi_image, base_image, cluster_data, tmp_path
):
    """One host of an MPI job, here: the toolkit's MPI runner starts train.py twice in the image."""
    project = shutil.copytree(mpi_project, tmp_path / "project")

    result = make_train_container(
        project,
        mpi_image,
        base_image,
        cluster_data,
        tmp_path / "run",
        "PROCESSES_PER_HOST=2",
        "HYPERPARAMETERS=epochs=2",
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Process 1 of 2" in result.stdout and "Process 2 of 2" in result.stdout
    assert (tmp_path / "run" / "opt" / "ml" / "model" / "model.joblib").is_file()
