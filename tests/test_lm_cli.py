"""`lstm-book lm train` / `lstm-book lm generate` end to end, and their errors for bad input."""
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_book.cli import main
from lstm_book.data import load_text
from lstm_book.lm import load_lm
from .helpers import one_line_error

TINY = ["--hidden", "16", "--layers", "1", "--emb", "8", "--passes", "1", "--rounds", "1", "--batch-size", "4",
        "--bptt", "16", "--no-progress"]


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    d = tmp_path_factory.mktemp("texts")
    macbeth = load_text("macbeth")
    for name, part in {"train": macbeth[:12_000], "valid": macbeth[12_000:14_000], "test": macbeth[14_000:16_000]}.items():
        (d / f"{name}.txt").write_text(part, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def char_ckpt(texts, tmp_path_factory):
    ckpt = tmp_path_factory.mktemp("ckpt") / "char.pt"
    assert main(["lm", "train", "--train", str(texts / "train.txt"), "--valid", str(texts / "valid.txt"),
                 "--test", str(texts / "test.txt"), "--save", str(ckpt), *TINY]) == 0
    return ckpt


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_train_prints_scores_and_saves(char_ckpt, texts, capsys):
    model, vocab, level = load_lm(char_ckpt, device="cpu")
    assert level == "char" and model.cfg.hidden == 16 and "M" in vocab
    code, out, err = run(["lm", "train", "--train", str(texts / "train.txt"), "--valid", str(texts / "valid.txt"),
                          "--test", str(texts / "test.txt"), "--save", str(texts.parent / "again.pt"), *TINY], capsys)
    assert code == 0, err
    for key in ("vocabulary:", "training tokens/s:", "valid bpc:", "test bpc:", "saved:"):
        assert key in out
    assert "round   1/1" in out                        # the per-round validation line


def test_generate_continues_the_prime(char_ckpt, capsys):
    code, out, err = run(["lm", "generate", "--checkpoint", str(char_ckpt), "--prime", "MACBETH:\n", "--length", "40",
                          "--temperature", "0.7", "--seed", "1"], capsys)
    assert code == 0, err
    assert out.startswith("MACBETH:\n") and len(out) == len("MACBETH:\n") + 40 + 1    # + print's newline
    again = run(["lm", "generate", "--checkpoint", str(char_ckpt), "--prime", "MACBETH:\n", "--length", "40",
                 "--temperature", "0.7", "--seed", "1"], capsys)[1]
    assert again == out


def test_word_level(texts, tmp_path, capsys):
    ckpt = tmp_path / "word.pt"
    code, out, err = run(["lm", "train", "--train", str(texts / "train.txt"), "--valid", str(texts / "valid.txt"),
                          "--level", "word", "--save", str(ckpt), "--tie-weights", "--emb", "16", *TINY[:4], *TINY[6:]], capsys)
    assert code == 0, err
    assert "valid ppl:" in out
    code, out, err = run(["lm", "generate", "--checkpoint", str(ckpt), "--prime", "the thane of zyzzyva", "--length", "12",
                          "--top-p", "0.9", "--seed", "0"], capsys)
    assert code == 0, err                              # an unknown word is <unk>, not an error
    assert out.startswith("the thane of zyzzyva ") or out.startswith("the thane of zyzzyva\n")


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("Café".encode("latin-1"), "not UTF-8 text: byte b'\\xe9' at offset 3"),
    (b"  \n\n", "is empty"),
    (b"Ay me", "too few for 4 parallel rows"),
])
def test_bad_training_file(content, message, texts, tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    if content is not None: bad.write_bytes(content)
    ckpt = tmp_path / "lm.pt"
    code, out, err = run(["lm", "train", "--train", str(bad), "--valid", str(texts / "valid.txt"), "--save", str(ckpt), *TINY], capsys)
    assert code == 1 and message in err and err.startswith("lstm-book: error:")
    assert not ckpt.exists() and list(tmp_path.iterdir()) == ([bad] if content is not None else [])


@pytest.mark.parametrize("extra, message", [
    (["--tie-weights"], "tie_weights needs emb == hidden"),
])
def test_bad_options(extra, message, texts, tmp_path, capsys):
    code, out, err = run(["lm", "train", "--train", str(texts / "train.txt"), "--valid", str(texts / "valid.txt"),
                          "--save", str(tmp_path / "lm.pt"), *TINY, *extra], capsys)
    assert code == 1 and message in err and not (tmp_path / "lm.pt").exists()


@pytest.mark.parametrize("extra, message", [
    (["--level", "byte"], "argument --level: invalid choice: 'byte'"),
    (["--backend", "cudnn"], "argument --backend: invalid choice: 'cudnn'"),
    (["--tokenizer", "spacy"], "argument --tokenizer: invalid choice: 'spacy'"),
])
def test_choices_are_usage_errors_without_torch(extra, message, tmp_path, capsys):
    "A value outside a flag's choices is refused by the parser, before any chapter module is imported."
    code, out, err = run(["lm", "train", "--train", "t.txt", "--valid", "v.txt", *extra], capsys)
    assert code == 2 and message in err, err


def test_missing_required_option(capsys):
    code, out, err = run(["lm", "train", "--valid", "v.txt"], capsys)
    assert code == 2 and "the following arguments are required: --train" in err


def test_prime_with_unseen_characters(char_ckpt, capsys):
    code, out, err = run(["lm", "generate", "--checkpoint", str(char_ckpt), "--prime", "MACBETH: «hail»"], capsys)
    assert code == 1 and "never saw in training: ['«', '»']" in err


def test_bad_checkpoints(tmp_path, capsys):
    code, out, err = run(["lm", "generate", "--checkpoint", str(tmp_path / "none.pt")], capsys)
    assert code == 1 and "no model file at" in err
    (tmp_path / "junk.pt").write_bytes(b"junk")
    code, out, err = run(["lm", "generate", "--checkpoint", str(tmp_path / "junk.pt")], capsys)
    assert code == 1 and "not a readable model file" in err
    import torch
    from lstm_book.training import save_checkpoint
    from lstm_book.files import save_model
    save_checkpoint(tmp_path / "linear.pt", torch.nn.Linear(2, 2))
    code, out, err = run(["lm", "generate", "--checkpoint", str(tmp_path / "linear.pt")], capsys)
    assert code == 1 and one_line_error(err, "is not a model file: it is a training checkpoint")
    save_model(tmp_path / "stocks.pt", torch.nn.Linear(2, 2), "stocks")
    code, out, err = run(["lm", "generate", "--checkpoint", str(tmp_path / "stocks.pt")], capsys)
    assert code == 1 and one_line_error(err, "is a stocks model file, expected lm")


def test_damaged_weights_are_refused(char_ckpt, tmp_path, capsys):
    import torch
    raw = torch.load(char_ckpt, weights_only=True)
    raw["model"]["decoder.bias"][0] += 1.0                 # one weight changed, checksum kept
    torch.save(raw, tmp_path / "damaged.pt")
    code, out, err = run(["lm", "generate", "--checkpoint", str(tmp_path / "damaged.pt")], capsys)
    assert code == 1 and one_line_error(err, "do not match their checksum") and out == ""


@pytest.mark.parametrize("extra, message", [
    (["--rounds", "0"], "rounds must be at least 1"),
    (["--passes", "-3"], "passes must be a positive number"),
    (["--passes", "0"], "passes must be a positive number"),
    (["--lr", "nan"], "lr must be a positive number"),
    (["--lr", "-0.1"], "lr must be a positive number"),
    (["--min-freq", "0"], "--min-freq must be at least 1"),
    (["--level", "char", "--tokenizer", "whitespace"], "needs --level word"),
])
def test_settings_are_checked_before_any_work(extra, message, tmp_path, capsys):
    # the training file does not exist: a settings error must come first
    code, out, err = run(["lm", "train", "--train", str(tmp_path / "none.txt"), "--valid", str(tmp_path / "none.txt"),
                          "--save", str(tmp_path / "lm.pt"), *TINY, *extra], capsys)
    assert code == 1 and one_line_error(err, message), err
    assert list(tmp_path.iterdir()) == []


def test_unwritable_save_is_refused_before_training(texts, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for target, message in ((blocker / "lm.pt", "is not a folder"), (tmp_path, "is a directory")):
        code, out, err = run(["lm", "train", "--train", str(texts / "train.txt"), "--valid", str(texts / "valid.txt"),
                              "--save", str(target), *TINY], capsys)
        assert code == 1 and one_line_error(err, "--save", message), err
        assert "round" not in out                       # nothing was trained


def test_diverging_run_is_one_line(texts, tmp_path, capsys):
    code, out, err = run(["lm", "train", "--train", str(texts / "train.txt"), "--valid", str(texts / "valid.txt"),
                          "--save", str(tmp_path / "lm.pt"), *TINY, "--lr", "1e30"], capsys)
    assert code == 1 and one_line_error(err, "the loss became"), err
    assert not (tmp_path / "lm.pt").exists()


def test_whitespace_tokenizer_keeps_a_pretokenized_corpus(tmp_path, capsys):
    line = " the <unk> 's men , 3 @-@ 4 = Valkyria = \n"
    (tmp_path / "train.txt").write_text(line * 300 + "\n", encoding="utf-8")
    (tmp_path / "valid.txt").write_text(line * 20, encoding="utf-8")
    code, out, err = run(["lm", "train", "--train", str(tmp_path / "train.txt"), "--valid", str(tmp_path / "valid.txt"),
                          "--level", "word", "--tokenizer", "whitespace", "--save", str(tmp_path / "w.pt"), *TINY], capsys)
    assert code == 0, err
    model, vocab, level = load_lm(tmp_path / "w.pt", device="cpu")
    assert level == "whitespace" and "Valkyria" in vocab and "'s" in vocab and "@-@" in vocab
    assert "<" not in vocab and "unk" not in vocab            # <unk> was never split
    from lstm_book.lm import encode
    ids = encode(line, vocab, level).tolist()               # every token known, <unk> the one <unk>
    assert len(ids) == len(line.split()) + 1 and ids.count(vocab.unk_id) == 1 and ids[-1] == vocab.eos_id
    code, out, err = run(["lm", "generate", "--checkpoint", str(tmp_path / "w.pt"), "--prime", "the <unk>", "--length", "5",
                          "--seed", "0"], capsys)
    assert code == 0 and out.startswith("the <unk> "), err


def test_bad_sampling_options(char_ckpt, tmp_path, capsys):
    for opts, message in ((["--temperature", "0"], "temperature must be > 0"), (["--temperature", "-1"], "temperature must be > 0"),
                          (["--temperature", "nan"], "temperature must be > 0"), (["--temperature", "inf"], "finite"),
                          (["--top-p", "1.5"], "top_p must be in (0, 1]"),
                          (["--top-k", "0"], "top_k must be at least 1"), (["--length", "-1"], "length must be >= 0"),
                          (["--length", "-5"], "length must be >= 0")):
        code, out, err = run(["lm", "generate", "--checkpoint", str(char_ckpt), "--prime", "A", *opts], capsys)
        assert code == 1 and one_line_error(err, message), (opts, err)
        # checked before the model file is read: a missing file is not what is reported
        code, out, err = run(["lm", "generate", "--checkpoint", str(tmp_path / "none.pt"), *opts], capsys)
        assert code == 1 and one_line_error(err, message), (opts, err)


def test_installed_command_help():
    r = subprocess.run([str(Path(sys.executable).parent / "lstm-book"), "lm", "train", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "--train (path)" in r.stdout and "--level {char,word}" in r.stdout and "characters or words" in r.stdout
    assert "--tokenizer" in r.stdout and "whitespace" in r.stdout and "WikiText" in r.stdout
