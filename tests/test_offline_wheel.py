"""Offline from a wheel: the project built as a wheel and installed into a fresh virtual environment,
used far from the checkout with every download made to fail (LSTM_BOOK_DATA_URL points at a closed
port) and an empty cache. The three pretrained models load and run, and every manifest entry is
found, verified, in the installed package; nothing is downloaded into the cache.

As in tests/test_colab.py, the fresh environment sees this environment's third-party packages through
a .pth line; lstm_book itself comes only from the wheel."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from .helpers import venv_with_wheel

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import lstm_book, lstm_book.data as d
from lstm_book import attention, lm, music
assert not d.checkout_data_dir().is_dir(), "a checkout is visible"
model, vocab, level = lm.load_pretrained()
text = lm.sample(model, vocab, level, "ROMEO:\\n", length=20, temperature=0.8, seed=0)
assert len(text) == 20
song = music.load_pretrained().compose(seconds=2, seed=0)
assert song.get_end_time() > 1.0
assert attention.load_pretrained().reply("where are you going?")
for name in [*d.DATA_FILES, *d.PRETRAINED]:
    p = d.data_path(name)
    assert p.parent == d.package_data_dir(), (name, p)
table = d.verify_data_files()
assert set(table["where"]) == {"package"}, table
assert d.load_text("macbeth").startswith("First Witch:")
print("OFFLINE OK", lstm_book.__file__)
"""


def test_wheel_works_offline(tmp_path):
    dist = tmp_path / "dist"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(dist), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = dist.glob("lstm_book-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    from lstm_book.data import DATA_FILES, PRETRAINED
    for f in [*DATA_FILES.values(), *PRETRAINED.values()]:
        assert f"lstm_book_data/{f.filename}" in names, f"the wheel lacks {f.filename}"

    py, fresh_site = venv_with_wheel(tmp_path, wheel)

    work = tmp_path / "far" / "away"; work.mkdir(parents=True)
    cache = tmp_path / "cache"; cache.mkdir()
    env = {**os.environ, "LSTM_BOOK_DEVICE": "cpu", "LSTM_BOOK_CACHE": str(cache),
           "LSTM_BOOK_DATA_URL": "http://127.0.0.1:9", "PYTHONPATH": ""}
    env.pop("LSTM_BOOK_QUICK", None)
    r = subprocess.run([str(py), "-c", SCRIPT], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "OFFLINE OK " + str(fresh_site) in r.stdout
    assert [p for p in cache.rglob("*") if p.is_file()] == []       # nothing was downloaded


def test_a_download_that_fails_says_what_to_do(tmp_path):
    "Without checkout, package or cache copy, the one-line error names the setting, the cache folder and the build."
    code = ("import lstm_book.data as d\n"
            "d.in_checkout = lambda: False; d.package_data_dir = lambda: None\n"
            "d.data_path('macbeth')\n")
    env = {**os.environ, "LSTM_BOOK_CACHE": str(tmp_path / "cache"), "LSTM_BOOK_DATA_URL": "http://127.0.0.1:9"}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    last = r.stderr.strip().splitlines()[-1]
    for part in ("LSTM_BOOK_DATA_URL", str(tmp_path / "cache" / "data"), "lstm-book data build macbeth"):
        assert part in last, (part, last)
