"""The bad-input table: every command that reads a file gets missing, empty, directory, binary,
non-UTF-8, truncated, wrong-kind and malicious inputs, and every command's numeric options get
out-of-range values. Each case must end with one `lstm-book: error:` line (exit status 1, or 2 for
argparse's usage errors), no traceback, nothing run from a pickle and no file left behind."""
import io
import math
import os
import shutil
from pathlib import Path

import pytest
import torch

from tests.helpers import one_line_error, run_main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
PWNED = "lstm_book_pwned"   # the file a malicious pickle would create


class _Evil:
    "Unpickling this would create a file: a checkpoint must never run it."
    def __reduce__(self):
        return (os.system, (f"touch {PWNED}",))


def make_input(kind: str, folder: Path, suffix: str) -> Path:
    "A bad input file of `kind` in `folder`."
    p = folder / f"input-{kind}{suffix}"
    if kind == "missing": return p
    if kind == "directory": p.mkdir(); return p
    if kind == "empty": p.write_bytes(b"")
    elif kind == "binary": p.write_bytes(bytes(range(256)) * 8)
    elif kind == "non-utf8": p.write_bytes("caf\u00e9 au lait, cr\u00e8me br\u00fbl\u00e9e\n".encode("latin-1") * 20)
    elif kind == "truncated":
        src = DATA / ("music_composer.pt" if suffix == ".pt" else "stocks.csv")
        p.write_bytes(src.read_bytes()[: src.stat().st_size // 2] if suffix == ".pt"
                      else src.read_bytes()[:10])   # a CSV cut inside its header
    elif kind == "wrong-kind":   # a valid file of another kind
        src = DATA / ("chatbot.pt" if suffix == ".pt" else "macbeth.txt")
        shutil.copy(src, p)
    elif kind == "malicious":
        buf = io.BytesIO(); torch.save({"weights": _Evil()}, buf); p.write_bytes(buf.getvalue())
    else: raise ValueError(kind)
    return p


# (command words with {x} for the bad input and {out} for a file it may write, the input's suffix,
#  the kinds of bad input that apply)
TEXT_KINDS = ["missing", "empty", "directory", "binary", "non-utf8"]
CKPT_KINDS = ["missing", "empty", "directory", "binary", "truncated", "wrong-kind", "malicious"]
CSV_KINDS = ["missing", "empty", "directory", "binary", "non-utf8", "truncated", "wrong-kind"]
FILE_CASES = [
    ("lm train --train {x} --valid {x} --save {out}", ".txt", TEXT_KINDS),
    ("lm generate --checkpoint {x} --length 5", ".pt", CKPT_KINDS),
    ("sentiment predict good --file {x}", ".txt", TEXT_KINDS),
    ("sentiment predict good --checkpoint {x}", ".pt", CKPT_KINDS),
    ("music generate --checkpoint {x} --out {out}", ".pt", CKPT_KINDS),
    ("music generate --checkpoint " + str(DATA / "music_composer.pt") + " --out {out} --seed-midi {x}",
     ".mid", ["missing", "empty", "directory", "binary", "truncated"]),
    ("stocks train --csv {x} --save {out}", ".csv", CSV_KINDS),
    ("stocks replay --csv " + str(DATA / "stocks.csv") + " --ticker AAPL --checkpoint {x}", ".pt",
     CKPT_KINDS),
    ("chat --checkpoint {x}", ".pt", CKPT_KINDS),
]
RANGE_CASES = [
    "lm train --train {txt} --valid {txt} --save {out} --rounds 0",
    "lm train --train {txt} --valid {txt} --save {out} --passes -3",
    "lm train --train {txt} --valid {txt} --save {out} --passes 0",
    "lm train --train {txt} --valid {txt} --save {out} --lr nan",
    "lm train --train {txt} --valid {txt} --save {out} --batch-size 0",
    "lm train --train {txt} --valid {txt} --save {out} --bptt 0",
    "lm train --train {txt} --valid {txt} --save {out} --hidden 0",
    "lm train --train {txt} --valid {txt} --save {out} --dropout 1.5",
    "lm generate --checkpoint {lm} --temperature nan",
    "lm generate --checkpoint {lm} --temperature 0",
    "lm generate --checkpoint {lm} --length -1",
    "lm generate --checkpoint {lm} --top-p 1.5",
    "lm generate --checkpoint {lm} --top-k 0",
    "music train --save {out} --passes 0",
    "music generate --checkpoint {music} --out {out} --seconds 0",
    "music generate --checkpoint {music} --out {out} --temperature -1",
    "stocks train --csv {csv} --save {out} --epochs 0",
    "stocks train --csv {csv} --save {out} --epochs -2",
    "stocks replay --csv {csv} --ticker AAPL --checkpoint {music} --delay -1",
    "chatbot train --save {out} --epochs 0",
    "chatbot train --save {out} --limit 0",
    "chat --checkpoint {chat} --temperature -1",
    "chat --checkpoint {chat} --beam 0",
    "chat --checkpoint {chat} --alpha nan",
    "sentiment train --members 0",
    "sentiment train --epochs 0",
]


def _ids(cases):
    return [c if isinstance(c, str) else c[0].split(" --")[0] + f" [{k}]" for c in cases for k in
            ([None] if isinstance(c, str) else c[2])]


def _run_refused(capsys, tmp_path: Path, words: list[str], needle: str | None = None):
    "Run the command in `tmp_path`; it must fail with one line and leave nothing behind."
    before = {p.name for p in tmp_path.iterdir()}
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try: code, out, err = run_main(capsys, *words)
    finally: os.chdir(cwd)
    assert code in (1, 2), (code, out[-500:], err[-500:])
    if code == 1: assert one_line_error(err), err[-1500:]
    if needle: assert needle in err.replace("-", "_"), f"the error does not name {needle}: {err}"
    else: assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("lstm-book")
    assert not (tmp_path / PWNED).exists(), "a pickle in a checkpoint was executed"
    assert {p.name for p in tmp_path.iterdir()} == before, "a failed command left a file behind"


@pytest.mark.parametrize("case,kind", [(c, k) for c in FILE_CASES for k in c[2]],
                         ids=_ids(FILE_CASES))
def test_bad_input_file_is_one_line(capsys, tmp_path, monkeypatch, case, kind):
    monkeypatch.setenv("LSTM_BOOK_CACHE", str(tmp_path / "cache"))   # never train into the real cache
    (tmp_path / "cache").mkdir()
    template, suffix, _ = case
    x = make_input(kind, tmp_path, suffix)
    words = template.format(x=x, out=tmp_path / f"written{suffix}").split()
    _run_refused(capsys, tmp_path, words)


@pytest.mark.parametrize("template", RANGE_CASES, ids=_ids(RANGE_CASES))
def test_out_of_range_option_is_refused_before_work(capsys, tmp_path, monkeypatch, template):
    monkeypatch.setenv("LSTM_BOOK_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    txt = tmp_path / "some.txt"; txt.write_text("to be or not to be\n" * 50)
    needle = template.split(" --")[-1].split()[0].replace("-", "_")   # the option's name
    words = template.format(txt=txt, out=tmp_path / "written.pt", csv=DATA / "stocks.csv",
                            lm=DATA / "lm_shakespeare_char.pt", music=DATA / "music_composer.pt",
                            chat=DATA / "chatbot.pt").split()
    _run_refused(capsys, tmp_path, words, needle)


# A command never writes over one of its inputs (the same file however it is named: as given,
# through a symbolic link, or through ".."): each case names the input that would be destroyed.
SAME_FILE_CASES = [
    ("lm train --train {txt} --valid {txt2} --save {same}", "txt", "--train"),
    ("lm train --train {txt2} --valid {txt} --save {same}", "txt", "--valid"),
    ("lm train --train {txt2} --valid {txt2} --test {txt} --save {same}", "txt", "--test"),
    ("music generate --checkpoint {music} --out {same}", "music", "--checkpoint"),
    ("music generate --checkpoint " + str(DATA / "music_composer.pt") + " --seed-midi {mid} --out {same}",
     "mid", "--seed-midi"),
    ("stocks train --csv {csv} --save {same}", "csv", "--csv"),
]


@pytest.mark.parametrize("spelling", ["as given", "link", "dot-dot"])
@pytest.mark.parametrize("template,which,option", SAME_FILE_CASES, ids=[c[0].split(" --")[0] + " " + c[2] for c in SAME_FILE_CASES])
def test_an_input_is_never_overwritten(capsys, tmp_path, monkeypatch, template, which, option, spelling):
    monkeypatch.setenv("LSTM_BOOK_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir(); (tmp_path / "sub").mkdir()
    files = {"txt": tmp_path / "t.txt", "txt2": tmp_path / "t2.txt", "music": tmp_path / "m.pt",
             "csv": tmp_path / "p.csv", "mid": tmp_path / "tune.mid"}
    for f in (files["txt"], files["txt2"]): f.write_text("to be or not to be\n" * 50)
    shutil.copy(DATA / "music_composer.pt", files["music"]); shutil.copy(DATA / "stocks.csv", files["csv"])
    import pretty_midi
    pm = pretty_midi.PrettyMIDI(); inst = pretty_midi.Instrument(0)
    inst.notes.append(pretty_midi.Note(80, 60, 0.0, 0.5)); pm.instruments.append(inst); pm.write(str(files["mid"]))
    target = files[which]
    if spelling == "link": (tmp_path / "alias").symlink_to(target); same = tmp_path / "alias"
    elif spelling == "dot-dot": same = tmp_path / "sub" / ".." / target.name
    else: same = target
    before = target.read_bytes()
    words = template.format(same=same, csv=files["csv"], **{k: v for k, v in files.items() if k != "csv"}).split()
    code, out, err = run_main(capsys, *words)
    assert code == 1 and one_line_error(err, "is the input " + option), err
    assert target.read_bytes() == before, "the input was changed"


@pytest.mark.parametrize("value, needle", [
    ("garbage", "LSTM_BOOK_DEVICE='garbage' names no device"),
    ("gpu:0", "names no device"),
    ("cuda:99", "LSTM_BOOK_DEVICE='cuda:99', but this machine"),
])
def test_a_bad_device_variable_is_one_line(capsys, tmp_path, monkeypatch, value, needle):
    "LSTM_BOOK_DEVICE is checked where it is read: `info` refuses a value that names no device, training any bad one."
    if value.startswith("cuda") and torch.cuda.is_available(): pytest.skip("this machine has a GPU")
    monkeypatch.setenv("LSTM_BOOK_DEVICE", value)
    txt = tmp_path / "t.txt"; txt.write_text("to be or not to be\n" * 50)
    code, out, err = run_main(capsys, "lm", "train", "--train", txt, "--valid", txt, "--save", tmp_path / "m.pt",
                              "--passes", "0.1", "--hidden", "8", "--emb", "8", "--layers", "1", "--batch-size", "2",
                              "--bptt", "8", "--rounds", "1", "--no-progress")
    assert code == 1 and one_line_error(err, needle), err
    assert not (tmp_path / "m.pt").exists()


def test_an_unusable_cache_variable_is_named_and_never_blocks_packaged_files(capsys, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"; blocker.write_text("x")
    monkeypatch.setenv("LSTM_BOOK_CACHE", str(blocker))
    code, out, err = run_main(capsys, "data", "path", "macbeth")     # found in the checkout: no cache needed
    assert code == 0 and out.strip().endswith("macbeth.txt"), err
    code, out, err = run_main(capsys, "info")
    assert code == 0 and f"cache: {blocker}" in out
    code, out, err = run_main(capsys, "data", "download", "file:///nonexistent/x.txt", "0" * 64)
    assert code == 1 and one_line_error(err, "LSTM_BOOK_CACHE=", "is a file, not a folder"), err


@pytest.mark.parametrize("flag, value", [("--hidden", "2000000"), ("--emb", "1000000000")])
def test_a_model_too_large_for_memory_is_refused_before_allocating(capsys, tmp_path, flag, value):
    txt = tmp_path / "t.txt"; txt.write_text("to be or not to be\n" * 50)
    code, out, err = run_main(capsys, "lm", "train", "--train", txt, "--valid", txt, "--save", tmp_path / "m.pt", flag, value)
    assert code == 1 and one_line_error(err, "parameters", "GiB available"), err
    assert not (tmp_path / "m.pt").exists()


def test_a_temperature_that_underflows_is_greedy_not_a_crash(capsys):
    code, out, err = run_main(capsys, "lm", "generate", "--checkpoint", "shakespeare-char", "--prime", "ROMEO:",
                              "--length", "20", "--temperature", "1e-45")
    greedy = run_main(capsys, "lm", "generate", "--checkpoint", "shakespeare-char", "--prime", "ROMEO:",
                      "--length", "20", "--top-k", "1")[1]
    assert code == 0 and out == greedy, (err, out, greedy)


def test_a_flipped_byte_in_a_training_checkpoint_is_refused(tmp_path):
    "fit's last.pt/best.pt carry a checksum of their tensors: a damaged one is never loaded silently."
    from torch import nn
    from lstm_book.files import ModelFileError
    from lstm_book.training import load_checkpoint, save_checkpoint
    m = nn.Linear(3, 2); opt = torch.optim.Adam(m.parameters())
    m(torch.randn(4, 3)).sum().backward(); opt.step()
    save_checkpoint(tmp_path / "last.pt", m, opt, epoch=1)
    for part in ("model", "optimizer"):
        raw = torch.load(tmp_path / "last.pt", weights_only=True)
        t = raw["model"]["weight"] if part == "model" else raw["optimizer"]["state"][0]["exp_avg"]
        t.view(-1).view(torch.uint8)[0] ^= 1                   # one flipped bit
        torch.save(raw, tmp_path / "bad.pt")
        with pytest.raises(ModelFileError, match="bad.pt is corrupted"):
            load_checkpoint(tmp_path / "bad.pt", nn.Linear(3, 2), torch.optim.Adam(nn.Linear(3, 2).parameters()))


@pytest.mark.parametrize("words", [["lm", "generate", "--checkpoint", "shakespeare-char"], ["sentiment", "train"],
                                   ["music", "train", "--save", "m.pt"], ["stocks", "train", "--csv", "p.csv", "--save", "s.pt"],
                                   ["chatbot", "train", "--save", "c.pt"]])
@pytest.mark.parametrize("seed", ["-1", "99999999999999999999999"])
def test_every_seed_flag_is_checked_by_the_parser(capsys, words, seed):
    code, out, err = run_main(capsys, *words, "--seed", seed)
    assert code == 2 and "argument --seed: must be from 0 to 4,294,967,295" in err, err


def _tamper(src: Path, dst: Path, change) -> Path:
    "A copy of the model file `src` with `change(raw)` applied to its plain fields (weights intact)."
    raw = torch.load(src, weights_only=True)
    change(raw)
    torch.save(raw, dst)
    return dst


@pytest.mark.parametrize("words", [["lm", "generate", "--checkpoint", "{x}", "--length", "5"],
                                   ["chat", "--checkpoint", "{x}"]])
@pytest.mark.parametrize("change, needle", [
    (lambda raw: raw.__setitem__("itos", raw["itos"][:-1]), "its vocabulary has"),
    (lambda raw: raw.__setitem__("itos", raw["itos"][:-1] + [raw["itos"][5]]), "a token twice"),
    (lambda raw: raw.__setitem__("itos", raw["itos"][4:]), "must start with"),
    (lambda raw: raw.__setitem__("itos", None), "vocabulary"),
], ids=["shortened", "duplicate", "no specials", "none"])
def test_a_tampered_vocabulary_names_the_file(capsys, tmp_path, words, change, needle):
    "The checksum covers the weights only: a model file's vocabulary is checked on its own."
    src = DATA / ("lm_shakespeare_char.pt" if words[0] == "lm" else "chatbot.pt")
    bad = _tamper(src, tmp_path / "tampered.pt", change)
    words = [w.replace("{x}", str(bad)) for w in words]
    _run_refused(capsys, tmp_path, words, needle.replace("-", "_"))
    code, out, err = run_main(capsys, *words)
    assert code == 1 and "tampered.pt" in err, err


@pytest.mark.parametrize("change, needle", [
    (lambda raw: raw["extra"].__setitem__("bpm", 0), "tempo (bpm) is 0"),
    (lambda raw: raw["extra"].__setitem__("bpm", float("nan")), "tempo (bpm) is nan"),
    (lambda raw: raw["extra"].__setitem__("bpm", "fast"), "tempo (bpm) is 'fast'"),
    (lambda raw: raw["extra"].__setitem__("pitch_range", [0, 200]), "pitch range is [0, 200]"),
    (lambda raw: raw.__setitem__("itos", raw["itos"] + [raw["itos"][7]]), "a token twice"),
], ids=["bpm 0", "bpm nan", "bpm text", "pitch range", "vocabulary"])
def test_a_tampered_music_file_names_the_file_and_field(capsys, tmp_path, change, needle):
    bad = _tamper(DATA / "music_composer.pt", tmp_path / "tampered.pt", change)
    words = ["music", "generate", "--checkpoint", str(bad), "--out", "x.mid", "--seconds", "2"]
    _run_refused(capsys, tmp_path, words)
    code, out, err = run_main(capsys, *words)
    assert code == 1 and "tampered.pt" in err and needle in err, err


def test_music_generate_takes_the_pretrained_name(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(capsys, "music", "generate", "--checkpoint", "bach-composer",
                              "--out", "song.mid", "--seconds", "2", "--seed", "0")
    assert code == 0 and (tmp_path / "song.mid").is_file() and "wrote song.mid" in out, err


def _prices(kind: str):
    "A small OHLCV table that `stocks train` cannot learn from."
    import pandas as pd
    if kind == "one row":
        return pd.DataFrame({"date": ["2020-01-02"], "open": [1.0], "high": [1.0], "low": [1.0],
                             "close": [1.0], "volume": [10]})
    if kind == "intraday":
        dates = pd.date_range("2020-01-02 09:30", periods=400, freq="min")
    else:
        dates = pd.date_range("2020-01-01", periods=400, freq="B")
    return pd.DataFrame({"date": dates, "open": 10.0, "high": 10.0, "low": 10.0, "close": 10.0,
                         "volume": 100})


@pytest.mark.parametrize("kind, needle", [("one row", "has 1 trading day in the file"),
                                          ("intraday", "resample intraday data first"),
                                          ("constant", "constant prices")])
def test_stocks_train_explains_data_it_cannot_learn_from(capsys, tmp_path, kind, needle):
    _prices(kind).to_csv(tmp_path / "p.csv", index=False)
    _run_refused(capsys, tmp_path, ["stocks", "train", "--csv", "p.csv", "--save", "m.pt"],
                 needle.replace("-", "_"))


def _stocks_model(tmp_path: Path) -> Path:
    "A small saved stocks classifier (untrained weights are enough to test the file's fields)."
    from lstm_book.stocks import FEATURES, Scaler, StockConfig, StockLSTM, StreamingClassifier
    clf = StreamingClassifier(StockLSTM(StockConfig()), Scaler([0.0] * len(FEATURES), [1.0] * len(FEATURES)))
    return clf.save(tmp_path / "s.pt", trained_until="2012-01-01", epochs=1)


@pytest.mark.parametrize("change, needle", [
    (lambda raw: raw["extra"].__setitem__("window", 0), "feature window is 0"),
    (lambda raw: raw["extra"].__setitem__("window", "20"), "feature window is '20'"),
    (lambda raw: raw["extra"]["scaler"]["std"].__setitem__(0, 0.0), "positive standard deviations"),
    (lambda raw: raw["extra"]["scaler"]["mean"].__setitem__(0, float("nan")), "finite means"),
    (lambda raw: raw["extra"]["scaler"].__setitem__("mean", [0.0]), "finite means"),
], ids=["window 0", "window text", "std 0", "mean nan", "mean short"])
def test_a_tampered_stocks_file_names_the_file_and_field(capsys, tmp_path, change, needle):
    bad = _tamper(_stocks_model(tmp_path), tmp_path / "tampered.pt", change)
    words = ["stocks", "replay", "--csv", str(DATA / "stocks.csv"), "--ticker", "IBM",
             "--checkpoint", str(bad), "--start", "2013-02-01"]
    _run_refused(capsys, tmp_path, words)
    code, out, err = run_main(capsys, *words)
    assert code == 1 and "tampered.pt" in err and needle in err, err


@pytest.mark.parametrize("value", ["10", 0, 2.5])
def test_a_tampered_chatbot_max_tokens_names_the_file(capsys, tmp_path, value):
    bad = _tamper(DATA / "chatbot.pt", tmp_path / "tampered.pt",
                  lambda raw: raw["extra"].__setitem__("max_tokens", value))
    _run_refused(capsys, tmp_path, ["chat", "--checkpoint", str(bad)], "its max_tokens is")


@pytest.mark.parametrize("change, needle", [
    (lambda raw: raw["config"].__setitem__("max_tokens", 0), "its max_tokens is 0"),
    (lambda raw: raw["config"]["models"][0].__setitem__("pool", "mean"), "invalid ClassifierConfig"),
    (lambda raw: raw.__setitem__("itos", raw["itos"][:-1]), "vocab_size"),
], ids=["max_tokens 0", "pool", "vocabulary"])
def test_a_tampered_sentiment_file_names_the_file(capsys, tmp_path, change, needle):
    import torch
    from lstm_book.data import Vocab
    from lstm_book.sentiment import ClassifierConfig, SentimentClassifier, SentimentLSTM
    vocab = Vocab.build([["good", "bad", "film"]])
    src = SentimentClassifier([SentimentLSTM(ClassifierConfig(len(vocab), emb=4, hidden=3))],
                              vocab).save(tmp_path / "s.pt")
    bad = _tamper(src, tmp_path / "tampered.pt", change)
    _run_refused(capsys, tmp_path, ["sentiment", "predict", "good", "--checkpoint", str(bad)],
                 needle)
    code, out, err = run_main(capsys, "sentiment", "predict", "good", "--checkpoint", str(bad))
    assert code == 1 and "tampered.pt" in err, err
