#!/usr/bin/env python3
"""Heater power study of the default cell: steady temperature field for 0.70 ... 0.95 kW.

Question: how hot does the heater get, and how large is the temperature difference between
the carbon source and the seed (the driving force of growth), as the heater power changes?

Each run is the coupled electro-thermal steady state of configs/tgm_lab_small.yaml at a constant
heater power (the recipe's heater and oil pressure are replaced by constant holds; the oil at
95 MPa puts the cell near 6 GPa). A 40^3 grid keeps a run at ~10 s per core.

    PYTHONPATH=build/python /usr/bin/python3 examples/sweep_heater_power.py [--workers 2] [--cells 40]

Writes build/examples/heater_power/{run_<id>.h5, run_<id>.json, sweep.csv, response.png}
(build/ is ignored by git).
A second invocation reuses the finished runs (resume) and only redraws.
"""
import argparse
import multiprocessing as mp
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import hphtsim
from hphtsim.plot import plot_sweep

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=2, help="concurrent runs (1: in this process)")
    ap.add_argument("--cells", type=int, default=40, help="cells per axis")
    ap.add_argument("--out", default=str(ROOT / "build" / "examples" / "heater_power"))
    ap.add_argument("--no-resume", action="store_true")
    args = ap.parse_args(argv)

    base = hphtsim.load_config(ROOT / "configs" / "tgm_lab_small.yaml", {
        "cell.cells": args.cells,
        # constant power instead of the thermocouple-controlled recipe; the powers come below
        "recipe.heater": {"control": "power", "start": "0.8 kW", "segments": [{"hold": "1 h"}]},
        "recipe.oil_pressure": {"start": "95 MPa", "segments": [{"hold": "1 h"}]},
        "time.start_from_steady_state": True,
    })
    powers = [f"{p:.2f} kW" for p in (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)]

    executor = ProcessPoolExecutor(args.workers, mp_context=mp.get_context("spawn")) if args.workers > 1 else None
    t0 = time.perf_counter()
    try:
        table = hphtsim.sweep(base, {"recipe.heater.start": powers}, executor=executor, out_dir=args.out,
                              until="0 s", resume=not args.no_resume, progress=True)
    finally:
        if executor:
            executor.shutdown()
    wall = time.perf_counter() - t0

    cols = ["recipe.heater.start", "status", "T_max_degC", "T_seed_degC", "dT_source_seed_K", "p_cell_GPa",
            "min_line_margin_K", "wall_s"]
    print(table[cols].to_string(float_format=lambda v: f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"))
    ran = int((~table["cached"]).sum())
    print(f"{len(table)} runs ({ran} computed) in {wall:.1f} s wall, {args.workers} worker(s), "
          f"{int(table['threads'].iloc[0])} thread(s) per run")
    ok = table[table["status"] == "ok"]
    if len(ok) >= 2:
        p = ok["heater_power_W"].to_numpy()
        slope_T = (ok["T_max_degC"].iloc[-1] - ok["T_max_degC"].iloc[0]) / (p[-1] - p[0]) * 100
        slope_dT = (ok["dT_source_seed_K"].iloc[-1] - ok["dT_source_seed_K"].iloc[0]) / (p[-1] - p[0]) * 100
        print(f"per 100 W: T_max {slope_T:+.0f} K, source-seed difference {slope_dT:+.1f} K")
    png = Path(args.out) / "response.png"
    plot_sweep(table, y=["T_max_degC", "T_seed_degC", "dT_source_seed_K", "min_line_margin_K"], out=png)
    print(f"plot: {png}")
    for _, r in table[table["status"] != "ok"].iterrows():
        print(f"failed: {r['recipe.heater.start']}: {r['error']}", file=sys.stderr)
    return 0 if len(ok) == len(table) else 1


if __name__ == "__main__":
    sys.exit(main())
