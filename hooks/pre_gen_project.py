"""Check every answer before cookiecutter writes a single file.

Each rule is the one AWS or Python itself applies, so a project that renders
is a project whose names AWS will accept. A bad answer ends with one line on
stderr naming the key, the value and the rule, and a non-zero exit; cookiecutter
then removes the half-made folder.

The answers arrive as JSON rendered by Jinja's ``tojson`` into a raw string
(JSON escapes every quote inside a value, so the string cannot end early):
they are parsed as data and never pasted into this file as code.
"""

import json
import re
import sys

ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")

# Job names are "<base>-YYYYmmddHHMMSS" (the v3 SDK's sagemaker.train.utils._get_unique_name,
# and tools/contract.py's job_name) and must fit SageMaker's 63 characters, so the base may
# use 63 - 15 of them.
MAX_BASE_JOB_NAME = 63 - len("-YYYYmmddHHMMSS")
SUPPORTED_PYTHON = ("3.11", "3.12", "3.13")

SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
# ECR's repositoryName pattern (CreateRepository API reference).
ECR_REPOSITORY = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")
# SageMaker's TrainingJobName pattern.
JOB_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*")
# us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, us-iso-east-1 ...
REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[1-9][0-9]?")
# ml.<family>.<size>, e.g. ml.m5.large, ml.p4d.24xlarge, ml.p6-b200.48xlarge; or local mode.
INSTANCE_TYPE = re.compile(r"ml\.[a-z][a-z0-9-]*\.(medium|large|[1-9]?[0-9]?xlarge|metal)|local|local_gpu")
# An S3 key prefix of safe characters, without leading, trailing or doubled slashes.
S3_PREFIX = re.compile(r"[a-zA-Z0-9!_.*'()-]+(/[a-zA-Z0-9!_.*'()-]+)*")


def text(pattern, shortest, longest):
    """A rule for a string answer: its length and the pattern it must match."""
    return lambda v: isinstance(v, str) and shortest <= len(v) <= longest and bool(pattern.fullmatch(v))


# Joins the parts of one emoji (a family, a flag): not printable itself, but part of text.
ZERO_WIDTH_JOINER = "\u200d"


def one_line(shortest, longest):
    """A rule for free text: printable characters only (no line or paragraph separators,
    no control or bidirectional-override characters), so every file format can quote it."""
    return lambda v: (
        isinstance(v, str)
        and shortest <= len(v) <= longest
        and all(c.isprintable() or c == ZERO_WIDTH_JOINER for c in v)
    )


RULES = [
    ("project_name", one_line(1, 100), "one line of 1-100 printable characters"),
    ("project_slug", text(SLUG, 1, 63), "1-63 lowercase letters, digits and single hyphens, starting with a letter"),
    ("description", one_line(0, 300), "one line of at most 300 printable characters"),
    ("author_name", one_line(1, 100), "one line of 1-100 printable characters"),
    ("aws_region", text(REGION, 9, 30), "an AWS region such as us-east-1, eu-central-2, us-gov-west-1 or cn-north-1"),
    (
        "ecr_repository",
        text(ECR_REPOSITORY, 2, 256),
        "2-256 lowercase letters and digits, separated by single '.', '_', '-' or '/' (ECR's pattern)",
    ),
    (
        "base_job_name",
        text(JOB_NAME, 1, MAX_BASE_JOB_NAME),
        f"1-{MAX_BASE_JOB_NAME} letters, digits and hyphens, starting and ending with a letter or digit,"
        " so the SDK's timestamp suffix still fits SageMaker's 63 characters",
    ),
    (
        "s3_prefix",
        text(S3_PREFIX, 1, 512),
        "an S3 key prefix of letters, digits and !_.*'()- separated by single '/', with no '/' at either end",
    ),
    ("instance_type", text(INSTANCE_TYPE, 5, 40), "ml.<family>.<size> (e.g. ml.m5.large), 'local' or 'local_gpu'"),
    ("python_version", lambda v: v in SUPPORTED_PYTHON, "one of " + ", ".join(SUPPORTED_PYTHON)),
    ("include_github_actions", lambda v: isinstance(v, bool), "true or false"),
    ("include_mpi", lambda v: isinstance(v, bool), "true or false"),
]


def first_error(answers):
    """Return the message for the first answer that breaks its rule, or None."""
    for key, is_valid, rule in RULES:
        value = answers[key]
        if not is_valid(value):
            return f"error: {key} {value!r} is invalid: it must be {rule}."
    return None


def main():
    message = first_error(ANSWERS)
    if message:
        print(message, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
