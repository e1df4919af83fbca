"""Shared fixtures: a moto server standing in for AWS, and a scratch copy of the project.

The moto server runs once per session on a free loopback port, with its request recorder
on: tests read back what the launcher really sent (moto's own DescribeTrainingJob
invents some fields). Each test that asks for `aws` gets a clean server, a bucket and an
environment that points boto3, the SDK and the toolkit at it with fake credentials.
"""

import base64
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tools.project import PROJECT_DIR

BUCKET = "launch-tests"
REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/SageMakerTrainingRole"
# What the SDK would otherwise read from ~/.config/sagemaker: no telemetry calls home.
SDK_CONFIG = (
    "SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n"
)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(url, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not answer at {url} within {timeout}s")


class MotoServer:
    """A moto_server subprocess and its request recording."""

    def __init__(self, workdir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.recording = workdir / "recording.jsonl"
        env = {"MOTO_ENABLE_RECORDING": "true", "MOTO_RECORDER_FILEPATH": str(self.recording)}
        moto_server = Path(sys.executable).parent / "moto_server"
        self.log = (workdir / "moto.log").open("w")
        self.process = subprocess.Popen(
            [str(moto_server), "-H", "127.0.0.1", "-p", str(self.port)],
            env={"PATH": "/usr/bin:/bin", **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until_answering(f"{self.url}/moto-api/", self.process)

    def post(self, path):
        request = urllib.request.Request(f"{self.url}{path}", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def reset(self):
        """Forget every bucket, object and job, and every recorded request."""
        self.post("/moto-api/reset")
        self.post("/moto-api/recorder/reset-recording")

    def requests(self):
        """Every request the server received since the last reset, oldest first."""
        if not self.recording.exists():
            return []
        return [json.loads(line) for line in self.recording.read_text().splitlines() if line]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    yield server
    server.stop()


class StandIn:
    """What a test needs from the stand-in: clients, the bucket, and what was sent."""

    def __init__(self, server):
        import boto3

        self.server = server
        self.bucket = BUCKET
        self.role = ROLE
        self.region = REGION
        self.s3 = boto3.client("s3", region_name=REGION)
        self.sagemaker = boto3.client("sagemaker", region_name=REGION)
        self.logs = boto3.client("logs", region_name=REGION)

    def object_keys(self):
        """Every object key in the bucket."""
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, uri):
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        return self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    def sent(self, operation):
        """The JSON bodies of every SageMaker `operation` request, as the server received them."""
        target = f"SageMaker.{operation}"
        return [
            json.loads(decode_body(entry))
            for entry in self.server.requests()
            if entry["headers"].get("X-Amz-Target") == target
        ]

    def sent_job(self):
        """The one CreateTrainingJob request the stand-in received."""
        requests = self.sent("CreateTrainingJob")
        assert len(requests) == 1, f"expected one CreateTrainingJob, got {len(requests)}"
        return requests[0]

    def uploaded_bytes(self):
        """Bytes sent in S3 object writes (PUT with a body) since the last reset."""
        return sum(
            len(base64.b64decode(entry["body"]))
            if entry["body_encoded"]
            else len(entry["body"] or "")
            for entry in self.server.requests()
            if entry["method"] == "PUT" and "X-Amz-Target" not in entry["headers"]
        )

    def write_job_log(self, job_name, lines):
        """lines in the CloudWatch log of a job's host algo-1, as SageMaker writes them."""
        group, stream = "/aws/sagemaker/TrainingJobs", f"{job_name}/algo-1-1764730000"
        self.logs.create_log_group(logGroupName=group)
        self.logs.create_log_stream(logGroupName=group, logStreamName=stream)
        now = int(time.time() * 1000)  # CloudWatch keeps no events from weeks ago
        events = [{"timestamp": now + i, "message": line} for i, line in enumerate(lines)]
        self.logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)

    def mark(self):
        """Forget the requests recorded so far (state is kept)."""
        self.server.post("/moto-api/recorder/reset-recording")


def decode_body(entry):
    return base64.b64decode(entry["body"]) if entry["body_encoded"] else entry["body"]


@pytest.fixture
def aws(moto_server, monkeypatch, tmp_path):
    """A clean stand-in with one bucket; boto3, the SDK and the toolkit all point at it."""
    sdk_config = tmp_path / "sagemaker-config.yaml"
    sdk_config.write_text(SDK_CONFIG)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = {
        "AWS_ENDPOINT_URL": moto_server.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        # Keep the developer's own ~/.aws out of the tests.
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "SAGEMAKER_ROLE_ARN": ROLE,
        # moto has no iam:SimulatePrincipalPolicy for the SDK's role check.
        "SAGEMAKER_VALIDATE_ROLE": "false",
        "SAGEMAKER_USER_CONFIG_OVERRIDE": str(sdk_config),
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    moto_server.reset()
    stand_in = StandIn(moto_server)
    stand_in.s3.create_bucket(Bucket=BUCKET)
    stand_in.mark()
    return stand_in


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory):
    """The project's deterministic sample data set (train/ and validation/), written once."""
    data = tmp_path_factory.mktemp("sample") / "data"
    subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "scripts" / "make_data.py"),
            "--out",
            str(data),
            "--rows",
            "400",
        ],
        check=True,
        capture_output=True,
    )
    return data


@pytest.fixture
def data(sample_data):
    """The sample data set, to read (a test that changes data works on a copy)."""
    return sample_data


@pytest.fixture
def project(tmp_path, sample_data):
    """A scratch copy of the launcher and its tools/, source_dir/ and the sample data."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("launch.py", "pyproject.toml"):
        shutil.copy2(PROJECT_DIR / name, copy / name)
    shutil.copytree(
        PROJECT_DIR / "tools", copy / "tools", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(
        PROJECT_DIR / "source_dir",
        copy / "source_dir",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copytree(sample_data, copy / "data")
    return copy


@pytest.fixture
def run_launch(project):
    """Run the real launcher CLI in the project copy; returns the CompletedProcess."""

    def run(*arguments, timeout=120):
        return subprocess.run(
            [sys.executable, str(project / "launch.py"), *arguments],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run
