"""ONNX export (lstm_book.deploy, `lstm-book export`): the book's three pretrained models export and
agree with PyTorch, the README's NumPy-only greedy loop writes PyTorch's greedy text in a process
that cannot import torch, the command refuses to overwrite its input, and the package works
without onnx installed."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_book.data import PRETRAINED, pretrained_path

from .helpers import cli, one_line_error

pytest.importorskip("onnxruntime")
ROOT = Path(__file__).resolve().parent.parent
NO_TORCH = "import sys\nsys.modules['torch'] = None   # `import torch` now fails\n"
MAX_DIFF = 1e-4   # float32 graphs against PyTorch


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    "Each pretrained model exported (with int8 copies) into its own folder: {name: (folder, files)}."
    from lstm_book.deploy import export_onnx
    root = tmp_path_factory.mktemp("onnx")
    return {name: (root / name, export_onnx(name, root / name, quantize=True)) for name in PRETRAINED}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", list(PRETRAINED))
def test_pretrained_model_exports_and_equals_pytorch(exports, name):
    from lstm_book.deploy import check_onnx, read_export
    folder, files = exports[name]
    meta = read_export(folder)
    graphs = {"lm": ["step"], "music": ["step"], "chatbot": ["encoder", "step"],
              "attention-chatbot": ["encoder", "step"]}[meta["kind"]]
    assert list(meta["graphs"]) == graphs and list(meta["int8_graphs"]) == graphs
    assert [f.name for f in files] == [*meta["graphs"].values(), *meta["int8_graphs"].values(), "model.json"]
    assert all(f.is_file() and f.stat().st_size > 0 for f in files)
    assert meta["itos"][:4] == ["<pad>", "<unk>", "<bos>", "<eos>"] and meta["layers"] >= 1
    diffs = check_onnx(name, folder)
    assert set(diffs) == set(meta["graphs"].values())
    assert max(diffs.values()) <= MAX_DIFF, diffs
    small = {f.name: f.stat().st_size for f in files}
    for graph, file in meta["int8_graphs"].items():   # the int8 copies are much smaller
        assert small[file] < small[meta["graphs"][graph]] / 3


def readme_greedy_snippet() -> str:
    "The NumPy-only greedy loop the README's 'Deploying without PyTorch' section shows."
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Deploying without PyTorch", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    snippet = next(b for b in blocks if "def greedy_text" in b)
    assert "lstm_book" not in snippet and "torch" not in snippet.replace("PyTorch", "")
    return snippet


def test_readme_greedy_loop_runs_without_torch_and_equals_pytorch(exports, tmp_path):
    "The README's loop, in a process where `import torch` fails, writes PyTorch's greedy text."
    from lstm_book.lm import load_pretrained, sample
    shutil.copytree(exports["shakespeare-char"][0], tmp_path / "shakespeare-onnx")
    snippet = readme_greedy_snippet()
    r = subprocess.run([sys.executable, "-c", NO_TORCH + snippet + "\nassert 'torch' not in {m.split('.')[0] "
                        "for m, v in sys.modules.items() if v is not None}\n"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    model, vocab, level = load_pretrained(device="cpu")
    want = sample(model, vocab, level, "ROMEO:\n", length=200, top_k=1)   # greedy: only the likeliest
    assert len(want) >= 200 and r.stdout == want + "\n"


def test_runtime_needs_no_torch(exports):
    "OnnxModel and onnx_bits run in a process where `import torch` fails, and equal PyTorch's loss."
    import math
    import torch
    from lstm_book.lm import evaluate_lm, load_pretrained, shakespeare_splits
    folder = exports["shakespeare-char"][0]
    model, vocab, _ = load_pretrained(device="cpu")
    ids = vocab.encode(list(shakespeare_splits()["test"][:3000]))
    code = NO_TORCH + (
        "import json\n"
        "from lstm_book.deploy import OnnxModel, onnx_bits\n"
        f"model = OnnxModel({str(folder)!r}, threads=1)\n"
        f"print(json.dumps([onnx_bits(model, {ids!r}, window=500),\n"
        "                   sorted(m for m in sys.modules if m.startswith('lstm_book.'))]))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    bits, loaded = json.loads(r.stdout)
    assert loaded == ["lstm_book.deploy", "lstm_book.environment"]   # both torch-free
    want = evaluate_lm(model, torch.tensor(ids), batch_size=1, bptt=500) / math.log(2)
    assert abs(bits - want) < 1e-4, (bits, want)


def test_greedy_chatbot_replies_equal_pytorch(exports):
    "The chatbot's encoder and step graphs answer as chapter 8's greedy `generate`, word for word."
    from lstm_book.attention import load_chatbot
    from lstm_book.chatbot import generate
    from lstm_book.deploy import OnnxModel, greedy_reply
    bot = load_chatbot(pretrained_path("movie-chatbot"))
    bot.model.cpu()
    onnx = OnnxModel(exports["movie-chatbot"][0], threads=1)
    for line in ["where are you going?", "good morning.", "do you want to dance?", "you are late."]:
        ids = bot.statement_ids(line)
        assert greedy_reply(onnx, ids) == generate(bot.model, [ids])[0], line


def test_cli_exports_and_checks(tmp_path):
    r = cli("export", "--onnx", tmp_path / "bach", "--checkpoint", "bach-composer")
    assert r.returncode == 0 and r.stderr == "", r.stderr[-2000:]
    assert "music_step.onnx" in r.stdout and "model.json" in r.stdout
    diff = float(re.search(r"largest \|PyTorch - ONNX\| on random inputs: (\S+)", r.stdout).group(1))
    assert diff <= MAX_DIFF
    assert sorted(p.name for p in (tmp_path / "bach").iterdir()) == ["model.json", "music_step.onnx"]


def test_cli_bad_checkpoint_is_one_line(tmp_path):
    bad = tmp_path / "notes.pt"
    bad.write_text("not a model")
    for checkpoint, needle in [(bad, "notes.pt"), (tmp_path / "missing.pt", "no model file at")]:
        r = cli("export", "--onnx", tmp_path / "out", "--checkpoint", checkpoint)
        assert r.returncode == 1 and r.stdout == "" and one_line_error(r.stderr, needle), r.stderr
    import torch
    from lstm_book.files import save_model
    sentiment = save_model(tmp_path / "sentiment.pt", torch.nn.Linear(2, 2), "sentiment")   # does not export
    r = cli("export", "--onnx", tmp_path / "out", "--checkpoint", sentiment)
    assert r.returncode == 1 and one_line_error(r.stderr, "sentiment model file", "expected lm or music or chatbot or attention-chatbot")
    assert not (tmp_path / "out").exists()


def test_cli_never_overwrites_its_input(tmp_path):
    model = tmp_path / "composer.pt"
    shutil.copy(pretrained_path("bach-composer"), model)
    before = sha(model)
    r = cli("export", "--onnx", model, "--checkpoint", model)   # the folder is the model file
    assert r.returncode == 1 and one_line_error(r.stderr, "--onnx", "is the input --checkpoint"), r.stderr
    out = tmp_path / "out"
    out.mkdir()
    inside = out / "music_step.onnx"   # the model file has the name of a graph the export writes
    shutil.copy(model, inside)
    r = cli("export", "--onnx", out, "--checkpoint", inside)
    assert r.returncode == 1 and one_line_error(r.stderr, "--onnx", "is the input --checkpoint",
                                                "would destroy the input"), r.stderr
    assert sha(model) == before and sha(inside) == before
    assert sorted(p.name for p in out.iterdir()) == ["music_step.onnx"]


def test_package_works_without_onnx():
    "Without onnx and onnxruntime, lstm_book.deploy imports, help works, and export says what to install."
    code = (
        "import sys\n"
        "for m in ('onnx', 'onnxruntime'): sys.modules[m] = None   # as if not installed\n"
        "import lstm_book.deploy\n"
        "from lstm_book.cli import main\n"
        "assert main(['export', '--help']) == 0\n"
        "try: lstm_book.deploy.export_onnx('shakespeare-char', 'never-written')\n"
        "except ImportError as e: print('ERROR', e)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "LSTM_BOOK_DEVICE": "cpu"})
    assert r.returncode == 0, r.stderr[-2000:]
    assert "usage: lstm-book export" in r.stdout
    assert 'ERROR this needs onnx and onnxruntime, which is not installed: pip install "lstm-book[deploy]"' in r.stdout
    assert not Path("never-written").exists()
