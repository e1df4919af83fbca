"""A SageMaker job followed until it ends: each change of its progress printed once, and a
training job's log as it arrives. For CI logs as for terminals: plain lines, no live panel."""

import time

POLL_SECONDS = 30
ENDED = ("Completed", "Failed", "Stopped")


def follow(describe, progress, status_key, new_log_lines=list, sleep=time.sleep):
    """Describe the job until its status_key says it ended, printing progress(description)
    whenever it changes and new_log_lines() as they come; return the last description."""
    shown = None
    while True:
        description = describe()
        for line in new_log_lines():
            print(line, flush=True)
        line = progress(description)
        if line != shown:
            print(line, flush=True)
            shown = line
        if description[status_key] in ENDED:
            return description
        sleep(POLL_SECONDS)


def training_progress(description):
    """'InProgress: Downloading (Downloading input data)': the status, its stage and why (a
    job just created has neither yet)."""
    transitions = description.get("SecondaryStatusTransitions") or [{}]
    why = transitions[-1].get("StatusMessage")
    stage = description.get("SecondaryStatus")
    line = description["TrainingJobStatus"] + (f": {stage}" if stage else "")
    return line + (f" ({why})" if why else "")


def tuning_progress(description):
    """'InProgress: 3 Completed, 2 InProgress': the status and its training jobs'."""
    counters = description.get("TrainingJobStatusCounters", {})
    counts = ", ".join(f"{count} {state}" for state, count in counters.items() if count)
    return f"{description['HyperParameterTuningJobStatus']}: {counts or 'no training jobs yet'}"
