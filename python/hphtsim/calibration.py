"""Calibrate a config to a press's logs (issue 14, point 3): weighted least squares of chosen
config keys against the logs' observed columns, each log replayed by ``recipe.from_log``.

    hphtsim calibrate CONFIG LOG.csv [LOG2.csv ...] --fit KEY=LO:HI ... [--noise COLUMN=SIGMA ...] -o DIR

Each log drives its run with its first present column of heater_power, heater_voltage,
heater_current, heater_resistance (in that order); oil_pressure and coolant_temperature are
inputs too. Every other column of the log is observed: the heater's electrical columns against
the run's series of the same name, ``T_<probe>`` against ``T_probe_<probe>``, at the log's
times (the run's series interpolated linearly). Residuals are divided by the column's noise
level: ``--noise T_thermocouple=3 K``, default 5 K for temperatures and 0.5 % of the column's
mean for the electrical ones. Parameters are fitted in their range [LO, HI] (scipy's
trust-region least squares on the range mapped to [0, 1], forward differences of 2 % of the
range for the Jacobian, its runs concurrent on an executor); shared by all logs.

Uncertainty: cov = (J^T J)^-1 at the solution with J the weighted residuals' Jacobian in the
parameters' units (the noise levels are taken as known, so no rescaling by the residual).
A parameter is *identifiable* when the data constrain it within its range: its column of J is
not zero and its standard error is below half the range; otherwise the fit says so and keeps
the value it reached (the middle of the range if the column is zero) instead of pretending.

Outputs in DIR: ``fitted.yaml`` (the config with the fitted values, runnable as is),
``fit.json`` (parameters with value, unit, stderr, identifiable; correlation; residual_rms per
column in SI; runs), ``report.md``, and ``runs.json``, the forward runs so far, from which a
killed fit resumes.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

import numpy as np

from . import _core
from ._errors import config_error
from .config import Config, load_config

__all__ = ["Parameter", "parse_fit", "read_log", "calibrate"]

DRIVES = ["heater_power", "heater_voltage", "heater_current", "heater_resistance"]
INPUTS = {"oil_pressure", "coolant_temperature"}
STEP_FRACTION = 0.02  # forward-difference step, of the parameter's range


@dataclass(frozen=True)
class Parameter:
    key: str
    lo: float
    hi: float
    unit: str

    def text(self, value: float) -> str:
        return f"{value:.10g} {self.unit}".strip()


def _number_unit(text: str, what: str):
    m = re.match(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$", text)
    if not m:
        raise config_error("--fit", f"{what}: '{text}' does not start with a number")
    return float(m.group(1)), m.group(2)


def parse_fit(spec: str) -> Parameter:
    """``KEY=LO:HI``, LO and HI numbers with the key's unit, e.g.
    ``anvils.heat_transfer_coefficient=1000 W/(m^2*K):4000 W/(m^2*K)`` (a unit on HI only is
    taken for both)."""
    if "=" not in spec or ":" not in spec.split("=", 1)[1]:
        raise config_error("--fit", f"'{spec}': expected KEY=LO:HI")
    key, rng = spec.split("=", 1)
    lo_text, hi_text = rng.split(":", 1)
    lo, lo_unit = _number_unit(lo_text, key)
    hi, hi_unit = _number_unit(hi_text, key)
    unit = lo_unit or hi_unit
    if lo_unit and hi_unit and lo_unit != hi_unit:
        raise config_error("--fit", f"{key}: give LO and HI in one unit ('{lo_unit}' and '{hi_unit}')")
    if not hi > lo:
        raise config_error("--fit", f"{key}: HI must be above LO")
    return Parameter(key.strip(), lo, hi, unit)


def _probe_names(cfg: Config) -> list:
    return list((cfg.to_dict().get("probes") or {}).keys())


def read_log(path, cfg: Config) -> dict:
    """The log (C++ reader: the same checks as recipe.from_log): time (s), columns
    {name: (unit, SI values)}, warnings."""
    return _core.read_press_log(os.fspath(path), _probe_names(cfg))


def _observed(log: dict, noise: Mapping[str, float], path) -> tuple:
    cols = log["columns"]
    drive = next((d for d in DRIVES if d in cols), None)
    if drive is None:
        raise config_error(os.fspath(path), f"no column can drive the heater (expected one of {', '.join(DRIVES)})")
    observed = {}
    for name, (_unit, values) in cols.items():
        if name == drive or name in INPUTS:
            continue
        values = np.asarray(values, dtype=float)
        sigma = noise.get(name)
        if sigma is None:
            sigma = 5.0 if name.startswith("T_") else 0.005 * max(abs(float(np.mean(values))), 1e-30)
        observed[name] = (values, float(sigma))
    if not observed:
        raise config_error(os.fspath(path), "nothing to fit: the log has no observed column beside its inputs")
    return drive, observed


def _series_name(column: str) -> str:
    return "T_probe_" + column[2:] if column.startswith("T_") else column


def forward(task: dict) -> dict:
    """One forward run (a worker function): the config with the parameter values, replaying
    one log; the observed columns' simulated values at the log's times."""
    from . import Simulation, set_num_threads
    if task.get("threads"):
        set_num_threads(int(task["threads"]))
    cfg = Config(task["text"], task["base_dir"], task["overrides"])
    cfg = cfg.with_overrides({"recipe": {"from_log": {"file": task["log"], "drive": task["drive"]}}, **task["values"]})
    sim = Simulation(cfg)
    sim.run()
    ts = sim.timeseries()
    t = ts.index.values
    return {c: np.interp(task["time"], t, ts[_series_name(c)].values).tolist() for c in task["columns"]}


def _key(values: Mapping[str, str], log: str) -> str:
    return hashlib.sha1(json.dumps([sorted(values.items()), log]).encode()).hexdigest()


def calibrate(config, logs: Sequence, fit: Sequence, noise: Optional[Mapping[str, str]] = None, executor=None,
              out_dir="calibration", threads: Optional[int] = None, max_evaluations: int = 30) -> dict:
    """Fits ``fit`` (Parameter or "KEY=LO:HI" strings) to ``logs`` (paths); returns fit.json's
    dictionary and writes DIR's files (see the module's docstring)."""
    from scipy.optimize import least_squares
    from .sweeps import thread_budget
    cfg = load_config(config)
    params = [p if isinstance(p, Parameter) else parse_fit(p) for p in fit]
    if not params:
        raise config_error("--fit", "give at least one KEY=LO:HI to fit")
    for p in params:  # each key must be one the config accepts at LO and HI
        cfg.with_overrides({p.key: p.text(p.lo)}).check()
    sig = {}
    for col, text in (noise or {}).items():
        if isinstance(text, (int, float)):
            sig[col] = float(text)
            continue
        if "degC" in str(text):
            raise config_error("--noise", f"{col}: a noise level is a difference: give temperatures in K")
        try:
            sig[col] = float(_core.parse_quantity(str(text))[0])
        except ValueError as e:
            raise config_error("--noise", f"{col}: {e}") from None
        if not sig[col] > 0.0:
            raise config_error("--noise", f"{col}: the noise level must be positive")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    for path in logs:
        log = read_log(path, cfg)
        drive, observed = _observed(log, sig, path)
        cases.append({"log": str(Path(path).resolve()), "drive": drive, "time": np.asarray(log["time"]),
                      "observed": observed})
    cache_path = out / "runs.json"
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    nthreads = int(threads) if threads else thread_budget(executor)

    def values_of(u):
        return {p.key: p.text(p.lo + float(x) * (p.hi - p.lo)) for p, x in zip(params, u)}

    def runs(points):
        """Simulated columns for every point (list of u) and log, from the cache or run."""
        tasks, keys = [], []
        for u in points:
            vals = values_of(u)
            for c in cases:
                k = _key(vals, c["log"])
                keys.append(k)
                if k not in cache:
                    tasks.append((k, {"text": cfg.text, "base_dir": cfg.base_dir, "overrides": list(cfg.overrides),
                                      "values": vals, "log": c["log"], "drive": c["drive"], "time": c["time"].tolist(),
                                      "columns": list(c["observed"]), "threads": nthreads}))
        if tasks:
            if executor is None:
                results = [forward(t) for _, t in tasks]
            elif hasattr(executor, "scheduler_info"):  # dask
                results = executor.gather([executor.submit(forward, t, pure=False) for _, t in tasks])
            else:
                results = list(executor.map(forward, [t for _, t in tasks]))
            for (k, _), r in zip(tasks, results):
                cache[k] = r
            tmp = cache_path.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(cache))
            os.replace(tmp, cache_path)  # a killed fit keeps every finished run
        n = len(cases)
        return [[cache[keys[i * n + j]] for j in range(n)] for i in range(len(points))]

    def residual(sims):
        r = []
        for c, s in zip(cases, sims):
            for col, (obs, sigma) in c["observed"].items():
                r.append((np.asarray(s[col]) - obs) / sigma)
        return np.concatenate(r)

    def fun(u):
        return residual(runs([u])[0])

    def jac(u):
        h = STEP_FRACTION
        points = [list(u)]
        for j in range(len(u)):
            v = list(u)
            v[j] = v[j] + h if v[j] + h <= 1.0 else v[j] - h  # stay in the range
            points.append(v)
        sims = runs(points)
        r0 = residual(sims[0])
        J = np.empty((r0.size, len(u)))
        for j in range(len(u)):
            J[:, j] = (residual(sims[j + 1]) - r0) / (points[j + 1][j] - u[j])
        return J

    u0 = np.full(len(params), 0.5)
    sol = least_squares(fun, u0, jac=jac, bounds=(0.0, 1.0), max_nfev=max_evaluations, xtol=1e-6, ftol=1e-10)
    J_u = jac(sol.x)
    span = np.array([p.hi - p.lo for p in params])
    J = J_u / span  # per parameter unit
    zero = np.linalg.norm(J_u, axis=0) <= 1e-12 * max(1.0, np.linalg.norm(J_u))
    JtJ = J.T @ J
    cov = np.linalg.pinv(JtJ)
    stderr = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    ident = (~zero) & (stderr < 0.5 * span)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(stderr, stderr)
    corr = np.where(np.isfinite(corr), corr, 0.0)
    u_final = np.where(zero, 0.5, sol.x)
    values = [p.lo + x * (p.hi - p.lo) for p, x in zip(params, u_final)]
    sims = runs([list(u_final)])[0]
    rms = {}
    for c, s in zip(cases, sims):
        for col, (obs, _sigma) in c["observed"].items():
            rms.setdefault(col, []).extend((np.asarray(s[col]) - obs).tolist())
    result = {
        "parameters": {p.key: {"value": v, "unit": p.unit, "stderr": (float(e) if i else None), "identifiable": bool(i)}
                       for p, v, e, i in zip(params, values, stderr, ident)},
        "correlation": corr.tolist(),
        "residual_rms": {col: math.sqrt(float(np.mean(np.square(v)))) for col, v in rms.items()},
        "runs": len(cache),
        "cost": float(sol.cost),
        "singular_values": np.linalg.svd(J_u, compute_uv=False).tolist(),
    }
    fitted = cfg.with_overrides({p.key: p.text(v) for p, v in zip(params, values)})
    # fitted.yaml lives in DIR: the files the config names are given by absolute path.
    library = (fitted.to_dict().get("cell") or {}).get("materials_library")
    if library and not os.path.isabs(str(library)):
        fitted = fitted.with_overrides({"cell.materials_library": str(Path(cfg.base_dir) / str(library))})
    (out / "fitted.yaml").write_text(fitted.resolved_yaml())
    (out / "fit.json").write_text(json.dumps(result, indent=2))
    lines = ["# Calibration", "", f"{len(cases)} log(s), {len(cache)} forward runs.", "",
             "| parameter | value | stderr | identifiable |", "| --- | --- | --- | --- |"]
    for p, v, e, i in zip(params, values, stderr, ident):
        err = f"{e:.3g} {p.unit}" if i else "- (not constrained by the data)"
        lines.append(f"| `{p.key}` | {v:.6g} {p.unit} | {err} | {'yes' if i else 'no'} |")
    lines += ["", "| column | residual rms (SI) |", "| --- | --- |"]
    lines += [f"| {col} | {r:.4g} |" for col, r in result["residual_rms"].items()]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    return result
