"""launch.py's data options: the job's channels and how each is spread over the hosts."""

import argparse
from pathlib import Path

from tools import contract
from tools.cli import UserError, checked
from tools.project import DATA_FOLDER


def data_location(value):
    """An argparse type: an s3:// URI or a local folder (uploaded by the launcher)."""
    if not value:  # Path("") is the current folder: the whole project would be uploaded
        raise argparse.ArgumentTypeError("expected an s3:// URI or a folder, got nothing")
    if value.startswith("s3://"):
        return checked(contract.S3_URI, "S3 URI (expected s3://bucket/key)")(value)
    if not Path(value).is_dir():
        raise argparse.ArgumentTypeError(
            f"{value} is neither an s3:// URI nor a folder (`make data` writes the sample set)"
        )
    return value


def add_data_options(parser):
    data = parser.add_argument_group(
        "data",
        f"every folder in {DATA_FOLDER}/ is a channel of its name, unless channels are named",
    )
    data.add_argument(
        "--channel",
        type=channel,
        action="append",
        default=[],
        metavar="NAME=LOCATION",
        help="a channel from an s3:// URI or a folder (repeatable); the script reads it from"
        " SM_CHANNEL_<NAME>",
    )
    data.add_argument(
        "--train", type=data_location, metavar="LOCATION", help="short for --channel train=..."
    )
    validation = data.add_mutually_exclusive_group()
    validation.add_argument(
        "--validation",
        type=data_location,
        metavar="LOCATION",
        help="short for --channel validation=...",
    )
    validation.add_argument(
        "--no-validation",
        action="store_true",
        help=f"leave out the validation channel of {DATA_FOLDER}/",
    )
    data.add_argument(
        "--distribution",
        type=distribution,
        action="append",
        default=[],
        metavar="NAME=TYPE",
        help=f"how a channel's files reach the hosts: {' or '.join(contract.DISTRIBUTIONS)}"
        " (default: train sharded over several hosts, the rest replicated)",
    )


def channel(text):
    """An argparse type: NAME=LOCATION as (name, location)."""
    name, separator, location = text.partition("=")
    if not separator:
        raise argparse.ArgumentTypeError(f"malformed channel {text!r} (expected NAME=LOCATION)")
    return channel_name(name), data_location(location)


def distribution(text):
    """An argparse type: NAME=TYPE as (name, S3DistributionType)."""
    name, _, kind = text.partition("=")
    if kind not in contract.DISTRIBUTIONS:
        raise argparse.ArgumentTypeError(
            f"malformed distribution {text!r} (expected NAME={'|'.join(contract.DISTRIBUTIONS)})"
        )
    return channel_name(name), kind


def channel_name(name):
    if not contract.CHANNEL_NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(
            f"channel name {name!r} is not 1-64 letters, digits, '.', '_' or '-' (SageMaker's rule)"
        )
    return name


def channels(options):
    """{name: location}: the channels named on the command line, else every folder in data/."""
    named = dict(options.channel)
    for name in ("train", "validation"):
        if getattr(options, name):
            named[name] = getattr(options, name)
    if not named:
        named = {folder.name: str(folder) for folder in data_folders()}
    if options.no_validation:
        named.pop("validation", None)
    if not named:
        raise UserError(
            f"no channels: {DATA_FOLDER}/ has no folders (`make data` writes the sample set);"
            " pass --channel NAME=LOCATION"
        )
    return named


def data_folders():
    """The folders in data/ (relative, as --help shows them), checked as channel names."""
    root = Path(DATA_FOLDER)
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    for folder in folders:
        if not contract.CHANNEL_NAME.fullmatch(folder.name):
            raise UserError(f"{folder} cannot be a channel: its name breaks SageMaker's rule")
    return folders
