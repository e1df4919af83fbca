"""An upload shows its progress (files and bytes) on a terminal, and nothing in a CI log."""

import os
import pty
import subprocess
import sys

import pytest

pytestmark = pytest.mark.aws


def run_on_a_terminal(command, cwd):
    """command's exit status and all it wrote, its output being a pseudo-terminal."""
    leader, follower = pty.openpty()
    with subprocess.Popen(
        command, cwd=cwd, stdin=follower, stdout=follower, stderr=follower
    ) as run:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the run has ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        run.wait(timeout=120)
    os.close(leader)
    return run.returncode, b"".join(chunks).decode()


def test_progress_on_a_terminal_and_none_in_a_log(aws, project, run_launch):
    files = 1 + sum(len(os.listdir(project / "data" / name)) for name in ("train", "validation"))
    launch = [sys.executable, "launch.py", "--bucket", aws.bucket, "--no-wait"]

    status, shown = run_on_a_terminal([*launch, "--job-name", "on-a-terminal"], project)

    assert status == 0, shown
    updates = [part.strip() for part in shown.split("\r") if part.startswith("Uploading:")]
    assert updates and updates[-1].startswith(f"Uploading: {files} of {files} files,")
    (project / "data" / "train" / "more.csv").write_text("1,0.5,0.25\n")
    logged = run_launch("--bucket", aws.bucket, "--no-wait", "--job-name", "in-a-log")
    assert logged.returncode == 0, logged.stderr
    assert aws.uploaded_bytes() > 0
    assert "Uploading:" not in logged.stdout + logged.stderr and "\r" not in logged.stderr
