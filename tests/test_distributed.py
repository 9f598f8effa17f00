"""Data-parallel training with two CPU processes (gloo over the loopback interface), launched by torchrun."""
import os
import subprocess
import sys
from pathlib import Path

import torch

from .helpers import cli

JOB = Path(__file__).with_name("ddp_job.py")
ENV = {**os.environ, "LSTM_BOOK_DEVICE": "cpu", "OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo"}
TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]


def run(cmd, timeout=600):
    r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{cmd} failed:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r


def test_two_processes_train_like_one(tmp_path):
    one = run([sys.executable, str(JOB), str(tmp_path)])
    two = run(TORCHRUN + [str(JOB), str(tmp_path)])
    a, b = (torch.load(tmp_path / f"result-{n}.pt", weights_only=True) for n in (1, 2))
    # the loss falls, and both runs log the same numbers
    assert b["train_loss"][-1] < b["train_loss"][0] and b["valid_loss"][-1] < b["valid_loss"][0]
    assert abs(a["valid_loss"][-1] - b["valid_loss"][-1]) < 1e-4
    # equal shares of every batch + averaged gradients = the single-process step
    assert max((a["weights"][k] - b["weights"][k]).abs().max().item() for k in a["weights"]) < 1e-4
    # only rank 0 prints its epoch lines and writes checkpoints
    assert two.stdout.count("round   1/3") == 1 and one.stdout.count("round   1/3") == 1
    assert sorted(p.name for p in (tmp_path / "ckpt-rank0").iterdir()) == ["best.pt", "last.pt"]
    assert not (tmp_path / "ckpt-rank1").exists()


def test_cli_lm_train_under_torchrun(tmp_path):
    text = cli("data", "path", "macbeth").stdout.strip()
    body = Path(text).read_text()
    (tmp_path / "train.txt").write_text(body[:30_000]); (tmp_path / "valid.txt").write_text(body[30_000:34_000])
    r = run(TORCHRUN + ["-m", "lstm_book.cli", "lm", "train", "--train", str(tmp_path / "train.txt"), "--valid", str(tmp_path / "valid.txt"),
                        "--hidden", "32", "--layers", "1", "--emb", "16", "--passes", "0.5", "--rounds", "1", "--batch-size", "8",
                        "--bptt", "32", "--save", str(tmp_path / "lm.pt"), "--no-progress"])
    assert r.stdout.count("saved: ") == 1                        # one process reports
    assert (tmp_path / "lm.pt").is_file() and not list(tmp_path.glob(".lm.pt.*"))
    assert cli("lm", "generate", "--checkpoint", str(tmp_path / "lm.pt"), "--length", "20", "--seed", "0").returncode == 0
