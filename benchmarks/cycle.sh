#!/usr/bin/env bash
# The whole default press cycle (configs/tgm_default.yaml, about three weeks) as a benchmark:
# wall time, accepted and redone steps, thermo-elastic solves, and what grew. Needs a build
# (cmake --preset default && cmake --build --preset default). Extra arguments go to
# `hphtsim run` (e.g. --set pressure.field=false to time the cycle without the pressure field).
#   benchmarks/cycle.sh [--threads N] [hphtsim run options]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s.%N)
build/bin/hphtsim run configs/tgm_default.yaml -o "$out/cycle.h5" -q "$@"
end=$(date +%s.%N)
/usr/bin/python3 - "$out/cycle.h5" "$start" "$end" <<'EOF'
import sys
import h5py
path, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
with h5py.File(path, "r") as f:
    ts = f["timeseries"]
    t = ts["time"][:]
    steps = len(t) - 1
    print(f"simulated        {t[-1] / 86400:.2f} d")
    print(f"wall time        {end - start:.1f} s")
    print(f"steps            {steps} ({steps / max(end - start, 1e-9):.2f} per s), largest {ts['time_step'][:].max() / 3600:.1f} h")
    print(f"linear its       {int(ts['linear_iterations'][:].sum())}")
    if "pressure_solves" in ts:
        print(f"pressure solves  {int(ts['pressure_solves'][-1])}")
        p = ts["p_cell"][:]
        print(f"p_cell           {p.min() / 1e9:.2f} .. {p.max() / 1e9:.2f} GPa")
    if "mass" in ts:
        m = ts["mass"][:].reshape(len(t), -1)  # time x seed (one column for one seed)
        ct = ts["mass_ct"][:].reshape(len(t), -1)
        print(f"crystal mass     {m[0, 0]:.1f} -> {m[-1, 0]:.1f} mg ({ct[-1, 0]:.2f} ct)")
    print(f"snapshots        {len(f['snapshots'])}")
EOF
