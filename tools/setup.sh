#!/usr/bin/env bash
# Create the virtual environment .venv and install the project with its book and
# test tools (the "dev" extra). Used by `make book` and `make test`.
#
# torch: on a machine without an NVIDIA GPU this installs torch==2.13.0, the CPU
# wheel (on this project's build machines it comes from local disk; elsewhere set
# TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu" to avoid
# PyPI's multi-GB CUDA build). With an NVIDIA GPU (nvidia-smi works) it installs
# PyPI's default CUDA build. An already installed torch is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
pip=("$VENV/bin/python" -m pip)
"${pip[@]}" install --quiet --upgrade pip

if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo "setup: NVIDIA GPU found, installing a CUDA build of torch"
    "${pip[@]}" install --quiet "torch>=2.4,<3"
  else
    echo "setup: no NVIDIA GPU, installing the CPU build torch==2.13.0"
    # shellcheck disable=SC2086
    "${pip[@]}" install --quiet "torch==2.13.0" ${TORCH_PIP_ARGS:-}
  fi
fi
"${pip[@]}" install --quiet -e ".[dev]"
"$VENV/bin/python" -c "import lstm_book, torch; print(f'setup: lstm_book {lstm_book.__version__}, torch {torch.__version__} in $VENV')"
