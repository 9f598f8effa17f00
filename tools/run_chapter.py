"""Regenerate the stored outputs of chapters: execute each notebook top to bottom
in place (full size unless LSTM_BOOK_QUICK=1 is set), drop progress-bar fragments
from the stored outputs (tools/notebook_hygiene.py), then clean it with nbdev and
report what the book's checks would reject: numbers in the prose that no output
prints (tools/prose_numbers.py) and outputs with temporary paths or warnings.
Full runs set LSTM_BOOK_WRITE_PRETRAINED=1, so that the chapters that ship a
pretrained model write its compact checkpoint to data/ (see the data chapter);
after each notebook, tools/update_manifest.py records the checksum of any model
file it rewrote, so later notebooks of the run verify the new file.

    python tools/run_chapter.py chapters/00_training.ipynb [more notebooks...]
"""
from __future__ import annotations
import os, subprocess, sys, time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebook_hygiene, prose_numbers  # noqa: E402


def run(path: Path, timeout: int = 7200) -> float:
    "Execute one notebook in place; returns the seconds it took."
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - t0
    notebook_hygiene.clean_outputs(nb)
    nbformat.write(nb, path)
    return seconds


def main(args: list[str]) -> int:
    if not args:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    paths = [Path(a).resolve() for a in args]
    missing = [str(p) for p in paths if not p.is_file() or p.suffix != ".ipynb"]
    if missing:
        print(f"run_chapter: not notebooks: {missing}", file=sys.stderr)
        return 2
    mode = "quick" if os.environ.get("LSTM_BOOK_QUICK") == "1" else "full"
    if mode == "full": os.environ["LSTM_BOOK_WRITE_PRETRAINED"] = "1"   # chapters that ship a compact model write it to data/
    for p in paths:
        print(f"running {p.relative_to(ROOT)} ({mode} size) ...", flush=True)
        print(f"  done in {run(p):.0f} s", flush=True)
        if mode == "full":   # a model file it rewrote: its new checksum, for the notebooks after it
            subprocess.run([sys.executable, ROOT / "tools" / "update_manifest.py"], check=True, cwd=ROOT)
    for p in paths:
        subprocess.run([Path(sys.executable).parent / "nbdev-clean", "--fname", str(p)], check=True, cwd=ROOT)
    subprocess.run([Path(sys.executable).parent / "nbdev-export"], check=True, cwd=ROOT)
    problems = [f"{p.name} {line}" for p in paths for line in
                prose_numbers.check_notebook(p) + notebook_hygiene.problems(nbformat.read(p, as_version=4))]
    for line in problems:
        print(f"  check: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
