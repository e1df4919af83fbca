"""The project's own settings for the tools: the [tool.launch] table of pyproject.toml."""

import re
import tomllib

from tools import contract
from tools.cli import UserError
from tools.project import PROJECT_DIR

PYPROJECT = PROJECT_DIR / "pyproject.toml"


def launch_settings():
    """The [tool.launch] table, or a UserError naming what is wrong with the file."""
    try:
        with PYPROJECT.open("rb") as file:
            return tomllib.load(file).get("tool", {}).get("launch", {})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UserError(f"cannot read the [tool.launch] settings in {PYPROJECT}: {error}") from None


def metric_definitions():
    """{metric name: regex} from [tool.launch] metrics, each checked as SageMaker checks it."""
    entries = launch_settings().get("metrics", [])
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise UserError(f"[tool.launch] metrics in {PYPROJECT} must be a list of strings")
    return dict(metric_definition(entry) for entry in entries)


def metric_definition(entry):
    """("name", regex) from "name" or "name=regex"."""
    name, separator, regex = entry.partition("=")
    regex = regex if separator else contract.name_value_regex(name)
    if not contract.METRIC_NAME.fullmatch(name):
        raise UserError(f"metric {entry!r} in {PYPROJECT}: a name of 1-255 characters comes first")
    try:
        groups = re.compile(regex).groups
    except re.error as error:
        raise UserError(f"metric {name!r} in {PYPROJECT}: malformed regex ({error})") from None
    if groups != 1 or len(regex) > contract.MAX_METRIC_REGEX:
        raise UserError(
            f"metric {name!r} in {PYPROJECT}: its regex needs exactly one group (the number) and"
            f" at most {contract.MAX_METRIC_REGEX} characters"
        )
    return name, regex


def hyperparameter_parser(entry_point):
    """'module:function' that parses entry_point's command line, from [tool.launch]
    hyperparameter-parsers, or None."""
    parsers = launch_settings().get("hyperparameter-parsers", {})
    if not isinstance(parsers, dict) or not all(isinstance(v, str) for v in parsers.values()):
        raise UserError(
            f"[tool.launch] hyperparameter-parsers in {PYPROJECT} must map scripts to"
            " 'module:function'"
        )
    return parsers.get(entry_point)
