"""The answers this project was made with, read from its .cookiecutter.json: what the tests
expect the defaults to be (tools/project.py, which the tools read them from, is under test)."""

import json
from pathlib import Path

ANSWERS = json.loads((Path(__file__).parents[1] / ".cookiecutter.json").read_text())["cookiecutter"]
REGION = ANSWERS["aws_region"]
PREFIX = ANSWERS["s3_prefix"]
BASE_JOB_NAME = ANSWERS["base_job_name"]
INSTANCE_TYPE = ANSWERS["instance_type"]
ECR_REPOSITORY = ANSWERS["ecr_repository"]
