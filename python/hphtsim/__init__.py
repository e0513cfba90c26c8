"""hphtsim: simulator of HPHT diamond growth (temperature-gradient method) in a cubic press.

The C++ core (module ``hphtsim._core``) computes; this package holds the Python API::

    import hphtsim
    cfg = hphtsim.load_config("configs/tgm_default.yaml", {"cell.cells": 40})
    sim = hphtsim.Simulation(cfg.set("recipe.heater.segments.1.ramp_to", "1260 W"))
    sim.run(until="2 h", output="run.h5")
    T = sim.field("T")                    # live numpy view (K), no copy
    ds = hphtsim.open_result("run.h5")    # xarray Dataset
    table = hphtsim.sweep(cfg, {"cell.cells": [40, 48]}, out_dir="sweep", until="2 h")
    study = hphtsim.convergence(cfg, cells=[32, 48, 64], until="10 min")   # grid convergence

See docs/python.md.

Errors: :class:`ConfigError` (a ValueError with ``.key``, the dotted config key),
:class:`SolverError` (RuntimeError), :class:`ResultFileError` (OSError).
"""
from . import _core
from ._errors import ConfigError, ResultFileError, SolverError
from .config import Config, load_config
from .convergence import celik_estimate, convergence
from .results import open_result, read_timeseries, summarize
from .simulation import Simulation
from .sweeps import available_cores, expand_params, sweep, thread_budget

__version__ = _core.version
git_revision = _core.git_revision


def set_num_threads(n: int) -> None:
    """OpenMP threads of the runs in this process (results do not depend on it)."""
    if int(n) < 1:
        raise ValueError("set_num_threads: n must be at least 1")
    _core.set_num_threads(int(n))


def get_num_threads() -> int:
    """OpenMP threads a run in this process uses."""
    return _core.get_num_threads()


def parse_duration(text) -> float:
    """Seconds of a duration string ("2 h", "90 min", "3 d"); ConfigError if it is not one."""
    from ._errors import parse_duration as _pd
    return _pd(text, "duration")


__all__ = ["Config", "available_cores", "celik_estimate", "ConfigError", "convergence", "ResultFileError",
           "Simulation", "SolverError", "expand_params", "get_num_threads", "load_config", "open_result",
           "parse_duration", "read_timeseries", "set_num_threads", "summarize", "sweep", "thread_budget"]
