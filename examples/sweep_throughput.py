#!/usr/bin/env python3
"""Sweep throughput (runs per minute) of the same 4-run sweep with 1 and 2 workers.

    PYTHONPATH=build/python /usr/bin/python3 examples/sweep_throughput.py [--repeat 3] [--cells 40]

The sweep: four steady states of the default cell at 0.70, 0.75, 0.80, 0.85 kW (as in
sweep_heater_power.py). Configurations timed, each from scratch (resume=False):
  1 worker  x 1 thread   (in process)
  1 worker  x all cores  (in process, OpenMP inside each run)
  N workers x cores/N threads (ProcessPoolExecutor, spawn), N = 2
Prints the best and median wall time and runs per minute of each.
"""
import argparse
import multiprocessing as mp
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import hphtsim

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cells", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-pressure-field", action="store_true",
                    help="steady states without the thermo-elastic field (about 4x cheaper at 40^3)")
    args = ap.parse_args()
    base = hphtsim.load_config(ROOT / "configs" / "tgm_lab_small.yaml", {
        "cell.cells": args.cells,
        "recipe.heater": {"control": "power", "start": "0.8 kW", "segments": [{"hold": "1 h"}]},
        "recipe.oil_pressure": {"start": "95 MPa", "segments": [{"hold": "1 h"}]},
        "time.start_from_steady_state": True,
        "pressure.field": not args.no_pressure_field,
    })
    params = {"recipe.heater.start": ["0.70 kW", "0.75 kW", "0.80 kW", "0.85 kW"]}
    cores = hphtsim.available_cores()
    setups = [("1 worker x 1 thread", None, 1), (f"1 worker x {cores} threads", None, cores),
              (f"{args.workers} workers x {max(1, cores // args.workers)} thread(s)", "pool", None)]
    for name, kind, threads in setups:
        walls = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as out:
                ex = ProcessPoolExecutor(args.workers, mp_context=mp.get_context("spawn")) if kind else None
                try:
                    if ex:  # start the workers before timing (spawn + import: ~1 s)
                        list(ex.map(abs, range(args.workers)))
                    t0 = time.perf_counter()
                    df = hphtsim.sweep(base, params, executor=ex, out_dir=out, until="0 s", resume=False,
                                       threads=threads)
                    walls.append(time.perf_counter() - t0)
                finally:
                    if ex:
                        ex.shutdown()
                assert (df["status"] == "ok").all(), df["error"].tolist()
        best, med = min(walls), statistics.median(walls)
        print(f"{name:28s} best {best:6.2f} s ({4 / best * 60:5.1f} runs/min), median {med:6.2f} s "
              f"({4 / med * 60:5.1f} runs/min), per run {df['wall_s'].mean():.2f} s")


if __name__ == "__main__":
    main()
