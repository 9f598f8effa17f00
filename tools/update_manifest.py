"""Bring the manifest entries of the pretrained model files up to date with the files
in data/: their sha256 and size, in the three places that list them (the data
chapter's source, the module exported from it, and data/README.md).

A chapter's full run rewrites its compact model in data/ (see tools/run_chapter.py,
which calls this after every notebook), so that a later notebook of the same run,
and the tests, verify the new file against its new checksum.

    python tools/update_manifest.py        # prints what it changed
"""
from __future__ import annotations
import hashlib, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "chapters" / "01_data.ipynb", ROOT / "lstm_book" / "data.py"]
README = ROOT / "data" / "README.md"


def file_facts(path: Path) -> tuple[str, int]:
    "sha256 and size of a file."
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size


def update(text: str, old: tuple[str, int], new: tuple[str, int]) -> str:
    "`text` with the manifest entry (sha256, size) `old` replaced by `new`."
    (osha, osize), (nsha, nsize) = old, new
    text = re.sub(rf'{osha}(\\?", ){osize:_}\b', lambda m: f"{nsha}{m[1]}{nsize:_}", text)
    return text.replace(f"{osize:,} | `{osha}`", f"{nsize:,} | `{nsha}`")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from lstm_book.data import PRETRAINED
    changed = []
    for p in PRETRAINED.values():
        f = ROOT / "data" / p.filename
        if not f.is_file(): continue
        sha, size = file_facts(f)
        if (sha, size) == (p.sha256, p.size): continue
        for src in [*SOURCES, README]:
            old = src.read_text()
            new = update(old, (p.sha256, p.size), (sha, size))
            if new == old: raise SystemExit(f"update_manifest: no entry for {p.filename} in {src}")
            src.write_text(new)
        changed.append(f"{p.filename}: sha256 {sha[:12]}..., {size:,} bytes")
    print("\n".join(changed) or "manifest up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
