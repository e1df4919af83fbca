"""The /opt/ml tree SageMaker mounts in a training container, built on this machine.

The config JSONs as SageMaker writes them, a folder per channel (this host's share of it),
and the code as the sourcedir.tar.gz the toolkit unpacks: what local_run.py runs the toolkit
on, and what `make train-container` mounts into the image.
"""

import json
import os
import shutil
from pathlib import Path, PurePosixPath

from tools import contract, egress, sourcedir
from tools.cli import UserError
from tools.project import BASE_JOB_NAME, DEFAULT_INSTANCE_TYPE, DEFAULT_REGION, SOURCE_DIR

LOCAL_JOB_NAME = f"{BASE_JOB_NAME}-local"
# Folders SageMaker creates empty for the job to write into.
WRITTEN_BY_THE_JOB = (
    contract.CODE_DIR,
    contract.MODEL_DIR,
    contract.OUTPUT_DATA_DIR,
    contract.CHECKPOINT_DIR,
)


def prepare_job_tree(
    data,
    work,
    hyperparameters=None,
    entry_point=contract.ENTRY_POINT,
    job_base_dir=None,
    hosts=(contract.FIRST_HOST,),
    current_host=contract.FIRST_HOST,
    distribution=contract.FULLY_REPLICATED,
    source_dir=SOURCE_DIR,
):
    """Build a fresh /opt/ml tree at WORK/opt/ml for one host and return its path.

    Every folder in DATA becomes a channel of that name (train/, validation/, ...).
    hyperparameters are the job's own (epochs, ...); entry_point is the script the toolkit
    runs, in source_dir; job_base_dir is where the tree will be mounted when the job runs
    (default: where it is); distribution is every channel's S3DistributionType, or a
    {channel: type} mapping, as launch.py shards only train.
    """
    data, tree = Path(data), Path(work).resolve() / "opt" / "ml"
    if not data.is_dir():
        raise UserError(f"data folder {data} does not exist (`make data` writes sample data)")
    distributions = channel_distributions(channel_folders(data), distribution)
    # Everything is read first: a mistake here (an unreadable file) deletes and writes nothing.
    placement = (list(hosts), current_host)
    channels = {
        channel: (data / channel, host_share(readable_files(data / channel), *placement, share))
        for channel, share in distributions.items()
    }
    archive = sourcedir.pack(source_dir, entry_point)
    clear_tree(tree)
    mounted_at = PurePosixPath(job_base_dir) if job_base_dir else PurePosixPath(tree)
    reserved = contract.toolkit_hyperparameters(
        entry_point, str(mounted_at / contract.ARCHIVE_NAME), DEFAULT_REGION, LOCAL_JOB_NAME
    )
    config = (reserved | (hyperparameters or {}), placement, distributions)
    write_tree(tree, archive, channels, config)
    return tree


def write_tree(tree, archive, channels, config):
    """The archive, each channel's files ({channel: (source folder, files)}) and the config;
    a tree that fails half-way (a disk that filled up) is removed, not left half-built."""
    try:
        (tree / contract.CONFIG_DIR).mkdir(parents=True)  # first: a half-built tree is one
        (tree / contract.ARCHIVE_NAME).write_bytes(archive)
        for channel, (source, files) in channels.items():
            fill_channel(source, files, tree / contract.CHANNELS_DIR / channel)
        write_config(tree, *config)
    except OSError:
        shutil.rmtree(tree, ignore_errors=True)
        raise


def write_config(tree, hyperparameters, placement, distributions):
    """The three config JSONs (the hyperparameters encoded as SageMaker stores them, this
    host's place among the hosts, the channels) and the folders the job writes into."""
    config = tree / contract.CONFIG_DIR
    write_json(contract.encode_hyperparameters(hyperparameters), config / "hyperparameters.json")
    write_json(resource_config(*placement), config / "resourceconfig.json")
    write_json(input_data_config(distributions), config / "inputdataconfig.json")
    for folder in WRITTEN_BY_THE_JOB:
        (tree / folder).mkdir(parents=True)


def resource_config(hosts, current_host):
    """resourceconfig.json as SageMaker writes it on each host."""
    return {
        "current_host": current_host,
        "current_instance_type": DEFAULT_INSTANCE_TYPE,
        "current_group_name": contract.CURRENT_GROUP,
        "hosts": list(hosts),
        "instance_groups": [
            {
                "instance_group_name": contract.CURRENT_GROUP,
                "instance_type": DEFAULT_INSTANCE_TYPE,
                "hosts": list(hosts),
            }
        ],
        "network_interface_name": contract.CONTAINER_NETWORK_INTERFACE,
    }


def input_data_config(distributions):
    """inputdataconfig.json as SageMaker writes it: one entry per channel."""
    return {
        channel: {
            "ContentType": "text/csv",
            "TrainingInputMode": "File",
            "S3DistributionType": distribution,
            "RecordWrapperType": "None",
        }
        for channel, distribution in distributions.items()
    }


def channel_folders(data):
    """The names of the folders in data, each a channel: checked against SageMaker's rule."""
    channels = sorted(p.name for p in data.iterdir() if p.is_dir())
    if not channels:
        raise UserError(f"data folder {data} holds no channel folders (a folder per channel)")
    for name in channels:
        if not contract.CHANNEL_NAME.fullmatch(name):
            raise UserError(f"{data / name} cannot be a channel: its name breaks SageMaker's rule")
    return channels


def channel_distributions(channels, distribution):
    """{channel: S3DistributionType}: distribution is one for every channel, or a
    {channel: type} mapping (channels it leaves out are FullyReplicated)."""
    if isinstance(distribution, str):
        distribution = dict.fromkeys(channels, distribution)
    chosen = {ch: distribution.get(ch, contract.FULLY_REPLICATED) for ch in channels}
    unknown = sorted(set(distribution) - set(channels))
    if unknown:
        raise UserError(f"distribution names channels the data lacks: {', '.join(unknown)}")
    for value in chosen.values():
        if value not in contract.DISTRIBUTIONS:
            raise UserError(f"distribution {value!r} is not one of {contract.DISTRIBUTIONS}")
    return chosen


def host_share(files, hosts, current_host, distribution):
    """The files SageMaker gives this host: all of them, or every n-th when sharded."""
    if distribution == contract.FULLY_REPLICATED:
        return files
    return files[hosts.index(current_host) :: len(hosts)]


def readable_files(folder):
    """Every file under folder, sorted, each opened once: a folder or file this user cannot read
    raises its OSError here (os.walk and rglob would skip an unreadable folder in silence)."""
    files = []
    for here, _, names in egress.walk(folder):
        for path in (Path(here, name) for name in names):
            if path.is_file():
                with path.open("rb"):
                    files.append(path)
    return sorted(files)


def fill_channel(source, files, target):
    """files (this host's share of the source folder) linked into the channel's folder."""
    target.mkdir(parents=True)
    for path in files:
        link_or_copy(path, target / path.relative_to(source))


def link_or_copy(source, target):
    """Hard-link (cheap, and unlike a symlink it survives a container mount), else copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def write_json(data, path):
    path.write_text(json.dumps(data, indent=2) + "\n")


def clear_tree(tree):
    """Remove an earlier run's tree, refusing to delete a folder that is not one."""
    if not tree.exists():
        return
    if any(tree.iterdir()) and not (tree / contract.CONFIG_DIR).is_dir():
        raise UserError(f"{tree} exists and is not a job tree; choose another --work folder")
    try:
        # input/ (with config/) goes last, so a tree left half-deleted is still known as one.
        config_top = Path(contract.CONFIG_DIR).parts[0]
        for entry in sorted(tree.iterdir(), key=lambda entry: entry.name == config_top):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        tree.rmdir()
    except OSError as error:
        # Typically files a rootful `docker run` (make train-container) left owned by root.
        raise UserError(
            f"cannot delete the last run's {tree} ({error.strerror}: {error.filename}); "
            f"delete it with `sudo rm -rf {tree}`"
        ) from None
