"""Bring the manifest's pretrained-model entries up to date with the files in data/.

The manifest is data (data/manifest.json): this tool records the sha256 and size of
each pretrained model file that changed, then reprints the tables of data/README.md
from the manifest (`lstm-book data list`). It edits no notebook and no module.

A chapter's full run rewrites its compact model in data/ (see tools/run_chapter.py,
which calls this after every notebook), so that a later notebook of the same run,
and the tests, verify the new file against its new checksum.

    python tools/update_manifest.py        # prints what it changed
"""
from __future__ import annotations
import hashlib, json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "data" / "manifest.json"
README = ROOT / "data" / "README.md"
START, END = "<!-- manifest:start -->", "<!-- manifest:end -->"


def file_facts(path: Path) -> tuple[str, int]:
    "sha256 and size of a file."
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size


def update_records(manifest: dict, data_dir: Path) -> list[str]:
    "Set sha256 and size of every pretrained model whose file in `data_dir` changed; say which."
    changed = []
    for rec in manifest["pretrained models"]:
        f = data_dir / rec["filename"]
        if not f.is_file(): continue
        sha, size = file_facts(f)
        if (sha, size) != (rec["sha256"], rec["size"]):
            rec.update(sha256=sha, size=size)
            changed.append(f"{rec['filename']}: sha256 {sha[:12]}..., {size:,} bytes")
    return changed


def with_table(readme: str, table: str) -> str:
    "The README text with the block between the manifest markers replaced by `table`."
    if readme.count(START) != 1 or readme.count(END) != 1:
        raise SystemExit(f"update_manifest: {README} needs one {START} and one {END} line")
    head, rest = readme.split(START)
    return f"{head}{START}\n{table}\n{END}{rest.split(END)[1]}"


def main() -> int:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    changed = update_records(manifest, ROOT / "data")
    if changed:
        MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    table = subprocess.run([sys.executable, "-c", "from lstm_book.data import manifest_markdown; "
                            "print(manifest_markdown())"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.strip()
    README.write_text(with_table(README.read_text(encoding="utf-8"), table), encoding="utf-8")
    print("\n".join(changed) or "manifest up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
