"""Script-mode scripts of other shapes than the sample trainer, run unchanged through a local
run and launched against the moto server: what teams bring from the AWS examples, older
projects or the toolkit's docs."""

import json
import shutil
import subprocess
import sys
import tomllib

import pytest
from sent_requests import channel_sources

import local_run
from scripts.make_data import write_sample_data

# The AWS examples' shape: argparse with defaults from SM_*, channels `training` and `test`,
# pandas reading every CSV file, a scikit-learn model saved with joblib.
AWS_EXAMPLE = """
import argparse, glob, os

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression


def read(folder):
    files = sorted(glob.glob(os.path.join(folder, "*.csv*")))
    return pd.concat(pd.read_csv(f) for f in files)


parser = argparse.ArgumentParser()
parser.add_argument("--max-iter", type=int, default=100)
parser.add_argument("--model-dir", default=os.environ["SM_MODEL_DIR"])
parser.add_argument("--train", default=os.environ["SM_CHANNEL_TRAINING"])
parser.add_argument("--test", default=os.environ["SM_CHANNEL_TEST"])
args = parser.parse_args()
train, test = read(args.train), read(args.test)
model = LogisticRegression(max_iter=args.max_iter).fit(train.iloc[:, 1:], train.iloc[:, 0])
print(f"test:accuracy={model.score(test.iloc[:, 1:], test.iloc[:, 0]):.4f}")
joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
"""

# TensorFlow-era scripts name it --model_dir; they ignore hyperparameters they do not know.
MODEL_DIR_UNDERSCORE = """
import argparse, os, pathlib

parser = argparse.ArgumentParser()
parser.add_argument("--model_dir", default=os.environ.get("SM_MODEL_DIR"))
args, unknown = parser.parse_known_args()
pathlib.Path(args.model_dir, "model.txt").write_text(f"unknown={unknown}")
"""

# The toolkit's own documentation: everything from sagemaker_training.environment.
TOOLKIT_ENVIRONMENT = """
import json, os

from sagemaker_training import environment

env = environment.Environment()
summary = {
    "channels": sorted(env.channel_input_dirs),
    "hyperparameters": env.hyperparameters,
    "hosts": env.hosts,
}
with open(os.path.join(env.model_dir, "summary.json"), "w") as out:
    json.dump(summary, out)
"""

SCRIPTS = {
    "aws_example.py": (AWS_EXAMPLE, "model.joblib"),
    "model_dir_underscore.py": (MODEL_DIR_UNDERSCORE, "model.txt"),
    "toolkit_environment.py": (TOOLKIT_ENVIRONMENT, "summary.json"),
}


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
