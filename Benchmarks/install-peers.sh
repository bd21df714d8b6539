#!/usr/bin/env bash
# Installs the frameworks `nnbench` measures NNKit against, on Debian (as root):
#   bash Benchmarks/install-peers.sh           # PyTorch 1.13 (Debian), ONNX Runtime, JAX, numpy
#   bash Benchmarks/install-peers.sh --torch2  # and PyTorch 2.x from PyPI in /opt/nnbench-torch2 (about 5 GB)
# nnbench looks for PyTorch under python3, /usr/bin/python3 and /opt/nnbench-torch2/bin/python (`--python` adds
# others) and reports every peer it does not find.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y --no-install-recommends python3 python3-pip python3-venv python3-torch libopenblas0-pthread dataset-fashion-mnist

# numpy, JAX and ONNX Runtime for python3 (the MLP peers and the MLP's ONNX Runtime row).
python3 -m pip install --quiet numpy jax onnx onnxruntime 2>/dev/null \
  || python3 -m pip install --quiet --break-system-packages numpy jax onnx onnxruntime

# ONNX Runtime beside Debian's torch, which exports the CNNs for it. Debian's torch is built against numpy 1.x, so
# a numpy 2 that pip brings along into /usr/local is removed again (Debian's own stays).
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import torch" 2>/dev/null; then
  /usr/bin/python3 -m pip install --quiet --break-system-packages onnxruntime
  if /usr/bin/python3 -c "import numpy, sys; sys.exit(0 if numpy.__version__.startswith('2') else 1)" 2>/dev/null; then
    /usr/bin/python3 -m pip uninstall --quiet -y --break-system-packages numpy || true
  fi
fi

# PyTorch 2.x with MKL and oneDNN (its wheel pulls the CUDA libraries too; `--no-deps` leaves it unable to import).
if [ "${1:-}" = "--torch2" ]; then
  python3 -m venv /opt/nnbench-torch2
  /opt/nnbench-torch2/bin/pip install --quiet torch numpy onnx onnxruntime onnxscript
fi
