"""GPU verification: every chapter's model trains and runs inference on CUDA, with mixed precision off and on.

For each chapter's model: the loss on a fixed batch, a short training run through the
training loop (`fit`) on that batch, the loss again, and one generation or inference call;
on the CPU, and on CUDA with `amp=False` and `amp=True` (bfloat16, or float16 with a
grad scaler). Then the LSTM speed benchmark (the book's LSTMs against torch.nn.LSTM,
which is cuDNN on a GPU). Prints one table, writes JSON, and exits with status 1 if
any row failed (an exception, a non-finite loss, or a loss that did not fall).

    python benchmarks/gpu_check.py [--steps 30] [--out benchmarks/gpu_check.json] [--quick]

Without CUDA it runs the CPU rows and says that the CUDA rows were skipped (the test
suite runs it that way, with --quick). Installs nothing; needs no network.
"""
import argparse
import math
import sys
import time
import traceback
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F

from common import run_metadata, write_json
from lstm_book.training import (FitConfig, NextTokenModel, fit, next_token_step, run_epoch,
                                seed_everything, to_device)
from lstm_book.data import Vocab, load_text
from lstm_book.lstm import LSTM, benchmark_lstms
from lstm_book.rnn import Elman, LastStepRegressor, adding_problem


def _tokens(n: int, vocab: int, *shape) -> torch.Tensor:
    return torch.randint(4, vocab, shape, generator=torch.Generator().manual_seed(n))


def job_rnn(big):
    model = LastStepRegressor(Elman(2, 128 if big else 16, batch_first=True), 128 if big else 16)
    x, y = adding_problem(64, 100 if big else 20, torch.Generator().manual_seed(0))
    return model, (x, y), lambda m, b, s: (F.mse_loss(m(b[0]), b[1]), len(b[0]), None), lambda m, b: m(b[0]).shape


def job_lstm(big):
    H = 512 if big else 16
    model = NextTokenModel(LSTM(64, H, batch_first=True, fast=True), vocab_size=100, emb=64, hidden=H)
    return model, _tokens(1, 100, 32, 129 if big else 17), next_token_step, lambda m, b: m(b[:, :-1])[0].shape


def job_lm(big):
    from lstm_book.lm import LMConfig, LanguageModel, build_vocab, encode, sample
    text = load_text("macbeth")
    vocab = build_vocab(text, "char")
    ids = encode(text, vocab, "char")
    T = 129 if big else 17
    model = LanguageModel(LMConfig(len(vocab), emb=64, hidden=512 if big else 16, layers=2))
    return model, ids[: 32 * T].view(32, T), next_token_step, lambda m, b: len(sample(m, vocab, "char", "MACBETH:\n", 200, seed=0))


def job_sentiment(big):
    from lstm_book.sentiment import ClassifierConfig, SentimentLSTM, classify_step, predict_proba
    model = SentimentLSTM(ClassifierConfig(2000, emb=128 if big else 8, hidden=128 if big else 8))
    x, lengths = _tokens(2, 2000, 64, 40), torch.randint(5, 41, (64,), generator=torch.Generator().manual_seed(3))
    x[torch.arange(40)[None] >= lengths[:, None]] = 0
    y = (x == 7).any(1).long() | (lengths > 20).long()
    seqs = [x[i, :lengths[i]] for i in range(16)]
    return model, (x, lengths, y), classify_step, lambda m, b: predict_proba(m, seqs).shape


def job_music(big):
    from lstm_book.lm import LMConfig, LanguageModel
    from lstm_book.music import PianoRollLSTM, RollConfig, event_vocab, generate_events, roll_step
    model = PianoRollLSTM(RollConfig(hidden=256 if big else 16))
    roll = (torch.rand(16, 65, 88, generator=torch.Generator().manual_seed(4)) < 0.05).float()
    events = LanguageModel(LMConfig(len(event_vocab()), emb=16, hidden=64, layers=1))
    return model, (roll[:, :-1], roll[:, 1:], torch.ones(16, 64)), roll_step, \
        lambda m, b: len(generate_events(events.to(next(m.parameters()).device), event_vocab(), steps=64, seed=0))


def job_stocks(big):
    from lstm_book.stocks import StockConfig, StockLSTM, stock_step
    model = StockLSTM(StockConfig(hidden=128 if big else 8))
    g = torch.Generator().manual_seed(5)
    x = torch.randn(32, 256 if big else 16, model.cfg.n_features, generator=g)
    y = (x[..., 0] > 0).float()
    return model, (x, y, torch.ones_like(y, dtype=torch.bool), torch.tensor(True)), stock_step, lambda m, b: m(b[0])[0].shape


def _pairs(vocab_size):
    src = _tokens(6, vocab_size, 64, 10)
    lengths = torch.randint(3, 11, (64,), generator=torch.Generator().manual_seed(7))
    src[torch.arange(10)[None] >= lengths[:, None]] = 0
    tgt = torch.cat([torch.full((64, 1), Vocab.bos_id), src[:, :8].flip(1).clamp(min=4), torch.full((64, 1), Vocab.eos_id)], 1)
    return (src, lengths, tgt, torch.tensor(True)), [src[i, :lengths[i]].tolist() for i in range(16)]


def job_chatbot(big):
    from lstm_book.chatbot import Seq2Seq, Seq2SeqConfig, generate, seq2seq_step
    model = Seq2Seq(Seq2SeqConfig(3000, emb=256 if big else 8, hidden=256 if big else 8))
    batch, statements = _pairs(3000)
    return model, batch, seq2seq_step, lambda m, b: len(generate(m, statements))


def job_attention(big):
    from lstm_book.attention import attention_seq2seq
    from lstm_book.chatbot import Seq2SeqConfig, seq2seq_step
    from lstm_book.decoding import seq2seq_beam
    model = attention_seq2seq(Seq2SeqConfig(3000, emb=256 if big else 8, hidden=256 if big else 8), "general")
    batch, statements = _pairs(3000)
    return model, batch, seq2seq_step, lambda m, b: len(seq2seq_beam(m, statements, beam_size=5))   # chapter 10: beam search


def job_memnet(big):
    from lstm_book.memnet import MemConfig, MemN2N, babi_data, qa_step
    vocab, data, qas = babi_data(2, 300, test_size=10)
    d = data["train"]
    model = MemN2N(MemConfig(len(vocab), dim=64 if big else 8, hops=3), vocab)
    q = qas["test"][0]
    return model, (d["stories"][:64], d["questions"][:64], d["answers"][:64]), qa_step, lambda m, b: m.answer(q.story, q.question)[0]


JOBS = {"02 Elman RNN (adding problem)": job_rnn, "03 book LSTM, fast path": job_lstm, "04 language model": job_lm,
        "05 sentiment LSTM": job_sentiment, "06 piano-roll LSTM + event sampling": job_music, "07 stock LSTM": job_stocks,
        "08 seq2seq chatbot": job_chatbot, "09/10 attention chatbot + beam search": job_attention, "11 memory network": job_memnet}


def check(name: str, make, device: str, amp: bool, steps: int, big: bool) -> dict:
    "Train one chapter's model on a fixed batch for `steps` steps and run its inference; one table row."
    row = {"model": name, "device": device, "amp": amp}
    try:
        seed_everything(0)
        model, batch, step, infer = make(big)
        model = model.to(device)
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)
        cfg = FitConfig(epochs=1, amp=amp, progress=False, log=False)
        loss = lambda: run_epoch(model, [batch], step, cfg=cfg)["loss"]
        if device == "cuda": torch.cuda.reset_peak_memory_stats(); torch.cuda.synchronize()
        row["loss before"] = loss()
        fit(model, [batch] * 2, None, step, opt, cfg=cfg)                         # warm-up (cuDNN plans, allocator)
        if device == "cuda": torch.cuda.synchronize()
        t0 = time.perf_counter()
        fit(model, [batch] * steps, None, step, opt, cfg=cfg)
        if device == "cuda": torch.cuda.synchronize()
        row["steps/s"] = steps / (time.perf_counter() - t0)
        row["loss after"] = loss()
        model.eval()
        t0 = time.perf_counter()
        with torch.autocast(device, dtype=torch.bfloat16, enabled=amp and device == "cuda"):
            infer(model, to_device(batch, device))
        if device == "cuda": torch.cuda.synchronize()
        row["inference s"] = time.perf_counter() - t0
        row["peak MiB"] = torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else math.nan
        ok = math.isfinite(row["loss after"]) and row["loss after"] < row["loss before"]
        row["status"] = "ok" if ok else "LOSS DID NOT FALL"
    except Exception as e:                                                       # reported in the table, and the exit status
        traceback.print_exc()
        row["status"] = f"ERROR {type(e).__name__}: {str(e)[:80]}"
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="timed training steps per model (after 2 warm-up steps)")
    parser.add_argument("--quick", action="store_true", help="tiny models and shapes (the test suite's CPU check)")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("gpu_check.json"), help="JSON output file")
    args = parser.parse_args()
    if args.steps < 1: parser.error("--steps must be at least 1")
    cuda = torch.cuda.is_available()
    runs = [("cpu", False)] + ([("cuda", False), ("cuda", True)] if cuda else [])
    if not cuda: print("CUDA is not available: running the CPU rows only; the CUDA rows (amp off and on) are skipped.")
    result = run_metadata(steps=args.steps, quick=args.quick, gpu=torch.cuda.get_device_name() if cuda else None)
    rows = []
    for name, make in JOBS.items():
        for device, amp in runs:
            rows.append(check(name, make, device, amp, args.steps, big=not args.quick))
            print(f"  {name:<40} {device:<4} amp={'on ' if amp else 'off'} {rows[-1]['status']}", flush=True)
    table = pd.DataFrame(rows)
    cpu_speed = table[table.device == "cpu"].set_index("model")["steps/s"]
    table["vs CPU"] = table["steps/s"] / table.model.map(cpu_speed)
    cols = ["model", "device", "amp", "steps/s", "vs CPU", "peak MiB", "loss before", "loss after", "inference s", "status"]
    table = table.reindex(columns=cols)
    print(f"\n{result['gpu'] or 'CPU only'}: {args.steps} training steps per model on a fixed batch, then one inference call")
    print(table.round(3).to_string(index=False))
    result["runs"]["models"] = table.to_dict(orient="records")
    shapes = [(2, 5, 3, 4)] if args.quick else [(32, 64, 128, 256), (64, 128, 512, 512)]
    for device in ["cpu"] + (["cuda"] if cuda else []):
        speed = benchmark_lstms(shapes=shapes, repeats=1 if args.quick else 5, device=device)
        print(f"\nLSTM speed on {device} (ms; torch.nn.LSTM is cuDNN on CUDA)")
        print(speed.set_index(["B", "T", "I", "H"])[["nn.LSTM fwd+bwd ms", "plain fwd+bwd ms", "fast fwd+bwd ms",
                                                     "fast / nn.LSTM (fwd+bwd)"]].round(2).to_string())
        result["runs"][f"lstm_speed_{device}"] = speed.to_dict(orient="records")
    write_json(args.out, result)
    failed = table[table.status != "ok"]
    if len(failed):
        print(f"\nFAILED: {len(failed)} row(s):\n{failed[['model', 'device', 'amp', 'status']].to_string(index=False)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
