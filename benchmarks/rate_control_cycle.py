#!/usr/bin/python3
"""Issue 15's growth-rate controller on the default cell: the three-week cycle with its growth
stage under `control: growth_rate` (0.9 of the critical rate, as `hphtsim design --max-rate
critical` targets), against the config's own power program: rate against target, mass above the
critical rate, final mass, and wall time (the controller's look-ahead runs are its cost).

    /usr/bin/python3 benchmarks/rate_control_cycle.py [--cells 64,64] [--3d N] [--fraction 0.9]

Needs a build (build/python). Prints a Markdown table; run it on a quiet machine."""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build" / "python"))
import hphtsim  # noqa: E402

CONFIG = ROOT / "configs" / "tgm_default.yaml"


def controlled_recipe(fraction):
    """The default heater program up to its soft start (1240 W, 6 h), then rate control to the
    end of the hold (487.5 h), then the default quench."""
    return {"control": "power", "start": "0 W",
            "segments": [{"hold": "30 min"}, {"ramp_to": "1240 W", "duration": "1 h"}, {"hold": "6 h"},
                         {"control": "growth_rate", "ramp_to": "3 mg/h", "duration": "1 h"}, {"hold": "479 h"},
                         {"control": "power", "ramp_to": "0 W", "duration": "5 min"}, {"hold": "1.5 h"}],
            "rate_control": {"critical_fraction": fraction}}


def stats(ts, fraction, start_h=13.5, end_h=487.5):
    t = ts.index.values
    sel = (t > start_h * 3600) & (t <= end_h * 3600)
    rate = ts["growth_rate"].values
    crit = ts["critical_rate"].values
    target = np.minimum(3.0, fraction * crit)[sel]
    dev = (rate[sel] - target) / target
    step = np.diff(t, prepend=t[0])[sel]
    return {"mean_rate": float(np.sum(rate[sel] * step) / np.sum(step)),
            "target": float(np.sum(target * step) / np.sum(step)),
            "max_dev": float(np.max(np.abs(dev))), "within": float(np.sum(step * (np.abs(dev) <= 0.1)) / np.sum(step)),
            "above_mg": float(ts["mass_above_critical"].values[-1]), "final_ct": float(ts["mass_ct"].values[-1]),
            "P_range": (float(ts["heater_power"].values[sel].min()), float(ts["heater_power"].values[sel].max()))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", default="64,64")
    ap.add_argument("--3d", dest="three_d", type=int, default=0, help="also in 3-D at N^3")
    ap.add_argument("--fraction", type=float, default=0.9)
    a = ap.parse_args()
    geometries = [("(r, z) " + a.cells.replace(",", " x "), {"cell.geometry": "axisymmetric", "cell.cells": f"[{a.cells}]"})]
    if a.three_d:
        geometries.append((f"3-D {a.three_d}^3", {"cell.cells": str(a.three_d)}))
    print("| model | program | mean rate (mg/h) | target (mean) | largest deviation | time within 10 % "
          "| mass above critical (mg) | final mass (ct) | heater power in the hold (W) | wall (s) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, sets in geometries:
        for label, extra in [("the config's own", {}), (f"growth_rate, {a.fraction} x critical",
                                                        {"recipe.heater": controlled_recipe(a.fraction)})]:
            t0 = time.time()
            sim = hphtsim.Simulation(CONFIG, {**sets, **extra}).run()
            wall = time.time() - t0
            ts = sim.timeseries()
            st = stats(ts, a.fraction)
            print(f"| {name} | {label} | {st['mean_rate']:.3f} | {st['target']:.3f} | {100 * st['max_dev']:.1f} % "
                  f"| {100 * st['within']:.0f} % | {st['above_mg']:.1f} | {st['final_ct']:.2f} "
                  f"| {st['P_range'][0]:.1f}-{st['P_range'][1]:.1f} | {wall:.0f} |", flush=True)


if __name__ == "__main__":
    main()
