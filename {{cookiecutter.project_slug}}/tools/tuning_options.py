"""launch.py's tuning options: hyperparameter ranges to search, the objective, the limits.

Given --tune, launch.py starts a hyperparameter tuning job over the same trainer instead of
one training job. A range is written

    NAME=LOW:HIGH               continuous, searched on a linear scale
    NAME=LOW:HIGH:log           continuous, logarithmic (LOW above 0)
    NAME=LOW:HIGH:reverse-log   continuous, reverse logarithmic (0 <= LOW < HIGH < 1)
    NAME=LOW:HIGH:int           whole numbers (:int:log for a logarithmic scale)
    NAME=A,B,C                  one of these values

and each is checked here, before anything is uploaded.
"""

import argparse
import math
from dataclasses import dataclass

from tools import contract
from tools.cli import HYPERPARAMETER_KEY, UserError, positive
from tools.settings import metric_definitions

CONTINUOUS, INTEGER, CATEGORICAL = "Continuous", "Integer", "Categorical"
SCALES = {"": "Linear", "log": "Logarithmic", "reverse-log": "ReverseLogarithmic"}
MINIMIZE, MAXIMIZE = "Minimize", "Maximize"
# How an objective's name says which way is better, when --objective-type does not.
LOWER_IS_BETTER = ("loss", "error", "rmse", "mse", "mae")
HIGHER_IS_BETTER = ("accuracy", "auc", "f1", "precision", "recall", "r2")
EARLY_STOPPING = ("Off", "Auto")
WARM_START = "TransferLearning"  # the parents' data and image may differ from this job's
MAX_RANGES = 30  # SageMaker's limit on ranges, and on values in a categorical one


@dataclass(frozen=True)
class Range:
    """One hyperparameter's search space."""

    name: str
    kind: str
    low: float | int | None = None
    high: float | int | None = None
    scale: str = SCALES[""]
    values: tuple = ()

    def probes(self):
        """The values the script's own parser is asked about: both bounds, or every value."""
        return self.values if self.kind == CATEGORICAL else (self.low, self.high)


def tuning_range(text):
    """An argparse type: a Range from NAME=... (see the module docstring)."""
    name, separator, space = text.partition("=")
    if not separator or not HYPERPARAMETER_KEY.fullmatch(name):
        raise argparse.ArgumentTypeError(f"malformed range {text!r} (expected NAME=LOW:HIGH)")
    if name.startswith(contract.RESERVED_PREFIX):
        raise argparse.ArgumentTypeError(f"{name} is reserved for the launcher and the toolkit")
    try:
        return categorical(name, space) if ":" not in space else bounded(name, space)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--tune {text}: {error}") from None


def categorical(name, space):
    values = tuple(space.split(","))
    if not all(values) or len(set(values)) != len(values) or len(values) > MAX_RANGES:
        raise ValueError(f"expected 1-{MAX_RANGES} distinct values separated by ','")
    return Range(name, CATEGORICAL, values=values)


def bounded(name, space):
    low, high, *options = space.split(":")
    kind = INTEGER if "int" in options else CONTINUOUS
    scale = [option for option in options if option != "int"]
    if options.count("int") > 1 or len(scale) > 1 or (scale and scale[0] not in SCALES):
        raise ValueError(f"expected LOW:HIGH[:int][:{'|:'.join(s for s in SCALES if s)}]")
    number = int if kind == INTEGER else float
    low, high = number(low), number(high)  # ValueError names the bad bound
    scale = SCALES[scale[0] if scale else ""]
    check_bounds(low, high, scale, kind)
    return Range(name, kind, low, high, scale)


def check_bounds(low, high, scale, kind):
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise ValueError("LOW must be a finite number below HIGH")
    if scale == SCALES["log"] and low <= 0:
        raise ValueError("a logarithmic scale needs LOW above 0")
    if scale == SCALES["reverse-log"] and (kind == INTEGER or low < 0 or high >= 1):
        raise ValueError("a reverse logarithmic scale needs 0 <= LOW < HIGH < 1, not whole numbers")


@dataclass(frozen=True)
class TuningSettings:
    """A hyperparameter tuning job: what to search, for what, and how many jobs it may run."""

    ranges: tuple
    objective: str
    objective_type: str
    max_jobs: int = 10
    max_parallel_jobs: int = 1
    early_stopping: str = EARLY_STOPPING[0]
    warm_start_from: tuple = ()  # earlier tuning jobs whose results it starts from

    def __post_init__(self):
        if self.max_parallel_jobs > self.max_jobs:
            raise UserError("--max-parallel-jobs cannot be above --max-jobs")
        for parent in self.warm_start_from:
            if not contract.TUNING_JOB_NAME.fullmatch(parent):
                raise UserError(f"malformed tuning job name: {parent!r}")


def add_options(parser):
    tuning = parser.add_argument_group(
        "tuning", "with --tune: a hyperparameter tuning job over the same trainer instead of a job"
    )
    tuning.add_argument(
        "--tune", type=tuning_range, action="append", default=[], metavar="RANGE",
        help="a range to search (repeatable): NAME=LOW:HIGH[:int][:log|:reverse-log] or NAME=A,B",
    )  # fmt: skip
    tuning.add_argument("--objective", metavar="METRIC", help="the metric to optimise")
    tuning.add_argument(
        "--objective-type", choices=(MINIMIZE, MAXIMIZE),
        help="default: Minimize for a loss or an error, Maximize for an accuracy-like name",
    )  # fmt: skip
    tuning.add_argument("--max-jobs", type=positive, metavar="N", help="default: 10")
    tuning.add_argument("--max-parallel-jobs", type=positive, metavar="N", help="default: 1")
    tuning.add_argument("--early-stopping", choices=EARLY_STOPPING, help="default: Off")
    tuning.add_argument(
        "--warm-start", action="append", default=[], metavar="TUNING_JOB",
        help="start from what an earlier tuning job learned (repeatable)",
    )  # fmt: skip


TUNING_ONLY = ("objective", "objective_type", "max_jobs", "max_parallel_jobs", "early_stopping")


def settings(options):
    """TuningSettings from the parsed options, or None without --tune."""
    if not options.tune:
        given = [name for name in TUNING_ONLY if getattr(options, name) is not None]
        if given or options.warm_start:
            shown = "--" + (given or ["warm_start"])[0].replace("_", "-")
            raise UserError(f"{shown} applies to tuning: add --tune NAME=LOW:HIGH")
        return None
    check_names(options)
    defaults = TuningSettings((), "", MINIMIZE)
    return TuningSettings(
        ranges=tuple(options.tune),
        objective=options.objective,
        objective_type=options.objective_type or objective_type(options.objective),
        max_jobs=options.max_jobs or defaults.max_jobs,
        max_parallel_jobs=options.max_parallel_jobs or defaults.max_parallel_jobs,
        early_stopping=options.early_stopping or defaults.early_stopping,
        warm_start_from=tuple(options.warm_start),
    )


def check_names(options):
    """The objective is one of the project's metrics; each hyperparameter is tuned once and
    not also given a fixed value."""
    defined = metric_definitions()
    listed = ", ".join(defined) or "none"
    if not options.objective:
        raise UserError(f"--tune needs --objective, one of the project's metrics ({listed})")
    if options.objective not in defined:
        raise UserError(
            f"--objective {options.objective} is not one of the project's metrics ({listed}):"
            " name one, or define it in pyproject.toml [tool.launch] metrics"
        )
    names = [item.name for item in options.tune]
    twice = sorted({name for name in names if names.count(name) > 1})
    fixed = sorted(set(names) & set(dict(options.hyperparameter)))
    if twice or fixed:
        raise UserError(f"{(twice or fixed)[0]} is tuned twice, or tuned and also fixed")
    if len(names) > MAX_RANGES:
        raise UserError(f"a tuning job searches at most {MAX_RANGES} hyperparameters")


def objective_type(metric):
    """Minimize for a loss or an error, Maximize for an accuracy-like metric."""
    words = metric.lower()
    if any(word in words for word in LOWER_IS_BETTER):
        return MINIMIZE
    if any(word in words for word in HIGHER_IS_BETTER):
        return MAXIMIZE
    raise UserError(f"is {metric} better high or low? pass --objective-type Minimize or Maximize")
