"""SageMaker local mode: the SDK runs the job's image here, one container per host, through
Docker Compose (`launch.py --instance-type local`, `make train-local-mode`).

No AWS account is needed: the code (packed as for a job) and the local data folders (the
files a job would be sent) go in as folders here, which the SDK mounts; only s3:// channels
are read from S3, by the SDK, with the credentials here. Afterwards the containers, their
network and every temporary folder are gone, whatever happened, and the job's model and
output stay in .local-run/local-mode/<job name>/, read back as a job's verdict.
"""

import contextlib
import io
import re
import shutil
import sys
import tarfile
from dataclasses import dataclass

from tools import compose, contract, sdk, sdk_session
from tools.cli import FAILED, UserError
from tools.job_tree import link_or_copy
from tools.project import LOCAL_IMAGE, LOCAL_MODE_DIR
from tools.sdk import FILE_SCHEME
from tools.toolkit_run import LOG_NAME, log_path
from tools.upload import aws_session
from tools.verdict import report_run

OUTPUT = "output"  # every host's /opt/ml/output, merged as in a job's output.tar.gz
KEPT = (contract.MODEL_DIR, OUTPUT)
COLLECTED = "artifacts"  # where the SDK gathers every host's model and output
STAGED_DATA = "data"  # the local channels' files, linked in
# Compose colours its output and starts each container's lines with the host: "algo-1_1  | ".
COLOURS = re.compile(r"\x1b\[[\d;]*m")
HOST_PREFIX = re.compile(r"^\S+\s*\| ?", re.MULTILINE)


@dataclass(frozen=True)
class LocalPlan:
    """Where a local-mode job reads its code and data: folders here (channels may be s3://)."""

    code_uri: str  # file://<the archive, unpacked here>
    channel_uris: dict
    output_uri: None = None  # the model and output stay here
    checkpoint_uri: None = None


def run(request, prepared):
    """Run the job in local mode until it ends; the exit status of its verdict. prepared is
    its code and data folders, checked as for an upload (tools/preflight.py)."""
    image = request.image_uri or LOCAL_IMAGE
    compose_command = compose.find_compose()
    compose.check_engine(image)
    in_s3 = len(prepared.local_files) < len(request.channels)
    # Without a channel in S3 the SDK gets no session: no credentials reach the containers.
    session = (
        sdk_session.sagemaker_session(aws_session(request.region), None, False) if in_s3 else None
    )
    folder = fresh_folder(request.job_name)
    try:
        with compose.compose_project(compose_command, folder, request.job_name):
            plan = stage(prepared, request.channels, folder)
            trainer = sdk.build_trainer(request, plan, session, image, role=None)
            status = train(trainer, request, plan, folder)
    except Exception:
        remove(folder)  # a mistake stopped the job (its message says which): nothing to keep
        raise
    finally:
        if folder.exists():  # also after Ctrl-C: what the job wrote so far
            keep_results(folder)
    if not status and (folder / contract.FAILURE_FILE).exists():
        status = FAILED  # a host's script failed, though another host ended the job first
    return report_run(folder, status, title=request.job_name)


def fresh_folder(job_name):
    folder = LOCAL_MODE_DIR / job_name
    if folder.exists():
        raise UserError(f"job {job_name} already ran here (see {folder}): pass another --job-name")
    folder.mkdir(parents=True)  # the SDK's local mode needs it to exist
    return folder


def stage(prepared, channels, folder):
    """The code unpacked, and each local channel laid out as the files a job is sent."""
    code = folder / contract.CODE_DIR
    with tarfile.open(fileobj=io.BytesIO(prepared.archive), mode="r:gz") as tar:
        tar.extractall(code, filter="data")
    uris = dict(channels)
    for name, files in prepared.local_files.items():
        for path, relative in files:
            link_or_copy(path, folder / STAGED_DATA / name / relative)
        uris[name] = str(folder / STAGED_DATA / name)
    # A bare file:// URI, as the SDK reads it (it mounts that folder at /opt/ml/code).
    return LocalPlan(code_uri=f"{FILE_SCHEME}{code}", channel_uris=uris)


def train(trainer, request, plan, folder):
    """The SDK's local mode, its output also logged (without compose's host prefixes) for
    the verdict. The exit status: FAILED if compose failed, else that of the container that
    ended the job (compose reports neither: a script's failure comes back as a success)."""
    compose_failed = False
    with (folder / LOG_NAME).open("w") as log, contextlib.redirect_stdout(Tee(sys.stdout, log)):
        try:
            sdk.train_locally(trainer, request, plan, folder)
        except RuntimeError as error:  # the SDK's word for a compose that failed
            print(error)
            compose_failed = True
    return compose.first_exit_status(request.job_name) or (FAILED if compose_failed else 0)


class Tee(io.TextIOBase):
    """Writes to the terminal as it is, and to a log as plain text without host prefixes."""

    def __init__(self, terminal, log):
        self.terminal, self.log = terminal, log

    def write(self, text):
        self.terminal.write(text)
        self.log.write(HOST_PREFIX.sub("", COLOURS.sub("", text)))
        return len(text)

    def flush(self):
        self.terminal.flush()
        self.log.flush()


def keep_results(folder):
    """Leave only the model and the output (with the log) in folder."""
    collected = folder / COLLECTED
    for name in KEPT:
        if (collected / name).is_dir():
            remove(folder / name)
            (collected / name).rename(folder / name)
        (folder / name).mkdir(exist_ok=True)
    if (folder / LOG_NAME).exists():
        (folder / LOG_NAME).replace(log_path(folder))
    for entry in folder.iterdir():
        if entry.name not in KEPT:
            remove(entry)


def remove(path):
    """Delete path; files a rootful Docker left owned by root cost a line saying how."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    except PermissionError as error:
        print(f"launch.py: cannot delete {error.filename}: `sudo rm -rf {path}`", file=sys.stderr)
