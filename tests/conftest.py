"""Fixtures for tests/: a real HTTP server on 127.0.0.1 with misbehaving routes; the book built
once per test session (with the live demos' assets) and served on 127.0.0.1; headless Chromium."""
import functools
import hashlib
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def chromium() -> str:
    exe = os.environ.get("CHROMIUM") or next(
        (shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if not exe:
        pytest.fail("no Chromium found: run `bash tools/ensure_chromium.sh` or set CHROMIUM")
    return exe


@pytest.fixture(scope="session")
def demo_assets():
    "tools/build_demos.py run once (a no-op when its assets are up to date): (exit status, its output)."
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "build_demos.py")], cwd=ROOT,
                       capture_output=True, text=True, timeout=1200)
    return r.returncode, (r.stdout + r.stderr).strip()


@pytest.fixture(scope="session")
def site(tmp_path_factory, demo_assets):
    "The book built once per session (warnings are errors), served on 127.0.0.1: (base URL, html folder)."
    out = tmp_path_factory.mktemp("book")
    r = subprocess.run([str(BIN / "jupyter-book"), "build", "-W", "-n", "--keep-going", "--path-output", str(out), str(ROOT)],
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, f"jupyter-book build failed:\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    assert "warning" not in r.stderr.lower(), r.stderr[-4000:]
    html = out / "_build" / "html"
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(html)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", html
    httpd.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield b
        b.close()
