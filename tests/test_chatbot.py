"""The chatbot beyond its notebook: the Cornell loader against an archive served on 127.0.0.1, and
`lstm-book chatbot train` / `lstm-book chat` run as a user runs them (typed input, empty lines, unknown words, Ctrl-D, quit)."""
import hashlib
import os
import io
import zipfile

import pytest

from lstm_book.chatbot import Chatbot, filter_pairs, load_cornell
from lstm_book.data import DownloadError

from .helpers import cli, one_line_error

SEP = " +++$+++ "


def cornell_archive(lines, convs) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("cornell movie-dialogs corpus/movie_lines.txt", "\n".join(SEP.join(f) for f in lines).encode("iso-8859-1"))
        z.writestr("cornell movie-dialogs corpus/movie_conversations.txt", "\n".join(SEP.join(f) for f in convs))
        z.writestr("__MACOSX/cornell movie-dialogs corpus/._movie_lines.txt", b"\x00\x05junk")
    return buf.getvalue()


LINES = [("L1", "u0", "m0", "BIANCA", "Can we make this quick?"), ("L2", "u2", "m0", "CAMERON", "Sure."),
         ("L3", "u0", "m0", "BIANCA", "Merci, café?"), ("L9", "u5", "m1", "JOE", "Hello there."), ("L10", "u6", "m1", "ANN", "Hi.")]
CONVS = [("u0", "u2", "m0", "['L1', 'L2', 'L3']"), ("u5", "u6", "m1", "['L9', 'L10', 'L404']")]


@pytest.fixture
def cornell_server(server):
    base, handler = server
    good, empty = cornell_archive(LINES, CONVS), cornell_archive([], [])
    handler.files["/cornell.zip"], handler.files["/empty.zip"] = good, empty
    return base, handler, hashlib.sha256(good).hexdigest(), hashlib.sha256(empty).hexdigest()


def test_cornell_pairs_from_the_original_layout(cornell_server, tmp_path):
    base, handler, sha, _ = cornell_server
    df = load_cornell(f"{base}/cornell.zip", sha, dest=tmp_path / "c.zip", progress=False)
    assert df.values.tolist() == [["m0", "Can we make this quick?", "Sure."], ["m0", "Sure.", "Merci, café?"],
                                  ["m1", "Hello there.", "Hi."]]      # Latin-1 decoded; the unknown line L404 is skipped
    again = load_cornell(f"{base}/cornell.zip", sha, dest=tmp_path / "c.zip", progress=False)
    assert again.equals(df) and handler.hits["/cornell.zip"] == 1    # the verified archive is reused
    kept, steps = filter_pairs(df, min_count=1)
    assert steps == {"read": 3, "short": 3, "common": 3} and kept.reply.tolist() == ["sure .", "merci , cafe ?", "hi ."]


def test_cornell_errors(cornell_server, tmp_path):
    base, handler, sha, empty_sha = cornell_server
    with pytest.raises(DownloadError, match="sha256"):
        load_cornell(f"{base}/cornell.zip", "0" * 64, dest=tmp_path / "bad.zip", progress=False)
    assert not (tmp_path / "bad.zip").exists()
    with pytest.raises(ValueError, match="no conversations"):
        load_cornell(f"{base}/empty.zip", empty_sha, dest=tmp_path / "e.zip", progress=False)
    with pytest.raises(DownloadError):
        load_cornell(f"{base}/missing.zip", sha, dest=tmp_path / "m.zip", progress=False)




@pytest.fixture(scope="module")
def bot_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("chatbot") / "bot.pt"
    r = cli("chatbot", "train", "--save", path, "--epochs", "1", "--limit", "300", "--no-progress")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"saved {path}; test perplexity ") and "(unigram replies: " in r.stdout
    return path


def test_chat_in_the_terminal(bot_file):
    bot = Chatbot.load(bot_file)
    r = cli("chat", "--checkpoint", bot_file, stdin="hello there!\n\nzyxxy blorf\nwhere are you going?\nquit\nnever read\n")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.count("bot> ") == 4 and "bot> (say something)" in out and "never read" not in out
    assert "you> hello there!\nbot> " in out                           # piped lines are echoed
    assert f"bot> {bot.reply('hello there!')}" in out and f"bot> {bot.reply('where are you going?')}" in out
    assert "are in the chatbot's vocabulary" in out                     # the unknown words get a note
    assert out.rstrip().endswith("bye (4 turns)")


def test_chat_answers_with_mmi_by_default_and_greedy_with_no_mmi(bot_file):
    bot = Chatbot.load(bot_file)
    assert bot.mmi is not None                                          # `chatbot train` saves MMI settings
    lines = ["where are you going?", "who are you?", "i love you."]
    r = cli("chat", "--checkpoint", bot_file, stdin="\n".join(lines) + "\n")
    assert r.returncode == 0 and "(MMI reranking)" in r.stdout, r.stderr
    assert all(f"bot> {bot.reply(q)}" in r.stdout for q in lines)
    bot.mmi = None
    r = cli("chat", "--checkpoint", bot_file, "--no-mmi", stdin="\n".join(lines) + "\n")
    assert r.returncode == 0 and "(greedy)" in r.stdout, r.stderr
    assert all(f"bot> {bot.reply(q)}" in r.stdout for q in lines)


def test_a_corrupted_chatbot_file_is_refused(bot_file, tmp_path):
    import torch
    raw = torch.load(bot_file, weights_only=True)
    name = next(k for k, v in raw["model"].items() if v.is_floating_point())
    raw["model"][name] = raw["model"][name] + 1.0                       # weights changed, checksum kept
    torch.save(raw, tmp_path / "bad.pt")
    r = cli("chat", "--checkpoint", tmp_path / "bad.pt", stdin="hi\n")
    assert_one_line_error(r, "is corrupted")


def test_chat_with_the_pretrained_chatbot_by_name():
    r = cli("chat", "--checkpoint", "movie-chatbot", stdin="where are you going?\n")
    assert r.returncode == 0 and "you> where are you going?\nbot> " in r.stdout, r.stderr


def test_chat_ends_at_end_of_input(bot_file):
    r = cli("chat", "--checkpoint", bot_file, stdin="hi .\n")           # no 'quit': Ctrl-D (EOF) ends it
    assert r.returncode == 0 and r.stdout.count("bot> ") == 1 and r.stdout.rstrip().endswith("bye (1 turn)")


def test_chat_errors(tmp_path):
    r = cli("chat", "--checkpoint", tmp_path / "none.pt")
    assert r.returncode == 1 and one_line_error(r.stderr, "none.pt") and "no model file at" in r.stderr
    r = cli("chatbot", "train", "--save", tmp_path / "x.pt", "--epochs", "0")
    assert r.returncode == 1 and "must be positive" in r.stderr and not (tmp_path / "x.pt").exists()


def test_chat_with_beam_search(bot_file):
    from lstm_book.decoding import BeamChatbot
    beam = BeamChatbot(Chatbot.load(bot_file), beam_size=3)
    r = cli("chat", "--checkpoint", bot_file, "--beam", "3", stdin="where are you going?\nwho are you?\n")
    assert r.returncode == 0, r.stderr
    assert "(beam 3)" in r.stdout
    assert f"bot> {beam.reply('where are you going?')}" in r.stdout and f"bot> {beam.reply('who are you?')}" in r.stdout
    r = cli("chat", "--checkpoint", bot_file, "--beam", "3", "--temperature", "0.8", stdin="hi\n")
    assert r.returncode == 1 and "not both" in r.stderr
    r = cli("chat", "--checkpoint", bot_file, "--beam", "0", stdin="hi\n")
    assert r.returncode == 1 and "--beam must be between 1 and 100" in r.stderr


def test_chat_with_an_attention_chatbot(bot_file, tmp_path):
    from lstm_book.attention import AttentionChatbot, attention_seq2seq
    from lstm_book.chatbot import Seq2SeqConfig
    plain = Chatbot.load(bot_file)
    bot = AttentionChatbot(attention_seq2seq(Seq2SeqConfig(len(plain.vocab), emb=16, hidden=16, layers=1)), plain.vocab)
    bot.save(tmp_path / "att.pt")
    r = cli("chat", "--checkpoint", tmp_path / "att.pt", "--beam", "2", stdin="hello there!\n")
    assert r.returncode == 0, r.stderr
    from lstm_book.decoding import BeamChatbot
    assert f"bot> {BeamChatbot(AttentionChatbot.load(tmp_path / 'att.pt'), 2).reply('hello there!')}" in r.stdout


def assert_one_line_error(r, *needles):
    "Exit 1 with one line on stderr that holds every needle, and no traceback."
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert all(n in lines[0] for n in needles), lines[0]


@pytest.mark.parametrize("args, needles", [
    (["--epochs", "0"], ["must be positive"]),
    (["--epochs", "-3"], ["must be positive"]),
    (["--limit", "0"], ["must be positive"]),
    (["--save", "{tmp}"], ["--save", "is a directory"]),
])
def test_train_refuses_bad_arguments_before_any_work(tmp_path, args, needles):
    args = [a.format(tmp=tmp_path) for a in args]
    save = [] if "--save" in args else ["--save", tmp_path / "bot.pt"]
    r = cli("chatbot", "train", *save, *args, "--no-progress", timeout=120)
    assert_one_line_error(r, *needles)
    assert list(tmp_path.iterdir()) == []                               # nothing written


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_train_refuses_an_unwritable_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    r = cli("chatbot", "train", "--save", locked / "bot.pt", "--no-progress", timeout=120)
    assert_one_line_error(r, "cannot write in")
    assert list(locked.iterdir()) == []


def test_train_refuses_a_file_as_folder(tmp_path):
    (tmp_path / "a_file").write_text("")
    r = cli("chatbot", "train", "--save", tmp_path / "a_file" / "bot.pt", "--no-progress", timeout=120)
    assert_one_line_error(r, "--save", "is not a folder")
    assert [p.name for p in tmp_path.iterdir()] == ["a_file"]


@pytest.mark.parametrize("args, needles", [
    (["--temperature", "-1"], ["--temperature", "finite number >= 0"]),
    (["--temperature", "nan"], ["--temperature", "finite number >= 0"]),
    (["--temperature", "inf"], ["--temperature", "finite number >= 0"]),
    (["--alpha", "nan"], ["--alpha", "finite number >= 0"]),
    (["--alpha", "-0.5"], ["--alpha", "finite number >= 0"]),
    (["--beam", "0"], ["--beam must be between 1 and 100"]),
    (["--beam", "101"], ["--beam must be between 1 and 100"]),
])
def test_chat_refuses_bad_options_before_loading(tmp_path, args, needles):
    # the checkpoint does not exist either: the options are checked first, and no line is answered
    r = cli("chat", "--checkpoint", tmp_path / "none.pt", *args, stdin="hi\nhello\n", timeout=120)
    assert_one_line_error(r, *needles)
    assert "bot>" not in r.stdout and list(tmp_path.iterdir()) == []
