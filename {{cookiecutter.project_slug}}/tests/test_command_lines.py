"""Both command lines read in-process, without AWS: what a good argv asks for, and the exact
line each mistake costs (the launcher's refusals against the stand-in, which also check that
nothing was sent, are in test_launch_refusals.py)."""

import shutil
from pathlib import Path

import pytest
from answers import INSTANCE_TYPE, PREFIX, REGION

from tools import launch_options, local_run_options
from tools.cli import UserError, positive
from tools.run_requests import LaunchRequest

ROLE = "arn:aws:iam::123456789012:role/Training"
{%- if cookiecutter.include_mpi %}
ONE_HOST_ONLY = "train over MPI"
{%- else %}
ONE_HOST_ONLY = "use one instance, or re-render the project with include_mpi"
{%- endif %}

# argv: the line launch.py prints (after "launch.py: error: ", before " (see --help)").
LAUNCH_MISTAKES = {
    "empty train": (
        ["--train="],
        "argument --train: expected an s3:// URI or a folder, got nothing",
    ),
    "train nowhere": (
        ["--train", "nowhere"],
        "argument --train: nowhere is neither an s3:// URI nor a folder (`make data` writes the"
        " sample set)",
    ),
    "validation nowhere": (
        ["--validation", "nowhere"],
        "argument --validation: nowhere is neither an s3:// URI nor a folder (`make data` writes"
        " the sample set)",
    ),
    "train bad URI": (
        ["--train", "s3://B/x"],
        "argument --train: malformed S3 URI (expected s3://bucket/key): 's3://B/x'",
    ),
    "channel without location": (
        ["--channel", "test"],
        "argument --channel: malformed channel 'test' (expected NAME=LOCATION)",
    ),
    "channel bad name": (
        ["--channel", "my data=data/train"],
        "argument --channel: channel name 'my data' is not 1-64 letters, digits, '.', '_' or '-'"
        " (SageMaker's rule)",
    ),
    "distribution unknown type": (
        ["--distribution", "train=Sharded"],
        "argument --distribution: malformed distribution 'train=Sharded' (expected"
        " NAME=FullyReplicated|ShardedByS3Key)",
    ),
    "distribution of no channel": (
        ["--distribution", "test=ShardedByS3Key"],
        "--distribution names no channel of the job: test",
    ),
    "instance count zero": (
        ["--instance-count", "0"],
        "argument --instance-count: expected a whole number above 0, got '0'",
    ),
    "instance count words": (
        ["--instance-count", "two"],
        "argument --instance-count: expected a whole number above 0, got 'two'",
    ),
    "malformed role": (["--role", "nope"], "argument --role: malformed role ARN: 'nope'"),
    "malformed bucket": (["--bucket", "B"], "argument --bucket: malformed bucket name: 'B'"),
    "malformed image": (
        ["--image-uri", "bad!uri"],
        "argument --image-uri: malformed image URI: 'bad!uri'",
    ),
    "volume size zero": (
        ["--volume-size", "0"],
        "argument --volume-size: expected a whole number above 0, got '0'",
    ),
    "malformed checkpoint URI": (
        ["--checkpoint-s3-uri", "s3://B/x"],
        "argument --checkpoint-s3-uri: malformed S3 URI: 's3://B/x'",
    ),
    "max wait zero": (
        ["--max-wait", "0"],
        "argument --max-wait: expected a whole number above 0, got '0'",
    ),
    "keep alive zero": (
        ["--keep-alive", "0"],
        "argument --keep-alive: expected a whole number above 0, got '0'",
    ),
    "malformed job name": (
        ["--job-name", "bad_name"],
        "argument --job-name: malformed job name: 'bad_name'",
    ),
    **{
        f"entry point {where}": (
            ["--entry-point", value],
            f"argument --entry-point: entry point {value!r} must be a file in the source folder,"
            " e.g. train.py",
        )
        for where, value in [("empty", ""), ("absolute", "/abs/train.py"), ("above", "../x.py")]
    },
    "framework shell-less script": (
        ["--mode", "framework", "--entry-point", "train.R"],
        "--mode framework runs only .py or .sh scripts, not train.R (the toolkit runs any)",
    ),
    "max wait without spot": (["--max-wait", "60"], "--max-wait only applies with --spot"),
    "max wait below max run": (
        ["--spot", "--max-wait", "60", "--max-run", "120"],
        "--max-wait must be at least --max-run",
    ),
    "local with spot": (
        ["--instance-type", "local", "--spot"],
        "--spot applies to SageMaker jobs, not to local mode",
    ),
    "local without waiting": (
        ["--instance-type", "local", "--no-wait"],
        "local mode runs here until the job ends: leave out --no-wait",
    ),
    "local sharded": (
        ["--instance-type", "local", "--distribution", "train=ShardedByS3Key"],
        "local mode gives every host all of a channel: ShardedByS3Key needs a SageMaker job",
    ),
    "local tuning": (
        ["--instance-type", "local", "--tune", "alpha=0.1:1", "--objective", "train:loss"],
        "--tune applies to SageMaker jobs, not to local mode",
    ),
{%- if not cookiecutter.include_mpi %}
    "two instances without MPI": (
        ["--instance-count", "2"],
        "--instance-count above 1 would train each host on its own shard with nothing to combine"
        f" the models: {ONE_HOST_ONLY}",
    ),
{%- endif %}
}

LOCAL_RUN_MISTAKES = {
    "image and prepare only": (
        ["--image", "img", "--prepare-only"],
        "--image runs the tree it builds: leave out --prepare-only",
    ),
    "image and job base dir": (
        ["--image", "img", "--job-base-dir", "/opt/ml"],
        "--image runs the tree it builds: leave out --job-base-dir",
    ),
    "job base dir without prepare only": (
        ["--job-base-dir", "/opt/ml"],
        "--job-base-dir builds a tree for a container: add --prepare-only",
    ),
{%- if cookiecutter.include_mpi %}
    "processes without the image": (
        ["--processes-per-host", "2"],
        "--processes-per-host runs MPI in the image, whose sshd the toolkit's MPI runner needs:"
        " add --image (make train-container PROCESSES_PER_HOST=N)",
    ),
{%- endif %}
}


@pytest.fixture
def in_project(project, monkeypatch):
    """The project copy as the current folder (its data/ holds train/ and validation/)."""
    monkeypatch.chdir(project)
    return project


def refusal(parse, argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("mistake", LAUNCH_MISTAKES)
def test_each_launch_mistake_costs_exactly_its_line(in_project, capsys, mistake):
    argv, line = LAUNCH_MISTAKES[mistake]

    printed = refusal(launch_options.parse_args, ["--role", ROLE, *argv], capsys)

    assert printed == f"launch.py: error: {line} (see --help)\n"


@pytest.mark.parametrize("mistake", LOCAL_RUN_MISTAKES)
def test_each_local_run_mistake_costs_exactly_its_line(in_project, capsys, mistake):
    argv, line = LOCAL_RUN_MISTAKES[mistake]
    argv = ["--data", "data", "--work", "w", *argv]

    printed = refusal(local_run_options.parse_args, argv, capsys)

    assert printed == f"local_run.py: error: {line} (see --help)\n"


def test_data_folders_that_cannot_be_channels_cost_one_line(in_project, capsys):
    (in_project / "data" / "my data").mkdir()
    printed = refusal(launch_options.parse_args, ["--role", ROLE], capsys)
    rule = "its name breaks SageMaker's rule"
    assert printed == f"launch.py: error: data/my data cannot be a channel: {rule} (see --help)\n"

    shutil.rmtree(in_project / "data")
    printed = refusal(launch_options.parse_args, ["--role", ROLE], capsys)
    fix = "(`make data` writes the sample set); pass --channel NAME=LOCATION"
    assert printed == f"launch.py: error: no channels: data/ has no folders {fix} (see --help)\n"


def test_a_good_launch_argv_is_the_request_it_names(in_project):
    argv = ["--role", ROLE, "--channel", "test=s3://bucket/run=7/", "--train", "data/train"]
    argv += ["--distribution", "test=ShardedByS3Key", "--instance-count", "1", "--no-validation"]

    request = launch_options.parse_args(argv)

    assert request.channels == {"test": "s3://bucket/run=7/", "train": "data/train"}
    assert request.distributions == {"test": "ShardedByS3Key"}
    assert request.distribution("test") == "ShardedByS3Key"
    assert request.distribution("train") == "FullyReplicated"
    assert request.instance_count == 1


def test_each_option_is_read_as_its_type(in_project):
    argv = ["--role", ROLE, "--source-dir", "code", "--prefix", "/Xray-team/runs/", "--bucket"]
    argv += ["my-bucket", "--image-uri", "1.dkr.ecr.us-east-1.amazonaws.com/t:1"]

    request = launch_options.parse_args([*argv, "--volume-size", "50", "--max-run", "7200"])

    assert (request.source_dir, request.bucket) == (Path("code"), "my-bucket")
    assert request.prefix == "Xray-team/runs"  # the slashes around it trimmed, nothing else
    assert request.image_uri == "1.dkr.ecr.us-east-1.amazonaws.com/t:1"
    assert (request.volume_size, request.max_run) == (50, 7200)


def test_the_defaults_are_the_answers_and_the_readmes(in_project):
    request = launch_options.parse_args(["--role", ROLE])

    assert (request.prefix, request.instance_type) == (PREFIX, INSTANCE_TYPE)
    assert (request.volume_size, request.max_run, request.instance_count) == (30, 3600, 1)
    assert request.source_dir == Path(__file__).resolve().parents[1] / "source_dir"


def test_by_default_every_folder_in_data_is_a_channel(in_project):
    request = launch_options.parse_args(["--role", ROLE])

    assert request.channels == {"train": "data/train", "validation": "data/validation"}


# $AWS_REGION, $AWS_DEFAULT_REGION: the job's region
REGIONS = {
    "both set": ("eu-west-1", "ap-south-1", "eu-west-1"),
    "only the default": (None, "ap-south-1", "ap-south-1"),
    "neither": (None, None, REGION),
}


@pytest.mark.parametrize("case", REGIONS)
def test_the_region_comes_from_the_environment_then_the_answers(monkeypatch, case):
    region, default_region, expected = REGIONS[case]
    for name, value in (("AWS_REGION", region), ("AWS_DEFAULT_REGION", default_region)):
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)

    request = launch_options.parse_args(["--role", ROLE, "--channel", "train=s3://bucket/train"])

    assert request.region == expected


def test_no_validation_leaves_out_data_validation(in_project):
    request = launch_options.parse_args(["--role", ROLE, "--no-validation"])

    assert request.channels == {"train": "data/train"}


# LaunchRequest fields no argv can hold (argparse refuses them first), as a caller building a
# request may: the UserError's message.
REQUEST_MISTAKES = {
    "unknown mode": ({"mode": "batch"}, "mode 'batch' is not one of toolkit, framework"),
    "malformed job name": ({"job_name": "unit_job"}, "malformed job name: 'unit_job'"),
    "two channels that are not": (
        {"distributions": {"b": "ShardedByS3Key", "a": "ShardedByS3Key"}},
        "--distribution names no channel of the job: a, b",
    ),
    "two hosts, nothing to combine their models": (
        {"instance_count": 2},
        "--instance-count above 1 would train each host on its own shard with nothing to combine"
        f" the models: {ONE_HOST_ONLY}",
    ),
}


@pytest.mark.parametrize("mistake", REQUEST_MISTAKES)
def test_each_request_mistake_is_its_own_line(mistake):
    fields, message = REQUEST_MISTAKES[mistake]

    with pytest.raises(UserError) as refused:
        LaunchRequest(**{"job_name": "unit-job", "channels": {"train": "s3://b/t/"}, **fields})

    assert str(refused.value) == message


def test_a_spot_job_may_wait_exactly_as_long_as_it_runs():
    request = LaunchRequest("unit-job", {}, spot=True, max_run=600, max_wait=600)

    assert request.max_wait_time == 600


def test_a_local_run_request_holds_paths_and_runs_images_as_docker_would(in_project):
    request = local_run_options.parse_args(["--data", "data", "--work", "w", "--source-dir", "s"])

    assert (request.data, request.work, request.source_dir) == (Path("data"), Path("w"), Path("s"))
    assert (request.engine, request.network) == ("docker", "bridge")  # docker run's own defaults


@pytest.mark.parametrize(("text", "number"), [("1", 1), ("12", 12)])
def test_a_positive_number_is_read_as_given(text, number):
    assert positive(text) == number
