"""Training throughput of the language-model chapter's model: nn.LSTM against the book's LSTMs.

Times full training steps (forward, backward, AdamW step) of the same model and
batch with each LSTM backend, taking turns in one process, and reports the
median tokens per second and the ratio to torch.nn.LSTM. The default model is
the chapter's character model (2 x 512 LSTM, 64-d embeddings, 80 characters,
batch 64 x 128 steps); prints a table and writes JSON.

    python benchmarks/lm_throughput.py [--repeats 5] [--backends torch fast] [--out benchmarks/lm_throughput.json]

Runs on the CPU, and also on CUDA when a GPU is present.
"""
import argparse
from pathlib import Path

from common import add_run, devices, run_metadata, write_json
from lstm_book.lm import LMConfig, lm_throughput


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed steps per backend (median reported)")
    parser.add_argument("--backends", nargs="+", default=["torch", "fast"], choices=["torch", "fast", "plain"],
                        help="LSTM backends; the first is the reference of the ratios")
    parser.add_argument("--vocab", type=int, default=80, help="vocabulary size")
    parser.add_argument("--emb", type=int, default=64, help="embedding size")
    parser.add_argument("--hidden", type=int, default=512, help="LSTM units per layer")
    parser.add_argument("--layers", type=int, default=2, help="LSTM layers")
    parser.add_argument("--batch-size", type=int, default=64, help="parallel rows")
    parser.add_argument("--bptt", type=int, default=128, help="time steps per window")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("lm_throughput.json"), help="JSON output file")
    args = parser.parse_args()
    sizes = {k: getattr(args, k) for k in ("repeats", "vocab", "emb", "hidden", "layers", "batch_size", "bptt")}
    if bad := [k for k, v in sizes.items() if v < 1]:
        parser.error(f"these must be positive integers: {', '.join('--' + k.replace('_', '-') for k in bad)}")
    cfg = LMConfig(args.vocab, emb=args.emb, hidden=args.hidden, layers=args.layers)
    result = run_metadata(repeats=args.repeats, model=vars(cfg) | {"batch_size": args.batch_size, "bptt": args.bptt})
    for device, name in devices():
        table = lm_throughput(cfg, args.batch_size, args.bptt, tuple(args.backends), args.repeats, device)
        add_run(result, device, name, table, f"median of {args.repeats} training steps of a {args.layers} x {args.hidden} "
                f"LSTM language model, batch {args.batch_size} x {args.bptt}")
    write_json(args.out, result)


if __name__ == "__main__":
    main()
