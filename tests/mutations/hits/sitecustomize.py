"""On PYTHONPATH during a mutmut run: what a subprocess of a test calls still counts for it.

mutmut learns which tests reach which functions by recording, in its own process, each call
while MUTANT_UNDER_TEST is "stats"; the calls of a subprocess (launch.py, local_run.py,
`python source_dir/train.py`, which tests run as a user would) would be lost with it. Here a
subprocess keeps them and writes them, at exit, to MUTMUT_HITS_DIR, where the pytest plugin
mutmut_hits.py hands them to the test that started it.

A module run as a script (`python source_dir/train.py`) is `__main__` to mutmut's trampolines,
not `train`: its calls are recorded, and its mutants made active, under its own name.
"""

import atexit
import json
import os
import sys

_SCRIPT = os.path.splitext(os.path.basename(sys.argv[0]))[0] if sys.argv and sys.argv[0] else ""


def _as_main(mutant):
    """The name the trampolines of a script's own functions know mutant by."""
    if _SCRIPT and mutant.startswith(f"{_SCRIPT}."):
        return "__main__." + mutant[len(_SCRIPT) + 1 :]
    return mutant


def _by_module(name):
    """The name mutmut knows a script's function by (the reverse of _as_main)."""
    return f"{_SCRIPT}.{name.removeprefix('__main__.')}" if name.startswith("__main__.") else name


def _mutmut_trampoline():
    """mutmut's trampoline module while it records stats, else None (also in a Python without
    mutmut, such as the system one a test runs as another user: it records nothing)."""
    if os.environ.get("MUTANT_UNDER_TEST") != "stats" or not os.environ.get("MUTMUT_HITS_DIR"):
        return None
    try:
        from mutmut.mutation import trampoline
    except ImportError:
        return None
    return trampoline


trampoline = _mutmut_trampoline()
if trampoline:
    _hits = set()

    def _record(name, caller=None):
        _hits.add(_by_module(name))

    def _write():
        if _hits:
            path = os.path.join(os.environ["MUTMUT_HITS_DIR"], f"{os.getpid()}.json")
            with open(path + ".partial", "w") as file:
                json.dump(sorted(_hits), file)
            os.replace(path + ".partial", path)

    trampoline.record_trampoline_hit = _record
    atexit.register(_write)
elif os.environ.get("MUTANT_UNDER_TEST"):
    os.environ["MUTANT_UNDER_TEST"] = _as_main(os.environ["MUTANT_UNDER_TEST"])
