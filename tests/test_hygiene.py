"""What a reader can trust in the committed chapters: every number in the prose is
printed by an output of the same chapter (or marked as a published figure, a
setting, ...), and stored outputs carry no progress-bar fragments, temporary paths
or warnings; code lines fit the page."""
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebook_hygiene as hygiene  # noqa: E402
import prose_numbers  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=lambda p: p.stem)
def test_prose_numbers_are_printed(nb_path):
    problems = prose_numbers.check_notebook(nb_path)
    assert not problems, ("numbers in the prose that no output of the chapter prints (print them, correct them, "
                          "or mark a published figure with <!-- numbers: ... = why -->):\n" + "\n".join(problems))


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=lambda p: p.stem)
def test_stored_outputs_are_clean(nb_path):
    problems = hygiene.problems(json.loads(nb_path.read_text(encoding="utf-8")))
    assert not problems, "\n".join(problems)


def md(text):
    return {"cell_type": "markdown", "source": text, "metadata": {}}


def code(out, name="stdout"):
    return {"cell_type": "code", "source": "", "metadata": {}, "outputs": [
        {"output_type": "stream", "name": name, "text": out}]}


def check(tmp_path, cells):
    p = tmp_path / "nb.ipynb"
    p.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return prose_numbers.check_notebook(p)


def test_prose_check_rounding_and_units(tmp_path):
    printed = code("valid loss 1.3862 nats, accuracy 0.8123, 64,350 pairs, 12.5% padding\n")
    assert check(tmp_path, [md("A loss of 1.39 (about 81% right) on 64,350 pairs, 12.5% padding, 0.125 of it."),
                            printed]) == []
    bad = check(tmp_path, [md("A loss of 1.40 on 64,351 pairs, about five times smaller."), printed])
    assert [b.split("'")[1] for b in bad] == ["1.40", "64,351", "about five"]


def test_prose_check_exemptions_and_markers(tmp_path):
    printed = code("nothing numeric\n")
    ok = md("Hochreiter and Schmidhuber (1997), chapter 4, exercise 2, $h_t = 0.5 x$, `lr=20`, "
            "Chung et al. report 8.67 <!-- numbers: 8.67 = Chung et al. (2014), Table 2 -->")
    assert check(tmp_path, [ok, printed]) == []
    no_reason = md("a figure 8.67 <!-- numbers: 8.67 -->")
    assert any("gives no reason" in p for p in check(tmp_path, [no_reason, printed]))
    stale = md("nothing here <!-- numbers: 25 = the schedule -->")
    assert any("does not contain" in p for p in check(tmp_path, [stale, printed]))


def test_cleaning_keeps_summaries_and_drops_bars():
    bar = "\repoch 1/8:  14%|█▎        | 42/311 [00:05<00:34,  7.88it/s, loss=3.9366]"
    nb = {"cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [
        {"output_type": "stream", "name": "stderr", "text": bar},
        {"output_type": "stream", "name": "stderr", "text": "\r" + " " * 40 + "\r"},
        {"output_type": "stream", "name": "stdout", "text": "epoch 1/8  train 3.9\n"}]}]}
    assert hygiene.problems(nb)
    hygiene.clean_outputs(nb)
    assert nb["cells"][0]["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "epoch 1/8  train 3.9\n"}]
    assert hygiene.problems(nb) == []


def test_hygiene_finds_paths_warnings_and_wide_code():
    nb = {"cells": [{"cell_type": "code", "source": "x = 1  # " + "y" * 100, "metadata": {}, "outputs": [
        {"output_type": "stream", "name": "stdout", "text": "saved /tmp/tmpab12cd34/lm.pt\n"},
        {"output_type": "stream", "name": "stdout", "text": f"found {hygiene.CHECKOUT}/data/x.txt\n"},
        {"output_type": "stream", "name": "stderr", "text": "x.py:3: UserWarning: careful\n"}]}]}
    found = "\n".join(hygiene.problems(nb))
    assert "characters" in found and "temporary path" in found and "warning" in found
    assert "absolute path" in found


def test_manifest_update_records_new_files(tmp_path):
    "tools/update_manifest.py records a changed model's sha256 and size in the manifest data only."
    import json
    import update_manifest
    manifest = json.loads(update_manifest.MANIFEST.read_text())
    first = manifest["pretrained models"][0]
    (tmp_path / first["filename"]).write_bytes(b"a new model")
    changed = update_manifest.update_records(manifest, tmp_path)
    assert len(changed) == 1 and first["filename"] in changed[0]
    assert (first["sha256"], first["size"]) == update_manifest.file_facts(tmp_path / first["filename"])
    assert update_manifest.update_records(manifest, tmp_path) == []      # now up to date
    readme = "intro\n<!-- manifest:start -->\nold\n<!-- manifest:end -->\nrest\n"
    assert update_manifest.with_table(readme, "new") == ("intro\n<!-- manifest:start -->\nnew\n"
                                                           "<!-- manifest:end -->\nrest\n")