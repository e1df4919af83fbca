"""The SDK's Session: the one a job is built with, the dry run's that sends nothing, and the
mistakes in the SDK's own settings as one line.

Config checks. Where a config file exists (~/.config/sagemaker/config.yaml, or
SAGEMAKER_USER_CONFIG_OVERRIDE), the SDK checks it against its JSON schema on loading it and
at each of the dozen or so lookups a request makes, through jsonschema.validate, which first
checks the schema itself: 1.7 s of a 6 s dry run, spent proving the SDK's own schema valid.
Here one validator checks every config instead (set on import, before any Session exists),
and a config that breaks the schema costs one line naming the setting.
"""

import jsonschema
import yaml
from sagemaker.core.config import config
from sagemaker.core.config.config_manager import SageMakerConfig
from sagemaker.core.config.config_schema import SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA as SCHEMA
from sagemaker.core.helper.session_helper import Session

from tools.cli import UserError
from tools.upload import NothingSent

VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)


def validate_config(sagemaker_config=None):
    """What jsonschema.validate does, less its check of the schema; its verdict as a UserError."""
    error = jsonschema.exceptions.best_match(VALIDATOR.iter_errors(sagemaker_config))
    if error is not None:
        where = ".".join(str(part) for part in error.absolute_path) or "its top level"
        raise UserError(
            f"a SageMaker SDK config file (~/.config/sagemaker/config.yaml, or the files"
            f" SAGEMAKER_USER_CONFIG_OVERRIDE and SAGEMAKER_ADMIN_CONFIG_OVERRIDE name) is"
            f" invalid at {where}: {error.message}"
        )


# The SDK's checks, through VALIDATOR: on loading (load_sagemaker_config) and at each lookup.
config.validate_sagemaker_config = validate_config
SageMakerConfig.validate_sagemaker_config = staticmethod(validate_config)


class NoClient:
    """Stands in for a SageMaker client in a dry run: any use of it is a bug, said loudly."""

    def __init__(self, service):
        self.service = service

    def __getattr__(self, name):
        raise NothingSent(f"a dry run sends nothing: {self.service}.{name}")


class DryRunSession(Session):
    """Sends nothing: the SDK's own staging (framework mode's drivers) just gets a URI, and
    the bucket is taken as named. It has no SageMaker clients, which building a request never
    uses and whose API models take the SDK a fifth of a second to load."""

    def __init__(self, *, default_bucket, **settings):
        services = (
            "sagemaker",
            "sagemaker_runtime",
            "sagemaker_featurestore_runtime",
            "sagemaker_metrics",
        )
        no_clients = {f"{service}_client": NoClient(service) for service in services}
        super().__init__(default_bucket=default_bucket, **no_clients, **settings)
        self.named_bucket = default_bucket

    def default_bucket(self):
        return self.named_bucket

    def upload_data(self, path, bucket=None, key_prefix="data", **_):
        return f"s3://{bucket or self.default_bucket()}/{key_prefix}"


def sagemaker_session(boto_session, bucket, dry_run):
    """The SDK's Session on our bucket; in a dry run it names where it would stage files."""
    return new_session(DryRunSession if dry_run else Session, boto_session, default_bucket=bucket)


def default_bucket(boto_session):
    """The SDK's sagemaker-<region>-<account> bucket, created on first use, with the SDK's
    ownership checks."""
    return new_session(Session, boto_session).default_bucket()


def new_session(session_class, boto_session, **settings):
    """A Session; the SDK's ValueError or YAMLError for a config file it cannot read (a
    missing SAGEMAKER_USER_CONFIG_OVERRIDE file, bad YAML) is the user's to fix: one line."""
    try:
        return session_class(boto_session=boto_session, **settings)
    except (ValueError, yaml.YAMLError) as error:
        raise UserError(f"the SageMaker SDK's settings: {error}") from None
