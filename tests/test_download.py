"""lstm_book.data.download against a real HTTP server on 127.0.0.1."""
import pytest

from lstm_book.data import DownloadError, download, sha256sum
from tests.conftest import BODY, SHA


def leftovers(d):
    return sorted(p.name for p in d.iterdir())


def test_success(server, tmp_path):
    base, handler = server
    out = download(f"{base}/file.txt", SHA, tmp_path / "f.txt", progress=False)
    assert out.read_bytes() == BODY and sha256sum(out) == SHA
    assert leftovers(tmp_path) == ["f.txt"]


def test_existing_good_file_is_not_downloaded_again(server, tmp_path):
    base, handler = server
    download(f"{base}/file.txt", SHA, tmp_path / "f.txt", progress=False)
    download(f"{base}/file.txt", SHA, tmp_path / "f.txt", progress=False)
    assert handler.hits["/file.txt"] == 1


def test_existing_corrupt_file_is_replaced(server, tmp_path):
    base, _ = server
    (tmp_path / "f.txt").write_bytes(b"corrupt")
    out = download(f"{base}/file.txt", SHA, tmp_path / "f.txt", progress=False)
    assert out.read_bytes() == BODY


def test_404_leaves_nothing(server, tmp_path):
    base, _ = server
    with pytest.raises(DownloadError, match=r"HTTP 404 .* for http://127\.0\.0\.1:\d+/nope\.txt"):
        download(f"{base}/nope.txt", SHA, tmp_path / "f.txt", progress=False)
    assert leftovers(tmp_path) == []


def test_truncated_body_leaves_nothing(server, tmp_path):
    base, _ = server
    with pytest.raises(DownloadError, match="truncated"):
        download(f"{base}/truncated", SHA, tmp_path / "f.txt", progress=False)
    assert leftovers(tmp_path) == []


def test_wrong_checksum_leaves_nothing_and_keeps_old_file(server, tmp_path):
    base, _ = server
    (tmp_path / "f.txt").write_bytes(b"previous")
    with pytest.raises(DownloadError, match=f"expected sha256 {'1' * 64}, got {SHA}"):
        download(f"{base}/file.txt", "1" * 64, tmp_path / "f.txt", progress=False)
    assert leftovers(tmp_path) == ["f.txt"] and (tmp_path / "f.txt").read_bytes() == b"previous"


def test_retry_after_failed_attempt(server, tmp_path):
    base, handler = server
    with pytest.raises(DownloadError, match="HTTP 503"):
        download(f"{base}/flaky.txt", SHA, tmp_path / "f.txt", progress=False)
    assert leftovers(tmp_path) == []
    out = download(f"{base}/flaky.txt", SHA, tmp_path / "f.txt", progress=False)
    assert out.read_bytes() == BODY and handler.hits["/flaky.txt"] == 2


def test_connection_refused(tmp_path):
    import socket
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    with pytest.raises(DownloadError, match="could not download"):
        download(f"http://127.0.0.1:{port}/x", SHA, tmp_path / "f.txt", progress=False, timeout=5)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("sha,url,msg", [("xyz", "http://127.0.0.1/x", "64 hexadecimal"),
                                         (SHA, "/etc/passwd", "http")])
def test_bad_arguments(sha, url, msg, tmp_path):
    with pytest.raises(ValueError, match=msg):
        download(url, sha, tmp_path / "f.txt")


def test_default_destination_is_the_cache(server, tmp_path, monkeypatch):
    base, _ = server
    monkeypatch.setenv("LSTM_BOOK_CACHE", str(tmp_path / "cache"))
    out = download(f"{base}/file.txt", SHA, progress=False)
    assert out == tmp_path / "cache" / "file.txt"
