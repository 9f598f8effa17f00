"""Train the book's shipped character model (`shakespeare-char`) longer than chapter 4's own
run, resumably, and write what the chapter shows: the learning curve and the full model.

    python tools/train_shipped_char.py [--out runs/shipped-char] [--threads 2]

Everything is chosen before the run or on validation: the architecture is chapter 4's
(2 x 512, dropout 0.1); the budget is fixed in advance (PASSES passes of the training plays,
validated ROUNDS times); the weights kept are those of the best validation round. The test
plays are not read here. Interrupted, the same command continues from the last round.
"""
from __future__ import annotations
import argparse, json, platform, time
from pathlib import Path

import torch

from lstm_book.core import seed_everything
from lstm_book.lm import LMConfig, LanguageModel, TrainConfig, build_vocab, encode, save_lm, shakespeare_splits, train_lm

PASSES, ROUNDS = 6.0, 12      # passes over the training plays; validations (one history row each)
BATCH, BPTT = 32, 128         # 32 parallel rows: twice chapter 4's updates per pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/shipped-char", help="folder for checkpoints, history and the model")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    text = shakespeare_splits()
    vocab = build_vocab(text["train"], "char")
    train_ids, valid_ids = (encode(text[s], vocab, "char") for s in ("train", "valid"))
    seed_everything(0)
    model = LanguageModel(LMConfig(len(vocab), emb=64, hidden=512, layers=2))
    cfg = TrainConfig(epochs=PASSES, rounds=ROUNDS, batch_size=BATCH, bptt=BPTT, progress=False,
                      checkpoint_dir=out / "checkpoints", resume=True)
    t0 = time.perf_counter()
    hist = train_lm(model, train_ids, valid_ids, cfg, level="char")
    hist.to_csv(out / "history.csv", index=False)
    save_lm(out / "full.pt", model, vocab, "char")
    (out / "run.json").write_text(json.dumps({
        "passes": PASSES, "rounds": ROUNDS, "batch_size": BATCH, "bptt": BPTT,
        "threads": a.threads, "machine": platform.processor() or platform.machine(),
        "seconds_this_invocation": round(time.perf_counter() - t0)}, indent=1))
    print(hist.to_string(index=False))


if __name__ == "__main__":
    main()
