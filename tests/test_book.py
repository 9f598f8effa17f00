"""Build the book with Jupyter Book (warnings are errors), then open every page in
headless Chromium and check what a reader sees."""
import json
import re
import sys
from pathlib import Path

import tomllib

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = [c["file"] for part in TOC["parts"] for c in part["chapters"]]
REPO = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"].split("github.com/")[1]


# The fixtures `site` (the book built once per test session, served on 127.0.0.1) and `browser`
# (headless Chromium) are in tests/conftest.py: tests/test_browser_demos.py uses them too.


def open_page(browser, url):
    "A page as a reader with a 1280-pixel-wide window and no network sees it (every request "
    "that leaves the book's own server is blocked), once MathJax has typeset it."
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith("http://127.0.0.1")
               else route.continue_())  # offline: no CDN requests
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    if page.locator(".math").count():
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20_000)
        page.evaluate("() => MathJax.startup.promise")
    return page, errors


def check_math(page):
    "Every formula is typeset by the book's own MathJax; no raw TeX is left on the page."
    n_math = page.locator(".math").count()
    n_done = page.locator(".math mjx-container").count()
    assert n_done == n_math, f"{n_math - n_done} of {n_math} formulas did not render"
    assert page.locator("mjx-merror").count() == 0, "a formula has a TeX error"
    text = page.locator("article").inner_text()
    for raw in ("\\begin{", "\\frac", "$$", "\\mathbf", "\\tanh"):
        assert raw not in text, f"raw TeX {raw!r} is visible"


def test_intro_page(site, browser):
    base, _ = site
    page, _ = open_page(browser, f"{base}/intro.html")
    assert page.locator("h1").first.inner_text().strip().startswith("The LSTM Book")
    nav = page.locator("nav.bd-links").inner_text().replace("\u2019", "'")   # Sphinx renders ' as a typographic ’
    for f in PAGES:
        title = json.loads((ROOT / f"{f}.ipynb").read_text())["cells"][1]["source"][0].lstrip("# ").strip()
        assert title in nav, f"the navigation lacks {title!r}"
    for key in set(re.findall(r"\{footcite\}`([^`]+)`", (ROOT / "intro.md").read_text())):
        assert page.locator(f"aside.footnote#footcite-{key.lower()}").count() == 1, f"reference {key} is not rendered"
    page.close()


@pytest.mark.parametrize("doc", PAGES)
def test_chapter_page(site, browser, doc):
    base, html = site
    nb = json.loads((ROOT / f"{doc}.ipynb").read_text())
    title = "".join(nb["cells"][1]["source"]).splitlines()[0].lstrip("# ").strip()
    n_images = sum(1 for c in nb["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    page, errors = open_page(browser, f"{base}/{doc}.html")
    assert page.locator("h1").first.inner_text().strip().rstrip("#").strip().replace("\u2019", "'") == title
    code = page.locator("div.cell_input pre")
    assert code.count() > 5, "code cells are missing"
    all_code = "\n".join(code.all_inner_texts())
    assert "#|" not in all_code, "an nbdev directive line is shown"
    assert "google.colab" not in all_code, "the Colab install cell is shown"
    imgs = page.locator("div.cell_output img")
    assert imgs.count() == n_images, f"{imgs.count()} images rendered, the notebook has {n_images}"
    for i in range(imgs.count()):
        ok = imgs.nth(i).evaluate("img => img.complete && img.naturalWidth > 100")
        assert ok, f"figure {i} did not load"
    colab = page.locator('a[href*="colab.research.google.com"]')
    assert colab.count() >= 1, "no Colab launch link"
    href = colab.first.get_attribute("href")
    assert href.endswith(f"/blob/main/{doc}.ipynb") and f"/github/{REPO}/" in href, href
    cited = set(re.findall(r"\{footcite\}`([^`]+)`", "".join("".join(c["source"]) for c in nb["cells"])))
    for key in cited:
        note = page.locator(f"aside.footnote#footcite-{key.lower()}")
        assert note.count() == 1 and len(note.inner_text()) > 20, f"reference {key} is not rendered"
    check_math(page)
    wide = page.evaluate("() => [...document.querySelectorAll('div.cell_input pre')]"
                         ".filter(p => p.offsetParent !== null && p.innerText.trim() !== '')"   # shown cells only
                         ".filter(p => p.scrollWidth > p.clientWidth + 1)"
                         ".map(p => p.innerText.split('\\n')[0])")
    assert not wide, f"{len(wide)} code cell(s) scroll sideways in a 1280-pixel window, e.g. {wide[0]!r}"
    assert not errors, f"JavaScript errors: {errors}"
    page.close()
