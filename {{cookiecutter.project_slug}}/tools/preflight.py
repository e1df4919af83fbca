"""What a launch checks and prepares before the SageMaker SDK loads (about 4 s): a mistake in
the code, the data folders or the metric definitions costs a fraction of a second."""

from dataclasses import dataclass

from tools import sourcedir
from tools.egress import check_data_folder
from tools.project import PROJECT_DIR
from tools.settings import metric_definitions


@dataclass(frozen=True)
class Prepared:
    archive: bytes  # sourcedir.tar.gz
    local_files: dict  # channel -> the files of its local folder that may be sent, as (path, name)


def prepare(request):
    """The code packed and each local data folder listed under the egress policy, the metric
    definitions checked; a UserError names the first mistake."""
    archive = sourcedir.pack(request.source_dir, request.entry_point)
    metric_definitions()
    local_files = {  # listed once: the checks, the digest and the upload or staging use it
        name: data_files(location)
        for name, location in request.channels.items()
        if not location.startswith("s3://")
    }
    return Prepared(archive, local_files)


def data_files(folder):
    """(path, relative name) of the files in a data folder that may leave the machine
    (tools/egress.py); refuses the project itself, or a folder with nothing to send."""
    return check_data_folder(folder, PROJECT_DIR)
