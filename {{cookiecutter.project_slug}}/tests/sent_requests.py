"""What launch.py sends: a CreateTrainingJob request read back from moto (or nothing at all),
or described in-process by the SDK, with no AWS."""

from tools import sdk, sdk_session
from tools.plan import make_plan
from tools.preflight import prepare
from tools.upload import placeholder_session

UNIT_BUCKET = "unit-bucket"
UNIT_IMAGE = "unit/image:1"


def described(request):
    """The plan of a LaunchRequest and the CreateTrainingJob request the SDK builds for it
    (in UNIT_BUCKET, running UNIT_IMAGE); nothing is uploaded or sent."""
    plan = make_plan(request, UNIT_BUCKET, prepare(request))
    session = sdk_session.sagemaker_session(placeholder_session(request.region), UNIT_BUCKET, True)
    with sdk.role_validation(False):
        trainer = sdk.build_trainer(request, plan, session, UNIT_IMAGE, request.role)
        return plan, sdk.create_request(trainer, request, plan)


def channel_sources(request):
    """{channel name: its S3DataSource}."""
    return {
        channel["ChannelName"]: channel["DataSource"]["S3DataSource"]
        for channel in request["InputDataConfig"]
    }


def assert_refused(result, message, aws):
    """A user's mistake: exit status 2, one line on stderr saying message, and nothing
    uploaded or started."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert aws.object_keys() == [] and aws.uploaded_bytes() == 0
    assert aws.sent("CreateTrainingJob") == aws.sent("CreateHyperParameterTuningJob") == []
