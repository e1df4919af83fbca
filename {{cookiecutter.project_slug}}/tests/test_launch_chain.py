"""The job launch.py describes would run: its S3 archive, channels and hyperparameters,
fed to the real toolkit `train` in an /opt/ml tree, with S3 served by the moto stand-in."""

import json

import pytest
from own_scripts import RECORDER

from tools import job_tree, toolkit_run

pytestmark = [pytest.mark.aws, pytest.mark.toolkit]


def download_channels(aws, request, data):
    """Fetch every channel's S3 prefix into data/<channel>/, as SageMaker does for File mode."""
    for channel in request["InputDataConfig"]:
        uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
        key_prefix = uri.removeprefix(f"s3://{aws.bucket}/")
        for key in aws.object_keys():
            if key.startswith(key_prefix):
                target = data / channel["ChannelName"] / key.removeprefix(key_prefix)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(aws.read(f"s3://{aws.bucket}/{key}"))


def test_the_toolkit_runs_what_the_launcher_sent(aws, run_launch, project, tmp_path):
    (project / "source_dir" / "chain.py").write_text(RECORDER)
    launched = run_launch(
        "--bucket", aws.bucket, "--no-wait", "--entry-point", "chain.py",
        "--hyperparameter", "epochs=2",
    )  # fmt: skip
    assert launched.returncode == 0, launched.stderr
    request = aws.sent_job()
    sent = request["HyperParameters"]
    download_channels(aws, request, tmp_path / "data")
    hyperparameters = {key: json.loads(value) for key, value in sent.items()}

    tree = job_tree.prepare_job_tree(
        tmp_path / "data",
        tmp_path / "work",
        hyperparameters,
        entry_point="chain.py",
        source_dir=project / "source_dir",
    )
    written = json.loads((tree / "input" / "config" / "hyperparameters.json").read_text())
    assert {key: written[key] for key in sent} == sent
    aws.mark()
    run = toolkit_run.run_toolkit(tree, capture_output=True, text=True, timeout=600)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    code_key = hyperparameters["sagemaker_submit_directory"].removeprefix(f"s3://{aws.bucket}/")
    fetched = [entry["url"] for entry in aws.server.requests() if entry["method"] == "GET"]
    assert any(code_key in url for url in fetched), "the toolkit did not fetch the code from S3"
    assert (tree / "code" / "chain.py").is_file()
    local = {
        name: sorted(p.name for p in (project / "data" / name).iterdir())
        for name in ("train", "validation")
    }
    recorded = json.loads((tree / "model" / "model.json").read_text())
    assert {key: recorded[key] for key in ("epochs", "files")} == {"epochs": 2, "files": local}
