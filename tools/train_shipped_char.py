"""Train the book's shipped character model (`shakespeare-char`) longer than chapter 4's own
run, resumably, and write what the chapter shows: the learning curve and the full model.

    python tools/train_shipped_char.py [--out runs/shipped-char] [--threads 2]
    python tools/train_shipped_char.py --ship        # then: the compact model file into data/
    python tools/train_shipped_char.py --then-ship   # both (the manifest's command for the file)

Everything is chosen before the run or on validation: the architecture is chapter 4's
(2 x 512, dropout 0.1); the budget is fixed in advance (PASSES passes of the training plays,
validated ROUNDS times); the weights kept are those of the best validation round. The test
plays are not read here. Interrupted, the same command continues from the last round.

`--ship` writes the trained model (its best validation round) as the compact 8-bit model file
`data/lm_shakespeare_char.pt` — with its learning curve and where and how long it trained, which
chapter 4 shows — and records the new file's checksum in the manifest.
"""
from __future__ import annotations
import argparse, json, platform, time
from pathlib import Path

import subprocess, sys, tempfile

import pandas as pd
import torch

from lstm_book.files import compact_checkpoint
from lstm_book.training import hardware, seed_everything
from lstm_book.data import PRETRAINED
from lstm_book.environment import checkout_data_dir
from lstm_book.lm import (LMConfig, LanguageModel, StreamConfig, build_vocab, encode, load_lm, save_lm,
                          shakespeare_splits, train_lm)

ROOT = Path(__file__).resolve().parent.parent

PASSES, ROUNDS = 6.0, 12      # passes over the training plays; validations (one history row each)
BATCH, BPTT = 32, 128         # 32 parallel rows: twice chapter 4's updates per pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/shipped-char", help="folder for checkpoints, history and the model")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads")
    ap.add_argument("--ship", action="store_true", help="write the trained model into data/ (compact)")
    ap.add_argument("--then-ship", action="store_true", help="train (or resume), then --ship")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    if a.ship: return ship(out)
    text = shakespeare_splits()
    vocab = build_vocab(text["train"], "char")
    train_ids, valid_ids = (encode(text[s], vocab, "char") for s in ("train", "valid"))
    seed_everything(0)
    model = LanguageModel(LMConfig(len(vocab), emb=64, hidden=512, layers=2))
    cfg = StreamConfig(passes=PASSES, rounds=ROUNDS, batch_size=BATCH, bptt=BPTT, progress=False,
                      checkpoint_dir=out / "checkpoints", resume=True)
    t0 = time.perf_counter()
    hist = train_lm(model, train_ids, valid_ids, cfg, level="char")
    hist.to_csv(out / "history.csv", index=False)
    save_lm(out / "full.pt", model, vocab, "char")
    (out / "run.json").write_text(json.dumps({
        "passes": PASSES, "rounds": ROUNDS, "batch_size": BATCH, "bptt": BPTT,
        "hardware": hardware(), "machine": platform.processor() or platform.machine(),
        "seconds_this_invocation": round(time.perf_counter() - t0)}, indent=1))
    print(hist.to_string(index=False))
    if a.then_ship: ship(out)


def ship(out: Path) -> None:
    "The trained model, with its learning curve and how it was trained, as data/'s compact file."
    model, vocab, level = load_lm(out / "full.pt", device="cpu")
    hist = pd.read_csv(out / "history.csv")
    run = json.loads((out / "run.json").read_text())
    trained = {"passes": PASSES, "rounds": ROUNDS, "batch_size": BATCH, "bptt": BPTT,
               "hardware": run["hardware"], "minutes": round(float(hist.seconds.sum()) / 60, 1),
               "best_round": int(hist.valid_loss.idxmin()) + 1}
    target = checkout_data_dir() / PRETRAINED["shakespeare-char"].filename
    with tempfile.TemporaryDirectory() as d:
        save_lm(Path(d) / "full.pt", model, vocab, level, history=hist.to_dict(orient="list"),
                trained=trained)
        info = compact_checkpoint(Path(d) / "full.pt", target)
    print(f"wrote {target}: {info['bytes']:,} bytes; {trained}")
    subprocess.run([sys.executable, ROOT / "tools" / "update_manifest.py"], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
