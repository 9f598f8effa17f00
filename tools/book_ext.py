"""Local Sphinx extension of The LSTM Book (loaded from _config.yml).

* Takes the repository address from pyproject.toml ([project.urls] Repository), the
  one place it is configured, for the repository, issues and Colab launch buttons.
* Removes duplicate <script> entries: sphinx-thebe registers its inline configuration
  script twice under Jupyter Book 1.0.4, which declares `const THEBE_JS_URL` twice and
  makes the browser report a SyntaxError on every page.
* Adds tools/book.css: code cells sized so that a 100-character line fits the page.
* Hides nbdev's `#|` directive lines in code cells and drops `#| hide` cells, so the
  rendered book shows the code a reader would type.
* Copies the live demos' runtime and models (_build/demos/assets, written by
  tools/build_demos.py) into the built book as _static/demos/assets; their JavaScript and CSS
  come with tools/static/. Without the assets the book builds and each demo says so.
"""
from __future__ import annotations
import shutil
import tomllib
from pathlib import Path
from docutils import nodes

ROOT = Path(__file__).resolve().parent.parent
DEMO_ASSETS = ROOT / "_build" / "demos" / "assets"


def repository_url(root: Path = ROOT) -> str:
    "The repository address from pyproject.toml."
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return meta["project"]["urls"]["Repository"].rstrip("/")


def _config_inited(app, config) -> None:
    opts = dict(config.html_theme_options or {})
    opts.update(repository_url=repository_url(), use_repository_button=True, use_issues_button=True)
    config.html_theme_options = opts


def _directives(source: str) -> tuple[list[str], str]:
    "Split a cell's source into its leading `#|` directive lines and the rest."
    lines = source.splitlines()
    n = 0
    while n < len(lines) and lines[n].lstrip().startswith("#|"):
        n += 1
    return [l.lstrip()[2:].strip() for l in lines[:n]], "\n".join(lines[n:]).strip("\n")


def _strip_directives(app, doctree) -> None:
    for block in list(doctree.findall(nodes.literal_block)):
        box = block.parent
        if not (isinstance(box, nodes.container) and "cell_input" in box.get("classes", [])):
            continue
        dirs, code = _directives(block.astext())
        if not dirs:
            continue
        cell = box.parent
        has_output = any("cell_output" in c.get("classes", []) for c in cell.children if isinstance(c, nodes.Element))
        if any(d.split()[0] == "hide" for d in dirs if d) or (not code and not has_output):
            cell.parent.remove(cell)
        elif not code:
            cell.remove(box)
        else:
            block.children = [nodes.Text(code)]
            block.rawsource = code


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attrs = getattr(script, "attributes", {})
        key = (str(getattr(script, "filename", script) or ""), attrs.get("body"))  # None and "" both mean inline
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _add_css(app, config) -> None:
    config.html_static_path = list(config.html_static_path or []) + [str(Path(__file__).parent / "static")]


def _copy_demo_assets(app, exception) -> None:
    "Put the demos' runtime and models next to their script, when tools/build_demos.py made them."
    if exception is not None or app.builder.format != "html" or not DEMO_ASSETS.is_dir():
        return
    dest = Path(app.outdir) / "_static" / "demos" / "assets"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(DEMO_ASSETS, dest)


def setup(app):
    app.connect("config-inited", _add_css)
    app.add_css_file("book.css")
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _dedupe_scripts, priority=1000)
    app.connect("doctree-read", _strip_directives)
    app.connect("build-finished", _copy_demo_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
