"""What a committed chapter may store: no progress-bar fragments, no temporary or checkout paths,
no warnings, and code that fits the page of the rendered book.

`clean_outputs` is what the chapter runner applies after a run: a progress bar that
tqdm redraws with carriage returns becomes nothing (the loops print their own
one-line summaries to stdout). `problems` is what the test suite checks.

    python tools/notebook_hygiene.py --clean chapters/*.ipynb   # clean stored outputs in place
    python tools/notebook_hygiene.py chapters/*.ipynb           # list problems
"""
from __future__ import annotations
import json, re, sys
from pathlib import Path

MAX_CODE_WIDTH = 100   # characters per code line; the rendered book's code column fits this without scrolling
BAR = re.compile(r"^\s*[^|\n]*\d+%\|.*\|.*$|^\s*[^\n]*\|\s*\d+/\d+\s*\[\d")     # a tqdm bar line
TEMP = re.compile(r"/tmp/|/var/folders/|\btmp[a-z0-9_]{6,}\b|lstm-book-test-cache|AppData\\Local\\Temp")
CHECKOUT = str(Path(__file__).resolve().parents[1])   # an output naming it breaks on every other clone
WARNING = re.compile(r"\b\w*Warning\b:|^\s*warnings\.warn", re.M)


def _final_lines(text: str) -> list[str]:
    "What a terminal would show: each line's text after its last carriage return."
    return [line.rsplit("\r", 1)[-1] for line in text.split("\n")]


def clean_stream(text: str) -> str:
    "A stream's text without progress-bar fragments and the blank lines they leave."
    keep = [l for l in _final_lines(text) if l.strip() and not BAR.search(l)]
    return "\n".join(keep) + ("\n" if keep else "")


def clean_outputs(nb: dict) -> dict:
    "Merge each cell's consecutive stream outputs and drop progress-bar fragments (in place; returns nb)."
    for cell in nb["cells"]:
        outs, merged = cell.get("outputs", []), []
        for o in outs:
            if (o.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                    and merged[-1]["name"] == o["name"]):
                merged[-1]["text"] = "".join(merged[-1]["text"]) + "".join(o["text"])
            else:
                merged.append(dict(o))
        for o in merged:
            if o.get("output_type") == "stream":
                raw = "".join(o["text"])
                o["text"] = clean_stream(raw) if ("\r" in raw or o["name"] == "stderr") else raw
        if "outputs" in cell:
            cell["outputs"] = [_node(o) for o in merged if o.get("output_type") != "stream" or o["text"]]
    return nb


def _node(o: dict) -> dict:
    "An output as nbformat's NotebookNode when nbformat is at hand (nbformat.write needs attribute access)."
    try:
        from nbformat import from_dict
    except ImportError:
        return o
    return from_dict(o)


def _texts(o: dict) -> list[str]:
    t = [o.get("text", "")] + [v for k, v in o.get("data", {}).items() if k.startswith("text/")]
    return ["".join(x) if isinstance(x, list) else x for x in t]


def problems(nb: dict) -> list[str]:
    "Everything a committed chapter must not store, as readable lines."
    found = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for n, line in enumerate("".join(cell["source"]).splitlines(), 1):
            if len(line) > MAX_CODE_WIDTH:
                found.append(f"cell {i} line {n}: {len(line)} characters (at most {MAX_CODE_WIDTH}): {line[:60]}…")
        for o in cell.get("outputs", []):
            for t in _texts(o):
                if "\r" in t or any(BAR.search(l) for l in t.splitlines()):
                    found.append(f"cell {i}: a progress-bar fragment is stored: {t.strip()[:80]!r}")
                if m := TEMP.search(t):
                    found.append(f"cell {i}: a temporary path is printed: …{t[max(0, m.start() - 30):m.end() + 30]!r}…")
                if CHECKOUT in t:
                    found.append(f"cell {i}: this checkout's absolute path {CHECKOUT} is printed "
                                 "(it differs on every clone; print a relative path)")
                if m := WARNING.search(t):
                    found.append(f"cell {i}: a warning is stored: {t[m.start():m.start() + 100]!r}")
    return found


def main(args: list[str]) -> int:
    clean = "--clean" in args
    paths = [Path(a) for a in args if a != "--clean"]
    bad = 0
    for p in paths:
        nb = json.loads(p.read_text(encoding="utf-8"))
        if clean:
            p.write_text(json.dumps(clean_outputs(nb), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        for line in problems(nb):
            bad += 1
            print(f"{p.name} {line}")
    return 1 if bad and not clean else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
