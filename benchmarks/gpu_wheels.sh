#!/usr/bin/env bash
# Download the wheels a GPU machine without a registry needs to run tensorlings (and `make gpu-check`).
#
#   benchmarks/gpu_wheels.sh [FOLDER] [PYTHON_VERSION]      # default: wheels/ and 3.12
#
# The GPU image has torch, torchvision, hypothesis, pytest, rich, jinja2, matplotlib and h5py but
# not pydantic. Run this where a registry can be reached, carry FOLDER to the GPU machine next to
# the checkout, and there:
#
#   python3 -m pip install --no-index --find-links wheels/ pydantic
#   make gpu-check            # or: python3 benchmarks/gpu_check.py, from the checkout
#
# The checkout itself need not be installed: gpu_check runs `python3 -m grader.cli` and loads the
# pytest plugin by name from the checkout.
#
# pydantic-core is compiled, so the wheels are fetched for the GPU machine's Python and platform
# (CPython 3.12, manylinux x86_64), whatever this machine runs.
set -euo pipefail
folder="${1:-wheels}"
version="${2:-3.12}"
mkdir -p "$folder"
python3 -m pip download --dest "$folder" --only-binary=:all: \
    --python-version "$version" --implementation cp --platform manylinux2014_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
    pydantic pydantic-core annotated-types typing-inspection typing-extensions
ls -1 "$folder"
