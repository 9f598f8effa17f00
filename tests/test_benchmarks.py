"""The benchmark script runs, prints its table and writes well-formed JSON (a tiny shape: this is not a timing test)."""
import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "lstm_speed.py"


def run(script: Path, *args, timeout: int) -> subprocess.CompletedProcess:
    "Run a benchmark script with these arguments, as a user would."
    return subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True, text=True, timeout=timeout)


def test_lstm_speed_script(tmp_path):
    out = tmp_path / "speed.json"
    r = run(SCRIPT, "--repeats", "1", "--shapes", "2,5,3,4", "--out", str(out), timeout=300)
    assert r.returncode == 0, r.stderr
    assert "fast / nn.LSTM (fwd+bwd)" in r.stdout and f"wrote {out}" in r.stdout
    data = json.loads(out.read_text())
    rows = data["runs"]["cpu"]["rows"]
    assert len(rows) == 1 and rows[0]["B"] == 2 and rows[0]["nn.LSTM fwd+bwd ms"] > 0
    assert abs(rows[0]["fast / nn.LSTM (fwd+bwd)"] - rows[0]["fast fwd+bwd ms"] / rows[0]["nn.LSTM fwd+bwd ms"]) < 1e-9


def test_bad_shapes_are_rejected(tmp_path):
    r = run(SCRIPT, "--shapes", "2,5,3", "--out", str(tmp_path / "x.json"), timeout=120)
    assert r.returncode == 2 and "four positive integers" in r.stderr and not (tmp_path / "x.json").exists()


LM_SCRIPT = SCRIPT.with_name("lm_throughput.py")


def test_lm_throughput_script(tmp_path):
    out = tmp_path / "lm.json"
    r = run(LM_SCRIPT, "--repeats", "1", "--batches", "2", "--hidden", "8", "--batch-size", "2", "--bptt", "5",
            "--backends", "torch", "fast", "--out", str(out), timeout=300)
    assert r.returncode == 0, r.stderr
    assert "vs bare loop" in r.stdout and "speed vs torch" in r.stdout and f"wrote {out}" in r.stdout
    runs = json.loads(out.read_text())["runs"]
    rows = runs["cpu"]["rows"]
    assert [row["loop"] for row in rows] == ["bare loop", "train_lm"]
    assert rows[0]["vs bare loop"] == 1.0 and all(row["tokens/s"] > 0 for row in rows)
    assert abs(rows[1]["vs bare loop"] - rows[1]["tokens/s"] / rows[0]["tokens/s"]) < 1e-9
    backends = runs["cpu backends"]["rows"]
    assert [row["backend"] for row in backends] == ["torch", "fast"] and backends[0]["speed vs torch"] == 1.0


def test_lm_throughput_rejects_bad_sizes(tmp_path):
    r = run(LM_SCRIPT, "--hidden", "0", "--out", str(tmp_path / "x.json"), timeout=120)
    assert r.returncode == 2 and "--hidden" in r.stderr and not (tmp_path / "x.json").exists()


SENT_SCRIPT = SCRIPT.with_name("sentiment_batching.py")


def test_sentiment_batching_script(tmp_path):
    out = tmp_path / "sent.json"
    r = run(SENT_SCRIPT, "--repeats", "1", "--sentences", "96", "--pools", "1", "3",
                        "--emb", "4", "--hidden", "4", "--out", str(out), timeout=300)
    assert r.returncode == 0, r.stderr
    assert "speed vs first" in r.stdout and f"wrote {out}" in r.stdout
    data = json.loads(out.read_text())
    rows = data["runs"]["cpu"]["rows"]
    assert data["sentences"] == 96 and [row["pool"] for row in rows] == [1, 3]
    assert rows[0]["speed vs first"] == 1.0 and all(0 <= row["padding share"] < 1 and row["sentences/s"] > 0 for row in rows)
    assert rows[1]["padding share"] < rows[0]["padding share"]


def test_sentiment_batching_rejects_bad_sizes(tmp_path):
    r = run(SENT_SCRIPT, "--pools", "0", "--out", str(tmp_path / "x.json"), timeout=120)
    assert r.returncode == 2 and "must be positive integers" in r.stderr and not (tmp_path / "x.json").exists()


STREAM_SCRIPT = SCRIPT.with_name("stream_latency.py")


def test_stream_latency_script(tmp_path):
    out = tmp_path / "stream.json"
    r = run(STREAM_SCRIPT, "--tickers", "IBM", "--limit", "150", "--window", "16", "--every", "10",
                        "--out", str(out), timeout=300)
    assert r.returncode == 0, r.stderr
    assert "median vs update" in r.stdout and f"wrote {out}" in r.stdout
    rows = json.loads(out.read_text())["runs"]["cpu"]["rows"]
    assert [row["method"] for row in rows] == ["StreamingClassifier.update", "stateless re-run over 16 bars"]
    assert rows[0]["bars timed"] == 130 and rows[0]["median vs update"] == 1.0   # 150 bars less the 20 warm-up bars
    assert all(row["p99 µs"] >= row["median µs"] > 0 for row in rows)


def test_stream_latency_rejects_bad_sizes(tmp_path):
    r = run(STREAM_SCRIPT, "--window", "0", "--out", str(tmp_path / "x.json"), timeout=120)
    assert r.returncode == 2 and "--window" in r.stderr and not (tmp_path / "x.json").exists()


GPU_SCRIPT = SCRIPT.with_name("gpu_check.py")


def test_gpu_check_runs_on_the_cpu(tmp_path):
    "Without CUDA the GPU check runs every chapter's model on the CPU and says that the CUDA rows were skipped."
    import os
    out = tmp_path / "gpu.json"
    r = subprocess.run([sys.executable, str(GPU_SCRIPT), "--quick", "--steps", "3", "--out", str(out)], capture_output=True, text=True,
                       timeout=900, env={**os.environ, "CUDA_VISIBLE_DEVICES": "", "LSTM_BOOK_DEVICE": "cpu"})
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert "CUDA is not available: running the CPU rows only" in r.stdout and f"wrote {out}" in r.stdout
    rows = json.loads(out.read_text())["runs"]["models"]
    assert len(rows) == 9 and {row["device"] for row in rows} == {"cpu"}
    assert all(row["status"] == "ok" and row["loss after"] < row["loss before"] for row in rows)
    assert json.loads(out.read_text())["runs"]["lstm_speed_cpu"][0]["nn.LSTM fwd+bwd ms"] > 0


CLI_SCRIPT = SCRIPT.with_name("cli_startup.py")


def test_cli_startup_script(tmp_path):
    out = tmp_path / "cli.json"
    r = run(CLI_SCRIPT, "--repeats", "1", "--out", str(out), timeout=300)
    assert r.returncode == 0, r.stderr
    assert "vs python -c pass" in r.stdout and "python -X importtime" in r.stdout and f"wrote {out}" in r.stdout
    data = json.loads(out.read_text())
    rows = data["runs"]["cpu"]["rows"]
    commands = [row["command"] for row in rows]
    assert commands[:4] == ["python -c pass", "import lstm_book.cli", "lstm-book --help", "lstm-book info"]
    from lstm_book.cli import walk_commands   # every command's own help page is timed, and a usage error
    assert all("lstm-book " + " ".join(words) + " --help" in commands for words, _, _ in walk_commands())
    assert any(c.endswith("--level byte") for c in commands) and "slowest:" in r.stdout
    assert rows[0]["vs python -c pass"] == 1.0 and all(row["median ms"] > 0 for row in rows)
    assert data["import_times"][0]["module"] == "lstm_book.cli"
    assert "torch" not in {row["module"] for row in data["import_times"]}


def test_cli_startup_rejects_bad_repeats(tmp_path):
    r = run(CLI_SCRIPT, "--repeats", "0", "--out", str(tmp_path / "x.json"), timeout=120)
    assert r.returncode == 2 and "--repeats" in r.stderr and not (tmp_path / "x.json").exists()
