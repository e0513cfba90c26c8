"""The virtual thermocouple (issue 14, point 4): what a production run's cell did, from its log
and a calibrated config, with the calibration's uncertainty carried through.

    hphtsim estimate CONFIG LOG.csv [--fit FIT.json] [--samples N] -o estimate.csv

The log drives the run as in a calibration (its first column of heater_power, heater_voltage,
heater_current, heater_resistance; oil and coolant columns as inputs; any other column is
ignored). CONFIG is normally a calibration's ``fitted.yaml``; FIT.json (default: the
``fit.json`` beside CONFIG) gives the fitted parameters' values, standard errors and
correlation. A parameter the data did not constrain (``identifiable: false``) enters with the
standard deviation of a uniform distribution over its range, (HI - LO) / sqrt(12), uncorrelated:
an unconstrained key widens the bands instead of being ignored. Sensor parameters of the fit
(``sensors.*``) describe the calibration's thermocouple, not the cell, and do not enter.

Propagation: linearised by default, var y(t) = g(t)^T C g(t) with g the secant sensitivity over
one standard deviation of each parameter (one extra run per parameter, concurrent on any
executor); ``--samples N`` instead draws N parameter sets from the Gaussian (clipped to the
ranges) and reports the sample standard deviation. The columns, at the log's times:
``time [h]``, ``T_seed [degC]``, ``T_source [degC]``, ``dT_source_seed [K]``, ``growth_rate
[mg/h]``, ``mass_ct [ct]`` (per seed ``_<seed>`` suffixed when there are several), each followed
by ``<name>_std`` in the difference unit. The stated band is +-2 std.
"""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Optional

import numpy as np

from ._atomic import write_atomically
from ._errors import config_error
from .config import load_config

__all__ = ["estimate", "read_fit", "ESTIMATED"]

KELVIN = 273.15
#: Estimated series: (series, per seed, display unit, scale and offset from SI, std unit)
ESTIMATED = [("T_seed", True, "degC", 1.0, -KELVIN, "K"), ("T_source", False, "degC", 1.0, -KELVIN, "K"),
             ("dT_source_seed", True, "K", 1.0, 0.0, "K"), ("growth_rate", True, "mg/h", 1.0, 0.0, "mg/h"),
             ("mass_ct", True, "ct", 1.0, 0.0, "ct")]


def read_fit(path) -> tuple:
    """(parameters [(key, value, unit, std, lo, hi)], correlation) of a fit.json, model keys
    only; errors name the file and the entry."""
    where = os.fspath(path)
    try:
        doc = json.loads(Path(path).read_text())
    except OSError as e:
        raise config_error(where, f"cannot read the fit: {e.strerror or e}") from None
    except ValueError as e:
        raise config_error(where, f"not a fit.json (malformed JSON: {e})") from None
    try:
        params = doc["parameters"]
        keys = list(params)
        corr = np.asarray(doc["correlation"], dtype=float).reshape(len(keys), len(keys))
    except (KeyError, TypeError, ValueError):
        raise config_error(where, "not a fit.json: needs 'parameters' and a square 'correlation'") from None
    out, idx = [], []
    for i, key in enumerate(keys):
        p = params[key]
        if key.startswith("sensors."):
            continue
        try:
            lo, hi = (float(v) for v in p["range"])
            value, unit = float(p["value"]), str(p["unit"])
            std = float(p["stderr"]) if p["identifiable"] else (hi - lo) / np.sqrt(12.0)
        except (KeyError, TypeError, ValueError):
            raise config_error(f"{where}: parameters.{key}", "needs value, unit, stderr, identifiable and range") from None
        if not std > 0.0:
            std = 1e-9 * max(abs(value), 1e-30)
        out.append((key, value, unit, std, lo, hi, bool(p["identifiable"])))
        idx.append(i)
    C = corr[np.ix_(idx, idx)]
    for j, (*_, ident) in enumerate(out):  # an unconstrained key: its prior's spread, uncorrelated
        if not ident:
            C[j, :] = C[:, j] = 0.0
            C[j, j] = 1.0
    return out, C


def _columns(seed_names) -> list:
    cols = []
    for series, per_seed, unit, scale, offset, std_unit in ESTIMATED:
        seeds = seed_names if per_seed else [None]
        for s in seeds:
            frame = series if (s is None or len(seed_names) <= 1) else f"{series}[{s}]"
            name = series if (s is None or len(seed_names) <= 1) else f"{series}_{s}"
            cols.append((frame, name, unit, scale, offset, std_unit))
    return cols


def estimate(config, log, fit=None, out="estimate.csv", executor=None, samples: int = 0, seed: int = 1,
             threads: Optional[int] = None):
    """Writes the estimate CSV (see the module's docstring) and returns it as a DataFrame."""
    import pandas as pd
    from .calibration import _probe_names, forward
    from .press_data import DRIVES, read_log
    from .sweeps import run_tasks, thread_budget
    cfg = load_config(config)
    fit_path = Path(fit) if fit else Path(cfg.base_dir) / "fit.json"
    if not fit_path.exists():
        raise config_error("--fit", f"no fit.json at '{fit_path}' (give --fit DIR/fit.json of a calibration)")
    params, C = read_fit(fit_path)
    for key, value, unit, *_ in params:
        cfg.with_overrides({key: f"{value:.10g} {unit}".strip()}).check()
    data = read_log(log, _probe_names(cfg))
    drive = next((d for d in DRIVES if d in data["columns"]), None)
    if drive is None:
        raise config_error(os.fspath(log), f"no column can drive the heater (expected one of {', '.join(DRIVES)})")
    seeds = [s.name for s in cfg.model().seeds]
    cols = _columns(seeds)
    t_log = np.asarray(data["time"], dtype=float)
    std = np.array([p[3] for p in params])
    cov = C * np.outer(std, std)
    base = np.array([p[1] for p in params])
    if samples:
        if samples < 2:
            raise config_error("--samples", "give at least 2 samples (or 0 for the linearised estimate)")
        rng = np.random.default_rng(seed)
        lo, hi = np.array([p[4] for p in params]), np.array([p[5] for p in params])
        draws = np.clip(rng.multivariate_normal(base, cov, size=samples, method="eigh"), lo, hi) if params else \
            np.zeros((samples, 0))
        points = [base] + list(draws)
    else:  # secant over one standard deviation, inward at a range's end
        points = [base]
        for j, (_, value, _, s, lo, hi, _) in enumerate(params):
            v = base.copy()
            v[j] = value + s if value + s <= hi else value - s
            points.append(v)
    nthreads = int(threads) if threads else thread_budget(executor)
    tasks = [{"text": cfg.text, "base_dir": cfg.base_dir, "overrides": list(cfg.overrides),
              "values": {p[0]: f"{x:.10g} {p[2]}".strip() for p, x in zip(params, pt)},
              "log": str(Path(log).resolve()), "drive": drive, "series": [c[0] for c in cols], "optional": True,
              "threads": nthreads} for pt in points]
    runs = run_tasks(forward, tasks, executor)
    present = [c for c in cols if c[0] in runs[0]]
    Y = np.array([[np.interp(t_log, r["time"], r[c[0]]) for c in present] for r in runs])  # run, column, time
    y0 = Y[0]
    if samples:
        sd = Y[1:].std(axis=0, ddof=1)
    else:
        G = np.stack([(Y[j + 1] - y0) / (points[j + 1][j] - base[j]) for j in range(len(params))], axis=-1) \
            if params else np.zeros(y0.shape + (0,))
        sd = np.sqrt(np.clip(np.einsum("cti,ij,ctj->ct", G, cov, G), 0.0, None))
    table = {"time [h]": t_log / 3600.0}
    for (frame, name, unit, scale, offset, std_unit), y, s in zip(present, y0, sd):
        table[f"{name} [{unit}]"] = y * scale + offset
        table[f"{name}_std [{std_unit}]"] = s * scale
    df = pd.DataFrame(table)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, lambda f: df.to_csv(f, index=False, float_format="%.8g", quoting=csv.QUOTE_MINIMAL),
                     newline="")
    df.attrs["runs"] = len(runs)
    df.attrs["method"] = f"sampling ({samples})" if samples else "linearised"
    return df
