"""A SageMaker SDK config file that breaks the SDK's schema costs one line naming the setting
(tools/sdk_session.py checks it in the SDK's place); launch.py's refusal of such a file,
through the SDK, is in test_launch_refusals.py."""

import pytest

from tools.cli import UserError
from tools.sdk_session import validate_config

INVALID = "a SageMaker SDK config file (~/.config/sagemaker/config.yaml, or the files"


@pytest.mark.parametrize(
    ("config", "where"),
    [
        (
            {
                "SchemaVersion": "1.0",
                "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": 1}}},
            },
            "SageMaker.PythonSDK.Modules.TelemetryOptOut: 1 is not of type 'boolean'",
        ),
        (
            {"SchemaVersion": "1.0", "Sagemaker": {}},
            "its top level: Additional properties are not allowed ('Sagemaker' was unexpected)",
        ),
    ],
    ids=["a setting", "a misspelt section"],
)
def test_a_config_the_schema_refuses_names_where(config, where):
    with pytest.raises(UserError) as error:
        validate_config(config)

    assert str(error.value).startswith(INVALID)
    assert str(error.value).endswith(f" is invalid at {where}")


def test_a_config_the_schema_takes_passes():
    assert (
        validate_config({"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {}}}})
        is None
    )
