"""Train the book's shipped chatbot (`movie-chatbot`, an encoder-decoder with attention) and, with
the same recipe and budget, the plain encoder-decoder it is compared with (`movie-chatbot-plain`),
resumably; then write both as compact model files for chapter 9.

    python tools/train_shipped_chatbot.py --all          # choose the decoder, then train both
    python tools/train_shipped_chatbot.py --ship         # then: the model files into data/
    python tools/train_shipped_chatbot.py --all --then-ship   # both (the manifest's command)
    python tools/train_shipped_chatbot.py --decoder luong --epochs 2   # one run (used by --all)

Everything is fixed before the run or chosen on validation pairs. The sizes are chapter 8's
(shared 256-dimensional embedding, a two-layer bidirectional encoder, a two-layer decoder of 256
units). The attention decoder is Luong's (input feeding) or Bahdanau's, whichever has the lower
validation perplexity after SELECT_EPOCHS epochs from the same seed (dropout 0.2); then the
winner and the plain model train from the same seed with each dropout of DROPOUTS (the winner's
dropout-0.2 run continues its selection run), for at most EPOCHS epochs each,
with the learning rate halved after every epoch without a better validation loss, stopping after
PATIENCE such epochs, keeping the best validation epoch; for each model the dropout with the
lower validation perplexity is shipped. `--all` runs two trainings at a time,
one CPU thread each. The test pairs are not read here; the MMI weight is chosen on validation.
"""
from __future__ import annotations
import argparse, json, subprocess, sys, tempfile, time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parent.parent
SELECT_EPOCHS, EPOCHS, PATIENCE, LR_DECAY = 2, 20, 4, 0.5
DROPOUTS = (0.2, 0.4)        # each model trains with each; validation perplexity picks one
CANDIDATES = {"luong": "general", "bahdanau": "additive"}   # decoder -> its score function
MMI_LAMBDAS = (0.0, 0.25, 0.5, 0.75, 1.0)


def run_name(decoder: str, dropout: float) -> str: return f"{decoder}-d{dropout:g}"


def build(decoder: str, vocab_size: int, dropout: float):
    "A fresh model: `plain` (chapter 8) or an attention decoder of CANDIDATES."
    from lstm_book.attention import attention_seq2seq
    from lstm_book.chatbot import Seq2Seq, Seq2SeqConfig
    cfg = Seq2SeqConfig(vocab_size, dropout=dropout)
    return Seq2Seq(cfg) if decoder == "plain" else attention_seq2seq(cfg, CANDIDATES[decoder],
                                                                      decoder)


def train(out: Path, decoder: str, dropout: float, epochs: int) -> None:
    "Train (or continue) one model up to `epochs` epochs; write its history and run record."
    from lstm_book.chatbot import ChatTrainConfig, chat_data, train_seq2seq
    from lstm_book.training import hardware, seed_everything
    _, vocab, data = chat_data()
    seed_everything(0)
    model, run = build(decoder, len(vocab), dropout), out / run_name(decoder, dropout)
    cfg = ChatTrainConfig(epochs=epochs, patience=PATIENCE, lr_decay=LR_DECAY, progress=False,
                          checkpoint_dir=run / "checkpoints", resume=True)
    t0 = time.perf_counter()
    hist = train_seq2seq(model, data["train"], data["valid"], cfg)
    hist.to_csv(run / "history.csv", index=False)
    (run / "run.json").write_text(json.dumps({
        "decoder": decoder, "dropout": dropout, "epochs": epochs, "hardware": hardware(),
        "seconds_this_invocation": round(time.perf_counter() - t0)}, indent=1))


def run_parallel(out: Path, jobs: list[tuple[str, float, int]]) -> None:
    "Train several models at once (decoder, dropout, epochs), one process and CPU thread each."
    procs = [subprocess.Popen([sys.executable, __file__, "--out", str(out), "--decoder", d,
                               "--dropout", str(p), "--epochs", str(e), "--threads", "1"])
             for d, p, e in jobs]
    if any(p.wait() for p in procs): sys.exit("a training run failed (see above)")


def choose_decoder(out: Path) -> str:
    "The candidate with the lower validation perplexity after SELECT_EPOCHS epochs."
    ppl = {d: float(pd.read_csv(out / run_name(d, DROPOUTS[0]) / "history.csv")
                    .valid_ppl[SELECT_EPOCHS - 1]) for d in CANDIDATES}
    best = min(ppl, key=ppl.get)
    (out / "selection.json").write_text(json.dumps(
        {"epochs": SELECT_EPOCHS, "valid_ppl": ppl, "chosen": best}, indent=1))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/shipped-chatbot", help="folder for checkpoints and histories")
    ap.add_argument("--all", action="store_true", help="choose the decoder, then train it and the plain model")
    ap.add_argument("--decoder", choices=["plain", *CANDIDATES], help="train this one model")
    ap.add_argument("--dropout", type=float, default=DROPOUTS[0], help="dropout (with --decoder)")
    ap.add_argument("--epochs", type=int, default=EPOCHS, help="epochs (with --decoder)")
    ap.add_argument("--threads", type=int, default=1, help="CPU threads (with --decoder)")
    ap.add_argument("--ship", action="store_true", help="write the trained models into data/")
    ap.add_argument("--then-ship", action="store_true", help="with --all: then --ship")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    out = Path(a.out)
    if a.decoder:
        (out / run_name(a.decoder, a.dropout)).mkdir(parents=True, exist_ok=True)
        return train(out, a.decoder, a.dropout, a.epochs)
    if a.all:
        t0 = time.perf_counter()
        run_parallel(out, [(d, DROPOUTS[0], SELECT_EPOCHS) for d in CANDIDATES])
        best = choose_decoder(out)
        print(f"chosen decoder: {best}", flush=True)
        for p in DROPOUTS: run_parallel(out, [(best, p, EPOCHS), ("plain", p, EPOCHS)])
        print(f"trained in {(time.perf_counter() - t0) / 60:.1f} minutes", flush=True)
    if a.ship or a.then_ship: ship(out)


def ship(out: Path) -> None:
    "Both models, with their learning curves and how they were trained, as compact files in data/."
    from lstm_book.attention import AttentionChatbot
    from lstm_book.chatbot import Chatbot, chat_data
    from lstm_book.files import compact_checkpoint
    from lstm_book.training import load_checkpoint
    from lstm_book.data import PRETRAINED
    from lstm_book.environment import checkout_data_dir
    parts, vocab, data = chat_data()
    chosen = json.loads((out / "selection.json").read_text())
    for decoder, name in ((chosen["chosen"], "movie-chatbot"), ("plain", "movie-chatbot-plain")):
        hists = {p: pd.read_csv(out / run_name(decoder, p) / "history.csv") for p in DROPOUTS}
        best_ppl = {p: float(h.valid_ppl.min()) for p, h in hists.items()}
        dropout = min(best_ppl, key=best_ppl.get)
        hist, run = hists[dropout], out / run_name(decoder, dropout)
        model = build(decoder, len(vocab), dropout)
        load_checkpoint(run / "checkpoints" / "best.pt", model)
        model.eval()
        trained = {"decoder": decoder, "dropout": dropout, "valid_ppl_by_dropout": best_ppl,
                   "max_epochs": EPOCHS, "patience": PATIENCE,
                   "lr_decay": LR_DECAY, "epochs_run": len(hist),
                   "best_epoch": int(hist.valid_loss.idxmin()) + 1,
                   "minutes": round(float(hist.seconds.sum()) / 60, 1),
                   "hardware": json.loads((run / "run.json").read_text())["hardware"],
                   "selection": chosen}
        mmi = choose_mmi(model, vocab, parts, data) if decoder != "plain" else None
        bot = (Chatbot if decoder == "plain" else AttentionChatbot)(model, vocab, mmi=mmi)
        target = checkout_data_dir() / PRETRAINED[name].filename
        with tempfile.TemporaryDirectory() as d:
            bot.save(Path(d) / "full.pt", history=hist.to_dict(orient="list"), trained=trained)
            # 6 MB: the attention decoder does not fit the other files' 5 MB at 4 bits
            info = compact_checkpoint(Path(d) / "full.pt", target, max_bytes=6_000_000)
        print(f"wrote {target}: {info['bytes']:,} bytes; {trained}", flush=True)
    subprocess.run([sys.executable, ROOT / "tools" / "update_manifest.py"], check=True, cwd=ROOT)


def choose_mmi(model, vocab, parts, data):
    "MMI settings: the largest weight whose validation BLEU is at least that of weight 0."
    from lstm_book.chatbot import MMIConfig, mmi_candidates, mmi_pick, reply_scores
    rng = np.random.default_rng(0)
    train_src = data["train"][0]
    background = [train_src[i] for i in rng.choice(len(train_src), 32, replace=False)]
    cands = mmi_candidates(model, data["valid"][0], MMIConfig(background), seed=0)
    refs = [r.split() for r in parts["valid"].reply]
    bleu = {lam: reply_scores([vocab.decode(r) for r in mmi_pick(*cands, lam)], refs)["BLEU"]
            for lam in MMI_LAMBDAS}
    lam = max(l for l, b in bleu.items() if b >= bleu[0.0])
    print(f"MMI: validation BLEU by weight {bleu}; chosen {lam}", flush=True)
    return MMIConfig(background, lam=lam)


if __name__ == "__main__":
    main()
