"""The template's own Jinja filter, loaded by cookiecutter (and cruft) from cookiecutter.json's
`_extensions`: one escaping for every answer written into TOML, JSON, YAML or Python."""

import json

from cookiecutter.utils import simple_filter


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
