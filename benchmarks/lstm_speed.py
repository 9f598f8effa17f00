"""Speed of the book's LSTMs against torch.nn.LSTM.

Times the forward pass and forward+backward of torch.nn.LSTM, lstm_book's plain
from-scratch LSTM and its fast path, taking turns in one process, for
(B, T, I, H) in {(32, 64, 128, 256), (1, 1000, 32, 64), (64, 128, 512, 512)};
reports medians and ratios to nn.LSTM, prints a table and writes JSON.

    python benchmarks/lstm_speed.py [--repeats 7] [--out benchmarks/lstm_speed.json]

Runs on the CPU, and also on CUDA when a GPU is present.
"""
import argparse
import datetime
import json
import platform
from pathlib import Path

import torch

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
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    result = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "torch": torch.__version__, "python": platform.python_version(), "machine": platform.machine(),
              "threads": torch.get_num_threads(), "repeats": args.repeats, "runs": {}}
    cols = ["nn.LSTM fwd ms", "fast fwd ms", "nn.LSTM fwd+bwd ms", "plain fwd+bwd ms", "fast fwd+bwd ms", "GEMM floor ms",
            "plain / nn.LSTM (fwd+bwd)", "fast / nn.LSTM (fwd+bwd)", "GEMM floor / nn.LSTM"]
    for device in devices:
        table = benchmark_lstms(shapes=shapes, repeats=args.repeats, device=device)
        name = torch.cuda.get_device_name() if device == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
        print(f"\n{name}: median of {args.repeats} runs, milliseconds and ratios to nn.LSTM forward+backward")
        print(table.set_index(["B", "T", "I", "H"])[cols].round(2).to_string())
        result["runs"][device] = {"name": name, "rows": table.to_dict(orient="records")}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=2))
    tmp.replace(args.out)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
