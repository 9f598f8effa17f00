"""The sentiment chapter's parts that need a server or a subprocess: the IMDB loader
against an archive in the original aclImdb layout served on 127.0.0.1, and the
`lstm-book sentiment` commands run as a user runs them."""
import io
import hashlib
import tarfile

import pytest

from lstm_book.data import DownloadError
from lstm_book.sentiment import load_imdb

from .helpers import cli, one_line_error, run_main

REVIEWS = {  # member -> text, in the layout of aclImdb_v1.tar.gz
    "aclImdb/train/pos/0_9.txt": "A joy from start to finish.<br /><br />See it.",
    "aclImdb/train/pos/12_7.txt": "Good, if a little long.",
    "aclImdb/train/neg/3_1.txt": "Dreadful. Not a single laugh.",
    "aclImdb/test/pos/5_10.txt": "Masterpiece \u2014 caf\u00e9 scenes and all.",
    "aclImdb/test/neg/8_4.txt": "Forgettable.",
}
EXTRAS = {  # members that are not labelled reviews and must be skipped
    "aclImdb/train/unsup/1_0.txt": "No label here.",
    "aclImdb/README": "Large Movie Review Dataset v1.0",
    "aclImdb/imdb.vocab": "the\nand\n",
    "aclImdb/train/labeledBow.feat": "0 0:1\n",
}


def archive(members: dict) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.addfile(tarfile.TarInfo("aclImdb/train/pos"))  # a plain entry standing in for a directory member
        for name, text in members.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def imdb_server(server):
    base, handler = server
    good, empty = archive({**REVIEWS, **EXTRAS}), archive(EXTRAS)
    handler.files["/aclImdb_v1.tar.gz"] = good
    handler.files["/empty.tar.gz"] = empty
    return base, handler, hashlib.sha256(good).hexdigest(), hashlib.sha256(empty).hexdigest()


def test_imdb_parses_the_archive_layout(imdb_server, tmp_path):
    base, handler, sha, _ = imdb_server
    df = load_imdb(f"{base}/aclImdb_v1.tar.gz", sha, dest=tmp_path / "imdb.tar.gz", progress=False)
    assert list(df.columns) == ["split", "id", "stars", "label", "text"]
    assert df[["split", "id", "stars", "label"]].values.tolist() == [
        ["test", 8, 4, 0], ["test", 5, 10, 1], ["train", 3, 1, 0], ["train", 0, 9, 1], ["train", 12, 7, 1]]
    assert df.text[3] == "A joy from start to finish.\n\nSee it."          # <br /> becomes a line break
    assert df.text[1] == "Masterpiece \u2014 caf\u00e9 scenes and all."      # UTF-8 decoded
    load_imdb(f"{base}/aclImdb_v1.tar.gz", sha, dest=tmp_path / "imdb.tar.gz", progress=False)
    assert handler.hits["/aclImdb_v1.tar.gz"] == 1                          # verified copy reused, not fetched again


def test_imdb_wrong_checksum_leaves_nothing(imdb_server, tmp_path):
    base, _, _, _ = imdb_server
    with pytest.raises(DownloadError, match="checksum mismatch"):
        load_imdb(f"{base}/aclImdb_v1.tar.gz", "1" * 64, dest=tmp_path / "imdb.tar.gz", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_imdb_archive_without_reviews_is_an_error(imdb_server, tmp_path):
    base, _, _, sha_empty = imdb_server
    with pytest.raises(ValueError, match="holds no aclImdb"):
        load_imdb(f"{base}/empty.tar.gz", sha_empty, dest=tmp_path / "e.tar.gz", progress=False)


def test_imdb_missing_file_is_a_download_error(imdb_server, tmp_path):
    base, _, sha, _ = imdb_server
    with pytest.raises(DownloadError, match="HTTP 404"):
        load_imdb(f"{base}/missing.tar.gz", sha, dest=tmp_path / "m.tar.gz", progress=False)




@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("sentiment") / "model.pt"
    r = cli("sentiment", "train", "--save", str(path), "--members", "2", "--epochs", "1", "--limit", "600", "--no-progress")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"saved {path}; test accuracy 0.") and "held-out sentences" in r.stdout
    return path


def test_predict_arguments_and_file(model_file, tmp_path):
    f = tmp_path / "in.txt"
    f.write_text("a warm, funny film\n\n   \nzxqv blorf\n", encoding="utf-8")
    r = cli("sentiment", "predict", "a gorgeous , witty film", "", "--file", str(f), "--checkpoint", str(model_file))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].split() == ["p_positive", "label", "text"] and len(lines) == 5   # header, 2 arguments, 2 non-empty lines
    for row in (lines[2], lines[4]):                                                   # "" and "zxqv blorf": no evidence
        assert float(row.split()[0]) == 0.5 and row.split()[1] == "unknown"
    assert all(0.0 <= float(l.split()[0]) <= 1.0 for l in lines[1:])
    assert "have no known word" in r.stderr


def test_predict_errors(model_file, tmp_path):
    r = cli("sentiment", "predict", "--checkpoint", str(model_file))
    assert r.returncode == 1 and "nothing to classify" in r.stderr
    r = cli("sentiment", "predict", "good", env={"LSTM_BOOK_CACHE": str(tmp_path / "cache")})
    assert r.returncode == 1 and "no sentiment model at" in r.stderr and "lstm-book sentiment train" in r.stderr
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"\x00not a model")
    r = cli("sentiment", "predict", "good", "--checkpoint", str(junk))
    assert r.returncode == 1 and "is not a readable model file" in r.stderr
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    r = cli("sentiment", "predict", "--file", str(bad), "--checkpoint", str(model_file))
    assert r.returncode == 1 and "lstm-book: error:" in r.stderr
    r = cli("sentiment", "train", "--members", "0", "--save", str(tmp_path / "x.pt"))
    assert r.returncode == 1 and "must be positive" in r.stderr and not (tmp_path / "x.pt").exists()


# bad options and destinations: refused before any work, one line on stderr, nothing written

@pytest.mark.parametrize("option, value", [("--epochs", 0), ("--epochs", -3), ("--members", 0), ("--limit", 0)])
def test_train_refuses_bad_sizes_before_any_work(capsys, tmp_path, option, value):
    out = tmp_path / "m.pt"
    code, _, err = run_main(capsys, "sentiment", "train", "--save", out, option, value, "--no-progress")
    assert code == 1 and one_line_error(err, option, "must be positive")
    assert list(tmp_path.iterdir()) == []


def test_train_refuses_an_unwritable_out_before_training(capsys, tmp_path, monkeypatch):
    import lstm_book.sentiment as s
    monkeypatch.setattr(s, "train_model", lambda *a, **k: pytest.fail("trained before checking --out"))
    code, _, err = run_main(capsys, "sentiment", "train", "--save", tmp_path, "--no-progress")
    assert code == 1 and one_line_error(err, "--save", str(tmp_path), "is a directory")
    (tmp_path / "file").write_text("x")
    code, _, err = run_main(capsys, "sentiment", "train", "--save", tmp_path / "file" / "m.pt")
    assert code == 1 and one_line_error(err, "--save", "is not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_predict_names_a_non_utf8_file(capsys, tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    code, _, err = run_main(capsys, "sentiment", "predict", "--file", bad, "--checkpoint", tmp_path / "none.pt")
    assert code == 1 and one_line_error(err, str(bad), "not UTF-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latin1.txt"]
