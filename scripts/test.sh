#!/usr/bin/env bash
# Sets up (dependencies, build) and runs the whole test suite: GoogleTest tiers unit,
# verification and regression (and pytest once the Python module exists) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset default
cmake --build --preset default
ctest --preset default
