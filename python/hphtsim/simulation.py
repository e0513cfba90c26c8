"""One run: the Python face of the C++ Simulation."""
from __future__ import annotations

import os
import sys
from typing import Any, Mapping, Optional, Union

import numpy as np

from . import _core
from ._errors import config_error, parse_duration
from .config import Config, load_config
from .results import KELVIN, series_frame, summarize

__all__ = ["Simulation"]


class Simulation:
    """A simulation of one config.

    Args:
        config: a :class:`Config`, a YAML path or a dict (see :func:`hphtsim.load_config`).
        overrides: extra ``{"key.path": value}`` or ``["key.path=value"]`` overrides.

    Raises:
        ConfigError: bad input; ``.key`` names the config key. Nothing has been computed.
        SolverError: the initial electric solve failed.

    The fields (``field("T")``) are live numpy views into the simulation's memory: they change
    as it steps, and they keep the simulation alive.
    """

    def __init__(self, config: Union[Config, str, os.PathLike, Mapping], overrides=None):
        self.config = load_config(config, overrides)
        self._model = self.config.model()
        self._sim = _core.Simulation(self._model)

    # -- stepping --------------------------------------------------------------------------
    @property
    def time(self) -> float:
        """Simulated time (s)."""
        return self._sim.time

    def step(self, dt: Union[str, float, None] = None) -> "Simulation":
        """One implicit step of ``dt`` ("30 s", or seconds; default ``time.step`` of the
        config), coupled to convergence, without step-size control. Returns self."""
        seconds = self._model.time_step if dt is None else parse_duration(dt, "dt")
        if not seconds > 0:
            raise config_error("dt", "the step must be positive")
        self._sim.step(seconds)
        return self

    def solve_steady(self) -> "Simulation":
        """The coupled steady state at the current settings. Returns self."""
        self._sim.solve_steady()
        return self

    def run(self, until: Union[str, float, None] = None, output: Union[str, os.PathLike, None] = None,
            overwrite: bool = False, progress: bool = False, restart: bool = False,
            checkpoint: bool = True) -> "Simulation":
        """Steps with step-size control to the absolute time ``until`` ("2 h", or seconds;
        default ``time.end``).

        With ``output``, the run goes through the same C++ driver as ``hphtsim run -o``: the
        HDF5 result file (and its .xmf), snapshots at the start, every
        ``output.snapshot_interval``, at recipe segment ends and at the end, a time-series row
        per step, the run summary in /meta, and (``checkpoint=True``, the default) the
        checkpoint ``OUT.checkpoint.h5`` beside it, so that the run can be continued with
        ``restart=True`` here or ``hphtsim run CONFIG -o OUT --restart`` (and the other way
        round). An existing file is an error unless ``overwrite`` or ``restart``.

        Called from the main thread, SIGINT and SIGTERM finish the step and write the
        checkpoint; then the signal takes its usual effect (KeyboardInterrupt for Ctrl-C).
        ``progress`` prints a line on stderr. Returns self.
        """
        t = -1.0 if until is None else parse_duration(until, "until")
        if until is not None and t < 0:
            raise config_error("until", "must not be negative")
        if output is None:
            if restart:
                raise config_error("restart", "needs the output file to continue")
            self._sim.run(t, bool(progress))
            return self
        import signal
        import threading
        main = threading.current_thread() is threading.main_thread()
        finished, sig, ckpt, summary = self._sim.run_to_result(
            os.fspath(output), t, bool(overwrite), bool(restart), bool(checkpoint), bool(progress), main)
        self._last_summary = {k: v for k, (v, _u) in summary.items()}
        if not finished and sig:
            print(f"[hphtsim] stopped by signal {sig} at t = {self.time:g} s; checkpoint {ckpt}; continue with "
                  f"Simulation(...).run(output={os.fspath(output)!r}, restart=True)", file=sys.stderr)
            signal.raise_signal(sig)  # the caller's handler (KeyboardInterrupt, or the default)
        return self

    # -- state -----------------------------------------------------------------------------
    def field(self, name: str) -> np.ndarray:
        """The live field ``name`` (see :attr:`field_names` and :meth:`outputs`; "T" in K,
        "phi" in V, "q" in W/m^3, "p" in Pa with the pressure field, "carbon" and "crystal"
        with growth) as a numpy array of shape (nz, ny, nx), or (nz, nr) in an axisymmetric
        cell, that shares the simulation's memory (no copy). Writing into a state field changes
        the simulation's state; output-only fields ("crystal") are read-only views. KeyError-like
        ValueError names every field."""
        a = self._sim.field(name)
        return a[:, 0, :] if self.axisymmetric else a

    def outputs(self):
        """Every output of this run from the C++ output table: a pandas DataFrame with a row per
        field and time-series column (kind, name, units, columns, meaning)."""
        import pandas as pd
        rows = [{"kind": "field", "name": n, "units": u, "columns": 1, "meaning": m}
                for n, u, m, _w in self._sim.field_meta()]
        rows += [{"kind": "series", "name": n, "units": u, "columns": c, "meaning": m}
                 for n, u, c, m in self._sim.series_meta()]
        return pd.DataFrame(rows)

    @property
    def field_names(self) -> list[str]:
        return list(self._sim.field_names())

    def field_units(self, name: str) -> str:
        return self._sim.field_units(name)

    def diagnostics(self) -> dict:
        """Figures of the current state: every time-series column of :meth:`outputs` by name
        (units as listed there; per-seed columns as lists)."""
        return self._sim.diagnostics()

    def run_summary(self) -> dict:
        """What a grower looks at, as ``hphtsim run`` prints it and writes to /meta: final mass
        (ct), mean growth rate over the main hold, hours and mass above the critical rate,
        smallest margins, peak temperature, p_cell range in the hold, electrical energy (kWh).
        ``{name: (value, units)}``."""
        return self._sim.summary()

    def timeseries(self):
        """Every time-series row recorded so far (initial state, then one per step or steady
        solve) as a pandas DataFrame indexed by ``time`` (s); per-seed series with several
        seeds become columns ``name[seed]``; ``.attrs["units"]`` holds the units."""
        return series_frame(self._sim.series_history(), self._sim.series_layout(), self.seed_names)

    def summary(self) -> dict:
        """The sweep table's summary figures of this run so far (see hphtsim.results.summarize)."""
        return summarize(self.timeseries())

    # -- geometry --------------------------------------------------------------------------
    @property
    def axisymmetric(self) -> bool:
        """True for an (r, z) cell (``cell.geometry: axisymmetric``)."""
        return bool(self._model.axisymmetric)

    @property
    def shape(self) -> tuple:
        """(nz, ny, nx); (nz, nr) in an axisymmetric cell."""
        nz, ny, nx = tuple(self._model.shape)
        return (nz, nx) if self.axisymmetric else (nz, ny, nx)

    @property
    def edges_mm(self) -> dict:
        """Cell edges in mm: {"x": ..., "y": ..., "z": ...}; {"r": ..., "z": ...} in an
        axisymmetric cell."""
        if self.axisymmetric:
            return {"r": self._model.x_edges * 1e3, "z": self._model.z_edges * 1e3}
        return {"x": self._model.x_edges * 1e3, "y": self._model.y_edges * 1e3, "z": self._model.z_edges * 1e3}

    @property
    def material(self) -> np.ndarray:
        """Material id per cell (nz, ny, nx), or (nz, nr); names in ``material_names``."""
        m = self._model.material
        return m[:, 0, :] if self.axisymmetric else m

    @property
    def material_names(self) -> list[str]:
        return list(self._model.material_names)

    @property
    def seed_names(self) -> list[str]:
        return [s.name for s in self._model.seeds]

    @property
    def seeds(self) -> list[dict]:
        """Seeds: name, center (mm), size (mm), material."""
        return [{"name": s.name, "center": tuple(c * 1e3 for c in s.center), "size": s.size * 1e3,
                 "material": s.material} for s in self._model.seeds]

    @property
    def config_yaml(self) -> str:
        """The resolved config (after overrides)."""
        return self._model.config_yaml

    def to_dataset(self, copy: bool = True):
        """The current state as an xarray Dataset in the layout of :func:`hphtsim.open_result`
        (one snapshot; the time series so far). ``copy=False`` keeps the fields as views."""
        import xarray as xr
        e = self.edges_mm
        cen = {k: 0.5 * (v[:-1] + v[1:]) for k, v in e.items()}
        names = self.material_names
        dims = ("z", "r") if self.axisymmetric else ("z", "y", "x")
        data_vars: dict[str, Any] = {
            "material": (dims, self.material,
                         {"names": names, "flag_values": list(range(len(names))), "flag_meanings": " ".join(names)}),
        }
        for n in self.field_names:
            a = self.field(n)
            data_vars[n] = (("time",) + dims, (a.copy() if copy else a)[None], {"units": self.field_units(n)})
        coords = {k: (k, cen[k], {"units": "mm"}) for k in dims}
        coords.update({k + "_edge": (k + "_edge", e[k], {"units": "mm"}) for k in dims})
        coords["time"] = ("time", [self.time], {"units": "s"})
        hist = np.asarray(self._sim.series_history())
        layout = self._sim.series_layout()
        coords["step"] = ("step", np.arange(hist.shape[0]))
        pos, nseed = 0, 0
        for name, unit, ncol in layout:
            block = hist[:, pos:pos + ncol]
            pos += ncol
            if name == "time":
                coords["series_time"] = ("step", block[:, 0], {"units": "s"})
            elif ncol == 1:
                data_vars[name] = (("step",), block[:, 0], {"units": unit})
            else:
                nseed = max(nseed, ncol)
                data_vars[name] = (("step", "seed"), block, {"units": unit})
        if nseed:
            coords["seed"] = ("seed", self.seed_names[:nseed])
        return xr.Dataset(data_vars, coords, attrs={"config": self.config_yaml, "version": _core.version,
                                                   "git_revision": _core.git_revision,
                                                   "geometry": "axisymmetric" if self.axisymmetric else "cartesian"})

    def __repr__(self):
        d = self.diagnostics()
        cells = (f"{self.shape[1]}x{self.shape[0]} (r, z)" if self.axisymmetric
                 else f"{self.shape[2]}x{self.shape[1]}x{self.shape[0]}")
        return (f"<hphtsim.Simulation {cells} cells, "
                f"t = {self.time:g} s, T_max = {d['T_max'] - KELVIN:.1f} degC, P = {d['heater_power']:.1f} W>")
