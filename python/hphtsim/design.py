"""Design the heater program of the growth stage (issue 15, point 1): the piecewise linear power
(or resistance) program that holds a target growth rate, or a target seed temperature, through
the stage, inside the growth window, below the critical rate and within the supply's limits.

    hphtsim design CONFIG --target growth_rate="3 mg/h" [--target T_seed="1350 degC"]
                   [--segments N] [--max-rate critical|F*critical|RATE] -o designed.yaml

**The stage** is the part of the heater program between the end of the heat-up (the end of the
first segment that ends hot) and the start of the quench (the first later segment that ends
cold); "hot" and "cold" as in the run's phases: above 2 % of the program's span over its lowest
value. Its segments are replaced by N ramps of equal duration (default 6) that start from the
program's value at the stage's start; the rest of the recipe (pressurisation, heat-up, quench,
the oil program) is kept.

**The method** is sequential and causal: the growth rate at a time depends on the program before
it, so the ramps are chosen one after the other, each ramp's end value minimising the squared
errors of the tracked quantities (the mean over seeds of the growth rate, over 5 % of its target;
T_seed over 2 K) at 8 times evenly from the middle of its ramp (the first ramp: from its last
fifth, the crystal starts in it) to half a ramp after its end with the value held there: the
rate lags the power by hours (carbon transport), and a value judged at its ramp's end alone
overshoots after it (on the test cell: 6.7 % largest deviation judged at the end, 2.4 % with the
look-ahead). Each segment takes a secant search on its end value (two trials at +-1 % of the
current program's value there, then the least-squares value of the local linear models, at most
five runs, stopping when the value moves by less than 0.02 %), each trial a run from t = 0 to
half a ramp past the segment's end, so a design costs about 2 (N + 1) full runs.

**Limits.** ``--max-rate critical`` caps the rate target at each time at 0.9 of the critical rate
of the crystal's mass then (``growth.critical_rate``; ``F*critical`` for another fraction, or a
rate such as ``"2 mg/h"``): a small crystal cannot take a large crystal's rate without
inclusions. A ramp's end value stays in [0, ``--power-max``] (the supply's limit, default
``recipe.heater.power_max``'s 3 kW). A target the cell cannot reach is refused with the
reason (:class:`DesignRefused`, exit 2): the rate still below the target by more than 10 % at
the power limit, or the seed outside the solvent's growth window (``window_margin_K`` < 0).

**Geometry.** A 3-D config is designed on its axisymmetric (r, z) model when the cell allows it
(``--set cell.geometry=axisymmetric`` works: every part on the axis), at ``--rz-cells`` (default
64 x 64); the designed config is then run once as given (3-D) and the report gives both
(``--no-verify`` skips it). Forward runs go to any executor (the two first trials of a segment
run concurrently).

Outputs: ``designed.yaml`` (the config with the designed program, runnable as is) and
``designed.md`` beside it (the program, and per seed and for the mean: target against achieved
rate over the stage, the largest deviation after the first segment, the spread over seeds, the
window margin and the mass above the critical rate, for the design model and the 3-D check).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from . import _core
from ._atomic import write_atomically
from ._errors import ConfigError, config_error
from .config import Config, load_config

__all__ = ["design", "DesignRefused", "growth_stage"]

KELVIN = 273.15
TRIAL_FRACTION = 0.01      # the first two trials of a segment: +-1 % of the program's value there
MAX_TRIALS = 5             # runs per segment
RATE_TOLERANCE = 0.02      # a segment is done when the rate is within 2 % of its target ...
T_TOLERANCE = 0.5          # ... and T_seed within 0.5 K
CRITICAL_FRACTION = 0.9    # --max-rate critical: 0.9 of the critical rate
EVAL_FRACTION = 0.2        # the first ramp is judged on its last fifth (the crystal starts in it)
SAMPLES = 8                # the tracked quantities at 8 times over the second half of each ramp
HALF = 0.5
LOOKAHEAD = 0.5            # ... and the first half of the next one, the value held
STEP_TOLERANCE = 2e-4      # a search stops when its next value moves less than this (relative)


class DesignRefused(ConfigError):
    """A target the cell cannot reach; the message says why."""


def _refused(key: str, message: str) -> DesignRefused:
    err = DesignRefused(f"{key}: {message}")
    err.key = key
    return err


@dataclass
class Stage:
    mode: str            # "power" (the only program designed so far)
    start: float         # s
    end: float           # s
    first: int           # index of the stage's first heater segment
    last: int            # index of its last (inclusive)
    start_value: float   # the program's value at the stage's start (W)
    segments: list = field(default_factory=list)  # the config's heater segments (dicts)


def _si(text, key: str) -> float:
    try:
        return float(_core.parse_quantity(str(text))[0])
    except ValueError as e:
        raise config_error(key, str(e)) from None


def growth_stage(cfg: Config) -> Stage:
    """The stage of the heater program that the design replaces (see the module's docstring)."""
    heater = ((cfg.to_dict().get("recipe") or {}).get("heater")) or {}
    mode = heater.get("control", "power")
    segs = list(heater.get("segments") or [])
    if not segs:
        raise config_error("recipe.heater", "design needs a heater program with segments")
    if any(s.get("control", mode) != mode for s in segs):
        raise config_error("recipe.heater.control", "design programs a power recipe without switches between "
                                                    "control modes")
    key = "recipe.heater"
    if mode != "power":
        raise config_error("recipe.heater.control", "design programs a power recipe (resistance programs: not yet)")
    value = start = _si(heater.get("start", "0 W"), key + ".start")
    ends, values = [], []  # per segment: end time, value at its end
    t = 0.0
    for i, s in enumerate(segs):
        if "hold" in s:
            t += _si(s["hold"], f"{key}.segments.{i}.hold")
        else:
            t += _si(s["duration"], f"{key}.segments.{i}.duration")
            value = _si(s["ramp_to"], f"{key}.segments.{i}.ramp_to")
        ends.append(t)
        values.append(value)
    lo, hi = min(values + [start]), max(values + [start])
    cold = lo + 0.02 * (hi - lo)
    first = next((i for i, v in enumerate(values) if v > cold), None)
    if first is None:
        raise config_error(key, "the heater program never gets hot: nothing to design")
    quench = next((i for i in range(first + 1, len(segs)) if values[i] <= cold), len(segs))
    if quench <= first + 1:
        raise config_error(key, "no growth stage between the heat-up and the quench")
    return Stage(mode, ends[first], ends[quench - 1], first + 1, quench - 1, values[first], segs)


def _text(v: float) -> str:
    return f"{v:.6g} W"


def _program(stage: Stage, values) -> list:
    """The heater segments with the stage replaced by ramps to ``values`` (equal durations)."""
    n = len(values)
    d = (stage.end - stage.start) / n
    ramps = [{"ramp_to": _text(v), "duration": f"{d / 3600.0:.9g} h"} for v in values]
    return stage.segments[:stage.first] + ramps + stage.segments[stage.last + 1:]


#: The targets: SI unit of the value, an example, what "> 0" means, the factor to the series' unit.
TARGETS = {"growth_rate": ("kg/s", "a rate such as \"3 mg/h\"", "must be positive", 3.6e9),
           "T_seed": ("K", "a temperature such as \"1350 degC\"", "an absolute temperature above 0 K", 1.0)}


def _parse_target(targets) -> dict:
    out = {}
    for item in targets or []:
        if "=" not in item:
            raise config_error("--target", f"'{item}': expected growth_rate=\"3 mg/h\" or T_seed=\"1350 degC\"")
        name, text = (x.strip().strip('"') for x in item.split("=", 1))
        if name in out:
            raise config_error("--target", f"{name} given twice")
        if name not in TARGETS:
            raise config_error("--target", f"unknown target '{name}'; expected growth_rate or T_seed")
        si_unit, example, positive, to_series = TARGETS[name]
        v, unit = _quantity(text)
        if unit != si_unit:
            raise config_error("--target", f"{name}: expected {example}, not '{text}'")
        if not v > 0.0:
            raise config_error("--target", f"{name}: {positive}")
        out[name] = v * to_series  # in the series' unit (mg/h, K)
    if not out:
        raise config_error("--target", "give a target: growth_rate=\"3 mg/h\" and/or T_seed=\"1350 degC\"")
    return out


def _quantity(text: str):
    """(SI value, SI unit) of a quantity's text, or (None, None) if it is not one."""
    try:
        v, unit = _core.parse_quantity(text)
        return float(v), unit
    except ValueError:
        return None, None


def _parse_max_rate(text: Optional[str]):
    """None (no cap), ("critical", fraction) or ("rate", mg/h)."""
    if not text:
        return None
    t = text.strip().replace(" ", "")
    if t == "critical":
        return ("critical", CRITICAL_FRACTION)
    if t.endswith("*critical"):
        try:
            f = float(t[: -len("*critical")])
        except ValueError:
            raise config_error("--max-rate", f"'{text}': expected critical, F*critical or a rate") from None
        if not 0.0 < f <= 1.0:
            raise config_error("--max-rate", "the fraction of the critical rate must be in (0, 1]")
        return ("critical", f)
    v, unit = _quantity(text)
    if unit != "kg/s" or not v > 0.0:
        raise config_error("--max-rate", f"'{text}': expected critical, F*critical or a positive rate such as \"2 mg/h\"")
    return ("rate", v * 3.6e9)


def _forward(task: dict) -> dict:
    """One trial (a worker function): the config with the program, run to ``until``; the series
    the design reads, per seed."""
    from . import Simulation, set_num_threads
    if task.get("threads"):
        set_num_threads(int(task["threads"]))
    cfg = Config(task["text"], task["base_dir"], task["overrides"]).with_overrides(
        {"recipe.heater.segments": task["segments"]})
    sim = Simulation(cfg)
    sim.run(until=task["until"])
    ts = sim.timeseries()
    seeds = sim.seed_names
    cols = {}
    for name in ("growth_rate", "critical_rate", "T_seed", "window_margin_K", "mass_ct", "mass_above_critical"):
        per = [name] if len(seeds) <= 1 else [f"{name}[{s}]" for s in seeds]
        cols[name] = [ts[c].values.tolist() for c in per if c in ts.columns]
    return {"time": ts.index.values.tolist(), "seeds": seeds, "heater_power": ts["heater_power"].values.tolist(),
            **cols}


def _window_means(run: dict, t0: float, t1: float) -> dict:
    """The tracked series (means over seeds) at SAMPLES times evenly in (t0, t1], linear between
    the run's steps; the smallest window margin over the steps in it."""
    t = np.asarray(run["time"])
    at = t0 + (t1 - t0) * np.arange(1, SAMPLES + 1) / SAMPLES
    out = {"t": at}
    for name in ("growth_rate", "critical_rate", "T_seed"):
        v = np.asarray(run[name], dtype=float)  # (seeds, times)
        out[name] = np.interp(at, t, v.mean(axis=0)) if v.size else np.full(at.shape, np.nan)
    sel = (t > t0) & (t <= t1 + 1e-6)
    if not sel.any():
        sel = np.zeros_like(t, dtype=bool)
        sel[-1] = True
    w = np.asarray(run["window_margin_K"], dtype=float)
    out["window_margin_K"] = float(np.nanmin(w[:, sel])) if w.size and np.isfinite(w[:, sel]).any() else float("nan")
    return out


class _Designer:
    def __init__(self, cfg: Config, stage: Stage, targets: dict, max_rate, n: int, executor, threads: int,
                 power_max: float):
        self.cfg, self.stage, self.targets, self.max_rate, self.n = cfg, stage, targets, max_rate, n
        self.executor, self.threads = executor, threads
        self.runs = 0
        self.lo, self.hi = 0.0, power_max

    def reference(self, t: float) -> float:
        """The config's own program at t (the first guess)."""
        s = self.stage
        value, time = s.start_value, s.start
        for seg in s.segments[s.first:s.last + 1]:
            if "hold" in seg:
                d = _si(seg["hold"], "hold")
                if t <= time + d:
                    return value
                time += d
            else:
                d = _si(seg["duration"], "duration")
                target = _si(seg["ramp_to"], "ramp_to")
                if t <= time + d:
                    return value + (target - value) * (t - time) / d
                time, value = time + d, target
        return value

    def trial(self, values, until) -> list:
        from .sweeps import run_tasks
        tasks = [{"text": self.cfg.text, "base_dir": self.cfg.base_dir, "overrides": list(self.cfg.overrides),
                  "segments": _program(self.stage, v), "until": until, "threads": self.threads} for v in values]
        self.runs += len(tasks)
        return run_tasks(_forward, tasks, self.executor)

    def rate_target(self, means: dict):
        """The rate target at the sample times (None without a rate target)."""
        r = self.targets.get("growth_rate")
        if r is None:
            return None
        rt = np.full(means["t"].shape, r)
        if self.max_rate is None:
            return rt
        kind, x = self.max_rate
        return np.minimum(rt, x * means["critical_rate"]) if kind == "critical" else np.minimum(rt, x)

    def misfit(self, means: dict):
        """(residuals over their scales at the sample times, the rate targets there)."""
        res, rt = [], self.rate_target(means)
        if rt is not None:
            res.append((means["growth_rate"] - rt) / (0.05 * self.targets["growth_rate"]))
        if "T_seed" in self.targets:
            res.append((means["T_seed"] - self.targets["T_seed"]) / 2.0)
        return np.concatenate(res), rt

    def done(self, means: dict, rt) -> bool:
        ok = True
        if rt is not None:
            ok &= bool(np.all(np.abs(means["growth_rate"] - rt) <= RATE_TOLERANCE * rt))
        if "T_seed" in self.targets:
            ok &= bool(np.all(np.abs(means["T_seed"] - self.targets["T_seed"]) <= T_TOLERANCE))
        return bool(ok)

    def segment(self, fixed: list, i: int, progress) -> tuple:
        """The end value of ramp i, given the ones before it; returns (value, means, run)."""
        s = self.stage
        d = (s.end - s.start) / self.n
        t1 = s.start + (i + 1) * d
        t0 = t1 - (EVAL_FRACTION * d if i == 0 else HALF * d)
        # Look ahead half a ramp with the value held (the next ramp starts there): the rate lags
        # the power (carbon transport takes hours), so a value judged at its ramp's end alone
        # overshoots after it.
        t2 = min(t1 + LOOKAHEAD * d, s.end)
        guess = fixed[-1] if fixed else s.start_value
        ref = self.reference(t1)
        guess = ref if i == 0 else guess + (ref - self.reference(t1 - d))  # carry the program's trend
        guess = min(max(guess, self.lo), self.hi)
        delta = max(TRIAL_FRACTION * abs(guess), 1e-9)
        xs = [max(self.lo, guess - delta), min(self.hi, guess + delta)]
        pad = lambda v: fixed + [v] + [v] * (self.n - i - 1)
        runs = self.trial([pad(x) for x in xs], t2)
        trials = [(x, _window_means(r, t0, t2), r) for x, r in zip(xs, runs)]
        cost = lambda tr: float(np.sum(self.misfit(tr[1])[0] ** 2))
        while len(trials) < MAX_TRIALS:
            best = min(trials, key=cost)
            if self.done(best[1], self.misfit(best[1])[1]):
                break
            # the secant through the best trial and the newest other one (after an overshoot the
            # newest is the one that brackets the answer with the best)
            other = next(tr for tr in reversed(trials) if tr is not best)
            (xa, ma, _), (xb, mb, _) = best, other
            ra, rb = self.misfit(ma)[0], self.misfit(mb)[0]
            if abs(xb - xa) < 1e-12:
                break
            slope = (rb - ra) / (xb - xa)  # per residual: d residual / d value
            if not np.any(np.abs(slope) > 0.0):
                break
            x = xa - float(slope @ ra) / float(slope @ slope)  # least squares of the linear models
            x = min(max(x, self.lo), self.hi)
            if abs(x - xa) <= STEP_TOLERANCE * max(abs(xa), 1e-9) or any(
                    abs(x - xt) <= 1e-9 * max(1.0, abs(x)) for xt, _, _ in trials):
                break
            r = self.trial([pad(x)], t2)[0]
            trials.append((x, _window_means(r, t0, t2), r))
        x, m, r = min(trials, key=cost)
        if progress:
            rt = self.misfit(m)[1]
            what = [f"rate at its end {m['growth_rate'][-1]:.3g} mg/h (target {rt[-1]:.3g})" if rt is not None else "",
                    f"T_seed {m['T_seed'][-1] - KELVIN:.1f} degC" if "T_seed" in self.targets else ""]
            progress(f"segment {i + 1}/{self.n}: {_text(x)}; " + ", ".join(w for w in what if w))
        return x, m, r


def _stats(run: dict, stage: Stage, n: int, designer: "_Designer") -> dict:
    """Target against achieved over the stage after its first segment (the crystal's start)."""
    t = np.asarray(run["time"])
    d = (stage.end - stage.start) / n
    sel = (t > stage.start + d) & (t <= stage.end + 1e-6)
    rate = np.asarray(run["growth_rate"], dtype=float)
    crit = np.asarray(run["critical_rate"], dtype=float)
    mean_rate = rate.mean(axis=0)
    out = {"seeds": run["seeds"], "from_h": (stage.start + d) / 3600.0, "to_h": stage.end / 3600.0}
    if "growth_rate" in designer.targets:
        target = np.full(t.shape, designer.targets["growth_rate"])
        if designer.max_rate is not None:
            kind, x = designer.max_rate
            target = np.minimum(target, x * crit.mean(axis=0) if kind == "critical" else x)
        dev = (mean_rate[sel] - target[sel]) / target[sel]
        out["rate_target_mean"] = float(np.mean(target[sel]))
        out["rate_max_deviation"] = float(np.max(np.abs(dev))) if dev.size else float("nan")
        # a share of the time, not of the steps (the steps after a kink are short)
        step = np.diff(t, prepend=t[0])[sel]
        out["rate_within_10_percent"] = (float(np.sum(step * (np.abs(dev) <= 0.10)) / np.sum(step))
                                         if dev.size and np.sum(step) > 0 else float("nan"))
    if "T_seed" in designer.targets:
        T = np.asarray(run["T_seed"], dtype=float).mean(axis=0)
        out["T_seed_max_deviation_K"] = float(np.max(np.abs(T[sel] - designer.targets["T_seed"])))
    out["rate_mean"] = [float(np.mean(r[sel])) for r in rate]
    out["rate_spread"] = float(np.max(np.ptp(rate[:, sel], axis=0))) if rate.shape[0] > 1 and sel.any() else 0.0
    w = np.asarray(run["window_margin_K"], dtype=float)
    out["window_margin_min_K"] = float(np.nanmin(w[:, sel])) if w.size and np.isfinite(w[:, sel]).any() else None
    mac = np.asarray(run["mass_above_critical"], dtype=float)
    out["mass_above_critical_mg"] = [float(m[-1]) for m in mac]
    out["final_mass_ct"] = [float(m[-1]) for m in np.asarray(run["mass_ct"], dtype=float)]
    return out


def _axisymmetric(cfg: Config, cells) -> tuple:
    """(the design model, why not (r, z) or None)."""
    geometry = ((cfg.to_dict().get("cell") or {}).get("geometry")) or "3d"
    if geometry == "axisymmetric":
        return cfg, "the config is axisymmetric already"
    budget = "cell.grid.cells" if ((cfg.to_dict().get("cell") or {}).get("grid")) else "cell.cells"
    rz = cfg.with_overrides({"cell.geometry": "axisymmetric", budget: list(cells)})
    try:
        rz.check()
    except ConfigError as e:
        return cfg, f"the cell is not axisymmetric ({e})"
    return rz, None


def design(config, targets, segments: int = 6, max_rate: Optional[str] = None, out="designed.yaml",
           executor=None, threads: Optional[int] = None, axisymmetric: bool = True, rz_cells=(64, 64),
           verify: bool = True, progress=None, power_max: str = "3 kW") -> dict:
    """Designs the growth stage's program (see the module's docstring); writes ``out`` and the
    report beside it (``.md``); returns the report's data. ``targets``: ``["growth_rate=3 mg/h"]``
    or a mapping ``{"growth_rate": "3 mg/h", "T_seed": "1350 degC"}``."""
    from .sweeps import thread_budget
    cfg = load_config(config)
    if isinstance(targets, dict):
        targets = [f"{k}={v}" for k, v in targets.items()]
    tg = _parse_target(targets)
    mr = _parse_max_rate(max_rate)
    if mr is not None and "growth_rate" not in tg:
        raise config_error("--max-rate", "caps a growth_rate target: give one")
    if not (isinstance(segments, int) and 2 <= segments <= 100):
        raise config_error("--segments", "expected a whole number of ramps from 2 to 100 (the first one is the "
                                         "crystal's start, the target is held after it)")
    p_max, unit = _quantity(str(power_max))
    if unit != "m^2*kg/s^3":
        raise config_error("--power-max", f"'{power_max}': expected a power such as \"3 kW\"")
    if not p_max > 0.0:
        raise config_error("--power-max", "must be positive")
    if "growth_rate" in tg and not cfg.to_dict().get("growth"):
        raise config_error("--target", "growth_rate: the config has no growth section")
    stage = growth_stage(cfg)
    if not cfg.model().seeds:
        raise config_error("seeds", "design needs at least one seed")
    model_cfg, why_3d = _axisymmetric(cfg, rz_cells) if axisymmetric else (cfg, "--no-axisymmetric")
    nthreads = int(threads) if threads else thread_budget(executor)
    designer = _Designer(model_cfg, stage, tg, mr, segments, executor, nthreads, p_max)
    say = progress or (lambda text: None)
    say(f"design: stage {stage.start / 3600:.4g} h to {stage.end / 3600:.4g} h, {segments} ramps of "
        f"{stage.mode}, on the {'(r, z)' if why_3d is None else 'given'} model")
    values = []
    for i in range(segments):
        x, m, _ = designer.segment(values, i, say)
        t_h = (stage.start + (i + 1) * (stage.end - stage.start) / segments) / 3600.0
        if math.isfinite(m["window_margin_K"]) and m["window_margin_K"] < 0.0:
            raise _refused("--target", f"unreachable inside the growth window: to meet the target by {t_h:.4g} h "
                                       f"the seed would be {-m['window_margin_K']:.1f} K outside the solvent's "
                                       f"growth window (at {_text(x)})")
        rts = designer.misfit(m)[1]
        if rts is not None:
            rate, rt = float(m["growth_rate"][-1]), float(rts[-1])
            if x >= designer.hi - 1e-9 * designer.hi and rate < 0.9 * rt:
                raise _refused("--target", f"above the power limit: at {_text(designer.hi)} the rate "
                                           f"reaches only {rate:.3g} mg/h by {t_h:.4g} h (target {rt:.3g} mg/h)")
            if x <= designer.lo + 1e-12 and rate > 1.1 * rt:
                raise _refused("--target", f"below the lowest program value: at {_text(designer.lo)} "
                                           f"the rate is still {rate:.3g} mg/h by {t_h:.4g} h (target {rt:.3g} mg/h)")
        values.append(x)
    program = _program(stage, values)
    final = designer.trial([values], None)[0]
    result = {"stage_h": [stage.start / 3600.0, stage.end / 3600.0], "mode": stage.mode,
              "program": [_text(v) for v in values], "targets": targets,
              "max_rate": max_rate, "design_model": "(r, z)" if why_3d is None else "the config as given",
              "design": _stats(final, stage, segments, designer), "design_runs": designer.runs}
    result["reference"] = _stats(designer.trial([[designer.reference(stage.start + (i + 1) * (stage.end - stage.start)
                                                                     / segments) for i in range(segments)]], None)[0],
                                 stage, segments, designer)
    designed = cfg.with_overrides({"recipe.heater.segments": program})
    library = (designed.to_dict().get("cell") or {}).get("materials_library")
    if library and not os.path.isabs(str(library)):
        designed = designed.with_overrides({"cell.materials_library": str(Path(cfg.base_dir) / str(library))})
    if verify and why_3d is None:
        say("design: verifying the program on the config as given")
        check = _Designer(cfg, stage, tg, mr, segments, executor, nthreads, p_max)
        result["verify"] = _stats(check.trial([values], None)[0], stage, segments, designer)
        result["verify_runs"] = check.runs
    elif verify:
        result["verify_skipped"] = why_3d
    out = Path(out)
    yaml_text, report = designed.resolved_yaml(), _report(result, stage, segments)
    write_atomically(out, lambda f: f.write(yaml_text))
    write_atomically(out.with_suffix(".md"), lambda f: f.write(report))
    return result


def _report(r: dict, stage: Stage, n: int) -> str:
    lines = ["# Designed heater program", "",
             f"Stage {r['stage_h'][0]:.4g} h to {r['stage_h'][1]:.4g} h: {n} ramps of {r['mode']}, each "
             f"{(r['stage_h'][1] - r['stage_h'][0]) / n:.4g} h, to: " + ", ".join(r["program"]) + ".",
             f"Targets: {', '.join(r['targets'])}" + (f"; rate capped at {r['max_rate']}" if r["max_rate"] else "") +
             f". Designed on the {r['design_model']} model in {r['design_runs']} runs.", "",
             "Achieved over the stage after its first ramp (the crystal's start):", "",
             "| program | model | mean rate per seed (mg/h) | rate target (mean, mg/h) | largest deviation | time within 10 % "
             "| spread over seeds (mg/h) | smallest window margin (K) | mass above critical (mg) | final mass (ct) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    fmt = lambda xs: ", ".join(f"{x:.3g}" for x in xs)
    for name, key, model in (("designed", "design", r["design_model"]), ("the config's own", "reference", r["design_model"]),
                             ("designed", "verify", "the config as given (3-D)")):
        s = r.get(key)
        if not s:
            continue
        dev = s.get("rate_max_deviation")
        dev_text = "" if dev is None else f"{100 * dev:.1f} %"
        within = "" if dev is None else f"{100 * s['rate_within_10_percent']:.0f} %"
        margin = s["window_margin_min_K"]
        margin_text = "" if margin is None else f"{margin:.1f}"
        target = s.get("rate_target_mean", float("nan"))
        lines.append(f"| {name} | {model} | {fmt(s['rate_mean'])} | {target:.3g} | {dev_text} | {within} | "
                     f"{s['rate_spread']:.3g} | {margin_text} | {fmt(s['mass_above_critical_mg'])} | "
                     f"{fmt(s['final_mass_ct'])} |")
    if "T_seed_max_deviation_K" in r["design"]:
        lines += ["", f"T_seed: largest deviation from its target {r['design']['T_seed_max_deviation_K']:.2f} K (design model)."]
    v, dsg = r.get("verify"), r["design"]
    if v and "rate_within_10_percent" in v:
        worse = []
        if v["rate_within_10_percent"] < dsg["rate_within_10_percent"] - 0.1:
            worse.append(f"within 10 % for {100 * v['rate_within_10_percent']:.0f} % of the stage against "
                         f"{100 * dsg['rate_within_10_percent']:.0f} %")
        if sum(v["mass_above_critical_mg"]) > sum(dsg["mass_above_critical_mg"]) + 1.0:
            worse.append(f"{sum(v['mass_above_critical_mg']):.3g} mg grown above the critical rate against "
                         f"{sum(dsg['mass_above_critical_mg']):.3g} mg")
        if worse:
            lines += ["", "**The 3-D check does not confirm the design**: " + "; ".join(worse) +
                      ". The (r, z) model differs from the 3-D one (docs/validation.md, \"Axisymmetric cells\"); "
                      "correct the program on the model it will be judged by before using it."]
    if r.get("verify_skipped"):
        lines += ["", f"No 3-D check: {r['verify_skipped']}."]
    return "\n".join(lines) + "\n"
