"""The installed `lstm-book` console script, run as a user would."""
from pathlib import Path

import lstm_book

from .helpers import cli



def test_version():
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"lstm-book {lstm_book.__version__}"


def test_help_lists_commands():
    r = cli("--help")
    assert r.returncode == 0
    assert "usage: lstm-book" in r.stdout and "data" in r.stdout and "info" in r.stdout


def test_data_help_lists_subcommands():
    r = cli("data", "--help")
    assert r.returncode == 0 and all(c in r.stdout for c in ("verify", "path", "build", "download", "list"))


def test_data_verify():
    r = cli("data", "verify")
    assert r.returncode == 0 and "macbeth" in r.stdout and " ok" in r.stdout


def test_data_path():
    r = cli("data", "path", "macbeth")
    assert r.returncode == 0 and Path(r.stdout.strip()).name == "macbeth.txt" and Path(r.stdout.strip()).is_file()


def test_info():
    r = cli("info")
    assert r.returncode == 0 and "torch:" in r.stdout and "device:" in r.stdout


def test_unknown_data_file_is_a_clear_error():
    r = cli("data", "path", "hamlet")
    assert r.returncode == 1
    assert r.stderr.strip() == "lstm-book: error: unknown data file 'hamlet'; known: bach_chorales, chat_pairs, macbeth, movie_dialog, movie_reviews, shakespeare, stocks"
    assert "Traceback" not in r.stderr


def test_bad_checksum_argument_is_a_clear_error(tmp_path):
    r = cli("data", "download", "http://127.0.0.1:9/x", "not-a-checksum", "--dest", str(tmp_path / "x"))
    assert r.returncode == 1 and "sha256 must be 64 hexadecimal digits" in r.stderr


def test_no_command_is_a_usage_error():
    r = cli()
    assert r.returncode == 2 and "usage: lstm-book" in r.stderr
