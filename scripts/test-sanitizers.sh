#!/usr/bin/env bash
# The same C++ suite built with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/),
# at -O1 -g1 (line tables only: the build takes half the time of -O2 -g; the test files themselves
# at -O0, tests/CMakeLists.txt), which made the sanitizer
# stage the longest of CI), without its slowest whole-cell cases (CI's 20-minute budget; CI
# measured 1337 s with them): the whole-cycle, growth-window, thread, gem-cell, symmetry,
# graded-grid and conforming-grid regressions, the grown-habit case (78 s under ASan) and the
# resistance-program restart. The same code runs under ASan in the smaller
# restart, pressure-field, growth and grid cases, and all of them run in the plain suite (the
# preset's filter in CMakePresets.json).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset asan
cmake --build --preset asan
ctest --preset asan
