"""Write data/contrast_sentences.tsv: the book's contrast set for the sentiment chapter.

Two hundred short review sentences in 100 minimal pairs. The two sentences of a pair use
exactly the same words in a different order, and the order decides the label, so a
bag-of-words model must get exactly one sentence of each pair wrong. The sentences were
written for The LSTM Book by its authors (none is taken from a data set); a first version,
with the verdict last in most pairs, was rebalanced after models had been run on it. In about half of the pairs the clause that carries the verdict comes last,
in the other half first, so that "trust the last clause" is no better than a coin:

- but          "<clause> , but <verdict>"          verdict last
- even though  "<verdict> , even though <clause>"  verdict first
- although     "although <clause> , <verdict>"     verdict last
               "<verdict> , although <clause>"     verdict first
- negation     "it is not <a> , it is <verdict>"   verdict last
               "it is <verdict> , not <a>"         verdict first
- rather       "it <verdict>s rather than <b>s"    verdict first

    python tools/make_contrast_set.py            # writes data/contrast_sentences.tsv
    python tools/make_contrast_set.py --out DIR  # writes DIR/contrast_sentences.tsv
"""
from __future__ import annotations
import csv, sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "contrast_sentences.tsv"

# (positive clause, negative clause) of comparable strength, about parts of a film:
# the first 25 are used with "but" (verdict last), the other 15 with "even though" (verdict first)
CLAUSES = [
    ("the acting is wonderful", "the plot is a mess"),
    ("the cast is charming", "the script is lazy"),
    ("the photography is gorgeous", "the story is dull"),
    ("the jokes are funny", "the pacing is sluggish"),
    ("the music is lovely", "the dialogue is clumsy"),
    ("the lead is terrific", "the supporting cast is awful"),
    ("the premise is clever", "the execution is sloppy"),
    ("the battle scenes are thrilling", "the characters are flat"),
    ("the first act is gripping", "the ending is ridiculous"),
    ("the effects are stunning", "the story is a bore"),
    ("the direction is confident", "the writing is feeble"),
    ("the songs are catchy", "the comedy falls flat"),
    ("the idea is fresh", "the treatment is tedious"),
    ("the villain is a delight", "the hero is a bore"),
    ("it is beautifully shot", "it is painfully slow"),
    ("the humor is sharp", "the plot is predictable"),
    ("the costumes are lovely", "the drama is lifeless"),
    ("the setting is vivid", "the story goes nowhere"),
    ("the score is moving", "the script is weak"),
    ("the dialogue is witty", "the film drags"),
    ("the animation is dazzling", "the jokes are stale"),
    ("the heroine is smart and funny", "the villain is dumb and loud"),
    ("the thriller has style", "the mystery is thin"),
    ("the romance is sweet", "the comedy is painful"),
    ("the camera work is inventive", "the editing is choppy"),
    ("the story is touching", "the telling is clumsy"),
    ("the leads have real chemistry", "the plot is silly"),
    ("the sets are impressive", "the acting is wooden"),
    ("the cast is excellent", "the jokes are tired"),
    ("the cast is great", "the script is hopeless"),
    ("the opening is brilliant", "the finale is a mess"),
    ("the documentary is informative", "the narration is dull"),
    ("the movie is smart", "the humor is forced"),
    ("the ambition is admirable", "the execution is muddled"),
    ("the performances are strong", "the pacing is slack"),
    ("the music soars", "the lyrics are banal"),
    ("the action is exciting", "the dialogue is wooden"),
    ("the young star is a find", "the adults are bland"),
    ("the visuals are striking", "the characters are thin"),
    ("the chase is thrilling", "the climax is flat"),
]
# (positive clause, negative clause) for "although": the first 10 verdict last, the rest first
ALTHOUGH = [
    ("the cast is superb", "the story is a bore"),
    ("the characters are a joy", "the plot is thin"),
    ("the story is gripping", "the effects are cheap"),
    ("the characters are charming", "the jokes are old"),
    ("the journey is a delight", "the ending is silly"),
    ("the story is moving", "the acting is uneven"),
    ("the script is clever", "the direction is lifeless"),
    ("the acting is wonderful", "the effects look cheap"),
    ("the ending is satisfying", "the middle is a slog"),
    ("the payoff is great", "the pace is slow"),
    ("the performances are terrific", "the dialogue is corny"),
    ("the visuals are striking", "the story is empty"),
    ("the story has a big heart", "the humor is crude"),
    ("the jokes are fresh and funny", "the plot is familiar"),
    ("the songs are wonderful", "the plot is flimsy"),
    ("the lead is magnetic", "the script is clumsy"),
    ("the cinematography is superb", "the pacing is sluggish"),
    ("the humor is clever", "the romance is dull"),
    ("the action is thrilling", "the characters are flat"),
    ("the message is powerful", "the acting is stiff"),
]
# (positive word, negative word): the first 13 "it is not <a> , it is <b>", the rest "it is <b> , not <a>"
NEGATION = [
    ("brilliant", "boring"), ("funny", "dull"), ("moving", "tedious"), ("clever", "stupid"),
    ("exciting", "tiresome"), ("charming", "annoying"), ("beautiful", "ugly"),
    ("thrilling", "predictable"), ("fresh", "stale"), ("smart", "silly"),
    ("touching", "manipulative"), ("gripping", "slow"), ("delightful", "irritating"),
    ("powerful", "empty"), ("original", "derivative"), ("wonderful", "awful"),
    ("entertaining", "tedious"), ("witty", "crude"), ("inspiring", "preachy"),
    ("fun", "painful"), ("sharp", "sloppy"), ("elegant", "clumsy"), ("haunting", "forgettable"),
    ("great", "terrible"), ("lively", "lifeless"),
]
# (positive verb, negative verb): "it <verb>s rather than <verb>s"
RATHER = [
    ("thrills", "bores"), ("delights", "annoys"), ("entertains", "exhausts"),
    ("moves", "manipulates"), ("inspires", "preaches"), ("charms", "grates"),
    ("surprises", "plods"), ("enchants", "irritates"), ("amuses", "offends"),
    ("soars", "sinks"), ("sparkles", "drags"), ("engages", "alienates"),
    ("captivates", "wearies"), ("dazzles", "numbs"), ("works", "fails"),
]


def pairs() -> list[tuple[int, str, str, int, str]]:
    "All rows (pair, kind, verdict position, label, text); label 1 is positive."
    rows = []
    def add(kind, where, positive, negative):
        k = len(rows) // 2
        rows.extend([(k, kind, where, 1, positive), (k, kind, where, 0, negative)])
    for i, (p, n) in enumerate(CLAUSES):
        if i < 25: add("but", "last", f"{n} , but {p}", f"{p} , but {n}")
        else: add("even though", "first", f"{p} , even though {n}", f"{n} , even though {p}")
    for i, (p, n) in enumerate(ALTHOUGH):
        if i < 10: add("although", "last", f"although {n} , {p}", f"although {p} , {n}")
        else: add("although", "first", f"{p} , although {n}", f"{n} , although {p}")
    for i, (p, n) in enumerate(NEGATION):
        if i < 13: add("negation", "last", f"it is not {n} , it is {p}", f"it is not {p} , it is {n}")
        else: add("negation", "first", f"it is {p} , not {n}", f"it is {n} , not {p}")
    for p, n in RATHER:
        add("rather than", "first", f"it {p} rather than {n}", f"it {n} rather than {p}")
    return rows


def main(args: list[str]) -> int:
    out = Path(args[1]) / OUT.name if args[:1] == ["--out"] and len(args) == 2 else OUT
    if args and out is OUT: raise SystemExit(__doc__)
    rows = pairs()
    texts = [r[4] for r in rows]
    if len(set(texts)) != len(texts): raise SystemExit("duplicate sentences")
    for a, b in zip(rows[::2], rows[1::2]):   # same words, different order
        if sorted(a[4].split()) != sorted(b[4].split()): raise SystemExit(f"not a pair: {a} {b}")
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["pair", "kind", "verdict", "label", "text"]); w.writerows(rows)
    tmp.replace(out)
    print(f"{out}: {len(rows)} sentences in {len(rows) // 2} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
