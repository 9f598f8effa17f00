"""Every number in a chapter's prose is backed by an output of the same chapter.

A number in a markdown cell is *backed* when an output of the same notebook prints
it, allowing the rounding the prose uses ("6.9" is backed by 6.87; "43%" by 0.4312
or by 43.1). Some numbers are not outputs and need no output:

* automatically: numbers inside math (`$...$`, `$$...$$`: equation constants),
  code spans and fenced code, citation roles and link targets, years (1950-2030),
  and references such as "chapter 4", "exercise 2", "cell 7", "section 3";
* by a marker the reader does not see, an HTML comment in the same cell:

      <!-- numbers: 8.67 20,000 = Chung et al. (2014), Table 2 -->

  Every number before the `=` is exempt in that cell; the text after it says why
  (a published figure with its citation, a hyper-parameter set in the code, ...).
  A marker that names a number the cell does not contain is itself an error.

    python tools/prose_numbers.py [chapters/NN_stem.ipynb ...]   # lists unbacked numbers
"""
from __future__ import annotations
import html, json, re, sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"<!--\s*numbers:(.*?)-->", re.S)
NUMBER = re.compile(r"(?<![\w.,/^_\\-])([-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?![\w]|\.\d|,\d{3})(\s?%)?")
STRIP = [  # prose parts whose numbers are not claims, removed before numbers are read
    re.compile(r"```.*?```", re.S), re.compile(r"\$\$.*?\$\$", re.S), re.compile(r"(?<!\\)\$.+?(?<!\\)\$"),
    re.compile(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S), re.compile(r"`[^`]*`"),
    re.compile(r"\]\([^)]*\)"), re.compile(r"https?://\S+"), re.compile(r"<!--.*?-->", re.S),
    re.compile(r"\b(?:[Cc]hapters?|[Ee]xercises?|[Cc]ells?|[Ss]ections?|[Pp]arts?|[Ff]igures?|[Tt]ables?|[Ee]quations?)"
               r"\s+\d+(?:(?:\s*(?:,|and|or|-|–|to)\s*)\d+)*"),
    re.compile(r"(?<![\d.,])(?:19[5-9]\d|20[0-3]\d)(?![\d.,]\d)[a-z]?"),   # years (1950-2039), "2016a" too
]


@dataclass
class Claim:
    cell: int       # index of the markdown cell
    text: str       # the number as written
    context: str    # the words around it

    def __str__(self):
        return f"cell {self.cell}: {self.text!r} in …{self.context}…"


def _value(tok: str) -> tuple[float, int]:
    "The value of a written number and its number of decimals."
    tok = tok.replace(",", "").replace("−", "-").lstrip("-")
    return float(tok), len(tok.split(".")[1]) if "." in tok else 0


def output_numbers(nb: dict) -> list[float]:
    "Every number printed by an output of the notebook (stream, text, HTML tables, markdown); x% also as x/100."
    out = []
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            texts = [o.get("text", "")] + [v for k, v in o.get("data", {}).items()
                                           if k in ("text/plain", "text/html", "text/markdown", "text/latex")]
            for t in texts:
                t = "".join(t) if isinstance(t, list) else t
                if "\r" in t:   # progress-bar fragments back nothing
                    continue
                t = html.unescape(re.sub(r"<[^>]+>", " ", t))
                for m in re.finditer(r"(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(\.\d+)?(?:[eE][-+]?\d+)?(\s?%)?", t):
                    try:
                        x = float(m.group().rstrip("% "))
                    except (ValueError, OverflowError):
                        x = float(m.group(1).replace(",", "")[:300] + (m.group(2) or ""))
                    out += [x, x / 100] if m.group(3) else [x]
    return out


WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                    "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}
WORDS |= {"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "thousand": 1000, "half": 0.5, "twice": 2}
APPROX = re.compile(r"\b(?:about|roughly|nearly|almost|around|some|over|under|at least|at most)\s+("
                    + "|".join(WORDS) + r")\b|\b(" + "|".join(WORDS) + r")\s+times\b", re.I)


def backed(tok: str, percent: bool, printed: list[float]) -> bool:
    "True when some printed number, rounded as the prose rounds, gives `tok` (a percentage also as a fraction)."
    v, k = _value(tok)
    tol = 0.5 * 10 ** -k + 1e-9
    return any(abs(x - v) <= tol or (percent and abs(x - v / 100) <= tol / 100) for x in printed)


def backed_word(word: str, printed: list[float]) -> bool:
    "A spelled-out approximate number ('about five times') is backed by a printed number that rounds to it."
    v = WORDS[word.lower()]
    return any(abs(x - v) <= (0.05 if v < 1 else 0.5) for x in printed)


def prose(src: str) -> tuple[str, set[str], list[str]]:
    "The prose of a markdown cell with the non-claim parts blanked, its exempt numbers, and marker errors."
    exempt, errors = set(), []
    for m in MARKER.finditer(src):
        nums, _, why = m.group(1).partition("=")
        if not why.strip():
            errors.append(f"marker {m.group(0)!r} gives no reason after '='")
        exempt |= {t.strip() for t in nums.replace(";", " ").split() if t.strip()}
    text = src
    for pat in STRIP:
        text = pat.sub(lambda m: " " * len(m.group()), text)
    return text, exempt, errors


def check_notebook(path: Path) -> list[str]:
    "Unbacked numbers and stale markers of one chapter, as readable lines."
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    printed = output_numbers(nb)
    problems = []
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "markdown":
            continue
        src = "".join(c["source"])
        text, exempt, errors = prose(src)
        problems += [f"cell {i}: {e}" for e in errors]
        found = set()
        for m in NUMBER.finditer(text):
            tok = m.group(1)
            found.add(tok.lstrip("-−"))
            if tok.lstrip("-−") in exempt or backed(tok, bool(m.group(2)), printed):
                continue
            a, b = max(0, m.start() - 40), min(len(text), m.end() + 40)
            problems.append(str(Claim(i, m.group(0).strip(), " ".join(src[a:b].split()))))
        for m in APPROX.finditer(text):
            word = m.group(1) or m.group(2)
            if word.lower() not in exempt and not backed_word(word, printed):
                problems.append(str(Claim(i, m.group(0), " ".join(src[max(0, m.start() - 40):m.end() + 40].split()))))
            found.add(word.lower())
        problems += [f"cell {i}: the marker names {t!r}, which the cell's prose does not contain"
                     for t in sorted(exempt - found)]
    return problems


def main(args: list[str]) -> int:
    paths = [Path(a) for a in args] or sorted((ROOT / "chapters").glob("*.ipynb"))
    total = 0
    for p in paths:
        problems = check_notebook(p)
        total += len(problems)
        for line in problems:
            print(f"{p.name} {line}")
    print(f"{total} unbacked number(s) in {len(paths)} chapter(s)", file=sys.stderr)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
