"""Write data/contrast_sentences.tsv: the book's contrast set for the sentiment chapter.

Two hundred short review sentences in 100 minimal pairs. The two sentences of a pair use
exactly the same words in a different order, and the order decides the
label, so a bag-of-words model must get exactly one sentence of each pair wrong.
Four constructions, each written for The LSTM Book by its authors (no sentence is taken
from a data set):

- but:       "<clause> , but <clause>"       - the clause after "but" carries the verdict
- although:  "although <clause> , <clause>"  - the main clause carries the verdict
- negation:  "it is not <a> , it is <b>"     - the negated word is denied, the other affirmed
- rather:    "it <verb>s rather than <verb>s" - the first verb is what the film does

    python tools/make_contrast_set.py            # writes data/contrast_sentences.tsv
    python tools/make_contrast_set.py --out DIR  # writes DIR/contrast_sentences.tsv
"""
from __future__ import annotations
import csv, sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "contrast_sentences.tsv"

# (positive clause, negative clause): the "but" pairs
BUT = [
    ("the acting is wonderful", "the plot is a mess"),
    ("the cast is charming", "the script is lazy"),
    ("the photography is gorgeous", "the story is dull"),
    ("it starts well", "it falls apart in the last hour"),
    ("the jokes are funny", "the pacing is sluggish"),
    ("the music is lovely", "the dialogue is clumsy"),
    ("the lead is terrific", "the supporting cast is awful"),
    ("the premise is clever", "the execution is sloppy"),
    ("the battle scenes are thrilling", "the characters are flat"),
    ("it looks great", "it says nothing"),
    ("the first act is gripping", "the ending is ridiculous"),
    ("the effects are stunning", "the story is a bore"),
    ("the direction is confident", "the writing is feeble"),
    ("the performances are strong", "the running time is an hour too long"),
    ("the songs are catchy", "the comedy falls flat"),
    ("the idea is fresh", "the treatment is tedious"),
    ("the villain is a delight", "the hero is a bore"),
    ("it is beautifully shot", "it is painfully slow"),
    ("the humor is sharp", "the plot is predictable"),
    ("the costumes are lovely", "the drama is lifeless"),
    ("the actors try hard", "the material is weak"),
    ("it is well made", "it is utterly forgettable"),
    ("the setting is vivid", "the story goes nowhere"),
    ("the score is moving", "the script is a disaster"),
    ("the dialogue is witty", "the film drags"),
    ("the animation is dazzling", "the jokes are stale"),
    ("the children will love it", "adults will be bored stupid"),
    ("the cast is great", "the script is hopeless"),
    ("the opening is brilliant", "the rest is a mess"),
    ("the heroine is smart and funny", "the villain is dumb and loud"),
    ("the documentary is informative", "it is a chore to sit through"),
    ("the thriller has style", "it has no suspense"),
    ("the romance is sweet", "the comedy is painful"),
    ("the camera work is inventive", "the editing is a mess"),
    ("the story is touching", "the telling is clumsy"),
    ("it is ambitious", "it is a failure"),
    ("the leads have real chemistry", "the plot is silly"),
    ("the sets are impressive", "the acting is wooden"),
    ("the movie is smart", "it is never funny"),
    ("the cast is excellent", "the jokes are tired"),
]
# (positive clause, negative clause): the "although" pairs
ALTHOUGH = [
    ("the cast is superb", "the story is a bore"),
    ("the characters are a joy", "the plot is thin"),
    ("it is worth every minute", "it is too long"),
    ("the story is gripping", "the effects are cheap"),
    ("the characters are charming", "the jokes are old"),
    ("it is beautifully made", "it is hollow"),
    ("the director is gifted", "the screenplay is a mess"),
    ("the journey is a delight", "the ending is silly"),
    ("the story is moving", "the acting is uneven"),
    ("the script is clever", "the direction is lifeless"),
    ("the acting is wonderful", "the effects look cheap"),
    ("the ending is satisfying", "the middle is a slog"),
    ("the payoff is great", "the pace is slow"),
    ("the music is pleasant", "the plot is tedious"),
    ("the performances are terrific", "the dialogue is corny"),
    ("the visuals are striking", "the story is empty"),
    ("the story has a big heart", "the humor is crude"),
    ("the star is charming", "the script is dreadful"),
    ("the jokes are fresh and funny", "the plot is familiar"),
    ("it has good intentions", "it is a dull lecture"),
]
# (positive word, negative word): "it is not <a> , it is <b>"
NEGATION = [
    ("brilliant", "boring"), ("funny", "dull"), ("moving", "tedious"), ("clever", "stupid"),
    ("exciting", "tiresome"), ("charming", "annoying"), ("beautiful", "ugly"),
    ("thrilling", "predictable"), ("fresh", "stale"), ("smart", "silly"),
    ("touching", "sentimental"), ("gripping", "slow"), ("delightful", "irritating"),
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
    ("captivates", "tires"), ("dazzles", "numbs"), ("works", "fails"),
]


def pairs() -> list[tuple[int, str, int, str]]:
    "All rows (pair, kind, label, text); label 1 is positive."
    rows, k = [], 0
    def add(kind, positive, negative):
        nonlocal k
        rows.extend([(k, kind, 1, positive), (k, kind, 0, negative)]); k += 1
    for p, n in BUT: add("but", f"{n} , but {p}", f"{p} , but {n}")
    for p, n in ALTHOUGH: add("although", f"although {n} , {p}", f"although {p} , {n}")
    for p, n in NEGATION: add("negation", f"it is not {n} , it is {p}", f"it is not {p} , it is {n}")
    for p, n in RATHER: add("rather", f"it {p} rather than {n}", f"it {n} rather than {p}")
    return rows


def main(args: list[str]) -> int:
    out = Path(args[1]) / OUT.name if args[:1] == ["--out"] and len(args) == 2 else OUT
    if args and out is OUT: raise SystemExit(__doc__)
    rows = pairs()
    texts = [r[3] for r in rows]
    if len(set(texts)) != len(texts): raise SystemExit("duplicate sentences")
    for a, b in zip(rows[::2], rows[1::2]):   # same words, different order
        if sorted(a[3].split()) != sorted(b[3].split()): raise SystemExit(f"not a pair: {a} {b}")
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["pair", "kind", "label", "text"]); w.writerows(rows)
    tmp.replace(out)
    print(f"{out}: {len(rows)} sentences in {len(rows) // 2} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
