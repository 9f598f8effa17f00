"""The pretrained models shipped in data/: recorded in the manifest with checksums, at most 5 MB each,
and each module's load_pretrained() gives a working model (from the checkout, or downloaded and verified)."""
import warnings

import pytest

from lstm_book.data import PRETRAINED, pretrained_path, sha256sum


@pytest.mark.parametrize("name", sorted(PRETRAINED))
def test_manifest_entry_matches_the_committed_file(name):
    p = PRETRAINED[name]
    path = pretrained_path(name)                     # verified against the manifest
    assert p.sha256 is not None, f"{name} has no checksum in PRETRAINED (chapters/01_data.ipynb)"
    assert (sha256sum(path), path.stat().st_size) == (p.sha256, p.size)
    assert p.size <= 6_000_000     # the attention chatbot needs 6 MB at 4 bits, the others 5


def test_pretrained_models_work(monkeypatch):
    monkeypatch.setenv("LSTM_BOOK_DEVICE", "cpu")
    from lstm_book import attention, lm, music
    model, vocab, level = lm.load_pretrained()
    text = lm.sample(model, vocab, level, "ROMEO:\n", length=200, temperature=0.8, seed=0)
    assert len(text) == 200 and ":" in text                          # a play: speakers' names end with a colon
    song = music.load_pretrained().compose(seconds=5, seed=0)
    assert abs(song.get_end_time() - 5.0) < 0.3 and song.instruments[0].notes
    with warnings.catch_warnings():
        warnings.simplefilter("error")                               # known words: no warning
        reply = attention.load_pretrained().reply("where are you going?")
    assert reply and reply.split()[0].strip(".,!?").isalpha()          # an MMI reply, in words


def test_download_when_there_is_no_checkout(tmp_path, monkeypatch, server):
    base, handler = server
    name = "movie-chatbot"
    handler.files["/" + PRETRAINED[name].filename] = pretrained_path(name).read_bytes()
    monkeypatch.setenv("LSTM_BOOK_DATA_URL", base)
    monkeypatch.setenv("LSTM_BOOK_CACHE", str(tmp_path / "cache"))
    got = pretrained_path(name, data_dir=tmp_path / "no-checkout")
    assert got == tmp_path / "cache" / "data" / PRETRAINED[name].filename and sha256sum(got) == PRETRAINED[name].sha256
    handler.files["/" + PRETRAINED[name].filename] = b"corrupted"
    got.unlink()
    with pytest.raises(Exception, match="checksum mismatch"):
        pretrained_path(name, data_dir=tmp_path / "no-checkout")
