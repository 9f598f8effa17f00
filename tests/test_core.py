"""lstm_book.core: resume after a real interruption, in separate processes."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from lstm_book.core import atomic_write, save_checkpoint

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
    import lstm_book.core as core
    from tests import resume_job
    assert run("straight", tmp_path / "straight.pt").returncode == 0
    run("interrupt", tmp_path / "ck")
    monkeypatch.setattr(core, "set_rng_state", lambda state: None)
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
