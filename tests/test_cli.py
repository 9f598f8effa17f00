"""The installed `lstm-book` console script, run as a user would."""
from pathlib import Path

import lstm_book

from .helpers import EXE, cli



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
    assert r.stderr.strip() == "lstm-book: error: unknown data file 'hamlet'; known: bach_chorales, chat_pairs, contrast_sentences, macbeth, movie_dialog, movie_reviews, shakespeare, stocks; pretrained models: bach-composer, movie-chatbot, movie-chatbot-plain, shakespeare-char"
    assert "Traceback" not in r.stderr


def test_bad_checksum_argument_is_a_clear_error(tmp_path):
    r = cli("data", "download", "http://127.0.0.1:9/x", "not-a-checksum", "--dest", str(tmp_path / "x"))
    assert r.returncode == 1 and "sha256 must be 64 hexadecimal digits" in r.stderr


def test_no_command_is_a_usage_error():
    r = cli()
    assert r.returncode == 2 and "usage: lstm-book" in r.stderr


def test_listing_commands_and_info_do_not_import_torch():
    "`--help`, a group's `--help` and `info` answer without importing torch (which takes seconds)."
    import subprocess, sys
    code = ("import sys, contextlib, io; from lstm_book.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    codes = [main(['--help']), main(['data', '--help']), main(['info'])]\n"
            "print(codes, 'torch' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[0, 0, 0] False"


def test_info_reports_quick_mode_device_and_folders(tmp_path):
    r = cli("info", env={"LSTM_BOOK_DEVICE": "cuda:3", "LSTM_BOOK_QUICK": "1", "LSTM_BOOK_CACHE": str(tmp_path)})
    lines = dict(line.split(": ", 1) for line in r.stdout.splitlines())
    assert r.returncode == 0 and lines["device"] == "cuda:3" and lines["quick_mode"] == "True"
    assert lines["cache"] == str(tmp_path) and lines["lstm-book"] == lstm_book.__version__
    assert {"python", "torch", "numpy", "gpu", "data"} <= set(lines)


def test_info_guess_agrees_with_the_probe():
    "Without LSTM_BOOK_DEVICE, the device `info` guesses without torch is the one torch picks."
    import os
    env = {k: v for k, v in os.environ.items() if k != "LSTM_BOOK_DEVICE"}
    import subprocess
    guess = subprocess.run([str(EXE), "info"], capture_output=True, text=True, env=env, timeout=120)
    probe = subprocess.run([str(EXE), "info", "--probe"], capture_output=True, text=True, env=env, timeout=300)
    assert guess.returncode == 0 and probe.returncode == 0, probe.stderr
    device = lambda out: next(l for l in out.splitlines() if l.startswith("device: "))
    assert device(guess.stdout) == device(probe.stdout)
    assert "cuda_available: " in probe.stdout


def test_usage_errors_exit_2():
    r = cli("data", "path")
    assert r.returncode == 2 and "the following arguments are required: name" in r.stderr
    r = cli("lm", "train", "--valid", "v.txt")
    assert r.returncode == 2 and "--train" in r.stderr and "Traceback" not in r.stderr
    r = cli("lm", "generate", "--checkpoint", "x.pt", "--length", "many")
    assert r.returncode == 2 and "invalid int value: 'many'" in r.stderr


def test_bugs_keep_their_traceback_and_user_errors_are_one_line(capsys):
    from unittest.mock import patch
    import pytest
    from lstm_book.cli import main
    def raises(e):
        def command(**options): raise e
        return command
    for bug in (KeyError("k"), IndexError("i"), RuntimeError("r")):
        with patch("lstm_book.data.verify_data_files", raises(bug)), pytest.raises(type(bug)):
            main(["data", "verify"])
    for err in (FloatingPointError("the loss became nan"), PermissionError("no access"), ValueError("bad")):
        with patch("lstm_book.data.verify_data_files", raises(err)):
            assert main(["data", "verify"]) == 1
        assert capsys.readouterr().err == f"lstm-book: error: {err}\n"


def test_ctrl_c_is_one_line_and_status_130(tmp_path):
    "A real SIGINT while a command runs: `lstm-book: interrupted`, exit status 130, no traceback."
    import signal, subprocess, sys
    code = ("import sys, time, lstm_book.data as d\n"
            "def slow(**options): print('running', flush=True); time.sleep(60)\n"
            "d.verify_data_files = slow\n"
            "from lstm_book.cli import main; sys.exit(main(['data', 'verify']))")
    (tmp_path / "job.py").write_text(code)   # a file: the parser reads the command's source for its help
    # a shell that runs the tests in the background ignores SIGINT, and children inherit that
    p = subprocess.Popen([sys.executable, str(tmp_path / "job.py")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert p.stdout.readline().strip() == "running"
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130 and err == "lstm-book: interrupted\n"


def test_python_dash_m_runs_the_cli():
    import subprocess, sys
    r = subprocess.run([sys.executable, "-m", "lstm_book.cli", "data", "path", "macbeth", "--no-fetch"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip().endswith("macbeth.txt")


def test_info_finds_a_gpu_through_nvidia_smi(tmp_path):
    "Where the driver's /proc files are missing, `info` asks `nvidia-smi -L` (a stand-in script here)."
    import os, pytest
    if Path("/proc/driver/nvidia/gpus").is_dir():
        pytest.skip("this machine's driver lists its GPUs in /proc; nvidia-smi is not asked")
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'GPU 0: NVIDIA H200 (UUID: GPU-0123)'\necho 'GPU 1: NVIDIA H200 (UUID: GPU-4567)'\n")
    smi.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("LSTM_BOOK_DEVICE", "CUDA_VISIBLE_DEVICES")}
    import subprocess
    r = subprocess.run([str(EXE), "info"], capture_output=True, text=True, timeout=120,
                       env={**env, "PATH": f"{tmp_path}{os.pathsep}{env['PATH']}"})
    lines = dict(line.split(": ", 1) for line in r.stdout.splitlines())
    assert r.returncode == 0 and lines["gpu"] == "NVIDIA H200, NVIDIA H200"
    assert lines["device"] == ("cpu" if "+cpu" in lines["torch"] else "cuda")   # a CPU-only torch cannot use it
    r = subprocess.run([str(EXE), "info"], capture_output=True, text=True, timeout=120,
                       env={**env, "PATH": f"{tmp_path}{os.pathsep}{env['PATH']}", "CUDA_VISIBLE_DEVICES": ""})
    assert "gpu: none found" in r.stdout
