"""Chapter 09's saved chatbots: one model-file format (kind, config, vocabulary, checksum) read
once, both kinds through load_chatbot, clear one-line errors; the reversal task's decoders."""
import pytest
import torch
from torch import nn

from lstm_book.attention import (AttentionChatbot, BahdanauDecoder, LuongDecoder, attention_seq2seq,
                                 load_chatbot, reversal_pairs)
from lstm_book.chatbot import Chatbot, Seq2Seq, Seq2SeqConfig
from lstm_book.files import ModelFileError, save_model
from lstm_book.data import Vocab

VOCAB = Vocab(["<pad>", "<unk>", "<bos>", "<eos>"] + [f"w{i}" for i in range(20)])
CFG = Seq2SeqConfig(len(VOCAB), emb=8, hidden=8, layers=1)


def test_both_kinds_load_and_reply_the_same(tmp_path):
    torch.manual_seed(0)
    bots = {"att.pt": AttentionChatbot(attention_seq2seq(CFG, "dot"), VOCAB, max_tokens=7),
            "plain.pt": Chatbot(Seq2Seq(CFG), VOCAB)}
    for name, bot in bots.items():
        bot.save(tmp_path / name)
        back = load_chatbot(tmp_path / name)
        assert type(back) is type(bot) and back.max_tokens == bot.max_tokens
        assert back.reply("w1 w2 w3") == bot.reply("w1 w2 w3")
    assert load_chatbot(tmp_path / "att.pt").model.decoder.attention.score_fn == "dot"


def test_load_reads_the_file_once(tmp_path, monkeypatch):
    import lstm_book.files as files
    AttentionChatbot(attention_seq2seq(CFG), VOCAB).save(tmp_path / "a.pt")
    calls = []
    real = torch.load
    monkeypatch.setattr(files.torch, "load", lambda *a, **k: calls.append(a) or real(*a, **k))
    load_chatbot(tmp_path / "a.pt")
    AttentionChatbot.load(tmp_path / "a.pt")
    assert len(calls) == 2


def test_bad_files_are_one_line_errors(tmp_path):
    bot = AttentionChatbot(attention_seq2seq(CFG), VOCAB)
    bot.save(tmp_path / "a.pt")
    raw = torch.load(tmp_path / "a.pt", weights_only=True)
    raw["model"]["emb.weight"][4, 0] += 1
    torch.save(raw, tmp_path / "bad.pt")
    save_model(tmp_path / "music.pt", nn.Linear(2, 2), "music")
    (tmp_path / "text.pt").write_text("not a model")
    cases = {"bad.pt": "do not match their checksum",
             "music.pt": "is a music model file, expected chatbot or attention-chatbot",
             "text.pt": "is not a readable model file"}
    for name, needle in cases.items():
        with pytest.raises(ModelFileError, match=needle) as e:
            load_chatbot(tmp_path / name)
        assert "\n" not in str(e.value)
    with pytest.raises(FileNotFoundError):
        load_chatbot(tmp_path / "missing.pt")


def test_decoders_train_on_reversal():
    from lstm_book.attention import accuracy_by_length, encode_reversal
    from lstm_book.chatbot import ChatTrainConfig, train_seq2seq
    from lstm_book.data import SPECIALS
    vocab = Vocab(SPECIALS + tuple("0123456789"))
    train = encode_reversal(reversal_pairs(256, (1, 5), seed=0), vocab)
    valid = encode_reversal(reversal_pairs(64, (1, 5), seed=1), vocab)
    for dec in (BahdanauDecoder, LuongDecoder):
        torch.manual_seed(0)
        model = Seq2Seq(Seq2SeqConfig(len(vocab), emb=8, hidden=16, layers=1, dropout=0.0), dec)
        hist = train_seq2seq(model, train, valid,
                             ChatTrainConfig(epochs=2, progress=False, log=False))
        assert hist.train_loss.iloc[-1] < hist.train_loss.iloc[0]
        acc = accuracy_by_length(model, vocab, (3,), n=10)
        assert 0 <= acc["token accuracy"][0] <= 1 and list(acc.length) == [3]
    with pytest.raises(ValueError, match="lengths"):
        reversal_pairs(4, (3, 2))
