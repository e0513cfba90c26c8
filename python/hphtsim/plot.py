"""Plots (matplotlib, Agg): a temperature slice through the cell axis, time series, sweep
responses. Every function takes an ``ax``/``fig`` to draw into or makes its own, and saves a
PNG when given ``out``.
"""
from __future__ import annotations

import math
import os
import re
from typing import Optional, Sequence, Union

import numpy as np

from .results import KELVIN, open_result

__all__ = ["default_snapshot", "plot_slice", "plot_timeseries", "plot_run", "plot_sweep", "is_estimate", "plot_estimate"]


def _plt():
    import matplotlib
    if "MPLBACKEND" not in os.environ and matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _dataset(source):
    """An xarray Dataset from a Dataset, a result path or a Simulation."""
    if hasattr(source, "to_dataset") and hasattr(source, "field"):
        return source.to_dataset()
    if isinstance(source, (str, os.PathLike)):
        return open_result(source)
    return source


def _mirrored(ds):
    """An axisymmetric (z, r) dataset as the x-z plane through the axis: the half-plane and its
    mirror image about the axis (x = -r ... r, one y cell at 0), so the slice plot draws it as
    it draws a 3-D cell's mid-plane."""
    import xarray as xr
    r, re = ds["r"].values, ds["r_edge"].values
    x = np.concatenate([-r[::-1], r])
    xe = np.concatenate([-re[::-1], re[1:]])
    data_vars = {}
    for name, v in ds.data_vars.items():
        if "r" in v.dims:
            a = np.concatenate([v.values[..., ::-1], v.values], axis=-1)[..., None, :]
            dims = tuple(d for d in v.dims if d != "r") + ("y", "x")
            data_vars[name] = (dims, a, v.attrs)
        else:
            data_vars[name] = v
    coords = {k: c for k, c in ds.coords.items() if k not in ("r", "r_edge")}
    coords.update({"x": ("x", x, {"units": "mm"}), "x_edge": ("x_edge", xe, {"units": "mm"}),
                   "y": ("y", [0.0], {"units": "mm"}), "y_edge": ("y_edge", [-re[1], re[1]], {"units": "mm"})})
    return xr.Dataset(data_vars, coords, attrs=ds.attrs)


def _fmt_time(s: float) -> str:
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 3 * 86400:
        return f"{s / 3600:.2f} h"
    return f"{s / 86400:.2f} d"


def _mm(text) -> Optional[float]:
    from . import _core
    try:
        v, dim = _core.parse_quantity(str(text))
    except (ValueError, RuntimeError):
        return None
    return v * 1e3 if dim == "m" else None


def _config_items(ds, section):
    import yaml
    try:
        doc = yaml.safe_load(ds.attrs.get("config", "")) or {}
    except Exception:
        return None
    return doc.get(section)


def _boundaries(mat: np.ndarray, xe: np.ndarray, ze: np.ndarray):
    """Segments along cell faces where the material id changes (mat is (nz, nx))."""
    segs = []
    kk, ii = np.nonzero(mat[:, 1:] != mat[:, :-1])
    for k, i in zip(kk, ii):
        segs.append(((xe[i + 1], ze[k]), (xe[i + 1], ze[k + 1])))
    kk, ii = np.nonzero(mat[1:, :] != mat[:-1, :])
    for k, i in zip(kk, ii):
        segs.append(((xe[i], ze[k + 1]), (xe[i + 1], ze[k + 1])))
    return segs


def default_snapshot(ds) -> tuple[int, str]:
    """The snapshot a grower wants to see and why: the last one at or before the end of the main
    hold (the run summary's ``hold_end`` in /meta), else the hottest one (largest T), else the
    last. Returns (index, reason)."""
    times = ds["time"].values
    if times.size == 0:
        raise ValueError("the result holds no complete snapshot yet")
    hold_end = ds.attrs.get("hold_end")
    if hold_end is not None and np.isfinite(hold_end) and float(hold_end) > 0:
        before = np.nonzero(times <= float(hold_end) * (1 + 1e-9))[0]
        if before.size:
            return int(before[-1]), "end of the main hold"
    if "T" in ds:
        peak = ds["T"].max(dim=[d for d in ds["T"].dims if d != "time"]).values
        return int(np.argmax(peak)), "hottest snapshot"
    return times.size - 1, "last snapshot"


def _capsule(ds, jy, ti):
    """Cells of the growth capsule in the slice (the solvent and carbon-source primitives'
    materials and the crystal), or None when the config names no such roles."""
    if "material" not in ds:
        return None
    names = list(ds["material"].attrs.get("names", []))
    roles = _config_items(ds, "roles") or {}
    prims = {p.get("name"): p.get("material") for p in (_config_items(ds, "assembly") or []) if isinstance(p, dict)}
    mats = {prims.get(roles.get(r)) for r in ("solvent", "carbon_source")} - {None}
    ids = [names.index(m) for m in mats if m in names] + ([names.index("diamond")] if "diamond" in names else [])
    if not ids:
        return None
    mask = np.isin(ds["material"].isel(y=jy).values, ids)
    if "crystal" in ds:
        mask |= ds["crystal"].isel(time=ti, y=jy).values > 0
    return mask if mask.any() else None


def _nice_step(span: float, n: int = 8) -> float:
    raw = max(span, 1e-12) / n
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def plot_slice(source, field: str = "T", time: Union[int, float, None] = None, y: float = 0.0, ax=None, out=None,
               cmap: str = "inferno", materials: bool = True, seeds: bool = True, probes: bool = True,
               labels: bool = True, isotherms: bool = True):
    """Field ``field`` in the x-z plane through the cell axis (the cells nearest ``y`` mm),
    temperatures in degC, with material boundaries (white), the grown crystal's outline (cyan;
    the seeds' squares without growth), probes, and isotherms in the growth capsule.

    Args:
        source: a result path, an xarray Dataset from open_result, or a Simulation.
        time: snapshot index (int) or time in s (float, nearest snapshot); None: the end of the
            main hold (see :func:`default_snapshot`). The title says which snapshot it drew.
    Returns:
        the Axes.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Rectangle
    plt = _plt()
    ds = _dataset(source)
    revolved = ds.attrs.get("geometry") == "axisymmetric"
    if revolved:
        ds = _mirrored(ds)
    if field not in ds:
        raise KeyError(f"no field '{field}' in the result (fields: {[v for v in ds.data_vars if 'time' in ds[v].dims]})")
    if ds.sizes.get("time", 0) == 0:
        raise ValueError("the result holds no complete snapshot yet")
    if time is None:
        ti, why = default_snapshot(ds)
    else:
        ti = time if isinstance(time, (int, np.integer)) else int(np.abs(ds["time"].values - float(time)).argmin())
        why = ""
    ti = int(ti) % ds.sizes["time"]
    t = float(ds["time"].values[ti])
    jy = int(np.abs(ds["y"].values - y).argmin())
    yv = float(ds["y"].values[jy])
    data = ds[field].isel(time=ti, y=jy).values
    units = ds[field].attrs.get("units", "")
    if field == "T" and units == "K":
        data, units = data - KELVIN, "degC"
    xe, ze = ds["x_edge"].values, ds["z_edge"].values
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 6.0), constrained_layout=True)
    fig = ax.figure
    mesh = ax.pcolormesh(xe, ze, data, cmap=cmap, shading="flat")
    cb = fig.colorbar(mesh, ax=ax, shrink=0.85)
    cb.set_label(f"{field} ({units})" if units else field)
    names = list(ds["material"].attrs.get("names", [])) if "material" in ds else []
    if materials and "material" in ds:
        mat = ds["material"].isel(y=jy).values
        ax.add_collection(LineCollection(_boundaries(mat, xe, ze), colors="white", linewidths=0.6, alpha=0.75))
        if labels and names:
            _label_materials(ax, mat, ds["x"].values, ds["z"].values, names)
    if seeds and "crystal" in ds:
        grown = ds["crystal"].isel(time=ti, y=jy).values > 0
        if grown.any():
            ax.add_collection(LineCollection(_boundaries(grown.astype(int), xe, ze), colors="cyan", linewidths=1.5))
        seeds = False
    if isotherms and field == "T":
        cap = _capsule(ds, jy, ti)
        if cap is not None:
            inside = np.where(cap, data, np.nan)
            lo, hi = np.nanmin(inside), np.nanmax(inside)
            if hi - lo > 1e-6:
                step = _nice_step(hi - lo)
                levels = np.arange(math.ceil(lo / step) * step, hi + 1e-9, step)
                xc, zc = ds["x"].values, ds["z"].values
                cs = ax.contour(xc, zc, inside, levels=levels, colors="deepskyblue", linewidths=0.7)
                ax.clabel(cs, fmt=lambda v: f"{v:.0f}" if step >= 1 else f"{v:.1f}", fontsize=6)
    if seeds:
        drew = False
        for s in _config_items(ds, "seeds") or []:
            if not isinstance(s, dict):
                continue
            c = [_mm(v) for v in (s.get("center") or [])]
            size = _mm(s.get("size"))
            if len(c) != 3 or None in c or size is None or abs(c[1] - yv) > size / 2 + 1e-9 + _half_cell(ds, jy):
                continue
            ax.add_patch(Rectangle((c[0] - size / 2, c[2] - size / 2), size, size, fill=False, ec="cyan", lw=1.6))
            ax.annotate(str(s.get("name", "seed")), (c[0] - size / 2, c[2]), xytext=(-4, 0), textcoords="offset points",
                        color="cyan", fontsize=8, va="center", ha="right")
            drew = True
        if not drew and "diamond" in names and "material" in ds:
            mat = ds["material"].isel(y=jy).values == names.index("diamond")
            ax.add_collection(LineCollection(_boundaries(mat.astype(int), xe, ze), colors="cyan", linewidths=1.4))
    if probes:
        shown = 0
        for name, pos in (_config_items(ds, "probes") or {}).items():
            p = [_mm(v) for v in (pos or [])] if isinstance(pos, list) else []
            if len(p) == 3 and None not in p and abs(p[1] - yv) <= _half_cell(ds, jy) + 1e-9:
                ax.plot(p[0], p[2], marker="+", color="lime", ms=7, mew=1.4)
                ax.annotate(name, (p[0], p[2]), xytext=(4, 4 if shown % 2 == 0 else -10), textcoords="offset points",
                            color="lime", fontsize=7)
                shown += 1
    ax.set_aspect("equal")
    ax.set_xlim(xe[0], xe[-1])
    ax.set_ylim(ze[0], ze[-1])
    ax.set_xlabel("r (mm), mirrored about the axis" if revolved else "x (mm)")
    ax.set_ylabel("z (mm), current axis")
    finite = data[np.isfinite(data)]
    rng = f", {finite.min():.0f}..{finite.max():.0f} {units}" if finite.size else ""
    which = f"snapshot {ti} of 0..{ds.sizes['time'] - 1}" + (f": {why}" if why else "")
    where = "axisymmetric (r, z), mirrored about the axis" if revolved else f"slice y = {yv:.2f} mm"
    ax.set_title(f"{field} at t = {_fmt_time(t)}, {where}{rng}\n{which}", fontsize=9)
    ax.hphtsim_snapshot = (ti, t, why)  # which snapshot was drawn (for the command line)
    if out:
        fig.savefig(out, dpi=130)
    return ax


def _half_cell(ds, jy):
    ye = ds["y_edge"].values
    return 0.5 * (ye[jy + 1] - ye[jy])


def _label_materials(ax, mat, xc, zc, names):
    """Names the larger material regions of the slice at a cell deep inside each."""
    for m in np.unique(mat):
        mask = mat == m
        if mask.sum() < 12:
            continue
        # distance (in cells) to a different material, by repeated erosion
        depth = np.zeros(mat.shape, int)
        cur = mask.copy()
        d = 0
        while cur.any() and d < 64:
            depth[cur] = d
            nxt = np.zeros_like(cur)  # the domain's edge counts as a boundary
            nxt[1:-1, 1:-1] = (cur[1:-1, 1:-1] & cur[:-2, 1:-1] & cur[2:, 1:-1]
                               & cur[1:-1, :-2] & cur[1:-1, 2:])
            cur = nxt
            d += 1
        if depth.max() < 1:
            continue
        k, i = np.unravel_index(np.argmax(np.where(mask, depth, -1)), mat.shape)
        ax.text(xc[i], zc[k], names[int(m)], color="white", fontsize=6.5, ha="center", va="center", alpha=0.9)


def _series(ds, name):
    if name not in ds:
        return None
    v = ds[name]
    return v


def plot_timeseries(source, fig=None, axes=None, out=None, hours: Optional[bool] = None):
    """Time series of a run: heater power; temperatures (T_max, source, seeds, probes incl. the
    thermocouple, setpoint); source-seed difference; pressure (p_cell, oil) and crystal mass
    when present. Returns the list of Axes."""
    plt = _plt()
    ds = _dataset(source)
    t = ds["series_time"].values if "series_time" in ds.coords else np.arange(ds.sizes.get("step", 0))
    if hours is None:
        hours = (t[-1] if len(t) else 0) > 3 * 3600
    tx = t / 3600.0 if hours else t / 60.0
    xlabel = "time (h)" if hours else "time (min)"
    panels = ["power", "T"]
    if "dT_source_seed" in ds:
        panels.append("dT")
    if any(n in ds for n in ("p_cell", "oil_pressure")):
        panels.append("p")
    if "mass" in ds or "mass_ct" in ds:
        panels.append("mass")
    if axes is None:
        if fig is None:
            fig = plt.figure(figsize=(6.4, 1.9 * len(panels) + 0.6), constrained_layout=True)
        axes = fig.subplots(len(panels), 1, sharex=True)
        axes = np.atleast_1d(axes)
    axes = list(axes)

    def lines(ax, var, scale=1.0, offset=0.0, label=None, **kw):
        v = _series(ds, var)
        if v is None:
            return
        vals = v.values
        if vals.ndim == 1:
            ax.plot(tx, vals * scale + offset, label=label or var, **kw)
        else:
            for j in range(vals.shape[1]):
                s = str(ds["seed"].values[j]) if "seed" in ds.coords else str(j)
                ax.plot(tx, vals[:, j] * scale + offset, label=f"{label or var}[{s}]", **kw)

    for ax, kind in zip(axes, panels):
        if kind == "power":
            lines(ax, "heater_power", label="heater power", color="tab:red")
            ax.set_ylabel("P (W)")
        elif kind == "T":
            lines(ax, "T_max", offset=-KELVIN, label="T_max", color="k", lw=1.2)
            lines(ax, "T_setpoint", offset=-KELVIN, label="setpoint", color="0.5", ls="--")
            lines(ax, "T_control", offset=-KELVIN, label="T_control")
            for name in sorted(n for n in ds.data_vars if str(n).startswith("T_probe_")):
                lines(ax, name, offset=-KELVIN, label=str(name)[len("T_probe_"):], lw=0.9)
            lines(ax, "T_source", offset=-KELVIN, label="T_source", lw=1.4)
            lines(ax, "T_seed", offset=-KELVIN, label="T_seed", lw=1.4)
            ax.set_ylabel("T (degC)")
        elif kind == "dT":
            lines(ax, "dT_source_seed", label="T_source - T_seed", color="tab:purple")
            ax.set_ylabel("dT (K)")
        elif kind == "p":
            lines(ax, "p_cell", scale=1e-9, label="p_cell (GPa)", color="tab:blue")
            if "oil_pressure" in ds:
                ax2 = ax.twinx() if "p_cell" in ds else ax
                v = ds["oil_pressure"].values * 1e-6
                ax2.plot(tx, v, color="tab:gray", ls="--", label="oil (MPa)")
                ax2.set_ylabel("oil (MPa)")
                if ax2 is not ax:
                    ax2.legend(ax.lines + ax2.lines, [l.get_label() for l in ax.lines + ax2.lines],
                               fontsize=7, loc="lower right")
            ax.set_ylabel("p_cell (GPa)" if "p_cell" in ds else "oil (MPa)")
        elif kind == "mass":
            var = "mass_ct" if "mass_ct" in ds else "mass"
            unit = ds[var].attrs.get("units", "ct")
            lines(ax, var, scale={"ct": 1.0, "mg": 0.005, "g": 5.0, "kg": 5000.0}.get(unit, 1.0), label="mass")
            ax.set_ylabel("mass (ct)")
        if ax.lines and not (kind == "p" and "p_cell" in ds and "oil_pressure" in ds):
            ax.legend(fontsize=7, loc="best", ncol=2)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel(xlabel)
    if out:
        axes[0].figure.savefig(out, dpi=130)
    return axes


def plot_run(path, out=None, time: Union[int, float, None] = None):
    """The standard picture of a run: the temperature slice (left; by default at the end of the
    main hold, see :func:`default_snapshot`) and its time series (right)."""
    plt = _plt()
    ds = _dataset(path)
    fig = plt.figure(figsize=(13, 6.6), constrained_layout=True)
    left, right = fig.subfigures(1, 2, width_ratios=[1.1, 1.0])
    ax = plot_slice(ds, ax=left.subplots(), time=time)
    fig.hphtsim_snapshot = ax.hphtsim_snapshot
    plot_timeseries(ds, fig=right)
    title = ds.attrs.get("path", "")
    fig.suptitle(f"{os.path.basename(title)}  (hphtsim {ds.attrs.get('version', '')}, {ds.attrs.get('git_revision', '')})",
                 fontsize=9)
    if out:
        fig.savefig(out, dpi=110)
    return fig


_NUM_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _numeric(values):
    """(numbers, unit) of a column of values like "0.8 kW" (same unit) or numbers."""
    nums, units = [], set()
    for v in values:
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            nums.append(float(v))
            units.add("")
            continue
        m = _NUM_UNIT.match(str(v))
        if not m:
            return None, None
        nums.append(float(m.group(1)))
        units.add(m.group(2))
    if len(units) != 1:
        return None, None
    return np.array(nums), units.pop()


def plot_sweep(table, x: Optional[str] = None, y: Sequence[str] = ("T_max_degC", "dT_source_seed_K"), out=None,
               axes=None):
    """Responses of a sweep: each summary figure in ``y`` against the swept parameter ``x``
    (default the first), a line per combination of the other swept parameters. ``table`` is
    the DataFrame of :func:`hphtsim.sweep` or the path of its CSV."""
    import pandas as pd
    plt = _plt()
    df = pd.read_csv(table, index_col=0) if isinstance(table, (str, os.PathLike)) else table
    params = list(df.attrs.get("params") or [])
    if not params:
        stop = list(df.columns).index("status") if "status" in df.columns else 0
        params = list(df.columns[:stop])
    if x is None:
        if not params:
            raise ValueError("plot_sweep: the table has no swept parameter")
        x = params[0]
    others = [p for p in params if p != x]
    y = [c for c in y if c in df.columns and pd.to_numeric(df[c], errors="coerce").notna().any()] or list(y)[:1]
    if axes is None:
        fig, axes = plt.subplots(len(y), 1, figsize=(6.4, 2.6 * len(y) + 0.4), sharex=True, constrained_layout=True)
    axes = list(np.atleast_1d(axes))
    groups = df.groupby(others, dropna=False) if others else [((), df)]
    for key, g in groups:
        xs, unit = _numeric(g[x].tolist())
        order = np.argsort(xs) if xs is not None else np.arange(len(g))
        xv = xs[order] if xs is not None else np.asarray(g[x].astype(str))[order]
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{k}={v}" for k, v in zip(others, key)) or None
        for ax, col in zip(axes, y):
            vals = pd.to_numeric(g[col], errors="coerce").to_numpy()[order]
            ax.plot(xv, vals, marker="o", label=label)
            if "margin" in col:
                ax.axhline(0.0, color="0.4", lw=0.8, ls="--")
            ax.set_ylabel(col)
            ax.grid(alpha=0.3)
        if "status" in g:
            bad = (g["status"].to_numpy()[order] != "ok")
            if bad.any():
                for ax in axes:
                    for xb in np.asarray(xv)[bad]:
                        ax.axvline(xb, color="tab:red", ls=":", lw=1)
    xs_all, unit = _numeric(df[x].tolist())
    axes[-1].set_xlabel(f"{x} ({unit})" if unit else x)
    if others:
        axes[0].legend(fontsize=7)
    axes[0].set_title(f"sweep of {x}: {len(df)} runs, {int((df.get('status') == 'ok').sum()) if 'status' in df else len(df)} ok",
                      fontsize=10)
    if out:
        axes[0].figure.savefig(out, dpi=130)
    return axes


def is_estimate(path) -> bool:
    """Whether a CSV is an ``hphtsim estimate`` table (a time column and ``*_std`` columns)."""
    try:
        with open(path) as f:
            header = f.readline()
    except OSError:
        return False
    return header.startswith("time [h],") and "_std [" in header


def plot_estimate(table, out=None, axes=None):
    """The virtual thermocouple's estimate (``hphtsim estimate``): seed and source temperatures,
    their difference, the growth rate and the mass against time, each with its +-2 std band."""
    import pandas as pd
    plt = _plt()
    df = pd.read_csv(table) if isinstance(table, (str, os.PathLike)) else table
    t = df["time [h]"].to_numpy()
    values = [c for c in df.columns if c != "time [h]" and "_std [" not in c]
    panels = [("T_", "temperature (degC)"), ("dT_source_seed", "source - seed (K)"),
              ("growth_rate", "growth rate (mg/h)"), ("mass_ct", "mass (ct)")]
    panels = [(p, label) for p, label in panels if any(c.startswith(p) for c in values)]
    if axes is None:
        fig, axes = plt.subplots(len(panels), 1, figsize=(7.0, 2.3 * len(panels) + 0.5), sharex=True,
                                 constrained_layout=True)
    axes = list(np.atleast_1d(axes))
    for ax, (prefix, label) in zip(axes, panels):
        for c in (c for c in values if c.startswith(prefix)):
            name = c.split(" [")[0]
            std_col = next((s for s in df.columns if s.startswith(f"{name}_std [")), None)
            y = df[c].to_numpy()
            line, = ax.plot(t, y, lw=1.2, label=name)
            if std_col is not None:
                s = df[std_col].to_numpy()
                ax.fill_between(t, y - 2 * s, y + 2 * s, color=line.get_color(), alpha=0.25, lw=0)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    axes[-1].set_xlabel("time (h)")
    axes[0].set_title("estimate from the log (bands: +-2 std of the calibration)", fontsize=10)
    if out:
        axes[0].figure.savefig(out, dpi=130)
    return axes
