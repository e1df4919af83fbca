"""During a mutation run, `python .../launch.py ...` started by a test runs in a fork of the
test's own process rather than a new Python: the same launch.py and tools/ of the project
copy, with the SageMaker SDK already imported (the plugin imports it once, before mutmut forks
its workers). A dry run then takes a fraction of a second instead of the SDK's 4 s import,
which every surviving mutant of the launcher's modules would pay several times over.

What the child resets so it behaves as a fresh process would: the working folder, the
environment, argv, stdin/stdout/stderr (to files the parent reads back), the `tools` package
(imported afresh from the copy), logging's handlers and warnings' filters (pytest's, in the
parent, would swallow what launch.py prints). Anything else goes to the real subprocess.run.
"""

import importlib
import io
import json
import logging
import os
import runpy
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

REAL_RUN = subprocess.run
# The warnings set-up of a fresh Python (as this module is imported, before any test's).
FRESH_WARNING_FILTERS = list(warnings.filters)
FRESH_SHOW_WARNING = warnings._showwarnmsg_impl
SUPPORTED = {"cwd", "env", "capture_output", "text", "timeout", "check"}
# What launch.py's tools import from the SDK (tools/sdk.py, sdk_session.py, sdk_tuning.py).
SDK_MODULES = [
    "sagemaker.train.model_trainer",
    "sagemaker.train.local.local_container",
    "sagemaker.train.tuner",
    "sagemaker.core.helper.session_helper",
    "sagemaker.core.config.config_manager",
]


def import_the_sdk():
    """Import the SDK here, once, so each fork of this process starts with it."""
    for module in SDK_MODULES:
        importlib.import_module(module)


def run(command, *args, **kwargs):
    """subprocess.run, with launch.py run in a fork."""
    if args or set(kwargs) - SUPPORTED or not kwargs.get("capture_output") or not is_launch(command):
        return REAL_RUN(command, *args, **kwargs)
    returncode, stdout, stderr = forked(command, kwargs.get("cwd"), kwargs.get("env"), kwargs.get("timeout"))
    if kwargs.get("text"):
        stdout, stderr = stdout.decode(), stderr.decode()
    if kwargs.get("check") and returncode:
        raise subprocess.CalledProcessError(returncode, command, stdout, stderr)
    return subprocess.CompletedProcess(command, returncode, stdout, stderr)


def is_launch(command):
    """Whether command is `python .../launch.py ...`, with the Python running the tests."""
    if not isinstance(command, list) or len(command) < 2:
        return False
    return command[0] == sys.executable and str(command[1]).endswith("launch.py")


def forked(command, cwd, env, timeout):
    """(exit status, stdout, stderr) of the command, run in a forked child."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        pid = os.fork()
        if pid == 0:
            os._exit(child(command, cwd, env, stdout.fileno(), stderr.fileno()))
        returncode = wait(pid, command, timeout)
        stdout.seek(0)
        stderr.seek(0)
        return returncode, stdout.read(), stderr.read()


def wait(pid, command, timeout):
    """The child's exit status; killed, and TimeoutExpired raised, past timeout seconds."""
    deadline = time.monotonic() + timeout if timeout else None
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if deadline and time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise subprocess.TimeoutExpired(command, timeout)
        time.sleep(0.01)


def child(command, cwd, env, stdout_fd, stderr_fd):
    """Run the script as __main__ in this (forked) process; its exit status."""
    status = 1
    try:
        fresh_process(command, cwd, env, stdout_fd, stderr_fd)
        runpy.run_path(str(command[1]), run_name="__main__")
        status = 0
    except SystemExit as exit:
        status = exit_status(exit.code)
    except BaseException:  # as Python reports an uncaught exception, and exits with 1
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        hand_over_hits()
    return status


def fresh_process(command, cwd, env, stdout_fd, stderr_fd):
    """This process made to look new to the script (see the module docstring)."""
    if cwd:
        os.chdir(cwd)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(stdout_fd, 1)
    os.dup2(stderr_fd, 2)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, closefd=False))
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False))
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), errors="backslashreplace", line_buffering=True)
    sys.argv = [str(command[1]), *map(str, command[2:])]
    sys.path[0] = str(Path(cwd or ".", command[1]).resolve().parent)
    for name in [name for name in sys.modules if name == "tools" or name.startswith("tools.")]:
        del sys.modules[name]
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    for logger in [root, *logging.Logger.manager.loggerDict.values()]:
        for handler in getattr(logger, "handlers", []):
            if type(handler) is logging.StreamHandler:
                handler.setStream(sys.stderr)
    warnings.filters[:] = FRESH_WARNING_FILTERS
    warnings._showwarnmsg_impl = FRESH_SHOW_WARNING


def exit_status(code):
    """The exit status Python gives sys.exit(code), printing a message code as it does."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def hand_over_hits():
    """While mutmut records which tests reach which functions, the calls made here count for
    the test that started the script, as a subprocess's do (sitecustomize.py)."""
    folder = os.environ.get("MUTMUT_HITS_DIR")
    if os.environ.get("MUTANT_UNDER_TEST") != "stats" or not folder:
        return
    from mutmut.state import state

    (Path(folder) / f"{os.getpid()}.json").write_text(json.dumps(sorted(state()._stats)))
