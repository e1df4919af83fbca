"""The template's own Jinja extensions, loaded by cookiecutter (and cruft) from cookiecutter.json's
`_extensions`: one escaping for every answer written into TOML, JSON, YAML or Python, and a
guard on the one answer that becomes a path before any hook runs."""

import json
import logging
from pathlib import Path

from cookiecutter.exceptions import FailedHookException
from cookiecutter.utils import simple_filter
from jinja2.ext import Extension


@simple_filter
def quoted(value):
    """value as one double-quoted string that TOML, JSON, YAML and Python all read back as
    value. Non-ASCII text stays as it is (Jinja's tojson writes an emoji as a surrogate pair,
    which TOML rejects); a character that is not printable becomes \\uXXXX, which all four
    read. (The pre-generation hook admits none outside the BMP, which has no such escape.)"""
    return "".join(escaped(c) for c in json.dumps(str(value), ensure_ascii=False))


def escaped(character):
    if character.isprintable():
        return character
    if ord(character) > 0xFFFF:
        raise ValueError(f"cannot quote U+{ord(character):X} for TOML, JSON, YAML and Python alike")
    return f"\\u{ord(character):04x}"


# The project folder's name as the template spells it: cookiecutter renders it and creates the
# folder, parents and all, before the pre-generation hook can look at the answer.
PROJECT_FOLDER = "{{cookiecutter.project_slug}}"
SLUG_KEY = "project_slug"


class BadAnswer(FailedHookException):
    """An answer refused before anything is written; cookiecutter's command line prints it alone."""


def folder_name(value):
    """value, if it names one folder inside the output folder; else BadAnswer, in the hook's words."""
    text = str(value)
    if text in ("", ".", "..") or Path(text).name != text or "\\" in text:
        rule = "one folder name, without '/', '\\' or '..' (the project's folder is made from it)"
        raise BadAnswer(f"error: {SLUG_KEY} {text!r} is invalid: it must be {rule}.")
    return value


class ProjectFolder(Extension):
    """Renders the project folder's name through folder_name, so a slug with path parts (say
    `../made/sub/leaf`) is refused before cookiecutter makes a folder for it anywhere. Only that
    one template changes: the folder in the template keeps its literal name."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["folder_name"] = folder_name

    def preprocess(self, source, name, filename=None):
        if name is None and source == PROJECT_FOLDER:
            return f"{{{{ cookiecutter.{SLUG_KEY} | folder_name }}}}"
        return source


class QuietHookFailure(logging.Filter):
    """A hook that refuses an answer has said why in one line: cookiecutter's own log of the
    failure, a traceback, would bury that line (its command line shows the log)."""

    def filter(self, record):
        return not (record.exc_info and isinstance(record.exc_info[1], FailedHookException))


logging.getLogger("cookiecutter.hooks").addFilter(QuietHookFailure())
