"""The learning curve: every metric the job's log reports, in order, as a picture.

The log is read with the project's metric definitions ([tool.launch] metrics), the very
regexes SageMaker scrapes a job's log with, so a local run and a SageMaker job draw the same
curve. Local runs draw it next to their metrics; for a SageMaker job,

    python -m tools.learning_curve JOB_NAME        # make learning-curve JOB=JOB_NAME

reads the job's log from CloudWatch Logs. The plotted numbers ride along in the PNG's
Description, as JSON. matplotlib is in the dev group only: the training image never has it.
"""

import json
import re
import sys

from tools import cli, contract
from tools.project import LOCAL_RUN_DIR, default_region
from tools.settings import metric_definitions

PICTURE = "learning-curve.png"
JOBS_DIR = LOCAL_RUN_DIR / "jobs"  # a SageMaker job's picture: jobs/<job>/learning-curve.png


def metric_history(lines):
    """{metric: [values, in the order the log reports them]} for every defined metric found."""
    patterns = {name: re.compile(regex) for name, regex in metric_definitions().items()}
    history = {}
    for line in lines:
        for name, pattern in patterns.items():
            for found in pattern.finditer(line):
                history.setdefault(name, []).append(float(found.group(1)))
    return history


def draw(history, path, title):
    """One panel per metric, each report a point; the numbers go in the PNG too. Returns
    path, or None when there is nothing to draw."""
    if not history:
        return None
    try:
        import matplotlib  # only when drawing: it is slow to import
    except ImportError:
        print("learning curve not drawn: matplotlib is missing (make setup)", file=sys.stderr)
        return None

    matplotlib.use("Agg")  # no display needed
    from matplotlib import pyplot, ticker

    size = (7, 1 + 2.2 * len(history))
    figure, axes = pyplot.subplots(len(history), 1, sharex=True, squeeze=False, figsize=size)
    for panel, (name, values) in zip(axes[:, 0], history.items(), strict=True):
        panel.plot(range(1, len(values) + 1), values, marker="o")
        panel.set_ylabel(name)
        panel.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("report (one per epoch, from the sample trainer)")
    axes[-1, 0].xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100, metadata={"Title": title, "Description": json.dumps(history)})
    pyplot.close(figure)
    return path


def draw_from_log(log, folder, title):
    """The curve of a local run's log, drawn into folder; its path, or None."""
    if not log.exists():
        return None
    history = metric_history(log.read_text(errors="replace").splitlines())
    return draw(history, folder / PICTURE, title)


def job_log_lines(logs, job_name):
    """Every line of a SageMaker job's log, host by host (CloudWatch Logs, via boto3)."""
    prefix = {"logGroupName": contract.JOB_LOG_GROUP, "logStreamNamePrefix": f"{job_name}/"}
    pages = logs.get_paginator("describe_log_streams").paginate(**prefix)
    streams = sorted(stream["logStreamName"] for page in pages for stream in page["logStreams"])
    for stream in streams:
        events = logs.get_paginator("filter_log_events").paginate(
            logGroupName=contract.JOB_LOG_GROUP, logStreamNames=[stream]
        )
        for page in events:
            yield from (event["message"] for event in page["events"])


def main(argv=None):
    parser = cli.OneLineParser(
        prog="python -m tools.learning_curve", description="Draw a SageMaker job's curve."
    )
    parser.add_argument("job_name", type=cli.checked(contract.JOB_NAME, "job name"))
    parser.add_argument("--region", default=default_region(), help="default: %(default)s")
    options = parser.parse_args(argv)
    return cli.run("learning_curve", lambda: draw_job(options.job_name, options.region))


def draw_job(job_name, region):
    from tools.upload import aws_session  # boto3: only for a SageMaker job

    logs = aws_session(region).client("logs")
    history = metric_history(job_log_lines(logs, job_name))
    folder = JOBS_DIR / job_name
    folder.mkdir(parents=True, exist_ok=True)
    path = draw(history, folder / PICTURE, job_name)
    if path is None:
        raise cli.UserError(f"the log of {job_name} reports none of the project's metrics")
    print(f"Curve:   {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
