"""Print a mutmut run's results as JSON: run in the folder mutmut ran in (its setup.cfg and mutants/).

One object per mutant: its name, the function it mutates, its status and, unless it was
killed, the lines the mutation removed and added. mutmut's own API reads them, as `mutmut
results` and `mutmut show` do.
"""

import json

from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files

KILLED = {"killed", "timeout", "caught by type check"}


def changed_lines(diff):
    """The (removed, added) lines of a unified diff, stripped of their indentation."""
    lines = diff.splitlines()[2:]  # after the ---/+++ header
    removed = [line[1:].strip() for line in lines if line.startswith("-")]
    added = [line[1:].strip() for line in lines if line.startswith("+")]
    return "\n".join(removed), "\n".join(added)


def mutants():
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name, exit_code in sorted(data.exit_code_by_key.items()):
            status = status_by_exit_code[exit_code]
            entry = {"name": name, "function": name.partition("__mutmut_")[0], "status": status}
            if status not in KILLED:
                entry["old"], entry["new"] = changed_lines(get_diff_for_mutant(name, path=path))
            yield entry


if __name__ == "__main__":
    print(json.dumps(list(mutants()), indent=1))
