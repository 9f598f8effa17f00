"""What the benchmark scripts share: run metadata, the devices to time, and writing the JSON atomically."""
import datetime
import json
import platform
from pathlib import Path

import torch

from lstm_book.files import atomic_write


def devices() -> list[tuple[str, str]]:
    "(device, readable name) for the CPU and, when present, the CUDA GPU."
    found = [("cpu", f"CPU ({torch.get_num_threads()} threads)")]
    if torch.cuda.is_available():
        found.append(("cuda", torch.cuda.get_device_name()))
    return found


def run_metadata(**extra) -> dict:
    "Date, versions and machine of this run, plus `extra`, with an empty `runs` dict to fill per device."
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "torch": torch.__version__, "python": platform.python_version(), "machine": platform.machine(),
            "threads": torch.get_num_threads(), **extra, "runs": {}}


def add_run(result: dict, device: str, name: str, table, heading: str, digits: int = 2) -> None:
    "Print one device's table under a heading and store its rows in `result['runs']`."
    print(f"\n{name}: {heading}")
    print(table.round(digits).to_string(index=False))
    result["runs"][device] = {"name": name, "rows": table.to_dict(orient="records")}


def write_json(path: Path, result: dict) -> None:
    "Write the result atomically (a failed run leaves no half-written file) and say where."
    data = json.dumps(result, indent=2).encode()
    atomic_write(path, lambda f: f.write(data))
    print(f"\nwrote {path}")
