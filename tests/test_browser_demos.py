"""The live demos of the built book (chapters 3, 4 and 9) run in headless Chromium with ONNX Runtime
Web and show what PyTorch computes: the character model's greedy text, its gates and cell states,
and the chatbot's greedy replies. Without their files, or opened from file://, a demo says so in
one line. The book is built once per session (tests/conftest.py: `site`, `demo_assets`)."""
import sys
from pathlib import Path

import pytest
import torch

from .test_book import open_page

ROOT = Path(__file__).resolve().parent.parent
LM_PAGE, GATES_PAGE, CHAT_PAGE = ("chapters/04_language_model", "chapters/03_lstm",
                                  "chapters/09_attention")
PRIME, LENGTH = "ROMEO:\n", 250
SENTENCE = "KING LEAR:\nBlow, winds, and crack your cheeks! rage! blow!"
UNITS = [(0, 0), (0, 131), (1, 7), (1, 511)]     # (layer, unit), layers from 0
STATEMENTS = ["where are you going?", "good morning.", "do you want to dance?", "You're LATE!!"]


@pytest.fixture(scope="module")
def demo_site(site, demo_assets):
    code, said = demo_assets
    assert code == 0, f"tools/build_demos.py could not build the demos' files:\n{said}"
    return site


def demo_page(browser, site, doc):
    "A chapter page with its demo's script loaded (no network beyond the book's server)."
    page, errors = open_page(browser, f"{site[0]}/{doc}.html")
    page.wait_for_function("() => window.lstmDemos", timeout=20_000)
    return page, errors


def first_difference(a, b) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


@pytest.fixture(scope="module")
def char_lm():
    from lstm_book.lm import load_pretrained
    return load_pretrained(device="cpu")


def test_greedy_text_equals_pytorch(demo_site, browser, char_lm):
    from lstm_book.lm import sample
    model, vocab, level = char_lm
    want = sample(model, vocab, level, PRIME, length=LENGTH, top_k=1)
    page, errors = demo_page(browser, demo_site, LM_PAGE)
    got = page.evaluate("([p, n]) => lstmDemos.greedy(p, n)", [PRIME, LENGTH])
    i = first_difference(got, want)
    assert got == want, (f"{LM_PAGE}.html: the browser's greedy text differs from PyTorch's at "
                         f"character {i} of {LENGTH}: {got[i:i + 20]!r} vs {want[i:i + 20]!r}")
    # the same through the page's controls: temperature 0 is greedy, the text streams in
    page.fill(".lstm-demo .temperature", "0")
    page.fill(".lstm-demo .length", "60")
    page.click(".lstm-demo .go")
    page.wait_for_function("() => /characters\\/s/.test("
                           "document.querySelector('.lstm-demo .status').textContent)")
    shown = page.inner_text(".lstm-demo .output")
    assert shown == PRIME + want[:60], (f"{LM_PAGE}.html: the page shows {shown!r}, PyTorch's "
                                        f"greedy text is {PRIME + want[:60]!r}")
    assert not errors, f"{LM_PAGE}.html: JavaScript errors {errors}"
    page.close()


def test_gates_equal_pytorch(demo_site, browser, char_lm):
    sys.path.insert(0, str(ROOT / "tools"))
    from build_demos import layer_traces   # chapter 3's lstm_trace, layer by layer
    model, vocab, _ = char_lm
    with torch.no_grad():
        ref = layer_traces(model, model.emb(torch.tensor(vocab.encode(list(SENTENCE)))))
    page, errors = demo_page(browser, demo_site, GATES_PAGE)
    page.fill(".lstm-demo .sentence", SENTENCE.replace("\n", "⏎"))
    page.fill(".lstm-demo .units", ", ".join(f"{l + 1}:{u}" for l, u in UNITS))
    page.click(".lstm-demo .go")
    page.wait_for_selector(".lstm-demo .gates[data-done]", timeout=60_000)
    shown = page.evaluate("() => [...document.querySelectorAll('.lstm-demo tr[data-kind]')]"
                          ".map(tr => [+tr.dataset.layer, +tr.dataset.unit, tr.dataset.kind,"
                          " [...tr.querySelectorAll('td')].map(td => +td.dataset.v)])")
    assert len(shown) == 4 * len(UNITS), f"{GATES_PAGE}.html: {len(shown)} rows of gates shown"
    for layer, unit, kind, values in shown:
        want = ref[layer][kind][:, unit]
        assert len(values) == len(SENTENCE), (f"{GATES_PAGE}.html: layer {layer + 1} unit {unit}"
                                              f" {kind}: {len(values)} values shown")
        diff = (torch.tensor(values) - want).abs()
        assert diff.max() <= 1e-4, (
            f"{GATES_PAGE}.html: layer {layer + 1}, unit {unit}, {kind} differs from PyTorch by "
            f"{diff.max():.1e} at character {int(diff.argmax())} "
            f"({SENTENCE[int(diff.argmax())]!r})")
    assert not errors, f"{GATES_PAGE}.html: JavaScript errors {errors}"
    page.close()


def test_chatbot_greedy_replies_equal_pytorch(demo_site, browser):
    from lstm_book.attention import load_pretrained
    from lstm_book.chatbot import generate
    from lstm_book.data import WordTokenizer
    bot = load_pretrained("movie-chatbot"); bot.model.cpu()
    page, errors = demo_page(browser, demo_site, CHAT_PAGE)
    for line in STATEMENTS:
        ids = bot.statement_ids(line)
        want = generate(bot.model, [ids])[0]
        got = page.evaluate("([t]) => lstmDemos.reply(t, {mode: 'greedy'})", [line])
        assert got["statement"] == bot.vocab.decode(ids), (
            f"{CHAT_PAGE}.html: {line!r} is read as {got['statement']}, PyTorch reads "
            f"{bot.vocab.decode(ids)}")
        assert got["ids"] == want, (f"{CHAT_PAGE}.html: the greedy reply to {line!r} is "
                                    f"{got['words']}, PyTorch's is {bot.vocab.decode(want)}")
    page.fill(".lstm-demo .statement", STATEMENTS[0])   # and through the page's controls
    page.select_option(".lstm-demo .mode", "greedy")
    page.click(".lstm-demo .go")
    page.wait_for_selector(".lstm-demo .log .bot", timeout=60_000)
    want = WordTokenizer().detokenize(bot.vocab.decode(generate(
        bot.model, [bot.statement_ids(STATEMENTS[0])])[0]))
    shown = page.inner_text(".lstm-demo .log .bot")
    assert shown == f"bot (greedy): {want}", f"{CHAT_PAGE}.html shows {shown!r}, not {want!r}"
    for mode in ("sample", "beam"):   # the other decoders answer with words of the vocabulary
        got = page.evaluate("([t, m]) => lstmDemos.reply(t, {mode: m, seed: 1})",
                            [STATEMENTS[1], mode])
        assert got["words"] and all(w in bot.vocab for w in got["words"]), (CHAT_PAGE, mode, got)
    assert not errors, f"{CHAT_PAGE}.html: JavaScript errors {errors}"
    page.close()


def test_demo_without_its_files_says_so(demo_site, browser):
    "With the demo files missing (blocked here), the page works and the demo says why in a line."
    page = browser.new_page()
    page.route("**/*", lambda route: route.fulfill(status=404, body="")
               if "/_static/demos/assets/" in route.request.url else route.continue_())
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{demo_site[0]}/{LM_PAGE}.html", wait_until="load")
    page.click(".lstm-demo .go")
    status = page.locator(".lstm-demo .status.error")
    status.wait_for(timeout=20_000)
    assert "no demo files" in status.inner_text() and "\n" not in status.inner_text()
    assert page.locator("h1").count() and not errors, errors
    page.close()


def test_demo_from_a_file_says_how_to_serve(demo_site, browser):
    page = browser.new_page()
    page.goto((demo_site[1] / f"{CHAT_PAGE}.html").as_uri(), wait_until="load")
    status = page.locator(".lstm-demo .status.error")
    status.wait_for(timeout=20_000)
    assert "python -m http.server -d _build/html" in status.inner_text(), status.inner_text()
    page.close()
