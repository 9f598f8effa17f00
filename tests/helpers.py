"""Helpers shared by the test modules."""
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

EXE = Path(sys.executable).with_name("lstm-book")   # the installed console script


def cli(*args, stdin: str | None = None, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    "Run `lstm-book ARGS` as a user would (on the CPU, plus `env`), with `stdin` typed in; output captured as text."
    return subprocess.run([str(EXE), *map(str, args)], input=stdin, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "LSTM_BOOK_DEVICE": "cpu", **(env or {})})


def run_main(capsys, *args):
    "Run `lstm-book ARGS` in this process; (exit status, stdout, stderr)."
    from lstm_book.cli import main
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str, *needles: str) -> bool:
    "stderr is one `lstm-book: error:` line containing every needle, and no traceback."
    lines = err.strip().splitlines()
    return (len(lines) == 1 and lines[0].startswith("lstm-book: error: ") and "Traceback" not in err
            and all(n in lines[0] for n in needles))


def venv_with_wheel(tmp_path: Path, wheel: Path) -> tuple[Path, Path]:
    """A fresh virtual environment with `wheel` installed (no deps); this environment's third-party
    packages are visible through a .pth line. Returns (its python, its site-packages)."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index",
                        "-q", str(wheel)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    return py, site
