"""On PYTHONPATH during a mutmut run: what a subprocess of a test calls still counts for it.

mutmut learns which tests reach which functions by recording, in its own process, each call
while MUTANT_UNDER_TEST is "stats"; the calls of a subprocess (launch.py, local_run.py,
`python source_dir/train.py`, which tests run as a user would) would be lost with it. Here a
subprocess keeps them and writes them, at exit, to MUTMUT_HITS_DIR, where the pytest plugin
mutmut_hits.py hands them to the test that started it.
"""

import atexit
import json
import os


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
        _hits.add(name)

    def _write():
        if _hits:
            path = os.path.join(os.environ["MUTMUT_HITS_DIR"], f"{os.getpid()}.json")
            with open(path + ".partial", "w") as file:
                json.dump(sorted(_hits), file)
            os.replace(path + ".partial", path)

    trampoline.record_trampoline_hit = _record
    atexit.register(_write)
