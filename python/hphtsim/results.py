"""Result files (HDF5, layout in include/hphtsim/io/result_file.hpp) as xarray and pandas.

Read with h5py only (not the C++ core), eagerly into memory, so the file is closed on return.
A file that is still being written, or whose run was killed, is read as far as it is
complete: snapshots that lack a field or their time are left out, and time series are cut
to the rows every series has.

Dataset layout of :func:`open_result`:

=====================  ====================  =============================================
name                   dims                  meaning
=====================  ====================  =============================================
``x``, ``y``, ``z``    own                   cell centres, mm (0 at the cell's centre)
``x_edge`` ...         own                   cell edges, mm
``time``               own                   snapshot times, s
``T``, ``phi``, ``q``  time, z, y, x         fields as written (K, V, W/m^3; ``units`` attr)
``material``           z, y, x               material id; ``attrs["names"]`` (by id)
``step``               own                   time-series row number
``series_time``        step                  time of each row, s (coordinate)
``<series>``           step [, seed]         every /timeseries dataset but ``time``
``seed``               own                   seed names (for 2-D per-seed series)
=====================  ====================  =============================================

An axisymmetric result (``attrs["geometry"] == "axisymmetric"``) is the (r, z) half-plane:
coordinates ``r``, ``z``, ``r_edge``, ``z_edge`` (mm, r from the axis) and fields on
``(time, z, r)``, ``material`` on ``(z, r)``.

Attributes: ``version``, ``git_revision``, ``created``, ``config`` (the resolved YAML) and
the key figures of /meta (``final_T_max`` ...), ``path``.
"""
from __future__ import annotations

import math
import os
from typing import Iterable, Sequence

import numpy as np

__all__ = ["open_result", "read_timeseries", "series_frame", "summarize", "seed_names_from_config",
           "SUMMARY_COLUMNS"]

KELVIN = 273.15


def _h5():
    import h5py
    return h5py


def _open(path):
    h5py = _h5()
    try:
        return h5py.File(path, "r", locking=False)
    except TypeError:  # h5py without the locking keyword
        return h5py.File(path, "r")


def _text(v) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray) and v.shape == ():
        return _text(v[()])
    return str(v)


def seed_names_from_config(config_yaml: str, count: int) -> list[str]:
    """Seed names from the ``seeds`` list of a config (``"0"``, ``"1"``... where missing)."""
    names: list[str] = []
    try:
        import yaml
        doc = yaml.safe_load(config_yaml) or {}
        for i, s in enumerate(doc.get("seeds") or []):
            names.append(str(s.get("name", i)) if isinstance(s, dict) else str(i))
    except Exception:  # a broken config text must not make the results unreadable
        names = []
    names = names[:count]
    names += [str(i) for i in range(len(names), count)]
    return names


def series_frame(values: np.ndarray, layout: Sequence[tuple], seed_names: Sequence[str]):
    """A time-series table from rows (one per step) and their layout [(name, units, columns)].

    Index ``time`` (s); a column per 1-D series; per-seed series with more than one column
    become ``name[seed]``. ``df.attrs["units"]`` maps columns to units.
    """
    import pandas as pd
    values = np.asarray(values, dtype=float).reshape(len(values), -1) if len(values) else np.zeros((0, 0))
    cols, units, data = [], {}, []
    pos = 0
    for name, unit, n in layout:
        n = int(n)
        block = values[:, pos:pos + n] if values.size else np.zeros((0, n))
        pos += n
        if n == 1:
            cols.append(name)
            units[name] = unit
            data.append(block[:, 0])
        else:
            for j in range(n):
                c = f"{name}[{seed_names[j] if j < len(seed_names) else j}]"
                cols.append(c)
                units[c] = unit
                data.append(block[:, j])
    df = pd.DataFrame({c: d for c, d in zip(cols, data)}, columns=cols)
    if "time" in df.columns:
        df = df.set_index("time")
        df.index.name = "time"
    df.attrs["units"] = units
    return df


def _read_layout(f):
    """Complete time series of an open file: (layout, rows, seed names, config text)."""
    config = _text(f["meta/config"][()]) if "meta" in f and "config" in f["meta"] else ""
    ts = f["timeseries"] if "timeseries" in f else {}
    arrays = {}
    for name in ts:
        d = ts[name]
        arrays[name] = (np.asarray(d[()], dtype=float), _text(d.attrs.get("units", "")))
    n = min((a.shape[0] for a, _ in arrays.values()), default=0)
    # "time" first, then the file's (alphabetical) order
    names = sorted(arrays, key=lambda k: (k != "time", k))
    layout, blocks = [], []
    for name in names:
        a, u = arrays[name]
        a = a[:n].reshape(n, -1) if a.ndim > 1 else a[:n].reshape(n, 1)
        layout.append((name, u, a.shape[1]))
        blocks.append(a)
    rows = np.concatenate(blocks, axis=1) if blocks else np.zeros((0, 0))
    nseed = max((c for _, _, c in layout), default=1)
    return layout, rows, seed_names_from_config(config, nseed if nseed > 1 else _config_seed_count(config)), config


def _config_seed_count(config: str) -> int:
    try:
        import yaml
        return len((yaml.safe_load(config) or {}).get("seeds") or [])
    except Exception:
        return 0


def read_timeseries(path):
    """The time series of a result file as a pandas DataFrame (see :func:`series_frame`)."""
    with _open(path) as f:
        layout, rows, seeds, _ = _read_layout(f)
    return series_frame(rows, layout, seeds)


def _centres_mm(edges_m):
    e = np.asarray(edges_m, dtype=float) * 1e3
    return 0.5 * (e[:-1] + e[1:]), e


def open_result(path):
    """Opens a result file as an :class:`xarray.Dataset` (layout in this module's docstring).

    Works on a file that is still being written or whose run was killed: what is complete is
    read. Raises ResultFileError if the file cannot be opened or holds no grid.
    """
    import xarray as xr
    from ._errors import ResultFileError
    try:
        f = _open(path)
    except (OSError, ValueError) as e:
        raise ResultFileError(f"cannot open result file '{path}': {e}") from None
    with f:
        if "grid" not in f:
            raise ResultFileError(f"'{path}' is not an hphtsim result (no /grid)")
        xc, xe = _centres_mm(f["grid/x"][()])
        yc, ye = _centres_mm(f["grid/y"][()])
        zc, ze = _centres_mm(f["grid/z"][()])
        shape = (len(zc), len(yc), len(xc))
        # An axisymmetric result is the (r, z) half-plane: dimensions (z, r), one cell over the
        # revolution dropped; x in the file is r.
        revolved = _text(f["grid"].attrs.get("geometry", "cartesian")) == "axisymmetric"
        if revolved:
            dims = ("z", "r")
            coords = {"r": ("r", xc, {"units": "mm", "long_name": "cell centre radius"}),
                      "z": ("z", zc, {"units": "mm", "long_name": "cell centre z (axis)"}),
                      "r_edge": ("r_edge", xe, {"units": "mm"}),
                      "z_edge": ("z_edge", ze, {"units": "mm"})}
        else:
            dims = ("z", "y", "x")
            coords = {"x": ("x", xc, {"units": "mm", "long_name": "cell centre x"}),
                      "y": ("y", yc, {"units": "mm", "long_name": "cell centre y"}),
                      "z": ("z", zc, {"units": "mm", "long_name": "cell centre z (current axis)"}),
                      "x_edge": ("x_edge", xe, {"units": "mm"}),
                      "y_edge": ("y_edge", ye, {"units": "mm"}),
                      "z_edge": ("z_edge", ze, {"units": "mm"})}
        cut = (lambda a: a[..., 0, :]) if revolved else (lambda a: a)
        data_vars = {}
        attrs = {"path": os.fspath(path), "geometry": "axisymmetric" if revolved else "cartesian"}
        if "meta" in f:
            for k, v in f["meta"].attrs.items():
                attrs[k] = _text(v) if isinstance(v, (bytes, str)) else (v.item() if hasattr(v, "item") else v)
        names = [_text(n) for n in f["materials"][()]] if "materials" in f else []
        if "material" in f:
            mat = np.asarray(f["material"][()], dtype=np.int32).reshape(shape)
            data_vars["material"] = (dims, cut(mat),
                                     {"names": names, "flag_values": list(range(len(names))),
                                      "flag_meanings": " ".join(names)})

        # snapshots: complete ones only (every field of the first, and a time)
        times, fields = [], {}
        snaps = f["snapshots"] if "snapshots" in f else {}
        expected = None
        for key in sorted(snaps):
            g = snaps[key]
            if "time" not in g.attrs:
                continue
            present = [n for n in g if isinstance(g[n], _h5().Dataset) and g[n].shape == shape]
            if expected is None:
                expected = present
            if not expected or any(n not in present for n in expected):
                continue
            times.append(float(g.attrs["time"]))
            for n in expected:
                fields.setdefault(n, ([], _text(g[n].attrs.get("units", ""))))[0].append(np.asarray(g[n][()]))
        coords["time"] = ("time", np.asarray(times, dtype=float), {"units": "s", "long_name": "snapshot time"})
        for n, (arrs, u) in fields.items():
            data_vars[n] = (("time",) + dims, cut(np.stack(arrs)), {"units": u})

        layout, rows, seeds, config = _read_layout(f)
    attrs.setdefault("config", config)
    nrow = rows.shape[0]
    coords["step"] = ("step", np.arange(nrow))
    pos, nseed = 0, 0
    for name, unit, n in layout:
        block = rows[:, pos:pos + n]
        pos += n
        if name == "time":
            coords["series_time"] = ("step", block[:, 0], {"units": "s", "long_name": "time-series time"})
        elif n == 1:
            data_vars[name] = (("step",), block[:, 0], {"units": unit})
        else:
            nseed = max(nseed, n)
            data_vars[name] = (("step", "seed"), block, {"units": unit})
    if nseed:
        coords["seed"] = ("seed", list(seeds[:nseed]))
    return xr.Dataset(data_vars=data_vars, coords=coords, attrs=attrs)


# --- summary figures of one run (the sweep table's columns) --------------------------------

SUMMARY_COLUMNS = ["final_time_h", "T_max_degC", "dT_source_seed_K", "T_seed_degC", "heater_power_W",
                   "p_cell_GPa", "mass_min_ct", "mass_total_ct", "min_line_margin_K", "min_line_margin_GPa",
                   "mass_above_critical_mg", "source_remaining", "p_cell_peak_GPa", "anvil_advance_min_um",
                   "convection_enhancement"]

_TO_CARAT = {"ct": 1.0, "mg": 1.0 / 200.0, "g": 5.0, "kg": 5000.0}


def _columns(df, name):
    return [c for c in df.columns if c == name or c.startswith(name + "[")]


def _last(df, name):
    cols = _columns(df, name)
    if not cols or len(df) == 0:
        return np.array([])
    return df[cols].iloc[-1].to_numpy(dtype=float)


def _nanmin(a) -> float:
    a = np.asarray(a, dtype=float)
    return float(np.nanmin(a)) if a.size and np.isfinite(a).any() else math.nan


def summarize(df) -> dict:
    """Summary figures of a run from its time-series table (:func:`series_frame`):

    - ``final_time_h``: last time (h); ``T_max_degC``: peak of T_max over the run (degC);
    - ``dT_source_seed_K``: source minus seed temperature at the end, smallest over seeds (K);
    - ``T_seed_degC``: seed temperature at the end, lowest over seeds; ``heater_power_W``: at the end;
    - ``p_cell_GPa``: cell pressure at the end;
    - ``mass_min_ct`` / ``mass_total_ct``: final crystal mass, smallest / summed over seeds (ct);
    - ``min_line_margin_K`` / ``_GPa``: smallest margin to the graphite-diamond line (> 0:
      diamond-stable) over the seeds and the rows where the solvent at the seed is molten
      (``eutectic_margin_K`` > 0; every row when the run has no such series);
    - ``mass_above_critical_mg``: mass grown above the critical rate by the end, largest over seeds;
    - ``source_remaining``: fraction of the carbon source left at the end;
    - ``p_cell_peak_GPa``: highest cell pressure over the run;
    - ``anvil_advance_min_um``: smallest anvil advance over the run (most negative: the furthest
      the heated cell pushed the rams back, um);
    - ``convection_enhancement``: D_eff / D of the melt at the end.

    Figures whose series the run lacks are NaN.
    """
    units = df.attrs.get("units", {})
    out = dict.fromkeys(SUMMARY_COLUMNS, math.nan)
    if len(df) == 0:
        return out
    out["final_time_h"] = float(df.index[-1]) / 3600.0
    if _columns(df, "T_max"):
        out["T_max_degC"] = float(np.nanmax(df[_columns(df, "T_max")].to_numpy(dtype=float))) - KELVIN
    out["dT_source_seed_K"] = _nanmin(_last(df, "dT_source_seed"))
    out["T_seed_degC"] = _nanmin(_last(df, "T_seed")) - KELVIN
    p = _last(df, "heater_power")
    out["heater_power_W"] = float(p[0]) if p.size else math.nan
    pc = _last(df, "p_cell")
    if pc.size:
        out["p_cell_GPa"] = float(pc[0]) * {"Pa": 1e-9, "MPa": 1e-3, "GPa": 1.0}.get(units.get("p_cell", "Pa"), math.nan)
    for name in ("mass_ct", "mass"):
        m = _last(df, name)
        if m.size:
            factor = _TO_CARAT.get(units.get(_columns(df, name)[0], ""), math.nan)
            out["mass_min_ct"] = _nanmin(m * factor)
            out["mass_total_ct"] = float(np.nansum(m * factor))
            break
    molten = None
    if _columns(df, "eutectic_margin_K"):
        molten = df[_columns(df, "eutectic_margin_K")].to_numpy(dtype=float) > 0.0
    for name, col in (("line_margin_K", "min_line_margin_K"), ("line_margin_GPa", "min_line_margin_GPa")):
        if _columns(df, name):
            a = df[_columns(df, name)].to_numpy(dtype=float)
            if molten is not None and molten.shape == a.shape:
                a = np.where(molten, a, np.nan)
            out[col] = _nanmin(a)
    above = _last(df, "mass_above_critical")
    if above.size:
        out["mass_above_critical_mg"] = float(np.nanmax(above))
    left = _last(df, "source_remaining")
    if left.size:
        out["source_remaining"] = float(left[0])
    to_gpa = {"Pa": 1e-9, "MPa": 1e-3, "GPa": 1.0}
    if _columns(df, "p_cell"):
        out["p_cell_peak_GPa"] = float(np.nanmax(df[_columns(df, "p_cell")].to_numpy(dtype=float))) * to_gpa.get(
            units.get("p_cell", "Pa"), math.nan)
    if _columns(df, "anvil_advance"):
        a = df[_columns(df, "anvil_advance")].to_numpy(dtype=float)
        out["anvil_advance_min_um"] = float(np.nanmin(a)) * {"m": 1e6, "mm": 1e3, "um": 1.0}.get(
            units.get("anvil_advance", "m"), math.nan)
    sh = _last(df, "convection_enhancement")
    if sh.size:
        out["convection_enhancement"] = float(sh[0])
    return out


def summarize_file(path) -> dict:
    """:func:`summarize` of a result file's time series."""
    return summarize(read_timeseries(path))
