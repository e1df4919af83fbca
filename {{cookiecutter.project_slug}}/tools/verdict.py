"""A finished run read back from its /opt/ml tree: the toolkit's verdict, and what it left.

Success is the toolkit's exit status 0, whatever the script wrote. A failure is explained by
the script's own one-line reason (output/failure) when it wrote one, else by the exceptions
of its traceback (the first of a chain too: often the real cause), else by the log's end.
"""

import json
import re
import sys

from tools import contract, learning_curve
from tools.cli import FAILED
from tools.toolkit_run import log_path

# The toolkit's own report of a failed script follows the script's last words in the log.
TOOLKIT_FAILURE_REPORT = "sagemaker-training-toolkit ERROR"
LAST_WORDS = 3  # lines of the log shown when nothing else explains the failure
TRACEBACK = "Traceback (most recent call last):"
CHAINED = ("The above exception was the direct cause", "During handling of the above exception")
EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(: .*)?")
FRAME = 'File "'  # a traceback's frame line starts so
LISTED_FILES = 5  # of the model and output folders, in the summary


def report_run(tree, returncode, title="local run"):
    """Draw the learning curve, then say where the results are, or why the run failed;
    return the exit status."""
    curve = learning_curve.draw_from_log(log_path(tree), tree / contract.OUTPUT_DATA_DIR, title)
    if returncode == 0:
        summarize(tree, curve)
        return 0
    headline, details = explanation(tree, returncode)
    print(f"Training failed{headline}", file=sys.stderr)
    for line in details:
        print(f"    {line}", file=sys.stderr)
    print(f"The whole log: {log_path(tree)}", file=sys.stderr)
    return FAILED


def summarize(tree, curve):
    model, output = tree / contract.MODEL_DIR, tree / contract.OUTPUT_DATA_DIR
    print("Training succeeded.")
    print(f"Model:   {model}{listing(model)}")
    print(f"Output:  {output}{listing(output)}")
    metrics = output / "metrics.json"
    if metrics.is_file():
        print(f"Metrics: {metrics}")
        for name, value in numeric_metrics(metrics).items():
            print(f"  {name}={value:.6g}")
    if curve:
        print(f"Curve:   {curve}")


def listing(folder):
    """' (a, b, ...)': the first files in folder, or ' (empty)'."""
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    if not names:
        return " (empty)"
    more = f", and {len(names) - LISTED_FILES} more" if len(names) > LISTED_FILES else ""
    return f" ({', '.join(names[:LISTED_FILES])}{more})"


def numeric_metrics(path):
    """{name: number} from a metrics.json of name-value pairs; {} for anything else."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def explanation(tree, returncode):
    """(the rest of the headline, the lines under it) that say why the run failed."""
    failure = tree / contract.FAILURE_FILE
    lines = failure.read_text(errors="replace").strip().splitlines() if failure.exists() else []
    if len(lines) == 1:  # the script's own reason (the toolkit's report has several lines)
        return f": {lines[0]}", []
    before_report = script_log(log_path(tree))
    errors = chained_exceptions(before_report)
    if errors:
        return f": {errors[-1]}", [f"caused by: {error}" for error in reversed(errors[:-1])]
    last = [line for line in before_report if line.strip()][-LAST_WORDS:]
    return f" (exit status {returncode}); the log ends with:", last


def script_log(log):
    """The log's lines before the toolkit's failure report."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    ends = [i for i, line in enumerate(lines) if TOOLKIT_FAILURE_REPORT in line]
    return lines[: ends[0]] if ends else lines


def chained_exceptions(lines):
    """The exception lines of the last traceback and of those chained to it, first first."""
    errors, chained = [], True
    for i, line in enumerate(lines):
        if line.startswith(TRACEBACK):
            errors = errors if chained else []
            errors.append(exception_after(lines, i + 1))
            chained = False
        elif line.startswith(CHAINED):
            chained = True
    return [error for error in errors if error]


def exception_after(lines, start):
    """The first line after a traceback's frames: its exception. Frames are indented, or
    (where a driver stripped the indents, as the SDK's framework driver does) a `File "..."`
    line and the source line under it, with any ^^^ markers."""
    source_next = False
    for line in lines[start:]:
        if line.lstrip().startswith(FRAME):
            source_next = True
        elif source_next or not line.strip("^~ ") or line.startswith(" "):
            source_next = False
        else:
            return line if EXCEPTION_LINE.fullmatch(line) else None
    return None
