"""Training throughput of the language-model chapter: `train_lm` against a bare PyTorch loop, and nn.LSTM against the book's LSTMs.

1. Loop overhead: trains the same model from the same initial weights on the same
   windows of Shakespeare word tokens, once with `lstm_book.lm.train_lm` (the
   toolkit's `fit`: finiteness check, loss and gradient-norm records, schedule,
   progress bar) and once with a bare loop (forward, loss, backward, clip, AdamW
   step, nothing else), taking turns; reports the median training tokens/s of each
   and their ratio. Default model: the chapter's classic-recipe size, 2 x 200 LSTM,
   batch 20 x 35 steps.
2. Backends (--backends): full training steps of the same model with each LSTM
   backend (the first is the reference of the ratios).

    python benchmarks/lm_throughput.py [--repeats 7] [--batches 30] [--backends torch fast] [--out benchmarks/lm_throughput.json]

Runs on the CPU, and also on CUDA when a GPU is present.
"""
import argparse
from pathlib import Path

from common import add_run, devices, run_metadata, write_json
from lstm_book.data import load_plays
from lstm_book.lm import LMConfig, build_vocab, encode, lm_throughput, loop_throughput, shakespeare_splits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of each loop / steps per backend (median reported)")
    parser.add_argument("--batches", type=int, default=30, help="training windows per timed run of a loop")
    parser.add_argument("--hidden", type=int, default=200, help="LSTM units per layer (and embedding size) of the word model")
    parser.add_argument("--layers", type=int, default=2, help="LSTM layers")
    parser.add_argument("--batch-size", type=int, default=20, help="parallel rows")
    parser.add_argument("--bptt", type=int, default=35, help="time steps per window")
    parser.add_argument("--backends", nargs="*", default=[], choices=["torch", "fast", "plain"],
                        help="also time training steps of the same model with these LSTM backends; the first is the reference")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("lm_throughput.json"), help="JSON output file")
    args = parser.parse_args()
    sizes = {k: getattr(args, k) for k in ("repeats", "batches", "hidden", "layers", "batch_size", "bptt")}
    if bad := [k for k, v in sizes.items() if v < 1]:
        parser.error(f"these must be positive integers: {', '.join('--' + k.replace('_', '-') for k in bad)}")
    text = shakespeare_splits(load_plays())["train"]
    vocab = build_vocab(text, "word", min_freq=3)
    ids = encode(text, vocab, "word")
    cfg = LMConfig(len(vocab), emb=args.hidden, hidden=args.hidden, layers=args.layers)
    result = run_metadata(**sizes, model=vars(cfg))
    for device, name in devices():
        table = loop_throughput(cfg, ids, args.batch_size, args.bptt, args.batches, args.repeats, device)
        add_run(result, device, name, table, f"median training tokens/s of {args.repeats} runs of {args.batches} windows, "
                f"{args.layers} x {args.hidden} word LSTM, batch {args.batch_size} x {args.bptt}: train_lm against a bare loop", digits=3)
        if args.backends:
            table = lm_throughput(cfg, args.batch_size, args.bptt, tuple(args.backends), args.repeats, device)
            add_run(result, f"{device} backends", name, table, f"median of {args.repeats} training steps of the same model "
                    "with each LSTM backend")
    write_json(args.out, result)


if __name__ == "__main__":
    main()
