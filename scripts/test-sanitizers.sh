#!/usr/bin/env bash
# The same C++ suite built with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/),
# without its two 64^3 whole-cell cases (248 s and 183 s under ASan; CI's 20-minute budget):
# the same code runs under ASan in the smaller restart and pressure-field cases, and the two run
# in the plain suite (the preset's filter in CMakePresets.json).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset asan
cmake --build --preset asan
ctest --preset asan
