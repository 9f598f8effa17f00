# The LSTM Book. Quick start: `make book` builds the book, `make test` runs every test.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup book test chapter chapters clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml tools/setup.sh
	bash tools/setup.sh
	touch $@

## Build the rendered book into _build/html from the committed notebook outputs, with the
## live demos' files (tools/build_demos.py; without them the book builds and the demos say so).
book: setup
	-$(BIN)/python tools/build_demos.py
	$(BIN)/jupyter-book build -W -n --keep-going .
	@echo "The book is in _build/html: open _build/html/intro.html"
	@echo "Live demos: python -m http.server -d _build/html, then open http://localhost:8000/"

## Run the whole test suite: notebooks (nbval), tests/, export/clean sync, book build + browser.
test: setup
	bash tools/ensure_chromium.sh
	$(BIN)/pytest

## Re-run one chapter at full size and store its outputs: make chapter NB=chapters/00_training.ipynb
chapter: setup
	$(BIN)/python tools/run_chapter.py $(NB)

## Re-run every chapter at full size.
chapters: setup
	$(BIN)/python tools/run_chapter.py chapters/*.ipynb

clean:
	rm -rf _build
