#!/usr/bin/env bash
# Sets up (dependencies, build) and runs the default cell and recipe:
#   configs/tgm_default.yaml -> tgm_default.h5 (+ tgm_default.xmf for ParaView)
# Extra arguments go to `hphtsim run` (e.g. --until "30 min", --set heater.power="0.9 kW").
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset default
cmake --build --preset default
exec build/bin/hphtsim run configs/tgm_default.yaml -o tgm_default.h5 --overwrite "$@"
