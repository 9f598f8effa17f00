"""Build the assets of the book's live demos (chapters 3, 4 and 9) into _build/demos/assets.

    python tools/build_demos.py [--out _build/demos/assets] [--force]

The demos run in the reader's browser with ONNX Runtime Web (WASM backend, one thread), served
as static files next to the book. This script

* fetches the pinned npm tarball of onnxruntime-web with `npm pack` into a cache folder
  ($LSTM_BOOK_DEMO_CACHE, else the user cache folder), checks its SHA-256 against ORT_SHA256
  below and extracts only the runtime files the WASM backend needs;
* exports the shipped character model as a gates step graph (`lstm_book.deploy.gates_graph`) and
  the shipped attention chatbot as its encoder and decoder step graphs (`model_graphs`), with the
  weight matrices stored as the model files store them (8 or 4 bits per weight, one scale and
  offset per row) and expanded to float32 inside the graph: a quarter of the float32 size, and
  the same numbers as PyTorch, because the model files hold exactly those weights;
* checks the graphs with onnxruntime against PyTorch (greedy text and replies, gates) and writes
  `demos.json`: file names, vocabularies, settings and the results of the checks.

The JavaScript and CSS of the demos are in tools/static/demos/ (copied by Sphinx); tools/book_ext.py
copies these assets into the built book. Without them the book builds and each demo says so.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "demos" / "assets"
ORT_VERSION = "1.31.1"       # onnxruntime-web, pinned: the tarball's checksum is below
ORT_SHA256 = "bdccdb9fbb9ab537247c0c734e9b1d2b1b338b4f2a09faa58f0dc1cfa27c312c"
# what the WASM backend loads: the API, its Emscripten glue and the WebAssembly binary
ORT_FILES = ("ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm")
LM_NAME, CHAT_NAME = "shakespeare-char", "movie-chatbot"
GREEDY_PRIME, GREEDY_LENGTH = "ROMEO:\n", 300
CHAT_CHECKS = ["where are you going?", "good morning.", "do you want to dance?", "you are late."]


def cache_dir() -> Path:
    "Where the npm tarball is kept between builds."
    value = os.environ.get("LSTM_BOOK_DEMO_CACHE", "").strip()
    if value: return Path(value).expanduser()
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("lstm-book")) / "npm"


def fetch_runtime(dest: Path) -> list[Path]:
    "The pinned onnxruntime-web tarball (from the cache or `npm pack`), checked, its files in dest."
    cache = cache_dir(); cache.mkdir(parents=True, exist_ok=True)
    tgz = cache / f"onnxruntime-web-{ORT_VERSION}.tgz"
    if not tgz.exists():
        if not shutil.which("npm"):
            raise RuntimeError("npm is not installed: it fetches onnxruntime-web for the demos")
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            r = subprocess.run(["npm", "pack", f"onnxruntime-web@{ORT_VERSION}",
                                "--pack-destination", tmp], capture_output=True, text=True,
                               timeout=600)
            got = Path(tmp) / tgz.name
            if r.returncode != 0 or not got.exists():
                raise RuntimeError(f"npm pack onnxruntime-web@{ORT_VERSION} failed: "
                                   f"{(r.stderr or r.stdout).strip()[-300:]}")
            os.replace(got, tgz)
    from lstm_book.data import sha256sum
    if (digest := sha256sum(tgz)) != ORT_SHA256:
        tgz.unlink()
        raise RuntimeError(f"{tgz.name} has SHA-256 {digest}, expected {ORT_SHA256}: "
                           "deleted; run again, or update ORT_VERSION and ORT_SHA256 together")
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tgz) as tar:
        for name in ORT_FILES:
            data = tar.extractfile(f"package/dist/{name}").read()
            (dest / name).write_bytes(data)
    return [dest / n for n in ORT_FILES]


# ---- graphs whose weights are stored as the model files store them -------------------------

def row_bits(w) -> int | None:
    "4 or 8 when every row of the matrix `w` holds at most 16 or 256 distinct values, else None."
    if w.dim() != 2 or w.numel() < 4096: return None
    s = w.detach().sort(1).values
    distinct = int((1 + (s[:, 1:] != s[:, :-1]).sum(1)).max())
    return 4 if distinct <= 16 else 8 if distinct <= 256 else None


def compact_module(module):
    """`module` (changed in place: give it a copy of a model) with its quantized-grid weight
    matrices held as uint8 rows, with each row's offset and scale, and expanded to float32 in the
    graph; other weights stay float32."""
    import torch
    from torch import nn
    from lstm_book.files import dequantize_tensor, quantize_tensor
    class Compact(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner, self.packed = module, {}
            for name, p in list(module.named_parameters()):
                if (bits := row_bits(p)) is None: continue
                d = quantize_tensor(p.detach(), bits)
                err = float((dequantize_tensor(d) - p.detach()).abs().max())
                if err > 1e-6 * float(p.detach().abs().max()):
                    continue                        # not on a grid: keep float32
                key = name.replace(".", "__")
                for part in ("q", "low", "scale"): self.register_buffer(f"{key}__{part}", d[part])
                owner, attr = name.rpartition(".")[::2]
                del module.get_submodule(owner)._parameters[attr]   # set by forward instead
                self.packed[name] = (key, bits, p.shape[1])
        def weight(self, key, bits, cols):
            q = getattr(self, f"{key}__q").float()
            # two weights a byte, low nibble first (lstm_book.files.quantize_tensor)
            if bits == 4:
                hi = torch.floor(q / 16)
                q = torch.stack([q - 16 * hi, hi], -1).flatten(1)[:, :cols]
            return getattr(self, f"{key}__low") + q * getattr(self, f"{key}__scale")
        def forward(self, *args):
            for name, v in self.packed.items():
                owner, attr = name.rpartition(".")[::2]
                setattr(module.get_submodule(owner), attr, self.weight(*v))
            return self.inner(*args)
    return Compact().eval()


def write_compact(graph, path: Path) -> Path:
    "Write a `deploy.Graph` with compact weights; no constant folding (it would expand them)."
    from dataclasses import replace
    from lstm_book.deploy import write_graph
    return write_graph(replace(graph, module=compact_module(graph.module)), path,
                       fold_constants=False)


# ---- exports and their checks ----------------------------------------------------------------

def session(path: Path):
    import onnxruntime as ort
    opts = ort.SessionOptions(); opts.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def chosen_units(model, vocab, text: str) -> list[dict]:
    """Units worth watching: per layer, the cell most correlated with the position in the line
    and the one most correlated with being in a speaker's name (as chapter 3 picks them)."""
    import torch
    lines = text.split("\n")
    pos = torch.tensor([float(j) for l in lines for j in range(len(l) + 1)][:len(text)])
    spk = torch.tensor([float(l.endswith(":")) for l in lines for _ in range(len(l) + 1)])
    spk = spk[:len(text)]
    def corr(a, b):
        a, b = a - a.mean(0), b - b.mean()
        return (a * b[:, None]).sum(0) / (a.norm(dim=0) * b.norm() + 1e-12)
    units, x = [], model.emb(torch.tensor(vocab.encode(list(text))))
    with torch.no_grad():
        for l, c in enumerate(layer_traces(model, x)):
            for what, target in (("line position", pos), ("speaker name", spk)):
                r = corr(c["c"], target); u = int(r.abs().argmax())
                units.append({"layer": l, "unit": u, "label": f"{what}, r = {float(r[u]):+.2f}"})
    return units


def layer_traces(model, x) -> list[dict]:
    "Chapter 3's `lstm_trace` of every layer of a language model, fed by the layer below."
    import torch
    from lstm_book.lstm import lstm_trace
    out, rnn, H = [], model.rnn, model.cfg.hidden
    for l in range(model.cfg.layers):
        layer = torch.nn.LSTM(x.shape[1], H)
        layer.load_state_dict({f"{n}_l0": getattr(rnn, f"{n}_l{l}") for n in
                               ("weight_ih", "weight_hh", "bias_ih", "bias_hh")})
        out.append(lstm_trace(layer, x)); x = out[-1]["h"]
    return out


def build_lm(out: Path) -> dict:
    "The character model's gates graph, its settings and its checks against PyTorch."
    import numpy as np, torch
    from lstm_book.deploy import gates_graph, load_for_export
    from lstm_book.lm import load_pretrained, sample, shakespeare_splits
    _, model, meta = load_for_export(LM_NAME)
    path = write_compact(gates_graph(copy.deepcopy(model)), out / "lm_gates.onnx")
    sess, (L, H) = session(path), (model.cfg.layers, model.cfg.hidden)
    stoi = {s: i for i, s in enumerate(meta["itos"])}
    def run(ids):
        h, c, outs = np.zeros((L, 1, H), np.float32), np.zeros((L, 1, H), np.float32), []
        for i in ids:
            z, h, c, g = sess.run(None, {"tokens": np.array([[i]], np.int64), "h": h, "c": c})
            outs.append((z[0, 0], g[:, :, 0]))
        return outs
    # greedy text, the state carried from step to step
    h, c = np.zeros((L, 1, H), np.float32), np.zeros((L, 1, H), np.float32)
    text = ""
    for i in [stoi[ch] for ch in GREEDY_PRIME]:
        z, h, c, _ = sess.run(None, {"tokens": np.array([[i]], np.int64), "h": h, "c": c})
    for _ in range(GREEDY_LENGTH):
        z = z[0, 0].copy(); z[meta["never_draw"]] = -np.inf
        nxt = int(z.argmax()); text += meta["itos"][nxt]
        z, h, c, _ = sess.run(None, {"tokens": np.array([[nxt]], np.int64), "h": h, "c": c})
    lm, vocab, level = load_pretrained(LM_NAME, device="cpu")
    want = sample(lm, vocab, level, GREEDY_PRIME, length=GREEDY_LENGTH, top_k=1)
    sentence = "MACBETH:\nIs this a dagger which I see before me?"
    got = run([stoi[ch] for ch in sentence])
    with torch.no_grad():
        ref = layer_traces(lm, lm.emb(torch.tensor(vocab.encode(list(sentence)))))
    gate_diff = max(float(np.abs(np.stack([g[l, k] for _, g in got]) - ref[l][n].numpy()).max())
                    for l in range(L) for k, n in enumerate("ifgo"))
    units = chosen_units(lm, vocab, shakespeare_splits()["test"][:3000])
    return {"graph": path.name, "itos": meta["itos"], "never_draw": meta["never_draw"],
            "layers": L, "hidden": H, "units": units,
            "checks": {"greedy_prime": GREEDY_PRIME, "greedy_equal_chars": GREEDY_LENGTH
                       if text == want else next(i for i, (a, b) in enumerate(zip(text, want))
                                                 if a != b),
                       "max_gate_diff": gate_diff}}


def build_chat(out: Path) -> dict:
    "The chatbot's encoder and step graphs, its vocabulary and its checks against PyTorch."
    from lstm_book.attention import load_chatbot
    from lstm_book.chatbot import generate
    from lstm_book.data import pretrained_path
    from lstm_book.deploy import OnnxModel, greedy_reply, load_for_export, model_graphs
    kind, model, meta = load_for_export(CHAT_NAME)
    files = {}
    for k in ("encoder", "step"):   # each graph from its own copy: compacting changes the model
        g = next(g for g in model_graphs(kind, copy.deepcopy(model)) if g.name == k)
        files[k] = write_compact(g, out / f"chat_{k}.onnx").name
    # greedy replies through deploy's own loop, on a folder that holds these graphs
    with tempfile.TemporaryDirectory() as tmp:
        for f in files.values(): shutil.copy(out / f, Path(tmp) / f)
        (Path(tmp) / "model.json").write_text(json.dumps({
            "format": "lstm-book-onnx-1", "graphs": files, "int8_graphs": {}, "layers":
            model.cfg.layers, "hidden": model.cfg.hidden, **meta}))
        onnx = OnnxModel(tmp, threads=1)
        bot = load_chatbot(pretrained_path(CHAT_NAME)); bot.model.cpu()
        equal = sum(greedy_reply(onnx, bot.statement_ids(s)) ==
                    generate(bot.model, [bot.statement_ids(s)])[0] for s in CHAT_CHECKS)
    return {"encoder": files["encoder"], "step": files["step"], "itos": meta["itos"],
            "never_draw": meta["never_draw"], "max_tokens": meta["max_tokens"],
            "layers": model.cfg.layers, "hidden": model.cfg.hidden, "decoder": meta["decoder"],
            "checks": {"greedy_replies_equal": f"{equal} of {len(CHAT_CHECKS)}"}}


def stamp() -> str:
    "What the assets depend on: the runtime version, this script, deploy.py and the model files."
    from lstm_book.data import pretrained_path, sha256sum
    parts = [ORT_VERSION, ORT_SHA256, sha256sum(Path(__file__)),
             sha256sum(ROOT / "lstm_book" / "deploy.py")]
    parts += [sha256sum(pretrained_path(n)) for n in (LM_NAME, CHAT_NAME)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def build(out: Path = OUT, force: bool = False) -> Path:
    "Build the demo assets into `out` (skipped when they are up to date); returns demos.json."
    index = out / "demos.json"
    key = stamp()
    if not force and index.exists() and json.loads(index.read_text()).get("stamp") == key:
        print(f"demos: {out} is up to date"); return index
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True); tmp.mkdir(parents=True)
    runtime = fetch_runtime(tmp / "ort")
    cfg = {"stamp": key, "ort_version": ORT_VERSION, "ort_files": [p.name for p in runtime],
           "lm": build_lm(tmp), "chat": build_chat(tmp)}
    cfg["bytes"] = sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file())
    (tmp / "demos.json").write_text(json.dumps(cfg, ensure_ascii=False))
    shutil.rmtree(out, ignore_errors=True); os.replace(tmp, out)
    lm, chat = cfg["lm"]["checks"], cfg["chat"]["checks"]
    print(f"demos: wrote {out} ({cfg['bytes'] / 1e6:.1f} MB); greedy text equal to PyTorch for "
          f"{lm['greedy_equal_chars']} of {GREEDY_LENGTH} characters, gates within "
          f"{lm['max_gate_diff']:.1e}, greedy replies equal {chat['greedy_replies_equal']}")
    return index


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the assets folder to write")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args()
    try:
        build(args.out, args.force)
    except Exception as e:   # the book builds without the demos: say why, in one line
        print(f"demos: not built ({type(e).__name__}: {e}); the book's demos will say their "
              "files are missing", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
