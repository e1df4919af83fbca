"""The SDK's HyperparameterTuner over a job's trainer, and its CreateHyperParameterTuningJob
request (with tools/sdk.py, the only modules that import the SageMaker Python SDK)."""

from sagemaker.core.apiutils._boto_functions import to_pascal_case
from sagemaker.core.parameter import CategoricalParameter, ContinuousParameter, IntegerParameter
from sagemaker.core.shapes import (
    HyperParameterTuningJobWarmStartConfig,
    ParentHyperParameterTuningJob,
)
from sagemaker.core.utils.utils import serialize
from sagemaker.train.tuner import HyperparameterTuner

from tools import sdk
from tools.settings import metric_definitions
from tools.tuning_options import CATEGORICAL, INTEGER, WARM_START


def parameter_range(item):
    """A tools.tuning_options.Range as the SDK's ParameterRange."""
    if item.kind == CATEGORICAL:
        return CategoricalParameter(list(item.values))
    kind = IntegerParameter if item.kind == INTEGER else ContinuousParameter
    return kind(item.low, item.high, scaling_type=item.scale)


def build_tuner(trainer, tuning):
    """The tuner for TuningSettings: every trial is a job of trainer's, ranges aside."""
    warm_start = tuning.warm_start_from and HyperParameterTuningJobWarmStartConfig(
        parent_hyper_parameter_tuning_jobs=[
            ParentHyperParameterTuningJob(hyper_parameter_tuning_job_name=name)
            for name in tuning.warm_start_from
        ],
        warm_start_type=WARM_START,
    )
    return HyperparameterTuner(
        model_trainer=trainer,
        objective_metric_name=tuning.objective,
        objective_type=tuning.objective_type,
        hyperparameter_ranges={item.name: parameter_range(item) for item in tuning.ranges},
        metric_definitions=[
            {"Name": name, "Regex": regex} for name, regex in metric_definitions().items()
        ],
        max_jobs=tuning.max_jobs,
        max_parallel_jobs=tuning.max_parallel_jobs,
        early_stopping_type=tuning.early_stopping,
        warm_start_config=warm_start or None,
    )


def create_request(tuner, request, plan):
    """The CreateHyperParameterTuningJob request, as the SDK would send it, under our name.

    Like sdk.create_request, it uses the SDK's private builders: HyperparameterTuner has no
    public way to build the request without sending it. The tuning tests guard them: the
    printed request must equal the one moto receives.
    """
    tuner._prepare_model_trainer_for_tuning(tuner.model_trainer)
    tuner._prepare_for_tuning(job_name=request.job_name)
    parts = {
        "hyper_parameter_tuning_job_name": request.job_name,
        "hyper_parameter_tuning_job_config": tuner._build_tuning_job_config(),
        "training_job_definition": tuner._build_training_job_definition(
            sdk.input_channels(request, plan)
        ),
        "warm_start_config": tuner.warm_start_config,
    }
    return serialize({to_pascal_case(key): value for key, value in parts.items() if value})
