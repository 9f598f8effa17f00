"""lstm_book.training: resume after a real interruption, in separate processes."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from lstm_book.files import atomic_write
from lstm_book.training import save_checkpoint

JOB = Path(__file__).with_name("resume_job.py")


def run(*args):
    return subprocess.run([sys.executable, str(JOB), *map(str, args)], capture_output=True, text=True)


def test_interrupted_and_resumed_run_is_bit_identical(tmp_path):
    r = run("straight", tmp_path / "straight.pt")
    assert r.returncode == 0, r.stderr
    ck = tmp_path / "ck"
    r = run("interrupt", ck)
    assert r.returncode != 0 and "KeyboardInterrupt" in r.stderr      # really interrupted, mid-epoch 3
    assert torch.load(ck / "last.pt", weights_only=True)["extra"]["epoch"] == 2
    r = run("resume", ck, tmp_path / "resumed.pt")
    assert r.returncode == 0, r.stderr
    a = torch.load(tmp_path / "straight.pt", weights_only=True)
    b = torch.load(tmp_path / "resumed.pt", weights_only=True)
    assert b["epochs"] == [1, 2, 3, 4]
    for k in a["model"]:
        assert torch.equal(a["model"][k], b["model"][k]), f"{k} differs after resuming"


def test_resume_without_rng_state_would_differ(tmp_path, monkeypatch):
    """The comparison above can fail: without the saved RNG states, dropout masks and
    shuffling after the resume differ, and so do the final weights."""
    import lstm_book.training as training
    from tests import resume_job
    assert run("straight", tmp_path / "straight.pt").returncode == 0
    run("interrupt", tmp_path / "ck")
    monkeypatch.setattr(training, "set_rng_state", lambda state: None)
    resume_job.main("resume", tmp_path / "ck", tmp_path / "resumed.pt")
    a = torch.load(tmp_path / "straight.pt", weights_only=True)["model"]
    b = torch.load(tmp_path / "resumed.pt", weights_only=True)["model"]
    assert not all(torch.equal(a[k], b[k]) for k in a)


def test_failed_checkpoint_write_leaves_no_file(tmp_path):
    class Unpicklable(nn.Module):
        def state_dict(self, *a, **k):
            return {"f": lambda: 0}          # torch.save cannot pickle a lambda
    with pytest.raises(Exception):
        save_checkpoint(tmp_path / "c.pt", Unpicklable())
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_survives_keyboard_interrupt(tmp_path):
    atomic_write(tmp_path / "f", lambda f: f.write(b"old"))
    def interrupted(f):
        f.write(b"partial")
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "f", interrupted)
    assert (tmp_path / "f").read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["f"]


# ---- model files (save_model / load_model) and file modes

def test_atomic_write_uses_the_umask_and_keeps_an_existing_mode(tmp_path):
    import os, stat
    old = os.umask(0o022)
    try:
        new = atomic_write(tmp_path / "new.bin", lambda f: f.write(b"x"))
        assert stat.S_IMODE(new.stat().st_mode) == 0o644          # what open() would give, not 0600
        os.chmod(new, 0o640)
        atomic_write(new, lambda f: f.write(b"y"))
        assert stat.S_IMODE(new.stat().st_mode) == 0o640          # an overwritten file keeps its mode
        os.umask(0o077)
        assert stat.S_IMODE(atomic_write(tmp_path / "private.bin", lambda f: f.write(b"z")).stat().st_mode) == 0o600
    finally:
        os.umask(old)


def _model_file(tmp_path):
    from dataclasses import dataclass
    from lstm_book.files import save_model

    @dataclass
    class Cfg:
        size: int
        layers: int = 1
    path = save_model(tmp_path / "m.pt", nn.Linear(3, 2), "music", Cfg(3), ["<pad>", "a"], bpm=100)
    return path, Cfg


def test_model_file_round_trip_and_kind(tmp_path):
    from lstm_book.files import ModelFileError, load_model
    path, Cfg = _model_file(tmp_path)
    mf = load_model(path, "music", Cfg)
    assert (mf.kind, mf.config, mf.itos, mf.extra) == ("music", Cfg(3, 1), ["<pad>", "a"], {"bpm": 100})
    with pytest.raises(ModelFileError, match=r"m\.pt is a music model file, expected chatbot$"):
        load_model(path, "chatbot")


@pytest.mark.parametrize("content", [b"", b"just some text\n", b"\x00\xff" * 100, "truncated"])
def test_unreadable_files_are_one_line_errors(tmp_path, content):
    from lstm_book.files import ModelFileError, load_model
    path, _ = _model_file(tmp_path)
    bad = tmp_path / "bad.pt"
    bad.write_bytes(path.read_bytes()[:500] if content == "truncated" else content)
    with pytest.raises(ModelFileError) as e:
        load_model(bad, "music")
    assert "bad.pt is not a readable model file: it is not an lstm-book model file" in str(e.value)
    assert "\n" not in str(e.value) and "weights_only" not in str(e.value)


def test_pickles_and_foreign_pt_files_are_refused_without_torch_advice(tmp_path):
    from lstm_book.files import ModelFileError, load_model
    torch.save({"model": nn.Linear(2, 2)}, tmp_path / "pickle.pt")        # a pickled module: code to run
    torch.save({"state": torch.ones(3)}, tmp_path / "foreign.pt")           # tensors, but not ours
    for name in ("pickle.pt", "foreign.pt"):
        with pytest.raises(ModelFileError) as e:
            load_model(tmp_path / name, "music")
        msg = str(e.value)
        assert name in msg and "lstm-book" in msg and "weights_only" not in msg and "\n" not in msg
    with pytest.raises(FileNotFoundError, match="no model file at"):
        load_model(tmp_path / "missing.pt", "music")


def test_corrupted_weights_are_refused(tmp_path):
    from lstm_book.files import ModelFileError, load_model
    path, _ = _model_file(tmp_path)
    raw = torch.load(path, weights_only=True)
    raw["model"]["weight"].copy_(torch.randn_like(raw["model"]["weight"]))   # junk of the right shape
    torch.save(raw, tmp_path / "junk.pt")
    with pytest.raises(ModelFileError, match="junk.pt is corrupted: its weights do not match their checksum"):
        load_model(tmp_path / "junk.pt", "music")
    del raw["sha256"]; torch.save(raw, tmp_path / "nosum.pt")
    with pytest.raises(ModelFileError, match="not a complete model file"):
        load_model(tmp_path / "nosum.pt", "music")


def test_config_fields_from_another_version(tmp_path):
    from lstm_book.files import ModelFileError, load_model
    path, Cfg = _model_file(tmp_path)
    raw = torch.load(path, weights_only=True)
    torch.save(raw | {"config": {"size": 3, "heads": 4}}, tmp_path / "newer.pt")
    torch.save(raw | {"config": {"layers": 2}}, tmp_path / "older.pt")
    with pytest.raises(ModelFileError, match=r"newer\.pt: unknown Cfg field 'heads'"):
        load_model(tmp_path / "newer.pt", "music", Cfg)
    with pytest.raises(ModelFileError, match=r"older\.pt: its config lacks the Cfg field 'size'"):
        load_model(tmp_path / "older.pt", "music", Cfg)


def test_compact_files_use_the_model_format(tmp_path):
    from lstm_book.files import MODEL_FORMAT, compact_checkpoint, load_model, save_model
    big = nn.Sequential(nn.Embedding(500, 32), nn.Linear(32, 500))
    save_model(tmp_path / "full.pt", big, "lm", {"v": 500}, None, level="char")
    info = compact_checkpoint(tmp_path / "full.pt", tmp_path / "small.pt", max_bytes=60_000)
    raw = torch.load(tmp_path / "small.pt", weights_only=True)
    assert raw["format"] == MODEL_FORMAT and raw["quantized"] and info["bytes"] <= 60_000
    mf = load_model(tmp_path / "small.pt", "lm")
    assert mf.extra == {"level": "char"} and mf.state["1.weight"].shape == (500, 32)
    raw["model"]["1.weight"]["q"][0, 0] ^= 3
    torch.save(raw, tmp_path / "flipped.pt")
    with pytest.raises(ValueError, match="is corrupted"):
        load_model(tmp_path / "flipped.pt", "lm")


@pytest.mark.parametrize("name,kind", [("shakespeare-char", "lm"), ("bach-composer", "music"), ("movie-chatbot", "attention-chatbot"), ("movie-chatbot-plain", "chatbot")])
def test_pretrained_models_are_model_files_of_their_kind(name, kind):
    from lstm_book.files import load_model
    from lstm_book.data import pretrained_path
    mf = load_model(pretrained_path(name), kind)
    assert mf.kind == kind and mf.itos and mf.config


def test_resolve_is_the_one_resolver():
    import os.path
    from lstm_book.environment import resolve
    assert resolve("os.path:join") is os.path.join
    with pytest.raises(ValueError, match="expected 'package.module:function'"):
        resolve("os.path.join")
    with pytest.raises(ValueError, match="has no attribute"):
        resolve("os.path:nope")
