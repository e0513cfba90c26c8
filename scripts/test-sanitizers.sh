#!/usr/bin/env bash
# The same C++ suite built with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/).
# The library builds at -O1 -g1 (line tables only: half the build time of -O2 -g) and the test
# files at -O0 (tests/CMakeLists.txt: 9-11 s per instrumented file instead of 26-43 s); the
# build was the largest part of CI's time. Left out (CI's 20-minute budget; CI measured 1337 s
# with more of them): the whole-cycle, growth-window, thread, gem-cell, symmetry, graded-grid and
# conforming-grid regressions, the grown-habit case (78 s under ASan), the resistance-program
# restart, the 3-D side of the axisymmetric comparison and the (r, z) SIGKILL restart (its state
# is checked under ASan by the in-process (r, z) restart). The same code runs under ASan in the
# smaller restart, pressure-field, growth and grid cases, and all of them run in the plain suite
# (the preset's filter in CMakePresets.json).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset asan
cmake --build --preset asan
ctest --preset asan
