"""Speed of the book's LSTMs against torch.nn.LSTM.

Times the forward pass and forward+backward of torch.nn.LSTM, lstm_book's plain
from-scratch LSTM and its fast path, taking turns in one process, for
(B, T, I, H) in {(32, 64, 128, 256), (1, 1000, 32, 64), (64, 128, 512, 512)};
reports medians and ratios to nn.LSTM, prints a table and writes JSON.

    python benchmarks/lstm_speed.py [--repeats 7] [--out benchmarks/lstm_speed.json]

Runs on the CPU, and also on CUDA when a GPU is present.
"""
import argparse
from pathlib import Path

from common import devices, run_metadata, write_json
from lstm_book.lstm import benchmark_lstms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per measurement (median reported)")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("lstm_speed.json"), help="JSON output file")
    parser.add_argument("--shapes", nargs="+", default=["32,64,128,256", "1,1000,32,64", "64,128,512,512"],
                        help="B,T,I,H shapes to time (default: the three of the LSTM chapter)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    try:
        shapes = [tuple(int(v) for v in s.split(",")) for s in args.shapes]
    except ValueError:
        parser.error(f"--shapes takes B,T,I,H integers, got {args.shapes}")
    if any(len(s) != 4 or min(s) < 1 for s in shapes):
        parser.error(f"--shapes takes four positive integers B,T,I,H each, got {args.shapes}")
    result = run_metadata(repeats=args.repeats)
    cols = ["nn.LSTM fwd ms", "fast fwd ms", "nn.LSTM fwd+bwd ms", "plain fwd+bwd ms", "fast fwd+bwd ms", "GEMM floor ms",
            "plain / nn.LSTM (fwd+bwd)", "fast / nn.LSTM (fwd+bwd)", "GEMM floor / nn.LSTM"]
    for device, name in devices():
        table = benchmark_lstms(shapes=shapes, repeats=args.repeats, device=device)
        print(f"\n{name}: median of {args.repeats} runs, milliseconds and ratios to nn.LSTM forward+backward")
        print(table.set_index(["B", "T", "I", "H"])[cols].round(2).to_string())
        result["runs"][device] = {"name": name, "rows": table.to_dict(orient="records")}
    write_json(args.out, result)


if __name__ == "__main__":
    main()
