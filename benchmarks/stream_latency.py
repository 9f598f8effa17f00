"""Latency of one `StreamingClassifier.update` (the stock chapter's real-time classifier) on the CPU.

Feeds every bar of the chosen tickers through a classifier with the chapter's
model configuration and times each call that returns a probability. As the
reference, in the same process, it times the stateless alternative for the same
bars: recompute the features of the last `--window` bars with pandas and run the
full-sequence `StockLSTM` over them. Reports median and 99th-percentile
microseconds and the ratio of the medians. Prints a table and writes JSON.

    python benchmarks/stream_latency.py [--tickers AAPL IBM MSFT GOOG] [--limit N] [--window 64] [--out benchmarks/stream_latency.json]

CPU only: a single bar is far too little work for a GPU.
"""
import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from common import add_run, run_metadata, write_json
from lstm_book.stocks import (BAR_FIELDS, Scaler, StockConfig, StockLSTM, StreamingClassifier, load_ohlcv, make_features)


def timed(fn, *args) -> tuple[object, float]:
    "fn(*args) and its wall-clock time in microseconds."
    t0 = time.perf_counter_ns()
    out = fn(*args)
    return out, (time.perf_counter_ns() - t0) / 1e3


@torch.no_grad()
def window_rerun(model: StockLSTM, scaler: Scaler, history: pd.DataFrame, window: int) -> float:
    "The stateless way: features of the recent bars, then the LSTM over the last `window` of them from a zero state."
    x = scaler(make_features(history).dropna().to_numpy()[-window:])
    logits, _ = model(torch.from_numpy(x[None]))
    return torch.sigmoid(logits[0, -1]).item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickers", nargs="+", default=["AAPL", "GOOG", "IBM", "MSFT"], help="tickers of the book's stocks data to feed")
    parser.add_argument("--limit", type=int, default=None, help="feed only the first N bars of each ticker")
    parser.add_argument("--window", type=int, default=64, help="bars the stateless reference re-reads per new bar")
    parser.add_argument("--every", type=int, default=5, help="time the (slow) reference on every k-th bar only")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("stream_latency.json"), help="JSON output file")
    args = parser.parse_args()
    if min(args.window, args.every, args.limit or 1) < 1:
        parser.error("--window, --every and --limit must be positive integers")
    cfg = StockConfig()
    torch.manual_seed(0)
    model = StockLSTM(cfg).eval()   # the weights do not change the latency
    times = {"StreamingClassifier.update": [], f"stateless re-run over {args.window} bars": []}
    for ticker in args.tickers:
        bars = load_ohlcv(ticker=ticker)
        bars = bars.iloc[:args.limit] if args.limit else bars
        scaler = Scaler.fit(make_features(bars).dropna().to_numpy())
        clf, span = StreamingClassifier(model, scaler), args.window + 21
        for i, bar in enumerate(bars[list(BAR_FIELDS)].to_dict("records")):
            p, us = timed(clf.update, bar)
            if np.isnan(p): continue   # the warm-up bars
            times["StreamingClassifier.update"].append(us)
            if i % args.every == 0 and i >= span:
                _, us = timed(window_rerun, model, scaler, bars.iloc[i + 1 - span:i + 1], args.window)
                times[f"stateless re-run over {args.window} bars"].append(us)
    if not all(times.values()):
        raise SystemExit(f"stream_latency: too few bars to time (need more than {args.window + 21} per ticker)")
    ref = np.median(times["StreamingClassifier.update"])
    table = pd.DataFrame([{"method": k, "bars timed": len(v), "median µs": np.median(v), "p99 µs": np.percentile(v, 99),
                           "median vs update": np.median(v) / ref} for k, v in times.items()])
    result = run_metadata(tickers=args.tickers, model=vars(cfg), target_median_us=100)
    add_run(result, "cpu", f"CPU ({torch.get_num_threads()} threads)", table,
            f"latency per bar, {', '.join(args.tickers)}, hidden {cfg.hidden}, {cfg.layers} layer(s)")
    write_json(args.out, result)


if __name__ == "__main__":
    main()
