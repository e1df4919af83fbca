"""The upload's progress line: rewritten in place on a terminal, nothing at all elsewhere."""

import io

from tools.progress import Progress

MB = 1024 * 1024


class Terminal(io.StringIO):
    """What a terminal was sent: a StringIO that says it is one."""

    def isatty(self):
        return True


def upload_two_files(stream):
    progress = Progress("Uploading", 3 * MB, 2, stream=stream)
    progress(MB)  # boto3 reports the bytes of each chunk sent
    progress(MB // 2)
    progress.file_done()
    progress(MB + MB // 2)
    progress.file_done()
    progress.finish()


def test_a_terminal_sees_the_files_and_megabytes_sent_so_far_on_one_line():
    terminal = Terminal()

    upload_two_files(terminal)

    assert terminal.getvalue().split("\r") == [
        "",
        "Uploading: 0 of 2 files, 1.0 of 3.0 MB",
        "Uploading: 0 of 2 files, 1.5 of 3.0 MB",
        "Uploading: 1 of 2 files, 1.5 of 3.0 MB",
        "Uploading: 1 of 2 files, 3.0 of 3.0 MB",
        "Uploading: 2 of 2 files, 3.0 of 3.0 MB\n",
    ]


def test_a_log_that_is_not_a_terminal_gets_nothing():
    log = io.StringIO()

    upload_two_files(log)

    assert log.getvalue() == ""
