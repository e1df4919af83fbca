"""Reading back a CreateTrainingJob request as moto received it."""


def channel_sources(request):
    """{channel name: its S3DataSource}."""
    return {
        channel["ChannelName"]: channel["DataSource"]["S3DataSource"]
        for channel in request["InputDataConfig"]
    }
