"""The entry point's own hyperparameter parser, asked before anything is sent.

pyproject.toml's [tool.launch] hyperparameter-parsers names, for an entry point, the function
that reads its command line (the sample's: hyperparameters:parse_args). launch.py hands it
each set of hyperparameters a job could get, as the toolkit would pass them: the fixed ones,
and with --tune each range's bounds and values. A name the script does not know, or a value
it refuses, then costs one line here instead of a failed job or a tuning job of failed trials.
"""

import json
import subprocess
import sys

from tools.cli import UserError
from tools.settings import hyperparameter_parser

# Run in a process of its own: the script's modules must not mix with the tools'.
PROBE = """
import importlib, json, sys
from sagemaker_training.mapping import to_cmd_args

sys.path.insert(0, sys.argv[1])
module, _, function = sys.argv[2].partition(":")
try:
    parse = getattr(importlib.import_module(module), function)
except (ImportError, AttributeError) as error:
    sys.exit(f"cannot load it: {error}")
for hyperparameters in json.loads(sys.argv[3]):
    argv = [str(item) for item in to_cmd_args(hyperparameters)]
    try:
        parse(argv)
    except (Exception, SystemExit) as error:  # argparse exits; the sample raises
        sys.exit(f"{' '.join(argv)}: {error}")
"""


class Probe:
    """The parser asked in a process of its own (started at once, so it runs while the SDK
    loads); check() waits for its answer."""

    def __init__(self, request):
        self.entry_point = request.entry_point
        self.parser = hyperparameter_parser(request.entry_point)
        asked = json.dumps(candidates(request))
        command = [sys.executable, "-c", PROBE, str(request.source_dir), str(self.parser), asked]
        self.process = self.parser and subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )

    def check(self):
        """Refuse, in one line, hyperparameters the entry point's parser refuses."""
        if not self.process:
            return
        _, errors = self.process.communicate(timeout=120)
        if self.process.returncode != 0:
            said = (errors.strip().splitlines() or ["it exited with an error"])[-1]
            raise UserError(f"{self.entry_point}'s parser ({self.parser}) refuses: {said}")

    def __enter__(self):
        return self

    def __exit__(self, *_):
        if self.process and self.process.poll() is None:  # left early: a mistake, or Ctrl-C
            self.process.kill()
            self.process.wait()


def candidates(request):
    """The hyperparameters of every job the request could start, as the toolkit reads them."""
    fixed = request.hyperparameters
    if not request.tuning:
        return [fixed]
    ranges = request.tuning.ranges
    return [fixed | {item.name: toolkit_value(value)} for item in ranges for value in item.probes()]


def toolkit_value(value):
    """A tuned value as the toolkit sees it: SageMaker sends text, the toolkit decodes JSON."""
    try:
        return json.loads(str(value))
    except json.JSONDecodeError:
        return str(value)
