"""A hyperparameter tuning job started, followed until it ends (tools/follow.py), and its
best training job reported."""

import sys

from tools.cli import FAILED, INTERRUPTED
from tools.follow import follow, tuning_progress

KEY = "HyperParameterTuningJobName"  # in the API's requests and answers
NAME_OPTION = "--hyper-parameter-tuning-job-name"


def start(client, job, request, output_uri):
    """Send the CreateHyperParameterTuningJob request; follow the job unless told not to."""
    name = request.job_name
    client.create_hyper_parameter_tuning_job(**job)
    limits = job["HyperParameterTuningJobConfig"]["ResourceLimits"]
    print(
        f"Started tuning job {name}: up to {limits['MaxNumberOfTrainingJobs']} training jobs,"
        f" {limits['MaxParallelTrainingJobs']} at a time"
    )
    follow_up = f"aws sagemaker describe-hyper-parameter-tuning-job {NAME_OPTION} {name}"
    if not request.wait:
        print(f"Follow it: {follow_up}")
        return 0
    try:
        description = follow(
            lambda: client.describe_hyper_parameter_tuning_job(**{KEY: name}),
            tuning_progress,
            "HyperParameterTuningJobStatus",
        )
    except KeyboardInterrupt:
        print(f"launch.py: stopped watching; {name} goes on ({follow_up})", file=sys.stderr)
        return INTERRUPTED
    return report(description, output_uri)


def report(description, output_uri):
    """Print the best training job (its objective, hyperparameters and model); 0 if the
    tuning job completed, else FAILED."""
    name, status = description[KEY], description["HyperParameterTuningJobStatus"]
    best = description.get("BestTrainingJob")
    if best:
        metric = best["FinalHyperParameterTuningJobObjectiveMetric"]
        print(f"Best training job: {best['TrainingJobName']}")
        print(f"  {metric['MetricName']}={metric['Value']:.6g}")
        for key, value in sorted(best.get("TunedHyperParameters", {}).items()):
            print(f"  {key}={value}")
        # SageMaker's layout: <output path>/<training job>/output/model.tar.gz
        print(f"  model: {output_uri.rstrip('/')}/{best['TrainingJobName']}/output/model.tar.gz")
    if status == "Completed":
        print(f"Tuning job {name} Completed")
        return 0
    reason = description.get("FailureReason") or "no reason given"
    print(f"launch.py: tuning job {name} {status}: {reason}", file=sys.stderr)
    return FAILED
