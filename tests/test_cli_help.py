"""Every `--help` of the `lstm-book` command works: the top level, each group and each command."""
import re

import pytest

from lstm_book.cli import COMMANDS, main, walk_commands

from .helpers import cli

GROUPS = [name for name, (_, target) in COMMANDS.items() if isinstance(target, dict)]
COMMAND_WORDS = [words for words, _, _ in walk_commands()]


def check_help(out: str, prog: str) -> None:
    "Usage text for `prog`, no traceback, and no help line that states its default twice."
    assert out.startswith(f"usage: {prog} ") and "Traceback" not in out
    assert "(default: None)" not in out
    for line in out.splitlines():
        assert line.lower().count("default") <= 1, line


def test_top_level_and_group_help_as_a_user_runs_them():
    "As the installed script: these import no chapter module, so they are quick to run one by one."
    r = cli("--help")
    assert r.returncode == 0 and r.stderr == ""
    check_help(r.stdout, "lstm-book")
    assert all(re.search(rf"^\s+{name}\b", r.stdout, re.M) for name in COMMANDS)
    for group in GROUPS:
        r = cli(group, "--help")
        assert r.returncode == 0 and r.stderr == "", r.stderr
        check_help(r.stdout, f"lstm-book {group}")
        assert all(help_ in r.stdout for help_, _ in COMMANDS[group][1].values())


@pytest.mark.parametrize("words", COMMAND_WORDS, ids=" ".join)
def test_command_help(words, capsys):
    "Each command's own help, built from its function's signature (in this process: each imports torch)."
    assert main([*words, "--help"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    check_help(out, "lstm-book " + " ".join(words))


def test_help_keeps_percent_signs(capsys):
    "A '%' in a docstring (the stocks chapter's '70%') is shown as written, not taken as a format."
    assert main(["stocks", "train", "--help"]) == 0
    assert "70% of the days" in capsys.readouterr().out.replace("\n", " ")


def test_registry_help_strings_are_short():
    assert len(COMMAND_WORDS) == len(set(COMMAND_WORDS)) >= 14
    assert all(0 < len(help_) <= 60 for _, help_, _ in walk_commands())


HEAVY = ("torch", "pandas", "numpy")


def test_help_and_usage_errors_import_no_torch():
    "Every help page, and a usage error, in one fresh process: no torch, pandas or chapter module is imported."
    import json, subprocess, sys
    lines = [["--help"], *[[g, "--help"] for g in GROUPS], *[[*w, "--help"] for w in COMMAND_WORDS],
             ["lm", "train", "--train", "t", "--valid", "v", "--level", "byte"]]
    script = (
        "import contextlib, io, json, sys\n"
        "from lstm_book.cli import main\n"
        "codes = []\n"
        f"for argv in {lines!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "        codes.append(main(argv))\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in %r or\n"
        "                (m.startswith('lstm_book.') and m not in ('lstm_book.cli', 'lstm_book.environment')))\n"
        "print(json.dumps({'codes': codes, 'loaded': loaded}))\n" % (HEAVY,))
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    result = json.loads(r.stdout.splitlines()[-1])
    assert result["codes"] == [0] * (len(lines) - 1) + [2], result["codes"]
    assert result["loaded"] == [], f"--help imported {result['loaded']}"


def test_every_command_has_a_stub_equal_to_its_function():
    "The stand-in read from source parses exactly as the imported function would (same help text)."
    from lstm_book.cli import command_parser, command_stub
    from lstm_book.environment import resolve
    for words, _, target in walk_commands():
        prog = "lstm-book " + " ".join(words)
        stub, real = command_parser(command_stub(target), prog), command_parser(resolve(target), prog)
        assert stub.format_help() == real.format_help(), target
        for a in stub._actions:
            assert a.dest == "help" or (a.help and not a.help.strip().startswith("(default")), f"{prog}: --{a.dest} has no help text"
