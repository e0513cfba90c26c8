"""Calibrate a config to a press's logs (issue 14, point 3): weighted least squares of chosen
config keys against the logs' observed columns, each log replayed by ``recipe.from_log``.

    hphtsim calibrate CONFIG LOG.csv [LOG2.csv ...] --fit KEY=LO:HI ... [--noise COLUMN=SIGMA ...]
                      [--bayes [--walkers N] [--steps M]] -o DIR

Each log drives its run with its first present column of heater_power, heater_voltage,
heater_current, heater_resistance (in that order); oil_pressure and coolant_temperature are
inputs too. What is observed, and the sensor models and end-of-run measurements that go with
it, is press_data.py's: ``T_<probe>`` through a thermocouple model of ``T_probe_<probe>``, the
heater's electrical columns (the resistance read from V and I where the log has no resistance
column), the final masses of the YAML beside the log. Residuals are divided by the column's
noise level (``--noise T_thermocouple=3 K``, ``--noise final_mass=0.05 ct``; defaults in
press_data.py). Parameters are fitted in their range [LO, HI] (scipy's trust-region least
squares on the range mapped to [0, 1], forward differences of 2 % of the range for the
Jacobian, its runs concurrent on an executor); shared by all logs. A key is a config key
(``anvils.heat_transfer_coefficient``, ``material_scales.pyrophyllite.thermal_conductivity``)
or a sensor parameter (``sensors.T_thermocouple.offset``, ``.lag``), which needs no re-run.

Uncertainty: cov = (J^T J)^-1 at the solution with J the weighted residuals' Jacobian in the
parameters' units (the noise levels are taken as known, so no rescaling by the residual).
A parameter is *identifiable* when the data constrain it within its range: its column of J is
not zero and its standard error is below half the range; otherwise the fit says so and keeps
the value it reached (the middle of the range if the column is zero) instead of pretending.
``--bayes`` then samples the posterior (uniform priors on the ranges, the same Gaussian
likelihood) with emcee (posterior.py).

Outputs in DIR: ``fitted.yaml`` (the config with the fitted values, runnable as is),
``fit.json`` (parameters with value, unit, stderr, identifiable, range; correlation;
residual_rms per column in SI, final masses in ct; runs), ``report.md`` with one PNG per log of
measured against simulated columns, and ``runs.json``, the forward runs so far, from which a
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
from ._atomic import write_atomically
from ._errors import config_error
from .config import Config, load_config
from .press_data import DRIVES, INPUTS, load_case, read_log as _read_log, sensor_key
from .sensors import SENSOR_KEYS

__all__ = ["Parameter", "parse_fit", "read_log", "calibrate", "forward", "DRIVES", "INPUTS"]

STEP_FRACTION = 0.02  # forward-difference step, of the parameter's range


@dataclass(frozen=True)
class Parameter:
    key: str
    lo: float
    hi: float
    unit: str

    def text(self, value: float) -> str:
        return f"{value:.10g} {self.unit}".strip()

    @property
    def is_sensor(self) -> bool:
        return self.key.startswith("sensors.")

    def si(self, value: float) -> float:
        """The value in SI (sensor parameters are applied in Python, so converted here)."""
        return float(_core.parse_quantity(self.text(value))[0])


def _number_unit(text: str, what: str):
    m = re.match(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$", text)
    if not m:
        raise config_error("--fit", f"{what}: '{text}' does not start with a number")
    return float(m.group(1)), m.group(2)


def covariance(J_u, span):
    """The parameters' covariance in their units, (J^T J)^-1, from the Jacobian J_u of the
    weighted residuals in the unit ranges (u = (x - LO) / (HI - LO)) and the ranges' spans.
    Inverted in u, where the columns have one scale, then scaled: in the keys' units the columns
    differ by the ratio of the ranges (4e3 W/(m^2 K) against 7e-6 m/s, squared in J^T J), and a
    pseudo-inverse there cuts off the well-determined keys as if they were singular."""
    J_u = np.asarray(J_u, dtype=float)
    span = np.asarray(span, dtype=float)
    return np.linalg.pinv(J_u.T @ J_u) * np.outer(span, span)


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
    return _read_log(path, _probe_names(cfg))


def forward(task: dict) -> dict:
    """One forward run (a worker function): the config with the parameter values, replaying
    one log; the run's recorded rows of the series the observations need ({"time": [...],
    series: [...]}), from which press_data.LogCase.predict computes what the press saw."""
    from . import Simulation, set_num_threads
    if task.get("threads"):
        set_num_threads(int(task["threads"]))
    cfg = Config(task["text"], task["base_dir"], task["overrides"])
    cfg = cfg.with_overrides({"recipe": {"from_log": {"file": task["log"], "drive": task["drive"]}}, **task["values"]})
    sim = Simulation(cfg)
    sim.run()
    ts = sim.timeseries()
    wanted = [c for c in task["series"] if c in ts.columns or not task.get("optional")]
    return {"time": ts.index.values.tolist(), **{c: ts[c].values.tolist() for c in wanted}}


def _key(values: Mapping[str, str], log: str) -> str:
    return hashlib.sha1(json.dumps([sorted(values.items()), log]).encode()).hexdigest()


def parse_noise(noise: Optional[Mapping[str, str]]) -> dict:
    """``--noise`` levels in SI: {column: "3 K" | "0.05 ct" | number}."""
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
    return sig


def _check_sensor_parameter(p: Parameter, cases) -> None:
    parts = p.key.split(".")
    if len(parts) != 3 or parts[2] not in SENSOR_KEYS:
        raise config_error(p.key, f"a sensor parameter is sensors.T_<probe>.{'|'.join(SENSOR_KEYS)}")
    if not any(o.sensor and o.name == parts[1] for c in cases for o in c.observations):
        raise config_error(p.key, f"no log has a thermocouple column '{parts[1]}'")
    for v in (p.lo, p.hi):
        try:
            si_unit = _core.parse_quantity(p.text(v))[1]
        except ValueError as e:
            raise config_error(p.key, str(e)) from None
        if si_unit != SENSOR_KEYS[parts[2]] or "degC" in p.unit:
            raise config_error(p.key, f"give the range in {SENSOR_KEYS[parts[2]]} (a difference for an offset)")


class Problem:
    """The fit's residuals and runs: parameters on [0, 1]^k, every forward run cached in
    runs.json (a killed fit resumes from it)."""

    def __init__(self, cfg: Config, params, cases, executor, threads: int, cache_path: Path):
        self.cfg, self.params, self.cases, self.executor, self.threads = cfg, params, cases, executor, threads
        self.model_params = [p for p in params if not p.is_sensor]
        self.cache_path = cache_path
        self.cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}

    def values_of(self, u):
        return {p.key: p.text(p.lo + float(x) * (p.hi - p.lo)) for p, x in zip(self.params, u)
                if not p.is_sensor}

    def sensor_values(self, u):
        return {p.key: p.si(p.lo + float(x) * (p.hi - p.lo)) for p, x in zip(self.params, u) if p.is_sensor}

    def runs(self, points):
        """The recorded series for every point (list of u) and log, from the cache or run."""
        from .sweeps import run_tasks
        tasks, keys = [], []
        for u in points:
            vals = self.values_of(u)
            for c in self.cases:
                k = _key(vals, c.path)
                keys.append(k)
                if k not in self.cache and all(k != t[0] for t in tasks):
                    tasks.append((k, {"text": self.cfg.text, "base_dir": self.cfg.base_dir,
                                      "overrides": list(self.cfg.overrides), "values": vals, "log": c.path,
                                      "drive": c.drive, "series": c.series(), "threads": self.threads}))
        if tasks:
            for (k, _), r in zip(tasks, run_tasks(forward, [t for _, t in tasks], self.executor)):
                self.cache[k] = r
            write_atomically(self.cache_path, lambda f: json.dump(self.cache, f))  # a killed fit keeps every finished run
        n = len(self.cases)
        return [[self.cache[keys[i * n + j]] for j in range(n)] for i in range(len(points))]

    def predictions(self, u, sims):
        sensors = self.sensor_values(u)
        return [c.predict(s, sensors) for c, s in zip(self.cases, sims)]

    def residual(self, u, sims):
        r = []
        for c, pred in zip(self.cases, self.predictions(u, sims)):
            for o in c.observations:
                r.append((pred[o.name] - o.values) / o.sigma)
        return np.concatenate(r)

    def fun(self, u):
        return self.residual(u, self.runs([u])[0])

    def jac(self, u):
        h = STEP_FRACTION
        points = [list(u)]
        for j in range(len(u)):
            v = list(u)
            v[j] = v[j] + h if v[j] + h <= 1.0 else v[j] - h  # stay in the range
            points.append(v)
        sims = self.runs(points)
        r0 = self.residual(points[0], sims[0])
        J = np.empty((r0.size, len(u)))
        for j in range(len(u)):
            J[:, j] = (self.residual(points[j + 1], sims[j + 1]) - r0) / (points[j + 1][j] - u[j])
        return J


def calibrate(config, logs: Sequence, fit: Sequence, noise: Optional[Mapping[str, str]] = None, executor=None,
              out_dir="calibration", threads: Optional[int] = None, max_evaluations: int = 30,
              bayes: bool = False, walkers: Optional[int] = None, steps: int = 60, seed: int = 1) -> dict:
    """Fits ``fit`` (Parameter or "KEY=LO:HI" strings) to ``logs`` (paths); returns fit.json's
    dictionary and writes DIR's files (see the module's docstring). ``bayes``: also sample the
    posterior with emcee (``walkers`` x ``steps`` forward runs per log)."""
    from scipy.optimize import least_squares
    from .sweeps import thread_budget
    from .calibration_report import write_report
    cfg = load_config(config)
    params = [p if isinstance(p, Parameter) else parse_fit(p) for p in fit]
    if not params:
        raise config_error("--fit", "give at least one KEY=LO:HI to fit")
    if len({p.key for p in params}) != len(params):
        raise config_error("--fit", "a key is given twice")
    for p in params:  # each key must be one the config accepts at LO and HI
        if not p.is_sensor:
            cfg.with_overrides({p.key: p.text(p.lo)}).check()
            cfg.with_overrides({p.key: p.text(p.hi)}).check()
    sig = parse_noise(noise)
    probes = _probe_names(cfg)
    seeds = [s.name for s in cfg.model().seeds]
    cases = [load_case(path, probes, seeds, sig) for path in logs]
    for p in params:
        if p.is_sensor:
            _check_sensor_parameter(p, cases)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    nthreads = int(threads) if threads else thread_budget(executor)
    prob = Problem(cfg, params, cases, executor, nthreads, out / "runs.json")

    u0 = np.full(len(params), 0.5)
    # Stop when a step changes the cost (half the chi-square) by less than about 0.01 near its
    # expected minimum (n/2 for n residuals): a change of 0.1 standard errors in the parameters.
    # Tighter tolerances only chase the time stepper's noise in the cost (1e-4 relative), at 4
    # forward runs per iteration for 3 keys.
    n_residuals = prob.fun(u0).size
    sol = least_squares(prob.fun, u0, jac=prob.jac, bounds=(0.0, 1.0), max_nfev=max_evaluations, xtol=1e-4,
                        ftol=min(1e-3, 0.02 / max(n_residuals, 1)))
    J_u = prob.jac(sol.x)
    span = np.array([p.hi - p.lo for p in params])
    zero = np.linalg.norm(J_u, axis=0) <= 1e-12 * max(1.0, np.linalg.norm(J_u))
    cov = covariance(J_u, span)
    stderr = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    ident = (~zero) & (stderr < 0.5 * span)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(stderr, stderr)
    corr = np.where(np.isfinite(corr), corr, 0.0)
    u_final = np.where(zero, 0.5, sol.x)
    values = [p.lo + x * (p.hi - p.lo) for p, x in zip(params, u_final)]
    sims = prob.runs([list(u_final)])[0]
    preds = prob.predictions(u_final, sims)
    rms = {}
    for c, pred in zip(cases, preds):
        for o in c.observations:
            rms.setdefault(o.name, []).extend((pred[o.name] - o.values).tolist())
    result = {
        "parameters": {p.key: {"value": v, "unit": p.unit, "stderr": (float(e) if i else None), "identifiable": bool(i),
                               "range": [p.lo, p.hi]}
                       for p, v, e, i in zip(params, values, stderr, ident)},
        "correlation": corr.tolist(),
        "residual_rms": {col: math.sqrt(float(np.mean(np.square(v)))) for col, v in rms.items()},
        "runs": len(prob.cache),
        "cost": float(sol.cost),
        "singular_values": np.linalg.svd(J_u, compute_uv=False).tolist(),
        "logs": [c.path for c in cases],
    }
    if bayes:
        from .posterior import sample_posterior
        result["posterior"] = sample_posterior(prob, u_final, cov / np.outer(span, span), out, walkers=walkers,
                                               steps=steps, seed=seed)
        result["runs"] = len(prob.cache)
    fitted = cfg.with_overrides({p.key: p.text(v) for p, v in zip(params, values) if not p.is_sensor})
    # fitted.yaml lives in DIR: the files the config names are given by absolute path.
    library = (fitted.to_dict().get("cell") or {}).get("materials_library")
    if library and not os.path.isabs(str(library)):
        fitted = fitted.with_overrides({"cell.materials_library": str(Path(cfg.base_dir) / str(library))})
    (out / "fitted.yaml").write_text(fitted.resolved_yaml())
    (out / "fit.json").write_text(json.dumps(result, indent=2))
    write_report(out, params, values, stderr, ident, result, cases, preds)
    return result
