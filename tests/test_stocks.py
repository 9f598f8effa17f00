"""The stock chapter beyond its notebook: the whole pipeline does not look ahead, bad CSV files give clear errors
from the command line (and no checkpoint), and `lstm-book stocks train` / `replay` run as a user runs them."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from lstm_book.stocks import (BAR_FIELDS, PRICES, StockLSTM, StreamingClassifier, load_ohlcv, make_fold, make_labels,
                              predict_series)

from .helpers import cli



@pytest.fixture(scope="module")
def ibm_csv(tmp_path_factory):
    "IBM's first 800 days as a vendor-style CSV: capitalised names, an adjusted close, no ticker column."
    path = tmp_path_factory.mktemp("csv") / "ibm.csv"
    raw = pd.read_csv(Path(__file__).parent.parent / "data" / "stocks.csv")
    raw[raw.Ticker == "IBM"].drop(columns="Ticker").iloc[:800].to_csv(path, index=False)
    return path


def test_the_pipeline_does_not_look_ahead():
    "Scramble every bar after a cut-off: the fold's scaler and every prediction up to the cut-off stay the same."
    bars = load_ohlcv()
    bars = bars[bars.ticker.isin(["IBM", "MSFT"])].reset_index(drop=True)
    cut = pd.Timestamp("2006-06-30")
    future = bars.copy()
    later = future.date > cut
    k = np.random.default_rng(0).uniform(0.3, 3.0, size=(int(later.sum()), 1))
    future.loc[later, PRICES] = future.loc[later, PRICES].to_numpy() * k
    future.loc[later, "volume"] *= 7.0
    torch.manual_seed(0)
    model = StockLSTM().eval()
    preds = []
    for b in (bars, future):
        fold = make_fold(b, "direction", "2005-01-01", "2006-01-01", "2007-01-01")
        preds.append((fold.scaler, predict_series(model, fold.series)))
    (s1, p1), (s2, p2) = preds
    assert s1 == s2
    past = p1.date <= cut
    np.testing.assert_array_equal(p1.p[past].to_numpy(), p2.p[past].to_numpy())
    assert np.abs(p1.p[~past].to_numpy() - p2.p[~past].to_numpy()).max() > 1e-4   # the future did change
    y1, y2 = make_labels(bars), make_labels(future)   # labels look one bar ahead, by definition: only the last past one changes
    changed = bars.date[(y1 != y2) & y1.notna()]
    assert (changed >= bars.date[bars.date <= cut].max()).all()


BROKEN = {
    "missing column": (lambda df: df.drop(columns="Volume"), "no volume column"),
    "bad date": (lambda df: df.assign(Date=df.Date.where(df.index != 5, "not a date")), "unparseable dates in row(s) 5"),
    "NaN": (lambda df: df.assign(Close=df.Close.where(df.index != 7)), "NaN, infinite or non-numeric values"),
    "duplicate date": (lambda df: df.assign(Date=df.Date.where(df.index != 9, df.Date[8])), "duplicate dates in row(s) 8, 9"),
    "unsorted": (lambda df: df.iloc[::-1], "dates out of order"),
    "negative price": (lambda df: df.assign(Low=df.Low.where(df.index != 3, -1.0)), "zero or negative prices in row(s) 3"),
    "negative volume": (lambda df: df.assign(Volume=df.Volume.where(df.index != 4, -10)), "negative volume in row(s) 4"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_csv_is_a_clear_error_and_writes_nothing(case, ibm_csv, tmp_path):
    spoil, message = BROKEN[case]
    bad = tmp_path / "bad.csv"
    spoil(pd.read_csv(ibm_csv)).to_csv(bad, index=False)
    r = cli("stocks", "train", "--csv", bad, "--save", tmp_path / "m.pt", "--epochs", 1)
    assert r.returncode == 1 and "lstm-book: error:" in r.stderr and message in r.stderr, r.stderr
    assert not (tmp_path / "m.pt").exists()


def test_train_then_replay(ibm_csv, tmp_path):
    ckpt = tmp_path / "ibm.pt"
    r = cli("stocks", "train", "--csv", ibm_csv, "--save", ckpt, "--epochs", 2, "--no-progress")
    assert r.returncode == 0, r.stderr
    assert f"saved {ckpt}: trained on IBM before" in r.stdout and "accuracy" in r.stdout and "AUC" in r.stdout
    clf = StreamingClassifier.load(ckpt)
    assert clf.info["tickers"] == ["IBM"]
    bars = load_ohlcv(ibm_csv)
    start = bars.date.iloc[700]
    r = cli("stocks", "replay", "--csv", ibm_csv, "--checkpoint", ckpt, "--start", start.date())
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["date", "close", "P(up)"] and len(lines) == 1 + 100 + 1
    rows = [l.split() for l in lines[1:-1]]
    assert rows[0][0] == str(start.date()) and rows[-1][0] == str(bars.date.iloc[-1].date())
    expected = [clf.update(b) for b in bars[list(BAR_FIELDS)].to_dict("records")][700:]   # the stream's own numbers
    assert [float(r[2]) for r in rows] == pytest.approx(expected, abs=6e-4)
    right = sum(r[4] == "right" for r in rows)
    assert lines[-1] == f"100 calls from {start.date()}: {right} right, accuracy {right / 100:.3f}"


def test_replay_errors(ibm_csv, tmp_path):
    r = cli("stocks", "replay", "--csv", ibm_csv, "--checkpoint", tmp_path / "none.pt")
    assert r.returncode == 1 and "no checkpoint at" in r.stderr
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    r = cli("stocks", "replay", "--csv", ibm_csv, "--checkpoint", junk)
    assert r.returncode == 1 and "is not a readable checkpoint" in r.stderr
    r = cli("stocks", "replay", "--csv", ibm_csv)
    assert r.returncode != 0 and "--checkpoint" in r.stderr
