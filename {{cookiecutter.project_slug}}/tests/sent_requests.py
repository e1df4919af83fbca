"""Reading back what moto received: a CreateTrainingJob request, or nothing at all."""


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
