"""A data-parallel training job for tests/test_distributed.py.

    python tests/ddp_job.py OUT                                            one process
    python -m torch.distributed.run --standalone --nproc_per_node=2 tests/ddp_job.py OUT   two (gloo on the CPU)

Trains a small character language model with `train_lm` (no dropout, so that one
and two processes must compute the same weights); every rank asks for checkpoints
in its own directory OUT/ckpt-rank<R>, so the test can see which ranks wrote any.
Rank 0 saves the final weights and the history to OUT/result-<world size>.pt.
"""
import sys
from pathlib import Path

import torch

from lstm_book.training import (distributed_env, init_distributed, is_main_process,
                                rank_and_world, seed_everything, shutdown_distributed)
from lstm_book.data import load_text
from lstm_book.lm import LMConfig, LanguageModel, StreamConfig, build_vocab, encode, train_lm

torch.set_num_threads(1)
out = Path(sys.argv[1])
device = init_distributed()
rank, world = rank_and_world()
assert (rank, world) == distributed_env()[:2]
text = load_text("macbeth")[:40_000]
vocab = build_vocab(text, "char")
ids = encode(text, vocab, "char")
seed_everything(0)
model = LanguageModel(LMConfig(len(vocab), emb=16, hidden=48, layers=1, dropout_emb=0, dropout_out=0)).to(device)
cfg = StreamConfig(passes=1, rounds=3, batch_size=8, bptt=32, lr=1e-2, checkpoint_dir=out / f"ckpt-rank{rank}", progress=False, log=True)
hist = train_lm(model, ids[:36_000], ids[36_000:], cfg)
if is_main_process():
    torch.save({"weights": model.state_dict(), "train_loss": hist.train_loss.tolist(), "valid_loss": hist.valid_loss.tolist()},
               out / f"result-{world}.pt")
shutdown_distributed()
