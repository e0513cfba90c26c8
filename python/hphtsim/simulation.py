"""One run: the Python face of the C++ Simulation."""
from __future__ import annotations

import os
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
            overwrite: bool = False, progress: bool = False) -> "Simulation":
        """Steps with step-size control to the absolute time ``until`` ("2 h", or seconds;
        default ``time.end``).

        With ``output``, writes the HDF5 result file (and its .xmf) exactly as
        ``hphtsim run -o`` does: snapshots at the start, every ``output.snapshot_interval``
        and at the end, a time-series row per step, the final figures in /meta. An existing
        file is an error unless ``overwrite``. ``progress`` prints a line on stderr. Returns self.
        """
        t = -1.0 if until is None else parse_duration(until, "until")
        if until is not None and t < 0:
            raise config_error("until", "must not be negative")
        if output is None:
            self._sim.run(t, bool(progress))
        else:
            path = os.fspath(output)
            if os.path.exists(path) and not overwrite:
                raise config_error("output", f"output file '{path}' exists; pass overwrite=True to replace it")
            self._sim.run_to_file(t, path, bool(overwrite), bool(progress))
        return self

    # -- state -----------------------------------------------------------------------------
    def field(self, name: str) -> np.ndarray:
        """The live field ``name`` ("T" in K, "phi" in V, "q" in W/m^3) as a numpy array of
        shape (nz, ny, nx) that shares the simulation's memory (no copy). Writing into it
        changes the simulation's state."""
        return self._sim.field(name)

    @property
    def field_names(self) -> list[str]:
        return list(self._sim.field_names())

    def field_units(self, name: str) -> str:
        return self._sim.field_units(name)

    def diagnostics(self) -> dict:
        """Figures of the current state (SI units; per-seed values as lists)."""
        return self._sim.diagnostics()

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
    def shape(self) -> tuple:
        """(nz, ny, nx)."""
        return tuple(self._model.shape)

    @property
    def edges_mm(self) -> dict:
        """Cell edges in mm: {"x": ..., "y": ..., "z": ...}."""
        return {"x": self._model.x_edges * 1e3, "y": self._model.y_edges * 1e3, "z": self._model.z_edges * 1e3}

    @property
    def material(self) -> np.ndarray:
        """Material id per cell (nz, ny, nx); names in ``material_names``."""
        return self._model.material

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
        data_vars: dict[str, Any] = {
            "material": (("z", "y", "x"), self.material,
                         {"names": names, "flag_values": list(range(len(names))), "flag_meanings": " ".join(names)}),
        }
        for n in self.field_names:
            a = self.field(n)
            data_vars[n] = (("time", "z", "y", "x"), (a.copy() if copy else a)[None], {"units": self.field_units(n)})
        coords = {k: (k, cen[k], {"units": "mm"}) for k in ("x", "y", "z")}
        coords.update({k + "_edge": (k + "_edge", e[k], {"units": "mm"}) for k in ("x", "y", "z")})
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
                                                   "git_revision": _core.git_revision})

    def __repr__(self):
        d = self.diagnostics()
        return (f"<hphtsim.Simulation {self.shape[2]}x{self.shape[1]}x{self.shape[0]} cells, "
                f"t = {self.time:g} s, T_max = {d['T_max'] - KELVIN:.1f} degC, P = {d['heater_power']:.1f} W>")
