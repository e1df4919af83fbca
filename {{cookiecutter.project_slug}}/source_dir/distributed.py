"""Data-parallel training over MPI: which process this is, and the collectives train.py needs.

When a job's hyperparameters enable MPI (`sagemaker_mpi_enabled`, see launch.py), the
sagemaker-training toolkit starts train.py under `mpirun` on the first host: some processes
per host, each with a rank. Each process trains on its share of the data and the processes
pool what they learned through MPI collectives. Started any other way there is one process,
every collective is the identity, and mpi4py is never imported: an image without it trains
exactly as before.
"""

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# mpirun sets these in every process it starts: Open MPI's name, then MPICH's (Hydra).
WORLD_SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE")
# A collective that waits this long means a process or its host is gone: fail, do not hang.
COLLECTIVE_TIMEOUT_SECONDS = float(os.environ.get("COLLECTIVE_TIMEOUT_SECONDS", "300"))


class PeerLost(Exception):
    """Another process did not join a collective in time (its host died, or it hangs)."""


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
        self.wait(self.world.Iallreduce(mine, total, op=self.mpi.SUM))
        return total

    def union(self, items):
        """The union of every process's set of (small) items."""
        gathered = self.gather_all(sorted(items))
        return set().union(*gathered)

    def from_first(self, value):
        """Rank 0's value, in every process (pickled: keep it small)."""
        size = np.array([0], dtype=np.int64)
        payload = None
        if self.rank == 0:
            payload = np.frombuffer(self.mpi.pickle.dumps(value), dtype=np.uint8)
            size[0] = payload.size
        self.wait(self.world.Ibcast(size, root=0))
        if self.rank != 0:
            payload = np.empty(size[0], dtype=np.uint8)
        self.wait(self.world.Ibcast(payload, root=0))
        return self.mpi.pickle.loads(payload.tobytes()) if self.rank != 0 else value

    def gather_all(self, value):
        sizes = np.empty(self.size, dtype=np.int64)
        payload = np.frombuffer(self.mpi.pickle.dumps(value), dtype=np.uint8)
        self.wait(self.world.Iallgather(np.array([payload.size], dtype=np.int64), sizes))
        everything = np.empty(sizes.sum(), dtype=np.uint8)
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.wait(self.world.Iallgatherv(payload, [everything, sizes, offsets, self.mpi.BYTE]))
        return [self.mpi.pickle.loads(part.tobytes()) for part in np.split(everything, offsets[1:])]

    def wait(self, request):
        """Complete a non-blocking collective, or raise PeerLost after the timeout (a
        blocking one would wait forever for a process whose host has died)."""
        deadline = time.monotonic() + COLLECTIVE_TIMEOUT_SECONDS
        while not request.Test():
            if time.monotonic() > deadline:
                raise PeerLost(
                    f"process {self.rank} of {self.size}: the others did not answer within "
                    f"{COLLECTIVE_TIMEOUT_SECONDS:g} s; a host may have died"
                )
            time.sleep(0.001)

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
