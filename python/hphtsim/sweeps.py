"""Parameter sweeps: many runs of one base config, on one machine or a cluster.

Each run writes ``out_dir/run_<id>.h5`` (``id``: 8 hex digits of a SHA-1 over the base
config, the run's overrides and ``until``, so a run keeps its name when the sweep grows) and,
when it ends, ``out_dir/run_<id>.json`` (its table row, written atomically). A rerun with
``resume=True`` takes the rows of runs whose JSON says ``ok`` and whose .h5 exists and runs
only the others (failed ones included). A failing run is a row with ``status == "failed"``
and the error text, never an exception that loses the other runs.

Runs execute through the top-level function :func:`_run_one` on any executor: none (in this
process, one after the other), a ``concurrent.futures`` executor (ProcessPoolExecutor,
mpi4py's MPIPoolExecutor), or a ``dask.distributed.Client`` (the path to many machines).
Every run gets a budget of OpenMP threads (cores / concurrent runs per machine, at least 1)
so a sweep never oversubscribes the cores.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import itertools
import json
import math
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

from . import _core
from ._atomic import write_atomically
from .config import Config, load_config, yaml_value
from .results import SUMMARY_COLUMNS, read_timeseries, summarize

__all__ = ["sweep", "expand_params", "run_id", "thread_budget", "available_cores", "ProgressBar"]

STATUS_COLUMNS = ["status", "error", "error_key"]
TAIL_COLUMNS = ["output", "run_id", "threads", "wall_s", "cached", "resumed"]


def expand_params(params: Union[Mapping[str, Sequence], Sequence[Mapping[str, Any]]]) -> list[dict]:
    """The runs of a sweep as a list of override dicts.

    A grid ``{"heater.power": ["0.8 kW", "0.9 kW"], "cell.cells": [32, 40]}`` gives the
    Cartesian product (the first key varies slowest); a list of dicts is taken as it is.
    """
    if isinstance(params, Mapping):
        keys = list(params)
        for k in keys:
            v = params[k]
            if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
                raise TypeError(f"sweep grid: the values of '{k}' must be a list, not {type(v).__name__}")
        values = [list(params[k]) for k in keys]
        return [dict(zip(keys, combo)) for combo in itertools.product(*values)]
    runs = []
    for i, p in enumerate(params):
        if not isinstance(p, Mapping):
            raise TypeError(f"sweep list: item {i} must be a dict of overrides, not {type(p).__name__}")
        runs.append(dict(p))
    return runs


def run_id(base: Config, overrides: Mapping[str, Any], until=None) -> str:
    """8 hex digits naming a run: SHA-1 of the base config (text and overrides), the run's
    overrides (as ``key=value`` text, in order) and ``until``."""
    doc = {"base": [base.text, list(base.overrides)],
           "overrides": [f"{k}={yaml_value(v)}" for k, v in overrides.items()],
           "until": None if until is None else str(until)}
    return hashlib.sha1(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:8]


# --- threads ----------------------------------------------------------------------------

def available_cores() -> int:
    """Cores this process may run on (its CPU affinity)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _is_dask(executor) -> bool:
    try:
        from distributed import Client
        if isinstance(executor, Client):
            return True
    except ImportError:
        pass
    return hasattr(executor, "gather") and hasattr(executor, "submit") and hasattr(executor, "scheduler_info")


def run_tasks(fn, tasks: list, executor=None) -> list:
    """``[fn(t) for t in tasks]`` on ``executor`` (None: in this process; a dask Client; any
    concurrent.futures executor), results in the tasks' order: the studies' forward runs."""
    if executor is None:
        return [fn(t) for t in tasks]
    if _is_dask(executor):
        return executor.gather([executor.submit(fn, t, pure=False) for t in tasks])
    return list(executor.map(fn, tasks))


def thread_budget(executor=None) -> int:
    """OpenMP threads per run so that concurrent runs fill but never oversubscribe the cores.

    No executor: ``OMP_NUM_THREADS`` if set, else all cores of this machine. A
    concurrent.futures executor: cores //
    max_workers (of this machine; MPI workers are assumed to share it). A dask Client: the
    smallest over the cluster's machines of cores // (task slots of the workers there).
    """
    if executor is None:
        try:
            return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
        except ValueError:
            return available_cores()
    if _is_dask(executor):
        info = executor.scheduler_info().get("workers", {})
        try:
            cores = executor.run(available_cores)  # {worker address: cores of its machine}
        except Exception:
            cores = {}
        slots: dict[str, int] = {}
        host_cores: dict[str, int] = {}
        for addr, w in info.items():
            host = w.get("host", addr)
            slots[host] = slots.get(host, 0) + int(w.get("nthreads", 1))
            host_cores[host] = int(cores.get(addr, available_cores()))
        if not slots:
            return 1
        return max(1, min(host_cores[h] // slots[h] for h in slots))
    workers = getattr(executor, "_max_workers", None) or getattr(executor, "num_workers", None) or 1
    return max(1, available_cores() // int(workers))


def _set_threads(n: int) -> None:
    os.environ["OMP_NUM_THREADS"] = str(n)
    _core.set_num_threads(int(n))


# --- one run ----------------------------------------------------------------------------

def _write_json_atomic(path: str, data: dict) -> None:
    write_atomically(path, lambda f: json.dump(data, f, indent=1, default=str))


def _plain(v):
    return v if isinstance(v, (str, int, float, bool)) or v is None else yaml_value(v)


def _run_one(task: dict) -> dict:
    """Runs one member of a sweep and returns its table row; never raises.

    ``task``: index, run_id, config (:class:`Config`), overrides (dict), until, output,
    status (JSON path), threads. Writes the result file and, at the end, the status JSON.
    """
    t0 = time.perf_counter()
    row: dict[str, Any] = {"index": task["index"], "run_id": task["run_id"],
                           "overrides": {k: _plain(v) for k, v in task["overrides"].items()},
                           "status": "failed", "error": "", "error_key": "",
                           "output": task["output"], "threads": task["threads"], "cached": False,
                           "resumed": False}
    row.update(dict.fromkeys(SUMMARY_COLUMNS, math.nan))
    previous, previous_env = None, os.environ.get("OMP_NUM_THREADS")
    try:
        previous = _core.get_num_threads()
        _set_threads(task["threads"])
        from .simulation import Simulation
        sim = Simulation(task["config"].with_overrides(task["overrides"]))
        # A member interrupted before (its result and checkpoint exist, its status is not ok)
        # continues from its checkpoint instead of starting again.
        ckpt = _core.checkpoint_path(task["output"])
        resumed = False
        if task.get("resume", True) and os.path.exists(task["output"]) and os.path.exists(ckpt):
            try:
                sim.run(until=task["until"], output=task["output"], restart=True)
                resumed = True
            except ValueError as e:  # a checkpoint of another config, unreadable: start again
                if getattr(e, "key", None) != "restart":
                    raise
                sim = Simulation(task["config"].with_overrides(task["overrides"]))
        if not resumed:
            sim.run(until=task["until"], output=task["output"], overwrite=True)
        row["resumed"] = resumed
        del sim
        # A finished member needs no checkpoint (a sweep directory would hold one per run).
        if os.path.exists(ckpt):
            os.remove(ckpt)
        row.update(summarize(read_timeseries(task["output"])))
        row["status"] = "ok"
    except Exception as e:  # a failed run is a row
        row["error"] = f"{type(e).__name__}: {e}"
        row["error_key"] = getattr(e, "key", None) or ""
        if not isinstance(e, (ValueError, RuntimeError, OSError)):
            row["error"] += "\n" + traceback.format_exc(limit=5)
    finally:
        if previous is not None:
            _core.set_num_threads(previous)
        if previous_env is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = previous_env
    row["wall_s"] = time.perf_counter() - t0
    try:
        _write_json_atomic(task["status"], row)
    except OSError as e:
        row["error"] = (row["error"] + "; " if row["error"] else "") + f"cannot write status file: {e}"
    return row


def _cached_row(task: dict) -> Optional[dict]:
    try:
        with open(task["status"]) as f:
            row = json.load(f)
    except (OSError, ValueError):
        return None
    if row.get("status") != "ok" or row.get("run_id") != task["run_id"] or not os.path.exists(task["output"]):
        return None
    row["index"] = task["index"]
    row["overrides"] = {k: _plain(v) for k, v in task["overrides"].items()}
    row["output"] = task["output"]
    row["cached"] = True
    return row


def _failed_row(task: dict, exc: BaseException) -> dict:
    row = {"index": task["index"], "run_id": task["run_id"],
           "overrides": {k: _plain(v) for k, v in task["overrides"].items()},
           "status": "failed", "error": f"{type(exc).__name__}: {exc} (the worker running it failed)",
           "error_key": "", "output": task["output"], "threads": task["threads"], "cached": False, "resumed": False,
           "wall_s": math.nan}
    row.update(dict.fromkeys(SUMMARY_COLUMNS, math.nan))
    return row


# --- progress ---------------------------------------------------------------------------

class ProgressBar:
    """A text progress bar on stderr: ``[#####.....] 5/10 ok 4 failed 1 cached 2 | 1m20s, ETA 1m20s``."""

    def __init__(self, total: int, stream=None, width: int = 30):
        self.total, self.width = total, width
        self.stream = stream or sys.stderr
        self.done = self.ok = self.failed = self.cached = 0
        self.t0 = time.perf_counter()
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.draw()

    @staticmethod
    def _fmt(s: float) -> str:
        s = int(round(s))
        return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"

    def update(self, row: dict) -> None:
        self.done += 1
        self.cached += bool(row.get("cached"))
        self.ok += row.get("status") == "ok"
        self.failed += row.get("status") != "ok"
        self.draw()

    def draw(self) -> None:
        frac = self.done / self.total if self.total else 1.0
        fill = int(round(frac * self.width))
        wall = time.perf_counter() - self.t0
        ran = self.done - self.cached
        eta = wall / ran * (self.total - self.done) if ran else float("nan")
        line = (f"[sweep] [{'#' * fill}{'.' * (self.width - fill)}] {self.done}/{self.total} "
                f"ok {self.ok} failed {self.failed} cached {self.cached} | {self._fmt(wall)}"
                + (f", ETA {self._fmt(eta)}" if self.done < self.total and ran else ""))
        end = "\n" if self.done >= self.total or not self._tty else ""
        self.stream.write(("\r" if self._tty else "") + line + end)
        self.stream.flush()


# --- the sweep --------------------------------------------------------------------------

def _table(rows: list[dict], keys: list[str]):
    import pandas as pd
    records = []
    for r in sorted(rows, key=lambda r: r["index"]):
        rec = {k: r["overrides"].get(k, None) for k in keys}
        for c in STATUS_COLUMNS + SUMMARY_COLUMNS + TAIL_COLUMNS:
            rec[c] = r.get(c, math.nan)
        records.append(rec)
    cols = keys + STATUS_COLUMNS + SUMMARY_COLUMNS + TAIL_COLUMNS
    df = pd.DataFrame.from_records(records, columns=cols)
    df.index.name = "run"
    df["cached"] = df["cached"].astype(bool)
    df.attrs["params"] = keys
    return df


def sweep(base: Union[Config, str, os.PathLike, Mapping], params, executor=None,
          out_dir: Union[str, os.PathLike] = "sweep", until: Union[str, float, None] = None,
          resume: bool = True, threads: Optional[int] = None, progress: Union[bool, Callable] = False,
          table: Optional[str] = "sweep.csv"):
    """Runs a config once per set of overrides and tabulates the results.

    Args:
        base: the base config (:class:`Config`, YAML path or dict).
        params: a grid ``{"heater.power": ["0.8 kW", "0.9 kW"], ...}`` (Cartesian product,
            first key slowest) or a list of override dicts ``[{"heater.power": "0.8 kW"}, ...]``.
        executor: None (in this process), a ``concurrent.futures.Executor``
            (ProcessPoolExecutor, mpi4py.futures.MPIPoolExecutor) or a ``dask.distributed.Client``.
        out_dir: where the runs' .h5 and .json files (and the table) go; created if needed.
        until: simulated time of every run ("2 h", seconds); default each config's ``time.end``.
        resume: take the rows of runs already finished ``ok`` in ``out_dir`` instead of rerunning.
        threads: OpenMP threads per run; default :func:`thread_budget` of the executor.
        progress: True for a text bar on stderr, or a callable ``f(row)`` called per finished run.
        table: file name of the CSV table written into ``out_dir`` (None: none).

    Returns:
        A pandas DataFrame, a row per run in input order (index ``run``): a column per swept
        key (the values as given), ``status`` ("ok"/"failed"), ``error``, ``error_key`` (the
        config key of a ConfigError), the summary figures (hphtsim.results.SUMMARY_COLUMNS:
        NaN where a run lacks them), ``output`` (.h5 path), ``run_id``, ``threads``,
        ``wall_s`` and ``cached`` (taken from a previous sweep).
    """
    base_cfg = load_config(base)
    runs = expand_params(params)
    keys: list[str] = []
    for r in runs:
        keys.extend(k for k in r if k not in keys)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if until is not None and not isinstance(until, (int, float, str)):
        raise TypeError("until must be a duration string or seconds")
    nthreads = int(threads) if threads else thread_budget(executor)

    tasks = []
    for i, ov in enumerate(runs):
        rid = run_id(base_cfg, ov, until)
        tasks.append({"index": i, "run_id": rid, "config": base_cfg, "overrides": ov, "until": until,
                      "output": str(out / f"run_{rid}.h5"), "status": str(out / f"run_{rid}.json"),
                      "threads": nthreads, "resume": resume})
    seen = {}
    for t in tasks:
        if t["run_id"] in seen:
            raise ValueError(f"sweep: runs {seen[t['run_id']]} and {t['index']} have the same overrides")
        seen[t["run_id"]] = t["index"]

    rows: list[dict] = []
    todo = []
    for t in tasks:
        r = _cached_row(t) if resume else None
        (rows.append(r) if r else todo.append(t))
    bar = ProgressBar(len(tasks)) if progress is True else None
    callback = progress if callable(progress) else None

    def done(row):
        rows.append(row)
        if bar:
            bar.update(row)
        if callback:
            callback(row)

    for r in list(rows):
        if bar:
            bar.update(r)
        if callback:
            callback(r)

    if executor is None:
        for t in todo:
            done(_run_one(t))
    elif _is_dask(executor):
        from distributed import as_completed as dask_as_completed
        futures = {}
        for t in todo:
            fut = executor.submit(_run_one, t, pure=False, key=f"hphtsim-run-{t['run_id']}-{time.time_ns()}")
            futures[fut] = t
        for fut in dask_as_completed(list(futures)):
            try:
                done(fut.result())
            except Exception as e:  # the worker died or the task was lost
                done(_failed_row(futures[fut], e))
    else:
        futures = {}
        for t in todo:
            try:
                futures[executor.submit(_run_one, t)] = t
            except Exception as e:  # broken pool
                done(_failed_row(t, e))
        for fut in cf.as_completed(futures):
            try:
                done(fut.result())
            except Exception as e:
                done(_failed_row(futures[fut], e))

    df = _table(rows, keys)
    if table:
        df.to_csv(out / table)
    return df
