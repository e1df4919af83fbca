"""A loopback proxy in front of the moto server whose training jobs fail.

moto's DescribeTrainingJob always answers that the job Completed, so a failed job cannot be
had from it. Only that answer is faked here: every SageMaker request goes on to moto as sent,
and every answer comes back as moto gave it, except that a DescribeTrainingJob answer says
the job Failed, with FAILURE_REASON.
"""

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FAILURE_REASON = "AlgorithmError: ExecuteUserScriptError: train.py exited with 1"
DESCRIBE = "SageMaker.DescribeTrainingJob"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


def failed(description):
    """A Completed job's description as SageMaker gives it for a failed one."""
    description.pop("ModelArtifacts", None)
    return description | {
        "TrainingJobStatus": "Failed",
        "SecondaryStatus": "Failed",
        "FailureReason": FAILURE_REASON,
    }


class FailingJobsProxy:
    """Serves on a free loopback port until stopped; counts the answers it rewrote."""

    def __init__(self, upstream):
        self.upstream = urlsplit(upstream)
        self.rewritten = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, headers, answer = proxy.forward(self.path, dict(self.headers), body)
                if status == 200 and self.headers.get("X-Amz-Target") == DESCRIBE:
                    answer = json.dumps(failed(json.loads(answer))).encode()
                    proxy.rewritten += 1
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def forward(self, path, headers, body):
        """The upstream's (status, headers, body) for the request."""
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, 30)
        try:
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
