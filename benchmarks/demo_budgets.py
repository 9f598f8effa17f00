"""Budgets of the book's live demos: asset size, time to the first character, characters per second.

Serves a built book (`make book`: the demos' files come from tools/build_demos.py) on 127.0.0.1
and drives headless Chromium (the system's, through Playwright) over it. For each repeat, in a
fresh browser context (an empty cache, as a first visit), it opens the language-model chapter,
clicks Generate with the demo's default settings (temperature 0.8, top-p 0.9) and reads the time
from the page's load event to the first generated character (the demo's part: runtime, model,
prime; the page's own load time, images and MathJax, is reported apart, as is the time from the
start of the navigation), then the characters per second of the rest; and it opens the attention
chapter and times one greedy chatbot reply from the page's load event. Reports medians against
the budgets: demo files at most 25 MB (10^6 bytes), first character within 2 s of the page's
load, at least 200 characters/s. Prints tables and writes JSON.

    python benchmarks/demo_budgets.py [--html _build/html] [--repeats 5] [--chars 1000]
        [--chromium /usr/bin/chromium] [--out benchmarks/demo_budgets.json]
"""
import argparse
import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd

from common import add_run, run_metadata, write_json

ROOT = Path(__file__).resolve().parent.parent
BUDGETS = {"bytes": 25_000_000, "first char ms": 2000, "chars/s": 200}


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def asset_sizes(html: Path) -> pd.DataFrame:
    "Every file the demos load, with its size."
    demos = html / "_static" / "demos"
    files = sorted(p for p in demos.rglob("*") if p.is_file())
    return pd.DataFrame([{"file": str(p.relative_to(demos)), "MB": p.stat().st_size / 1e6}
                         for p in files])


def time_demos(base: str, chromium: str, repeats: int, chars: int) -> pd.DataFrame:
    "One row per repeat: first-character time, characters/s, chatbot reply time."
    from playwright.sync_api import sync_playwright
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox",
                                                                    "--disable-gpu"])
        for _ in range(repeats):
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            page.goto(f"{base}/chapters/04_language_model.html", wait_until="load")
            page.fill(".lstm-demo .length", str(chars))
            page.click(".lstm-demo .go")
            page.wait_for_function("() => /characters\\/s/.test(document.querySelector("
                                   "'.lstm-demo .status').textContent)", timeout=120_000)
            s = page.evaluate("() => lstmDemos.stats.sample")
            loaded = page.evaluate("() => performance.timing.loadEventEnd"
                                   " - performance.timing.navigationStart")
            page.goto(f"{base}/chapters/09_attention.html", wait_until="load")
            page.click(".lstm-demo .go")
            page.wait_for_selector(".lstm-demo .log .bot", timeout=120_000)
            chat_loaded = page.evaluate("() => performance.timing.loadEventEnd"
                                        " - performance.timing.navigationStart")
            reply_ms = page.evaluate("() => performance.now()")
            rows.append({"page load ms": loaded, "first char ms": s["firstCharMs"] - loaded,
                         "first char from navigation ms": s["firstCharMs"],
                         "chars/s": s["charsPerSec"], "chat reply ms": reply_ms - chat_loaded})
            ctx.close()
        browser.close()
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html",
                        help="the built book (make book)")
    parser.add_argument("--repeats", type=int, default=5, help="page loads to time")
    parser.add_argument("--chars", type=int, default=1000, help="characters to generate a load")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the browser to drive")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("demo_budgets.json"),
                        help="JSON output file")
    args = parser.parse_args()
    if min(args.repeats, args.chars) < 1:
        parser.error("--repeats and --chars must be positive integers")
    if not (args.html / "_static" / "demos" / "assets" / "demos.json").exists():
        raise SystemExit(f"demo_budgets: {args.html} has no demo files: run `make book` first")
    sizes = asset_sizes(args.html)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet,
                                                                    directory=str(args.html)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        runs = time_demos(f"http://127.0.0.1:{httpd.server_address[1]}", args.chromium,
                          args.repeats, args.chars)
    finally:
        httpd.shutdown()
    total = sizes["MB"].sum() * 1e6
    measured = {"bytes": total, "first char ms": runs["first char ms"].median(),
                "chars/s": runs["chars/s"].median()}
    table = pd.DataFrame([
        {"measure": "demo files, MB", "median": measured["bytes"] / 1e6,
         "budget": BUDGETS["bytes"] / 1e6, "ok": bool(measured["bytes"] <= BUDGETS["bytes"])},
        {"measure": "page load to first character, ms", "median": measured["first char ms"],
         "budget": BUDGETS["first char ms"],
         "ok": bool(measured["first char ms"] <= BUDGETS["first char ms"])},
        {"measure": "generation, characters/s", "median": measured["chars/s"],
         "budget": BUDGETS["chars/s"], "ok": bool(measured["chars/s"] >= BUDGETS["chars/s"])},
        {"measure": "navigation start to first character, ms",
         "median": runs["first char from navigation ms"].median(), "budget": None, "ok": True},
        {"measure": "page load to chatbot reply, ms", "median": runs["chat reply ms"].median(),
         "budget": None, "ok": True}])
    result = run_metadata(repeats=args.repeats, chars=args.chars, budgets=BUDGETS,
                          chromium=args.chromium)
    add_run(result, "files", "demo files", sizes, "sizes (MB = 10^6 bytes)", digits=3)
    add_run(result, "runs", "headless Chromium", runs, f"{args.repeats} fresh page loads", 1)
    add_run(result, "budgets", "medians", table, "against the budgets", 1)
    write_json(args.out, result)


if __name__ == "__main__":
    main()
