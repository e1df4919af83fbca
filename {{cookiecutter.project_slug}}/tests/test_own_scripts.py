"""Script-mode scripts of other shapes than the sample trainer, run unchanged through a local
run and launched against the moto server: what teams bring from the AWS examples, older
projects or the toolkit's docs."""

import json
import shutil
import subprocess
import sys
import tomllib

import pytest
from own_scripts import SCRIPTS
from sent_requests import channel_sources

import local_run
from scripts.make_data import write_sample_data


@pytest.fixture(scope="module")
def channels(tmp_path_factory):
    """training/ and test/ channels, as those scripts read them."""
    sample = tmp_path_factory.mktemp("sample")
    write_sample_data(sample, rows=400)
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(sample / "train", data / "training")
    shutil.copytree(sample / "validation", data / "test")
    return data


@pytest.mark.toolkit
@pytest.mark.parametrize("name", SCRIPTS)
def test_a_local_run_trains_with_the_script_unchanged(channels, tmp_path, name):
    script, model_file = SCRIPTS[name]
    code = tmp_path / "code"
    code.mkdir()
    (code / name).write_text(script)
    arguments = [
        "--data",
        str(channels),
        "--work",
        str(tmp_path / "work"),
        "--source-dir",
        str(code),
    ]
    arguments += ["--entry-point", name, "--hyperparameter", "max-iter=200"]

    result = subprocess.run(
        [sys.executable, local_run.__file__, *arguments],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    model = tmp_path / "work" / "opt" / "ml" / "model"
    assert f"Model:   {model} ({model_file})" in result.stdout
    if name == "toolkit_environment.py":
        summary = json.loads((model / model_file).read_text())
        assert summary["channels"] == ["test", "training"]
        assert summary["hyperparameters"] == {"max-iter": 200}


@pytest.mark.aws
@pytest.mark.parametrize("name", SCRIPTS)
def test_the_launcher_sends_the_script_and_its_channels(aws, run_launch, project, channels, name):
    shutil.rmtree(project / "source_dir")
    (project / "source_dir").mkdir()
    (project / "source_dir" / name).write_text(SCRIPTS[name][0])
    shutil.rmtree(project / "data")
    shutil.copytree(channels, project / "data")

    result = run_launch("--bucket", aws.bucket, "--no-wait", "--entry-point", name)

    assert result.returncode == 0, result.stderr
    request = aws.sent_job()
    sent = {key: json.loads(value) for key, value in request["HyperParameters"].items()}
    assert sent["sagemaker_program"] == name
    assert set(channel_sources(request)) == {"training", "test"}
    configured = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["launch"][
        "metrics"
    ]
    sent_metrics = request["AlgorithmSpecification"]["MetricDefinitions"]
    assert [metric["Name"] for metric in sent_metrics] == configured
