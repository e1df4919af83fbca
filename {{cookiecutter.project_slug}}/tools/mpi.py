"""launch.py's MPI options: several hosts, or several processes per host, train one model.

Only in projects rendered with include_mpi (the image then holds Open MPI and SSH). The
toolkit reads the reserved MPI hyperparameters and runs the entry point under mpirun.
"""

import argparse
from dataclasses import dataclass

from tools import contract
from tools.cli import UserError, positive


@dataclass(frozen=True)
class MpiSettings:
    """How the toolkit starts the entry point under mpirun on every host."""

    processes_per_host: int = 1
    options: str = ""  # extra mpirun options

    def hyperparameters(self):
        """The toolkit's reserved MPI settings."""
        return {
            contract.MPI_ENABLED: True,
            contract.MPI_PROCESSES_PER_HOST: self.processes_per_host,
            contract.MPI_CUSTOM_OPTIONS: self.options,
        }


def add_options(group):
    group.add_argument(
        "--mpi",
        action=argparse.BooleanOptionalAction,
        default=None,  # unset: decided by the instance and process counts
        help="train data-parallel over MPI (implied by more than one instance or process)",
    )
    group.add_argument(
        "--processes-per-host",
        type=positive,
        metavar="N",
        default=1,
        help="MPI processes per instance, e.g. one per vCPU (default: 1; above 1 implies --mpi)",
    )
    group.add_argument(
        "--mpi-options",
        default="",
        metavar="OPTIONS",
        help="extra mpirun options, e.g. '-x OMP_NUM_THREADS=1'",
    )


def settings(options):
    """MpiSettings from the parsed options, or None for a job without MPI."""
    implied = options.instance_count > 1 or options.processes_per_host > 1
    if options.mpi is False and implied:
        # Without MPI the hosts (or processes) would each train alone and only one model is kept.
        raise UserError("more than one instance or process needs MPI: leave out --no-mpi")
    if not (implied if options.mpi is None else options.mpi):
        if options.mpi_options:
            raise UserError("--mpi-options only applies to MPI jobs")
        return None
    if options.mode != "toolkit":
        raise UserError("MPI runs through the toolkit: use --mode toolkit (or --no-mpi)")
    return MpiSettings(options.processes_per_host, options.mpi_options)
