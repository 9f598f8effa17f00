"""The notebooks are the source: the committed module must be their export, the
committed notebooks must be clean, and every chapter follows the book's conventions."""
import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
REPO_URL = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]


def copy_project(dst: Path) -> Path:
    for name in ("pyproject.toml", "chapters", "lstm_book"):
        src = ROOT / name
        (shutil.copytree(src, dst / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
         if src.is_dir() else shutil.copy2(src, dst / name))
    return dst


def tree(d: Path) -> dict:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def test_export_is_in_sync(tmp_path):
    work = copy_project(tmp_path)
    r = subprocess.run([str(BIN / "nbdev-export")], cwd=work, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    before, after = tree(ROOT / "lstm_book"), tree(work / "lstm_book")
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"nbdev-export changes {changed}: run nbdev-export and commit lstm_book/"


def test_notebooks_are_clean(tmp_path):
    work = copy_project(tmp_path)
    r = subprocess.run([str(BIN / "nbdev-clean")], cwd=work, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    dirty = [p.name for p in CHAPTERS if (work / "chapters" / p.name).read_bytes() != p.read_bytes()]
    assert not dirty, f"nbdev-clean changes {dirty}: run nbdev-clean and commit"


def test_toc_lists_every_chapter():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert sorted(files) == sorted(f"chapters/{p.stem}" for p in CHAPTERS)


def packed_lines(src: str) -> list[int]:
    "Lines on which a statement starts after other code: `if x: y`, `a; b` (compound one-liners)."
    lines = src.encode().splitlines()                      # col_offset counts UTF-8 bytes
    return sorted({n.lineno for n in ast.walk(ast.parse(src)) if isinstance(n, ast.stmt)
                   and lines[n.lineno - 1][:n.col_offset].strip()})


def test_packed_lines_finds_one_liners():
    assert packed_lines("if x: y = 1\nz = 2; w = 3\ndef f(): pass\n") == [1, 2, 3]
    assert packed_lines("if x:\n    y = 'a: b; c'\nf = lambda: 0\n") == []


TEST_CALL = re.compile(r"(^|\W)(assert\s|test_\w*\()", re.M)   # assert, test_eq(, test_fail(, ...


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_conventions(nb_path):
    nb = json.loads(nb_path.read_text())
    cells = nb["cells"]
    src = ["".join(c["source"]) for c in cells]
    stem = nb_path.stem.split("_", 1)[1]
    module = {"language_model": "lm", "music": "music", "beam_search": "decoding", "memory_networks": "memnet"}.get(stem, stem)
    assert src[0].strip() == f"#| default_exp {module}", "cell 0 must be '#| default_exp <module>'"
    assert cells[1]["cell_type"] == "markdown" and src[1].startswith("# "), "cell 1 must be the title"
    colab = src[2]
    assert cells[2]["cell_type"] == "code" and '"google.colab" in sys.modules' in colab, "cell 2 must be the Colab cell"
    assert f"git+{REPO_URL}" in colab, "the Colab cell must install from pyproject's Repository URL"
    headings = [l for c, s in zip(cells, src) if c["cell_type"] == "markdown" for l in s.splitlines() if l.startswith("#")]
    assert "## Summary" in headings and "## Exercises" in headings
    code = [(c, s) for c, s in zip(cells, src) if c["cell_type"] == "code"]
    assert all(c.get("outputs") for c, s in code if "print(" in s and "#| export" not in s), \
        "cells that print must have stored outputs: run `make chapter NB=...`"
    untested = []
    for i, (c, s) in enumerate(zip(cells, src)):
        if s.startswith("#| export"):
            assert len(s.splitlines()) <= 50, f"exported cell {i} is longer than 50 lines"
            assert not packed_lines(s), f"exported cell {i}: one statement per line, lines {packed_lines(s)}"
            if not re.search(r"^(@\S+\s*\n)*\s*(async\s+)?(def|class)\s", s, re.M):
                continue                                   # imports and constants: nothing to call
            # an exported definition is tested within the next two code cells
            nxt = [t for d, t in zip(cells[i + 1:], src[i + 1:]) if d["cell_type"] == "code"][:2]
            if not any(TEST_CALL.search(t) for t in nxt if not t.startswith("#| export")):
                untested.append(i)
    assert not untested, f"exported definitions in cells {untested} have no assert/test_* cell within two code cells"
