"""Grid-convergence study: one case on several grid budgets, with the observed order of
convergence, a Richardson-extrapolated value and the discretisation error of each figure.

The estimate follows Celik et al. 2008, "Procedure for estimation and reporting of uncertainty
due to discretization in CFD applications", J. Fluids Eng. 130, 078001: the three finest grids,
representative spacing h = (V / N_cells)^(1/3), refinement ratios r21 = h2/h1 and r32 = h3/h2
(need not be equal), sign s = sign(e32/e21), the order p from the fixed-point iteration of

    p = [ln|e32/e21| + q(p)] / ln r21,    q(p) = ln((r21^p - s) / (r32^p - s)),

the extrapolated value f_ext = (r21^p f1 - f2) / (r21^p - 1) and GCI_fine = 1.25 e_a21 /
(r21^p - 1), e_a21 = |(f1 - f2) / f1|. Where Celik computes an order anyway, this module does
not: an oscillatory sequence (s < 0) and one whose differences do not shrink with h get no
order and no extrapolated value, and say so.

The runs go through :func:`hphtsim.sweep` (the C++ run driver, any executor, a thread budget
per run, resume with ``out_dir``); the figures are the last row of each run's time series.
"""
from __future__ import annotations

import contextlib
import math
import numbers
import os
import tempfile
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Union

import numpy as np

from ._errors import ConfigError, config_error
from .config import Config, load_config
from .results import KELVIN, read_timeseries

__all__ = ["convergence", "celik_estimate", "CelikEstimate", "KEY_FIGURES"]

GCI_SAFETY = 1.25  # Celik et al. 2008 for three or more grids

# The key figures, as time-series names of the output table (docs/outputs.md): a name ending
# in "_" is a prefix (every probe). Units are those the table reports (temperatures in degC as
# growers read them, differences in K). The floor is the round-off of the figure in those
# units: a difference below it is no grid effect (a cold cell's source-seed difference of
# 1e-13 K is not a diverging sequence).
KEY_FIGURES = [("T_probe_", "degC", 1e-9), ("T_max", "degC", 1e-9), ("dT_source_seed", "K", 1e-9),
               ("heater_resistance", "ohm", 1e-15), ("heater_power", "W", 1e-9), ("p_cell", "GPa", 1e-12),
               ("growth_rate", "mg/h", 1e-12), ("mass", "mg", 1e-12)]

_CONVERSIONS = {("K", "degC"): lambda v: v - KELVIN, ("Pa", "GPa"): lambda v: v * 1e-9}


@dataclass(frozen=True)
class CelikEstimate:
    """The estimate from the three finest grids.

    ``convergence``: "converging" (an order and extrapolated value), "oscillatory" (s < 0),
    "diverging" (the differences do not shrink as h does), "grid-independent" (the three
    values are equal), "undetermined" (one difference is zero, or p > 50), "missing" (a value
    is not finite). Only "converging" has a finite ``order``; "grid-independent" extrapolates
    to the finest value with zero error. ``monotone``: the steps between successive grids
    (by h, every grid given, not only the three finest: a coarse grid that overshoots is worth
    seeing) are all of one sign.
    """
    order: float
    extrapolated: float
    gci_fine: float
    convergence: str
    monotone: bool


def _order_equation(p: float, r21: float, r32: float, ratio: float) -> float:
    """ln(r21^p (r32^p - 1) / (r21^p - 1)) - ln(e32/e21): zero at the observed order (s = 1).

    The left side is f = f0 + C h^p's ratio of differences, increasing in p from
    ln(ln r32 / ln r21) at p -> 0, so there is one positive root or none."""
    return (p * math.log(r21) + math.log(math.expm1(p * math.log(r32)))
            - math.log(math.expm1(p * math.log(r21))) - math.log(ratio))


def _observed_order(r21: float, r32: float, ratio: float, tol: float = 1e-13) -> Optional[float]:
    """The positive order of a monotone sequence, or None when there is none (diverging) or it
    exceeds 50 (undetermined)."""
    p = max(abs(math.log(ratio)) / math.log(r21), 0.5)
    # Celik's fixed-point iteration; it contracts unless r32 is much larger than r21 (about
    # ln r32 > 2 ln r21), and is then replaced by bisection of the same equation.
    for _ in range(200):
        try:
            nxt = (math.log(ratio) + math.log(math.expm1(p * math.log(r21)) / math.expm1(p * math.log(r32)))) \
                / math.log(r21)
        except (ValueError, OverflowError, ZeroDivisionError):
            break
        if not 0 < nxt < 50:
            break
        if abs(nxt - p) <= tol * max(1.0, p):
            return nxt
        p = nxt
    lo, hi = 1e-9, 50.0
    if _order_equation(lo, r21, r32, ratio) >= 0 or _order_equation(hi, r21, r32, ratio) <= 0:
        return None
    while hi - lo > tol * hi:
        mid = 0.5 * (lo + hi)
        if _order_equation(mid, r21, r32, ratio) < 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def celik_estimate(h: Sequence[float], f: Sequence[float], floor: float = 0.0,
                   safety: float = GCI_SAFETY) -> CelikEstimate:
    """Observed order, extrapolated value and GCI_fine of ``f`` (one value per grid) from the
    three grids of smallest representative spacing ``h`` (any order, at least three, distinct).

    Differences up to ``floor`` (absolute, in f's units) or 1e-12 of the values are taken as
    zero: round-off, not the grid.
    """
    h = np.asarray(h, dtype=float)
    f = np.asarray(f, dtype=float)
    if h.shape != f.shape or h.ndim != 1 or h.size < 3:
        raise ValueError("celik_estimate: h and f need one value per grid, at least three grids")
    by_h = np.argsort(h)
    (h1, h2, h3), (f1, f2, f3) = h[by_h[:3]], f[by_h[:3]]
    nan = math.nan
    if not (h1 > 0 and h1 < h2 < h3):
        raise ValueError(f"celik_estimate: the three finest spacings must be positive and distinct, "
                         f"got {h1}, {h2}, {h3}")
    if not np.isfinite([f1, f2, f3]).all():
        return CelikEstimate(nan, nan, nan, "missing", False)
    zero = max(floor, 1e-12 * float(np.nanmax(np.abs(f))))
    steps = np.diff(f[by_h])
    steps = steps[np.abs(steps) > zero]
    # a constant is monotone too; a grid without the figure is not
    monotone = bool(np.isfinite(f).all() and ((steps > 0).all() or (steps < 0).all()))
    e21, e32 = f2 - f1, f3 - f2
    if abs(e21) <= zero and abs(e32) <= zero:
        return CelikEstimate(nan, float(f1), 0.0, "grid-independent", monotone)
    if abs(e21) <= zero or abs(e32) <= zero:
        return CelikEstimate(nan, nan, nan, "undetermined", monotone)
    if e32 / e21 < 0:
        return CelikEstimate(nan, nan, nan, "oscillatory", monotone)
    r21, r32 = h2 / h1, h3 / h2
    p = _observed_order(r21, r32, e32 / e21)
    if p is None:
        diverging = _order_equation(1e-9, r21, r32, e32 / e21) >= 0
        return CelikEstimate(nan, nan, nan, "diverging" if diverging else "undetermined", monotone)
    rp = r21 ** p
    extrapolated = (rp * f1 - f2) / (rp - 1.0)
    gci = safety * abs((f1 - f2) / f1) / (rp - 1.0) if abs(f1) > zero else nan
    return CelikEstimate(float(p), float(extrapolated), float(gci), "converging", monotone)


# --- the study ----------------------------------------------------------------------------

def _budgets(cells) -> list[int]:
    """The grid budgets as given, checked: integers >= 1, at least two, no repeats."""
    if isinstance(cells, (str, bytes)) or not isinstance(cells, Sequence):
        raise config_error("cells", f"a list of grid budgets such as [32, 48, 64], not {cells!r}")
    out = []
    for c in cells:
        if isinstance(c, bool) or not isinstance(c, numbers.Integral) or c < 1:
            raise config_error("cells", f"every grid budget must be a positive integer, got {c!r}")
        out.append(int(c))
    if len(out) < 2:
        raise config_error("cells", f"a convergence study needs at least two grids, got {out}")
    if len(set(out)) != len(out):
        raise config_error("cells", f"a grid budget is repeated: {out}")
    return out


def _budget_key(cfg: Config) -> str:
    """``cell.grid.cells`` when the config lays its grid out with ``cell.grid``, else ``cell.cells``."""
    cell = cfg.to_dict().get("cell") or {}
    return "cell.grid.cells" if isinstance(cell, dict) and "grid" in cell else "cell.cells"


def _grid(cfg: Config, budget: int) -> dict:
    """The grid a budget gives (built and validated by the core before anything runs, so a
    budget too coarse for the seeds or too large for the memory fails at once, naming its key)."""
    try:
        model = cfg.set(_budget_key(cfg), budget).model()
    except ConfigError as e:  # say which budget: the core's message names the key only
        err = ConfigError(f"grid budget {budget}: {e}")
        err.key = e.key
        raise err from None
    nz, ny, nx = (int(n) for n in model.shape)
    edges = [np.asarray(e) for e in (model.x_edges, model.y_edges, model.z_edges)]
    volume = float(np.prod([e[-1] - e[0] for e in edges]))
    cells = nx * ny * nz
    return {"budget": budget, "shape": (nx, ny, nz), "cells": cells, "h": (volume / cells) ** (1.0 / 3.0)}


def _convert(value: float, units: str, wanted: str) -> tuple[float, str]:
    if units == wanted:
        return value, units
    convert = _CONVERSIONS.get((units, wanted))
    return (convert(value), wanted) if convert else (value, units)  # unknown: keep the output's units


def key_figures(series) -> dict:
    """``{figure: (value, units, floor)}`` of the last row of a time-series table
    (:func:`hphtsim.read_timeseries`): every series of :data:`KEY_FIGURES` the run has, per-seed
    ones as ``name[seed]`` when there are several seeds, as in the table."""
    units = series.attrs.get("units", {})
    last = series.iloc[-1]
    out = {}
    for name, wanted, floor in KEY_FIGURES:
        for col in series.columns:
            base = col.split("[", 1)[0]
            if (base.startswith(name) if name.endswith("_") else base == name):
                out[col] = _convert(float(last[col]), units.get(col, ""), wanted) + (floor,)
    return out


def _raise_failed(row: dict, budget: int) -> None:
    message = f"the run on grid budget {budget} failed: {row['error']}"
    if row.get("error_key") or str(row.get("error", "")).startswith("ConfigError"):
        raise config_error(row.get("error_key") or "", message)
    raise RuntimeError(message)


def _table(grids: list[dict], figures: list[dict]):
    """One row per figure (after a row of cell counts and one of spacings): the value on each
    grid, the finest difference, the Celik estimate and each grid's error against it."""
    import pandas as pd
    labels = [str(g["budget"]) for g in grids]  # coarse to fine
    h = [g["h"] for g in grids]
    names = list(dict.fromkeys(k for fig in figures for k in fig))
    records = [dict({"figure": "cells", "units": "1"}, **{f"value_{b}": g["cells"] for b, g in zip(labels, grids)}),
               dict({"figure": "h", "units": "mm"}, **{f"value_{b}": g["h"] * 1e3 for b, g in zip(labels, grids)})]
    for name in names:
        values = np.array([fig[name][0] if name in fig else math.nan for fig in figures])
        _, units, floor = next(fig[name] for fig in figures if name in fig)
        rec = {"figure": name, "units": units}
        rec.update({f"value_{b}": v for b, v in zip(labels, values)})
        rec["difference"] = values[-1] - values[-2]
        # relative to a figure that is zero (a cold cell's source-seed difference) means nothing
        rec["relative_difference"] = rec["difference"] / abs(values[-1]) if abs(values[-1]) > floor else math.nan
        if len(grids) >= 3:
            est = celik_estimate(h, values, floor)
            rec.update(order=est.order, extrapolated=est.extrapolated, gci_fine=est.gci_fine,
                       convergence=est.convergence, monotone=est.monotone)
        else:  # values and their difference only: two grids say nothing about the order
            rec.update(order=math.nan, extrapolated=math.nan, gci_fine=math.nan, convergence="two grids",
                       monotone=None)
        for b, v in zip(labels, values):
            ext = rec["extrapolated"]
            rec[f"error_{b}"] = (v - ext) / abs(ext) if math.isfinite(ext) and abs(ext) > floor else math.nan
        records.append(rec)
    columns = (["figure", "units"] + [f"value_{b}" for b in labels] + ["difference", "relative_difference",
               "order", "extrapolated"] + [f"error_{b}" for b in labels] + ["gci_fine", "monotone", "convergence"])
    df = pd.DataFrame.from_records(records, columns=columns).set_index("figure")
    df["monotone"] = df["monotone"].astype("boolean")  # NA on the grid rows and with two grids
    df.attrs["grids"] = grids
    return df


def convergence(cfg: Union[Config, str, os.PathLike, Mapping], cells: Sequence[int],
                until: Union[str, float, None] = None, overrides=None, executor=None,
                out_dir: Union[str, os.PathLike, None] = None, threads: Optional[int] = None,
                progress=False):
    """Runs one case on several grid budgets and estimates the discretisation error of its key
    figures at the end time.

    Args:
        cfg: the case (:class:`Config`, YAML path or dict).
        cells: grid budgets (``cell.cells``), at least two; each gives the grid the core builds
            for it (a conforming grid may have fewer cells than the budget; the real count
            defines h).
        until: the end time of every run ("10 min", seconds); default the config's ``time.end``.
            A steady-state study (``time.start_from_steady_state: true`` and a short ``until``)
            is the usual use: the figures then carry no time-stepping error.
        overrides: extra ``{"key.path": value}`` or ``["key=value"]`` for every run.
        executor: None (in this process), any ``concurrent.futures.Executor`` or a
            ``dask.distributed.Client``, as for :func:`hphtsim.sweep`.
        out_dir: where the runs' files go; kept, and finished runs are not rerun (resume). Default:
            a temporary directory removed afterwards (on a cluster of several machines give a
            directory every worker sees).
        threads: OpenMP threads per run (default: the executor's :func:`hphtsim.thread_budget`).
        progress: True for the sweep's progress bar on stderr.

    Returns:
        A pandas DataFrame indexed by ``figure``: first ``cells`` (nx*ny*nz) and ``h`` (mm), then
        every key figure (:data:`KEY_FIGURES`: each probe, T_max, dT_source_seed, heater R and P,
        p_cell, growth rate and mass, those the run has; per-seed ones per seed). Columns
        ``units``, ``value_<budget>`` (coarse to fine), ``difference`` and ``relative_difference``
        (finest minus the next), ``order``, ``extrapolated``, ``error_<budget>`` ((value -
        extrapolated) / |extrapolated|, signed), ``gci_fine``, ``monotone`` (every step between
        grids of one sign) and ``convergence`` (see :class:`CelikEstimate`; "two grids" with two,
        and then no order). ``df.attrs["grids"]`` lists budget, (nx, ny, nz), cells and h (m).

    Raises:
        ConfigError: bad ``cells`` (key "cells"), a config or budget the core refuses, two
            budgets giving the same grid.
        RuntimeError: a run failed while computing.
    """
    from .sweeps import sweep
    base = load_config(cfg, overrides)
    budgets = _budgets(cells)
    grids = sorted((_grid(base, b) for b in budgets), key=lambda g: -g["h"])
    for coarse, fine in zip(grids, grids[1:]):
        if fine["h"] >= coarse["h"] * (1 - 1e-9):
            raise config_error("cells", f"budgets {coarse['budget']} and {fine['budget']} give the same grid spacing "
                               f"({coarse['shape']} and {fine['shape']} cells): no refinement between them")
    keep = contextlib.nullcontext(out_dir) if out_dir is not None else tempfile.TemporaryDirectory(
        prefix="hphtsim-converge-")
    with keep as runs_dir:
        key = _budget_key(base)
        table = sweep(base, [{key: g["budget"]} for g in grids], executor=executor, out_dir=runs_dir,
                      until=until, threads=threads, progress=progress, table=None)
        figures = []
        for g, (_, row) in zip(grids, table.iterrows()):
            if row["status"] != "ok":
                _raise_failed(row, g["budget"])
            figures.append(key_figures(read_timeseries(row["output"])))
    return _table(grids, figures)


def render(df) -> str:
    """The table as text for a terminal: a line per grid, then the figures with the errors and
    GCI in percent (the DataFrame and CSV keep fractions). With three or more grids the
    differences are left out, with two the (empty) estimate: the CSV has every column."""
    lines = [f"grid {g['budget']}: {' x '.join(map(str, g['shape']))} = {g['cells']} cells, "
             f"h = {g['h'] * 1e3:.4g} mm" for g in df.attrs.get("grids", [])]
    shown = df.drop(index=[i for i in ("cells", "h") if i in df.index])
    if sum(c.startswith("value_") for c in shown.columns) >= 3:
        shown = shown.drop(columns=["difference", "relative_difference"])
    else:
        shown = shown.drop(columns=["order", "extrapolated", "gci_fine", "monotone"]
                           + [c for c in shown.columns if c.startswith("error_")])

    def text(spec, scale=1.0, suffix=""):
        return lambda v: format(scale * v, spec) + suffix if isinstance(v, float) and math.isfinite(v) else ""

    out = {}
    for c in shown.columns:
        if c.startswith("error_") or c in ("relative_difference", "gci_fine"):
            out[c + " %"] = shown[c].map(text("+.3f" if c != "gci_fine" else ".3f", 100.0))
        elif c.startswith("value_") or c in ("difference", "extrapolated"):
            out[c] = shown[c].map(text(".6g"))
        elif c == "order":
            out[c] = shown[c].map(text(".3f"))
        else:
            out[c] = shown[c].astype(object).where(shown[c].notna(), "")
    import pandas as pd
    lines.append(pd.DataFrame(out, index=shown.index).to_string())
    return "\n".join(lines)
