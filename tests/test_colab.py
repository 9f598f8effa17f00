"""The situation of a Colab reader: the project built as a wheel and installed into a fresh
virtual environment with no checkout in sight, running a chapter notebook (quick mode)
whose data arrive through the package's own loaders (from the data the wheel carries, verified
against the manifest; a server standing in for the repository would serve any download).

The fresh environment sees this environment's third-party packages through a .pth line
(installing torch and friends again from the network would make the test slow, not
stronger); lstm_book itself comes only from the wheel. The editable install of the
checkout is not visible there: .pth files inside a directory named by a .pth line are
not executed, so its import hook never runs."""
import functools
import json
import os
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat

from .helpers import venv_with_wheel

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "chapters" / "04_language_model.ipynb"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_wheel_in_a_fresh_venv_runs_a_chapter(tmp_path):
    dist = tmp_path / "dist"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = dist.glob("lstm_book-*.whl")

    py, fresh_site = venv_with_wheel(tmp_path, wheel)

    work = tmp_path / "work"; work.mkdir()                   # the notebook runs far from the checkout
    where = subprocess.run([str(py), "-c", "import lstm_book, lstm_book.data as d; print(lstm_book.__file__); print(d.checkout_data_dir().is_dir())"],
                           capture_output=True, text=True, cwd=work, check=True).stdout.split()
    assert where[0].startswith(str(fresh_site)) and where[1] == "False"

    kernels = tmp_path / "jupyter" / "kernels" / "python3"; kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({"argv": [str(py), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                                     "display_name": "fresh venv", "language": "python"}))
    nb = nbformat.read(CHAPTER, as_version=4)
    nbformat.write(nb, work / CHAPTER.name)

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(ROOT / "data")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {**os.environ, "LSTM_BOOK_QUICK": "1", "LSTM_BOOK_DEVICE": "cpu", "JUPYTER_PATH": str(tmp_path / "jupyter"),
           "LSTM_BOOK_CACHE": str(tmp_path / "cache"), "LSTM_BOOK_DATA_URL": f"http://127.0.0.1:{server.server_address[1]}",
           "PYTHONPATH": ""}
    script = ("import nbformat, sys; from nbclient import NotebookClient\n"
              "nb = nbformat.read(sys.argv[1], as_version=4)\n"
              "NotebookClient(nb, timeout=900, kernel_name='python3', resources={'metadata': {'path': '.'}}).execute()\n"
              "nbformat.write(nb, sys.argv[1])\n")
    try:
        r = subprocess.run([str(py), "-c", script, CHAPTER.name], cwd=work, env=env, capture_output=True, text=True, timeout=1200)
    finally:
        server.shutdown(); server.server_close()
    assert r.returncode == 0, r.stderr[-3000:]
    # the wheel carries the data files and pretrained models (package lstm_book_data): nothing is downloaded
    cache_data = tmp_path / "cache" / "data"
    assert not cache_data.exists() or not any(cache_data.iterdir())
    ran = nbformat.read(work / CHAPTER.name, as_version=4)
    assert not any(o.get("output_type") == "error" for c in ran.cells for o in c.get("outputs", []))
