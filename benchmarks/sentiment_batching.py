"""Training speed of the sentiment chapter's BiLSTM with random against length-bucketed batches.

Times one training epoch (forward, backward, AdamW step; packed sequences in
every case) over the movie-review training sentences for each bucketing pool
size, taking turns in one process, and reports the median sentences per second,
the share of padded positions and the speed relative to pool 1 (random
batches, no bucketing). Prints a table and writes JSON.

    python benchmarks/sentiment_batching.py [--repeats 3] [--pools 1 10 50] [--sentences N] [--out benchmarks/sentiment_batching.json]

Runs on the CPU, and also on CUDA when a GPU is present.
"""
import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from common import add_run, devices, run_metadata, write_json
from lstm_book.training import median_seconds
from lstm_book.sentiment import (ClassifierConfig, SentimentLSTM, bucket_batches, build_review_vocab, classify_step, encode_texts,
                                 load_movie_reviews, padding_share, stratified_split)


def epoch_job(model, batches, opt, device):
    "One training pass over `batches` as a zero-argument function."
    def run():
        for x, lengths, y in batches:
            loss, _, _ = classify_step(model, (x.to(device), lengths, y.to(device)))
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per pool size (median reported)")
    parser.add_argument("--pools", type=int, nargs="+", default=[1, 10, 50], help="bucketing pools in batches; the first is the reference")
    parser.add_argument("--sentences", type=int, default=None, help="use only this many training sentences (default: all)")
    parser.add_argument("--batch-size", type=int, default=32, help="sentences per batch")
    parser.add_argument("--emb", type=int, default=128, help="embedding size")
    parser.add_argument("--hidden", type=int, default=128, help="LSTM units per direction")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("sentiment_batching.json"), help="JSON output file")
    args = parser.parse_args()
    sizes = [args.repeats, args.batch_size, args.emb, args.hidden, *args.pools] + ([args.sentences] if args.sentences is not None else [])
    if min(sizes) < 1:
        parser.error("--repeats, --pools, --sentences, --batch-size, --emb and --hidden must be positive integers")
    df = load_movie_reviews()
    train = df.iloc[stratified_split(df.label)["train"]]
    if args.sentences is not None:
        train = train.iloc[np.random.default_rng(0).permutation(len(train))[:args.sentences]]
    vocab = build_review_vocab(train.text, min_freq=1)
    seqs, labels = encode_texts(train.text, vocab), train.label.values
    cfg = ClassifierConfig(len(vocab), emb=args.emb, hidden=args.hidden, pool="max")
    result = run_metadata(repeats=args.repeats, sentences=len(seqs), batch_size=args.batch_size, model=vars(cfg))
    for device, name in devices():
        torch.manual_seed(0)
        model = SentimentLSTM(cfg).to(device).train()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        batches = {p: bucket_batches(seqs, labels, args.batch_size, pool=p, seed=0) for p in args.pools}
        secs = median_seconds({p: epoch_job(model, b, opt, device) for p, b in batches.items()}, args.repeats, device)
        ref = secs[args.pools[0]]
        table = pd.DataFrame([{"pool": p, "padding share": padding_share(batches[p]), "seconds per epoch": secs[p],
                               "sentences/s": len(seqs) / secs[p], "speed vs first": ref / secs[p]} for p in args.pools])
        add_run(result, device, name, table, f"median of {args.repeats} training epochs over {len(seqs):,} sentences, "
                f"BiLSTM {args.emb}/{args.hidden} with max pooling, batches of {args.batch_size}", digits=3)
    write_json(args.out, result)


if __name__ == "__main__":
    main()
