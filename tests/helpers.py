"""Helpers shared by the test modules."""
import os
import subprocess
import sys
from pathlib import Path

EXE = Path(sys.executable).with_name("lstm-book")   # the installed console script


def cli(*args, stdin: str | None = None, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    "Run `lstm-book ARGS` as a user would (on the CPU, plus `env`), with `stdin` typed in; output captured as text."
    return subprocess.run([str(EXE), *map(str, args)], input=stdin, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "LSTM_BOOK_DEVICE": "cpu", **(env or {})})
