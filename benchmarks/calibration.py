#!/usr/bin/python3
"""How often a calibration's error bar holds (issue 14's test): synthetic logs of the default
cell in (r, z) from a hidden truth (anvils.heat_transfer_coefficient = 2600 W/(m^2 K)), each with
its own noise seed (thermocouple 2 K, heater resistance 0.3 %), fitted in 1000-5000 W/(m^2 K);
counts the repetitions whose fitted value lies within 2 standard errors of the truth (about 95 %
expected for a linear-Gaussian fit), and the forward runs and wall time per fit.

    /usr/bin/python3 benchmarks/calibration.py [--repetitions 20] [--workers 1]

Needs a build (build/python)."""
import argparse
import concurrent.futures
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build" / "python"))
sys.path.insert(0, str(ROOT / "tests" / "python"))
import hphtsim  # noqa: E402
from hphtsim.calibration import calibrate  # noqa: E402
from test_calibration import BASE, CONFIG, synthetic_log  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repetitions", type=int, default=20)
    ap.add_argument("--workers", type=int, default=1, help="concurrent forward runs of each fit")
    a = ap.parse_args()
    inside, rows = 0, []
    executor = (concurrent.futures.ProcessPoolExecutor(a.workers, mp_context=multiprocessing.get_context("spawn"))
                if a.workers > 1 else None)
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(a.repetitions):
            log = synthetic_log(Path(tmp) / f"log{seed}.csv", seed=seed)
            t0 = time.perf_counter()
            fit = calibrate(hphtsim.load_config(CONFIG, BASE), [log],
                            ["anvils.heat_transfer_coefficient=1000 W/(m^2*K):5000 W/(m^2*K)"],
                            noise={"T_thermocouple": "2 K"}, out_dir=Path(tmp) / f"fit{seed}", executor=executor)
            wall = time.perf_counter() - t0
            h = fit["parameters"]["anvils.heat_transfer_coefficient"]
            ok = abs(h["value"] - 2600.0) <= 2.0 * h["stderr"]
            inside += ok
            rows.append((seed, h["value"], h["stderr"], ok, fit["runs"], wall))
            print(f"seed {seed:2d}: {h['value']:.1f} +- {h['stderr']:.1f} W/(m^2 K), {'inside' if ok else 'OUTSIDE'} 2 sigma, "
                  f"{fit['runs']} runs, {wall:.1f} s", flush=True)
    if executor:
        executor.shutdown()
    n = len(rows)
    print(f"\n{inside} of {n} fits ({100.0 * inside / n:.0f} %) within 2 standard errors of the truth; "
          f"mean {sum(r[4] for r in rows) / n:.1f} forward runs and {sum(r[5] for r in rows) / n:.1f} s per fit "
          f"({a.workers} worker(s))")


if __name__ == "__main__":
    main()
