"""Data-parallel training over MPI: which process this is, and the collectives train.py needs.

When a job's hyperparameters enable MPI (`sagemaker_mpi_enabled`, see launch.py), the
sagemaker-training toolkit starts train.py under `mpirun` on the first host: some processes
per host, each with a rank. Each process trains on its share of the data and the processes
pool what they learned through MPI collectives. Started any other way there is one process,
every collective is the identity, and mpi4py is never imported: an image without it trains
exactly as before.

A process or host that dies ends the whole job: mpirun aborts every process (the MPI image
sets keepalives so that it notices a host that vanished silently), so no collective here
waits forever.
"""

import os
import socket
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import utils

# mpirun sets these in every process it starts: Open MPI's name, then MPICH's (Hydra).
WORLD_SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE")


class SingleProcess:
    """The whole job in this one process: nothing to share, nothing to wait for."""

    rank, size, local_rank, local_size = 0, 1, 0, 1

    def sum(self, values):
        return np.asarray(values, dtype=np.float64)

    def union(self, items):
        return set(items)

    def from_first(self, value):
        return value

    def abort(self, exit_code):
        raise SystemExit(exit_code)


class MpiGroup:
    """All the processes mpirun started, on every host (MPI.COMM_WORLD)."""

    def __init__(self):
        from mpi4py import MPI  # only here: the plain image has no MPI at all

        self.mpi = MPI
        self.world = MPI.COMM_WORLD
        self.rank, self.size = self.world.Get_rank(), self.world.Get_size()
        # The processes on this host: they see the same copy of a sharded channel.
        host = self.world.Split_type(MPI.COMM_TYPE_SHARED)
        self.local_rank, self.local_size = host.Get_rank(), host.Get_size()
        host.Free()

    def sum(self, values):
        """Element-wise sum of every process's values (same shape everywhere)."""
        mine = np.ascontiguousarray(values, dtype=np.float64)
        total = np.empty_like(mine)
        self.world.Allreduce(mine, total, op=self.mpi.SUM)
        return total

    def union(self, items):
        """The union of every process's set of (small, picklable) items."""
        return set().union(*self.world.allgather(set(items)))

    def from_first(self, value):
        """Rank 0's value, in every process (pickled: keep it small)."""
        return self.world.bcast(value, root=0)

    def abort(self, exit_code):
        """End every process of the job now (mpirun reports which one asked)."""
        self.world.Abort(exit_code)


def launched_by_mpirun(environ=os.environ):
    return any(int(environ.get(name, "1")) > 1 for name in WORLD_SIZE_VARIABLES)


def current_group(environ=os.environ):
    """The MPI group when mpirun started several processes, else the single process."""
    return MpiGroup() if launched_by_mpirun(environ) else SingleProcess()


def weighted_mean(group, arrays, weight):
    """The mean of each array over the processes, each process counting `weight` times."""
    flat = np.concatenate([np.ravel(array) * weight for array in arrays] + [[weight]])
    total = group.sum(flat)
    means, offset = [], 0
    for array in arrays:
        size = np.size(array)
        means.append((total[offset : offset + size] / total[-1]).reshape(np.shape(array)))
        offset += size
    return means


@dataclass(frozen=True)
class Share:
    """One process's part of a channel: these files, and of their data rows every
    parts-th one from the part-th on."""

    files: list[Path]
    part: int = 0
    parts: int = 1


def share_of(group, files, sharded):
    """This process's part of a channel's files.

    Every host holds all of a replicated channel: the processes split its rows. The files of
    a sharded channel on a host are that host's share: its processes split them by files, or
    by rows when there are fewer files than processes.
    """
    if not sharded:
        return Share(files, group.rank, group.size)
    if len(files) >= group.local_size:
        return Share(files[group.local_rank :: group.local_size])
    return Share(files, group.local_rank, group.local_size)


def on_first_process(group, function):
    """function() run by the first process only; its result, or its UserError, reaches all."""
    result, error = None, None
    if group.rank == 0:
        try:
            result = function()
        except utils.UserError as raised:
            error = str(raised)
    result, error = group.from_first((result, error))
    if error:
        raise utils.UserError(error)
    return result


def where(paths, group):
    """This process's place in the job, for the log."""
    if group.size > 1:
        return f"Process {group.rank + 1} of {group.size} on {socket.gethostname()}"
    position = paths.hosts.index(paths.current_host) + 1
    return f"Host {paths.current_host} ({position} of {len(paths.hosts)})"
