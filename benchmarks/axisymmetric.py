#!/usr/bin/python3
"""The axisymmetric (r, z) mode beside the 3-D simulator, measured side by side in one run
(issue 13's benchmark): the default cell's steady state at the hold's power, its whole cycle
with the pressure field, and sweep throughput with 1 and 2 workers, in (r, z) and in 3-D; and
the (r, z) - 3-D differences of the default cell (probe temperatures, source-seed difference,
final mass).

    /usr/bin/python3 benchmarks/axisymmetric.py [--rz 64,64] [--cube 48] [--quick]

--quick leaves out the 3-D whole cycle (about 5 min at 48^3 with the field on 2 cores). Needs
a build (build/bin/hphtsim and build/python)."""
import argparse
import concurrent.futures
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "build", "python"))
import hphtsim  # noqa: E402
import functools  # noqa: E402

print = functools.partial(print, flush=True)  # progress as it goes, also into a pipe

CONFIG = os.path.join(ROOT, "configs", "tgm_default.yaml")
HOLD = {"recipe.heater": '{control: power, start: "1280 W", segments: [{hold: "1 h"}]}',
        "recipe.oil_pressure": '{start: "95 MPa", segments: [{hold: "1 h"}]}', "pressure.field": "false"}


def geometry(rz, cube):
    return ({"cell.geometry": "axisymmetric", "cell.cells": f"[{rz}]"} if rz else {"cell.cells": str(cube)})


def steady(overrides, power="1280 W"):
    """Wall time of building and solving the steady state; its figures."""
    ov = dict(HOLD)
    ov["recipe.heater"] = ov["recipe.heater"].replace("1280 W", power)
    ov.update(overrides)
    t0 = time.perf_counter()
    sim = hphtsim.Simulation(hphtsim.load_config(CONFIG, ov))
    t1 = time.perf_counter()
    sim.solve_steady()
    t2 = time.perf_counter()
    d = sim.diagnostics()
    return {"build_s": t1 - t0, "solve_s": t2 - t1, "T_source": d["T_source"] - 273.15,
            "T_seed": d["T_seed"][0] - 273.15, "R_mohm": d["heater_resistance"] * 1e3,
            "probes": {k[8:]: v - 273.15 for k, v in d.items() if k.startswith("T_probe_")}}


def steady_power(args):
    power, overrides, threads = args
    hphtsim.set_num_threads(threads)  # cores / workers, as hphtsim.sweep's thread budget
    return steady(overrides, power)["T_seed"]


def throughput(overrides, workers, n=6):
    """Steady states per minute with `workers` processes of 2 // workers threads each; the
    workers' start-up (a Python and the module each) is left out by a first task per worker."""
    powers = [f"{1200 + 20 * i} W" for i in range(n)]
    threads = max(1, (os.cpu_count() or 2) // workers)
    # spawn: a forked child of a process whose OpenMP runtime is up can hang.
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as ex:
        list(ex.map(steady_power, [("1240 W", overrides, threads)] * workers))
        t0 = time.perf_counter()
        list(ex.map(steady_power, [(p, overrides, threads) for p in powers]))
        return n / (time.perf_counter() - t0) * 60.0


def cycle(overrides):
    """The whole default cycle with the pressure field through the command line."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [os.path.join(ROOT, "build/bin/hphtsim"), "run", CONFIG, "-o", os.path.join(tmp, "c.h5")]
        for k, v in overrides.items():
            cmd += ["--set", f"{k}={v}"]
        t0 = time.perf_counter()
        run = subprocess.run(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, errors="replace")
        wall = time.perf_counter() - t0
    if run.returncode != 0:
        sys.exit(f"hphtsim run failed ({run.returncode}):\n{run.stderr[-2000:]}")
    m = re.search(r"seed 'seed_1': ([\d.]+) ct", run.stderr)
    return {"wall_s": wall, "ct": float(m.group(1)) if m else float("nan")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rz", default="64,64", help="(r, z) cells, nr,nz")
    ap.add_argument("--cube", type=int, default=48, help="3-D cells per axis")
    ap.add_argument("--quick", action="store_true", help="leave out the 3-D whole cycle")
    a = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    rz, cube = geometry(a.rz, None), geometry(None, a.cube)
    print(f"# axisymmetric {a.rz} against 3-D {a.cube}^3, default cell (configs/tgm_default.yaml)")
    s2, s3 = steady(rz), steady(cube)
    print("\n## Steady state at 1280 W (no field)\n\n| | (r, z) | 3-D | difference |\n| --- | --- | --- | --- |")
    print(f"| build (s) | {s2['build_s']:.3f} | {s3['build_s']:.3f} | |")
    print(f"| solve (s) | {s2['solve_s']:.3f} | {s3['solve_s']:.3f} | x{s3['solve_s'] / s2['solve_s']:.0f} |")
    for k in ("T_source", "T_seed"):
        print(f"| {k} (degC) | {s2[k]:.1f} | {s3[k]:.1f} | {s2[k] - s3[k]:+.1f} K |")
    d2, d3 = s2["T_source"] - s2["T_seed"], s3["T_source"] - s3["T_seed"]
    print(f"| source - seed (K) | {d2:.2f} | {d3:.2f} | {100 * (d2 / d3 - 1):+.1f} % |")
    for k, v in s2["probes"].items():
        print(f"| T_probe_{k} (degC) | {v:.1f} | {s3['probes'][k]:.1f} | {v - s3['probes'][k]:+.1f} K |")
    print(f"| heater R (mOhm) | {s2['R_mohm']:.4f} | {s3['R_mohm']:.4f} | {100 * (s2['R_mohm'] / s3['R_mohm'] - 1):+.2f} % |")
    print("\n## Sweep throughput (6 steady states per measurement, runs/min; threads = 2 / workers)\n\n| workers | (r, z) | 3-D |\n| --- | --- | --- |")
    for w in (1, 2):
        print(f"| {w} | {throughput(rz, w):.0f} | {throughput(cube, w):.1f} |")
    print("\n## Whole cycle with the pressure field\n\n| | wall (s) | final mass (ct) |\n| --- | --- | --- |")
    c2 = cycle(rz)
    print(f"| (r, z) {a.rz} | {c2['wall_s']:.1f} | {c2['ct']:.3f} |")
    if not a.quick:
        c3 = cycle(cube)
        print(f"| 3-D {a.cube}^3 | {c3['wall_s']:.1f} | {c3['ct']:.3f} |")


if __name__ == "__main__":
    main()
