"""Start-up time of the `lstm-book` command.

Runs `python -c "import lstm_book.cli"`, `lstm-book info`, the `--help` of the tool, of
every group and of every command, and a usage error (a value outside a flag's choices) as
fresh processes, taking turns, after one warm-up run each (so the files are in the OS
cache); reports the median wall time of each and its ratio to `python -c pass` timed the
same way, prints a table (slowest last) and the slowest command line, and writes JSON. Then
shows where the import time goes: `lstm_book.cli` and the modules it imports with
the largest cumulative times under `python -X importtime -c "import lstm_book.cli"`.

    python benchmarks/cli_startup.py [--repeats 10] [--out benchmarks/cli_startup.json]

The commands run this checkout's package (PYTHONPATH is set to the repository root).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from common import add_run, run_metadata, write_json

ROOT = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).with_name("lstm-book")   # the installed console script
BUDGET_S = 0.5                                       # what any help page, usage error or `info` may take


def commands() -> dict[str, list[str]]:
    "Label -> command line, the reference `python -c pass` first."
    from lstm_book.cli import COMMANDS, walk_commands
    py = [sys.executable, "-c"]
    lines = [["--help"], ["info"], *([g, "--help"] for g, (_, t) in COMMANDS.items() if isinstance(t, dict)),
             *([*words, "--help"] for words, _, _ in walk_commands()),
             ["lm", "train", "--train", "t.txt", "--valid", "v.txt", "--level", "byte"]]   # a usage error
    return {"python -c pass": py + ["pass"], "import lstm_book.cli": py + ["import lstm_book.cli"],
            **{"lstm-book " + " ".join(words): [str(EXE), *words] for words in lines}}


def env() -> dict:
    "This process's environment with the repository root first on PYTHONPATH."
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}


def seconds(cmd: list[str]) -> float:
    "Wall time of one run of `cmd`, which must succeed."
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env())
    dt = time.perf_counter() - t0
    if r.returncode not in (0, 2) or "Traceback" in r.stderr:   # 2: the usage error, on purpose
        raise SystemExit(f"{' '.join(cmd)} failed with status {r.returncode}:\n{r.stderr[-2000:]}")
    return dt


def time_commands(repeats: int) -> pd.DataFrame:
    "Median and best wall time of each command over `repeats` turns, and the median's ratio to `python -c pass`."
    cmds = commands()
    for cmd in cmds.values():
        seconds(cmd)   # warm-up
    runs = {label: [] for label in cmds}
    for _ in range(repeats):
        for label, cmd in cmds.items():
            runs[label].append(seconds(cmd))
    ref = statistics.median(runs["python -c pass"])
    rows = [{"command": label, "median ms": 1e3 * statistics.median(t), "best ms": 1e3 * min(t),
             "vs python -c pass": statistics.median(t) / ref,
             "within budget": label == "python -c pass" or statistics.median(t) <= BUDGET_S} for label, t in runs.items()]
    return pd.DataFrame(rows)


def import_times(top: int = 5) -> pd.DataFrame:
    "`lstm_book.cli` and the `top` modules it imports with the largest cumulative time (`python -X importtime`)."
    r = subprocess.run([sys.executable, "-X", "importtime", "-c", "import lstm_book.cli"], capture_output=True,
                       text=True, env=env())
    rows = []
    for line in r.stderr.splitlines():
        if m := re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line):
            rows.append({"module": m[4], "cumulative ms": int(m[2]) / 1e3, "self ms": int(m[1]) / 1e3,
                         "depth": len(m[3]) // 2})
    # importtime prints a module after everything it imports: the subtree is the deeper run of lines before it
    end = next(i for i, row in enumerate(rows) if row["module"] == "lstm_book.cli")
    start = end
    while start > 0 and rows[start - 1]["depth"] > rows[end]["depth"]:
        start -= 1
    tree = pd.DataFrame(rows[start:end + 1]).sort_values("cumulative ms", ascending=False)
    return tree.head(top + 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="timed runs per command (median reported)")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("cli_startup.json"), help="JSON output file")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if not EXE.is_file():
        parser.error(f"no console script at {EXE}: install the package (pip install -e .)")
    result = run_metadata(repeats=args.repeats, budget_s=BUDGET_S, cpus=os.cpu_count())
    table = time_commands(args.repeats)
    slowest = table.iloc[1:].sort_values("median ms").iloc[-1]
    print(f"slowest: {slowest.command}, {slowest['median ms']:.0f} ms (budget {1e3 * BUDGET_S:.0f} ms)")
    result["slowest"] = {"command": slowest.command, "median ms": slowest["median ms"]}
    add_run(result, "cpu", f"{os.cpu_count()} CPU(s)",
            table, f"median of {args.repeats} warm runs; budget {BUDGET_S} s for each")
    imports = import_times()
    print("\nimport lstm_book.cli and its largest cumulative imports (python -X importtime), milliseconds")
    print(imports.round(1).to_string(index=False))
    result["import_times"] = imports.to_dict(orient="records")
    write_json(args.out, result)


if __name__ == "__main__":
    main()
