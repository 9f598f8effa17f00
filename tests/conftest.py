"""Fixtures for tests/: a real HTTP server on 127.0.0.1 with misbehaving routes."""
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

BODY = b"Tomorrow, and tomorrow, and tomorrow,\nCreeps in this petty pace from day to day\n" * 50
SHA = hashlib.sha256(BODY).hexdigest()


class Handler(BaseHTTPRequestHandler):
    files: dict = {}           # path -> bytes, served with a correct Content-Length
    hits: dict = {}            # path -> number of requests
    flaky_failures: dict = {}  # path -> number of 503s still to send before serving

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        self.hits[path] = self.hits.get(path, 0) + 1
        if path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY[: len(BODY) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if self.flaky_failures.get(path, 0) > 0:
            self.flaky_failures[path] -= 1
            self.send_error(503, "Service Unavailable")
            return
        if path not in self.files:
            self.send_error(404, "Not Found")
            return
        data = self.files[path]
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server():
    """Start a server on a free loopback port; yields (base_url, Handler)."""
    Handler.files = {"/file.txt": BODY, "/flaky.txt": BODY}
    Handler.hits = {}
    Handler.flaky_failures = {"/flaky.txt": 1}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", Handler
    httpd.shutdown()
    httpd.server_close()
