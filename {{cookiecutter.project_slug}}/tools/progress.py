"""Progress of a long step on one terminal line, rewritten in place; silent where the output
is not a terminal (CI logs, pipes), where a line per update would only be noise."""

import sys
import threading

MB = 1024 * 1024


class Progress:
    """Bytes and files done of a known total; callable as boto3's transfer Callback."""

    def __init__(self, what, total_bytes, total_files, stream=None):
        self.stream = stream or sys.stderr
        self.shown = self.stream.isatty()
        self.what, self.total_bytes, self.total_files = what, total_bytes, total_files
        self.done_bytes = self.done_files = 0
        self.lock = threading.Lock()  # boto3 reports from its transfer threads

    def __call__(self, sent_bytes):
        with self.lock:
            self.done_bytes += sent_bytes
            self.show()

    def file_done(self):
        with self.lock:
            self.done_files += 1
            self.show()

    def show(self):
        if self.shown:
            self.stream.write(
                f"\r{self.what}: {self.done_files} of {self.total_files} files,"
                f" {self.done_bytes / MB:.1f} of {self.total_bytes / MB:.1f} MB"
            )
            self.stream.flush()

    def finish(self):
        if self.shown and self.total_files:
            self.stream.write("\n")
