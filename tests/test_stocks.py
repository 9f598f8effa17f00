"""The stock chapter beyond its notebook: the whole pipeline does not look ahead, bad CSV files give clear errors
from the command line (and no checkpoint), and `lstm-book stocks train` / `replay` run as a user runs them."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from lstm_book.files import save_model
from lstm_book.stocks import (BAR_FIELDS, FEATURES, PRICES, Scaler, StockLSTM, StreamingClassifier, load_ohlcv, make_fold,
                              make_labels, predict_series)

from .helpers import cli, one_line_error, run_main



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
    assert r.returncode == 1 and "no model file at" in r.stderr
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    r = cli("stocks", "replay", "--csv", ibm_csv, "--checkpoint", junk)
    assert r.returncode == 1 and "is not a readable model file" in r.stderr
    r = cli("stocks", "replay", "--csv", ibm_csv)
    assert r.returncode != 0 and "--checkpoint" in r.stderr


# issue 25: every bad input is refused with one line, before any work, and leaves no file behind

@pytest.mark.parametrize("epochs", [0, -3])
def test_train_refuses_bad_epochs_before_any_work(capsys, tmp_path, monkeypatch, ibm_csv, epochs):
    import lstm_book.stocks as s
    monkeypatch.setattr(s, "load_ohlcv", lambda *a, **k: pytest.fail("read the CSV before checking --epochs"))
    code, _, err = run_main(capsys, "stocks", "train", "--csv", ibm_csv, "--save", tmp_path / "m.pt",
                            "--epochs", epochs, "--no-progress")
    assert code == 1 and one_line_error(err, "--epochs must be positive", str(epochs))
    assert list(tmp_path.iterdir()) == []


def test_train_refuses_an_unwritable_save_before_training(capsys, tmp_path, monkeypatch, ibm_csv):
    import lstm_book.stocks as s
    monkeypatch.setattr(s, "load_ohlcv", lambda *a, **k: pytest.fail("read the CSV before checking --save"))
    code, _, err = run_main(capsys, "stocks", "train", "--csv", ibm_csv, "--save", tmp_path, "--epochs", 1)
    assert code == 1 and one_line_error(err, "--save", "is a directory")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content, message", [(b"", "is empty"),
                                               (b"Date,Open,High,Low,Close,Volume\n", "has a header but no rows"),
                                               ("Date,Open,High,Low,Close,Volume\n2020-01-02,1,1,1,1,10 caf\xe9\n"
                                                .encode("latin-1"), "is not UTF-8")])
@pytest.mark.parametrize("command", ["train", "replay"])
def test_empty_header_only_and_non_utf8_csv(capsys, tmp_path, content, message, command):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    ckpt = tmp_path / "m.pt"
    if command == "replay":
        StreamingClassifier(StockLSTM(), Scaler([0.0] * len(FEATURES), [1.0] * len(FEATURES))).save(
            ckpt, trained_until="2020-01-01", epochs=1)
    args = ["--save", ckpt, "--epochs", 1, "--no-progress"] if command == "train" else ["--checkpoint", ckpt]
    code, _, err = run_main(capsys, "stocks", command, "--csv", bad, *args)
    assert code == 1 and one_line_error(err, str(bad), message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"] + (["m.pt"] if command == "replay" else [])


def test_replay_refuses_untrained_wrong_kind_and_corrupted_files(capsys, tmp_path, ibm_csv):
    scaler = Scaler([0.0] * len(FEATURES), [1.0] * len(FEATURES))
    cases = {"untrained.pt": (lambda p: StreamingClassifier(StockLSTM(), scaler).save(p), "holds an untrained classifier"),
             "zero.pt": (lambda p: StreamingClassifier(StockLSTM(), scaler).save(p, trained_until="2001-01-01", epochs=0),
                         "holds an untrained classifier"),
             "sentiment.pt": (lambda p: save_model(p, torch.nn.Linear(2, 2), kind="sentiment"),
                              "is a sentiment model file, expected stocks")}
    for name, (write, message) in cases.items():
        write(tmp_path / name)
        code, out, err = run_main(capsys, "stocks", "replay", "--csv", ibm_csv, "--checkpoint", tmp_path / name)
        assert code == 1 and one_line_error(err, name, message) and out == "", (name, err)
    good = tmp_path / "good.pt"
    StreamingClassifier(StockLSTM(), scaler).save(good, trained_until="2001-01-01", epochs=3)
    raw = torch.load(good, weights_only=True)
    raw["model"]["lstm.weight_ih_l0"][0, 0] += 1.0
    torch.save(raw, tmp_path / "changed.pt")
    code, _, err = run_main(capsys, "stocks", "replay", "--csv", ibm_csv, "--checkpoint", tmp_path / "changed.pt")
    assert code == 1 and one_line_error(err, "changed.pt", "is corrupted")


@pytest.mark.parametrize("option, value, message", [("--delay", -1, "--delay must be"), ("--delay", "nan", "--delay must be"),
                                                    ("--start", "yesterday-ish", "is not a date")])
def test_replay_refuses_bad_options_before_reading(capsys, tmp_path, ibm_csv, option, value, message):
    code, _, err = run_main(capsys, "stocks", "replay", "--csv", ibm_csv, "--checkpoint", tmp_path / "none.pt",
                            option, value)
    assert code == 1 and one_line_error(err, option, message)
