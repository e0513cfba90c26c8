"""Design the cool-down and release (issue 15, point 3): the fastest joint reduction of the heater
power and the oil pressure after the growth stage that keeps every crystal's ``crack_risk``
below 1.

    hphtsim design CONFIG --cooldown [--shortest "1 min"] [--longest "24 h"] -o designed.yaml

**The schedule** starts where the config's cool-down starts: the last ramp of the heater power to
0 W (the quench; the segments after it are holds). From there the power ramps to 0 W and the oil
pressure to 0 MPa together, linearly, over one duration D, followed by half an hour cold; the
oil program is held at its value until then (cut or extended to end there). A joint reduction
is what lets the cell's creep carry part of the release away while it is still hot: in the
model (docs/model.md, "Cool-down and release stress") the stress the crystal keeps is set by the
pressure and temperature it locks in at, so a release done cold leaves the whole mismatch of
the metal's and the diamond's compressibility in the crystal.

**The search** is a bisection on log D between ``--shortest`` (default 1 min) and ``--longest``
(default 24 h) to a ratio of 1.1: the fastest D whose largest crack_risk over the seeds and
the reduction stays below 1 and which keeps the seeds inside the diamond field (line margin
>= 0) while they are above 900 degC: a fast joint reduction drops the pressure before the cell
has cooled (the cell's thermal lag is minutes), and a hot crystal outside the diamond field
graphitises [E]. Both conditions get easier as D grows (measured on the test cell: the stress
falls from 1.18 GPa at 10 min to 0.99 GPa at 24 h; below ~9 min the seed leaves the diamond
field hot). When the shortest schedule already meets them it is the design; when the longest
does not, the design is refused with the reason (:class:`DesignRefused`, exit 2).
Each trial is a whole run of the config (design model: the (r, z) cell as for the heater
design); the report gives the designed schedule against the config's own cool-down and one ten
times faster, and (unless ``--no-verify``) the designed schedule run on the config as given.

The smallest margin to the graphite-diamond line while the seed is above 900 degC (hot enough
for a crystal's surface to graphitise in minutes [E]) is reported per schedule: a joint
reduction leaves the diamond field when the pressure falls faster than the line with the
temperature.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Optional

import numpy as np

from ._atomic import write_atomically
from ._errors import config_error
from .config import Config, load_config
from .design import DesignRefused, _axisymmetric, _refused, _si

__all__ = ["design_cooldown", "cooldown_start"]

RATIO = 1.1          # bisection stops when longest / shortest safe-unsafe pair is within this
COLD_HOLD = "30 min"
HOT_SEED = 900.0 + 273.15  # K: the line margin is reported while the seed is above this
KELVIN = 273.15


def _segment_ends(segs: list, key: str, start_value: float):
    ends, values, t, v = [], [], 0.0, start_value
    for i, s in enumerate(segs):
        if "hold" in s:
            t += _si(s["hold"], f"{key}.segments.{i}.hold")
        else:
            t += _si(s.get("duration", "0 s"), f"{key}.segments.{i}.duration")
            v = _si(s["ramp_to"], f"{key}.segments.{i}.ramp_to")
        ends.append(t)
        values.append(v)
    return ends, values


def cooldown_start(cfg: Config) -> tuple:
    """(t_c in s, index of the quench segment): the start of the heater program's last ramp to
    0 W after which only holds follow."""
    heater = ((cfg.to_dict().get("recipe") or {}).get("heater")) or {}
    segs = list(heater.get("segments") or [])
    key = "recipe.heater"
    if not segs:
        raise config_error(key, "--cooldown needs a heater program with segments")
    ends, values = _segment_ends(segs, key, _si(heater.get("start", "0 W"), key + ".start"))
    for i in range(len(segs) - 1, -1, -1):
        if "hold" in segs[i]:
            continue
        mode = segs[i].get("control", heater.get("control", "power"))
        if mode == "power" and values[i] == 0.0 and all("hold" in s for s in segs[i + 1:]):
            return (ends[i - 1] if i > 0 else 0.0), i
        break
    raise config_error(key, "--cooldown: the heater program does not end with a ramp of the power to 0 W "
                            "(the quench, followed only by holds): no cool-down to design")


def _schedule(cfg: Config, duration: float) -> dict:
    """The overrides of the recipe for a joint reduction over `duration` (s)."""
    t_c, quench = cooldown_start(cfg)
    recipe = (cfg.to_dict().get("recipe") or {})
    heater = list(recipe["heater"]["segments"])
    d = f"{duration:.6g} s"
    heater = heater[:quench] + [{**heater[quench], "duration": d}, {"hold": COLD_HOLD}]
    out = {"recipe.heater.segments": heater}
    oil = recipe.get("oil_pressure")
    if oil:
        segs = list(oil.get("segments") or [])
        ends, _ = _segment_ends(segs, "recipe.oil_pressure", _si(oil.get("start", "0 MPa"), "recipe.oil_pressure.start"))
        kept, t = [], 0.0
        for s, end in zip(segs, ends):
            if end <= t_c + 1e-6:
                kept.append(s)
                t = end
                continue
            if "hold" in s:  # the hold that spans t_c, cut there
                kept.append({"hold": f"{t_c - t:.6g} s"})
                t = t_c
            break
        if t < t_c - 1e-6:
            kept.append({"hold": f"{t_c - t:.6g} s"})
        kept = [s for s in kept if not ("hold" in s and _si(s["hold"], "hold") <= 0.0)]
        out["recipe.oil_pressure.segments"] = kept + [{"ramp_to": "0 MPa", "duration": d}]
    return out


def _forward(task: dict) -> dict:
    """One schedule (a worker function): the largest crack risk and stress over the seeds after
    the cool-down's start, the smallest hot line margin, the series for the report."""
    from . import Simulation, set_num_threads
    from .config import Config as _Config
    if task.get("threads"):
        set_num_threads(int(task["threads"]))
    cfg = _Config(task["text"], task["base_dir"], task["overrides"])
    if task.get("schedule"):
        cfg = cfg.with_overrides(task["schedule"])
    ts = Simulation(cfg).run().timeseries()
    t = ts.index.values
    after = t >= task["t_c"]
    pick = lambda name: ts[[c for c in ts.columns if c == name or c.startswith(name + "[")]].values
    risk, stress = pick("crack_risk"), pick("crystal_max_stress")
    T, margin = pick("T_seed"), pick("line_margin_K")
    if risk.shape[1] == 0:
        raise config_error("pressure.field", "--cooldown needs the crystals' stress: pressure.field: true and a "
                                             "growth section")
    hot = after[:, None] & (T > HOT_SEED)
    worst = risk[after].max(axis=1)
    i = int(np.argmax(worst))
    return {"max_risk": float(worst.max()), "max_stress": float(stress[after].max()),
            "final_stress": [float(x) for x in stress[-1]], "at_h": float(t[after][i] - task["t_c"]) / 3600.0,
            "hot_line_margin_K": float(margin[hot].min()) if hot.any() else None,
            "mass_ct": [float(x) for x in pick("mass_ct")[-1]],
            "series": {"t_h": ((t[after] - task["t_c"]) / 3600.0).tolist(),
                       "T_seed_C": (T[after].mean(axis=1) - KELVIN).tolist(),
                       "p_cell_GPa": (ts["p_cell"].values[after] * 1e-9).tolist(),
                       "crack_risk": worst.tolist()}}


def _acceptable(r: dict) -> bool:
    """Below the crack limit, and inside the diamond field while the seed is hot."""
    return r["max_risk"] < 1.0 and (r["hot_line_margin_K"] is None or r["hot_line_margin_K"] >= 0.0)


def _verdict(r: dict) -> str:
    text = f"crack risk {r['max_risk']:.3f} (largest principal stress {r['max_stress'] * 1e-9:.3f} GPa)"
    if r["hot_line_margin_K"] is not None and r["hot_line_margin_K"] < 0.0:
        text += f", {-r['hot_line_margin_K']:.1f} K into the graphite field above 900 degC"
    return text


class _Trials:
    def __init__(self, cfg: Config, t_c: float, executor, threads: int):
        self.cfg, self.t_c, self.executor, self.threads = cfg, t_c, executor, threads
        self.runs = 0

    def run(self, durations) -> list:
        """Runs with the joint reduction over each duration (None: the config's own recipe)."""
        from .sweeps import run_tasks
        tasks = [{"text": self.cfg.text, "base_dir": self.cfg.base_dir, "overrides": list(self.cfg.overrides),
                  "schedule": None if d is None else _schedule(self.cfg, d), "t_c": self.t_c,
                  "threads": self.threads} for d in durations]
        self.runs += len(tasks)
        return run_tasks(_forward, tasks, self.executor)


def design_cooldown(config, out="designed.yaml", shortest: str = "1 min", longest: str = "24 h", executor=None,
                    threads: Optional[int] = None, axisymmetric: bool = True, rz_cells=(64, 64), verify: bool = True,
                    progress=None) -> dict:
    """Designs the cool-down (see the module's docstring); writes ``out`` and the report beside
    it (``.md``); returns the report's data."""
    from .sweeps import thread_budget
    cfg = load_config(config)
    lo, hi = _si(shortest, "--shortest"), _si(longest, "--longest")
    if not (lo > 0.0 and hi > lo and hi <= 30 * 86400.0):
        raise config_error("--shortest", f"'{shortest}' to '{longest}': expected durations with 0 < shortest < "
                                         "longest <= 30 d")
    if not (cfg.to_dict().get("pressure") or {}).get("field") or not cfg.to_dict().get("growth"):
        raise config_error("pressure.field", "--cooldown needs the crystals' stress: pressure.field: true and a "
                                             "growth section")
    t_c, _ = cooldown_start(cfg)
    model_cfg, why_3d = _axisymmetric(cfg, rz_cells) if axisymmetric else (cfg, "--no-axisymmetric")
    nthreads = int(threads) if threads else thread_budget(executor)
    trials = _Trials(model_cfg, t_c, executor, nthreads)
    say = progress or (lambda text: None)
    say(f"design --cooldown: from {t_c / 3600:.4g} h, durations {lo:.4g}-{hi:.4g} s, on the "
        f"{'(r, z)' if why_3d is None else 'given'} model")
    fast_run, slow_run = trials.run([lo, hi])
    say(f"  {lo:.4g} s: {_verdict(fast_run)}; {hi:.4g} s: {_verdict(slow_run)}")
    if not _acceptable(slow_run):
        raise _refused("--cooldown", f"no schedule up to {longest} is safe: at {longest} {_verdict(slow_run)}")
    safe, safe_run, unsafe, unsafe_run = hi, slow_run, lo, fast_run
    if _acceptable(fast_run):
        safe, safe_run, unsafe, unsafe_run = lo, fast_run, None, None
    while unsafe is not None and safe / unsafe > RATIO:
        mid = math.sqrt(safe * unsafe)
        r = trials.run([mid])[0]
        say(f"  {mid:.4g} s: {_verdict(r)}")
        if _acceptable(r):
            safe, safe_run = mid, r
        else:
            unsafe, unsafe_run = mid, r
    faster = safe / 10.0
    own, ten = trials.run([None, faster])
    result = {"start_h": t_c / 3600.0, "duration_s": safe, "bounds_s": [lo, hi],
              "design_model": "(r, z)" if why_3d is None else "given",
              "design": safe_run, "own": own, "ten_times_faster": ten, "faster_s": faster,
              "shortest_is_safe": unsafe is None, "design_runs": trials.runs,
              "limited_by": None if unsafe_run is None else
              ("the crack risk" if unsafe_run["max_risk"] >= 1.0 else "the diamond field while hot"),
              "next_faster": None if unsafe_run is None else f"{_duration_text(unsafe)}: {_verdict(unsafe_run)}"}
    schedule = _schedule(cfg, safe)
    designed = cfg.with_overrides(schedule)
    library = (designed.to_dict().get("cell") or {}).get("materials_library")
    if library and not os.path.isabs(str(library)):
        designed = designed.with_overrides({"cell.materials_library": str(Path(cfg.base_dir) / str(library))})
    if verify and why_3d is None:
        say("design --cooldown: verifying the schedule on the config as given")
        result["verify"] = _Trials(cfg, t_c, executor, nthreads).run([safe])[0]
    elif verify:
        result["verify_skipped"] = why_3d
    out = Path(out)
    yaml_text, report = designed.resolved_yaml(), _report(result)
    write_atomically(out, lambda f: f.write(yaml_text))
    write_atomically(out.with_suffix(".md"), lambda f: f.write(report))
    return result


def _duration_text(s: float) -> str:
    return f"{s / 3600:.3g} h" if s >= 3600 else f"{s / 60:.3g} min"


def _report(r: dict) -> str:
    lines = ["# Designed cool-down and release", "",
             f"From {r['start_h']:.4g} h (the quench's start): the heater power to 0 W and the oil pressure to 0 MPa "
             f"together, linearly, over **{_duration_text(r['duration_s'])}**, then {COLD_HOLD} cold. Designed on "
             f"the {r['design_model']} model in {r['design_runs']} runs (bisection on the duration between "
             f"{_duration_text(r['bounds_s'][0])} and {_duration_text(r['bounds_s'][1])} to a ratio of {RATIO}).", ""]
    if r["limited_by"]:
        lines += [f"What stops a faster schedule: {r['limited_by']} (the fastest unsafe trial, {r['next_faster']}).", ""]
    if r["shortest_is_safe"]:
        lines += ["The shortest schedule allowed is already safe (crack risk below 1, inside the diamond field while "
                  "hot): it is the design.", ""]
    lines += ["| schedule | model | largest crack risk | at (h after the start) | largest principal stress (GPa) "
              "| final stress (GPa) | smallest line margin above 900 degC (K) | final mass (ct) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    rows = (("designed, " + _duration_text(r["duration_s"]), "design", r["design_model"]),
            ("ten times faster, " + _duration_text(r["faster_s"]), "ten_times_faster", r["design_model"]),
            ("the config's own", "own", r["design_model"]),
            ("designed, " + _duration_text(r["duration_s"]), "verify", "given (3-D)"))
    for name, key, model in rows:
        s = r.get(key)
        if not s:
            continue
        margin = "" if s["hot_line_margin_K"] is None else f"{s['hot_line_margin_K']:.0f}"
        lines.append(f"| {name} | {model} | {s['max_risk']:.4f} | {s['at_h']:.3g} | {s['max_stress'] * 1e-9:.3f} | "
                     + ", ".join(f"{x * 1e-9:.3f}" for x in s["final_stress"]) + f" | {margin} | "
                     + ", ".join(f"{x:.4g}" for x in s["mass_ct"]) + " |")
    if r.get("verify_skipped"):
        lines += ["", f"No 3-D check: {r['verify_skipped']}."]
    lines += ["", "crack_risk: the largest principal stress in the crystal over the diamond's tensile strength "
                  "(pressure.crystal_stress.tensile_strength); an elastic model without the frozen metal's "
                  "plasticity, so an upper bound (docs/model.md, \"Cool-down and release stress\")."]
    return "\n".join(lines) + "\n"
