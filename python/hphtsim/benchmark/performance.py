"""Layer 4, performance: the solver against Eigen's CG, the stencil's bandwidth against a STREAM
triad measured in the same run, steady states and whole cycles in 3-D and (r, z), sweep
throughput with 1 and 2 workers, thread scaling.

Timings are figures, not pass marks (the machines are shared and noisy): the rows that carry a
mark compare two things measured in the same run on the same machine (MG-PCG faster than
Eigen's incomplete-Cholesky CG; the stencil's bandwidth a fraction of the triad's). The solver
figures come from the Google Benchmark executable ``hphtsim-bench`` (built when Google Benchmark
is found); hypre's PFMG is not compared: Debian's libhypre-dev is not among the project's
dependencies (docs/benchmark.md).
"""
from __future__ import annotations

import json
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Optional

from .rows import informational, make_row
from .verification import binary_dir, configs_dir as _configs_dir

__all__ = ["run_performance"]

L = "performance"
def _bench(filter_regex: str) -> dict:
    """name -> Google Benchmark entry of hphtsim-bench's runs matching ``filter_regex``."""
    exe = binary_dir() / "hphtsim-bench"
    if not exe.exists():
        return {}
    with tempfile.TemporaryDirectory(prefix="hphtsim-bench-") as tmp:
        out = Path(tmp) / "bench.json"
        subprocess.run([str(exe), f"--benchmark_filter={filter_regex}", "--benchmark_format=json",
                        f"--benchmark_out={out}", "--benchmark_out_format=json"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        if not out.exists():
            return {}
        doc = json.loads(out.read_text())
    return {b["name"].split("/iterations")[0].split("/min_time")[0]: b for b in doc.get("benchmarks", [])}


def _seconds(entry: dict) -> float:
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[entry.get("time_unit", "ns")]
    return float(entry["real_time"]) * scale


def _solver_rows(full: bool) -> list:
    sizes = [64, 128] if full else [64]
    pattern = "|".join([f"BM_Solve/(mgpcg|eigen_cg_ic)/{n}/" for n in sizes] +
                       ["BM_StencilApply/128/", "BM_StreamTriad", "BM_Solve/elasticity/32/",
                        "BM_Solve/elasticity_eigen/32/"])
    b = _bench(pattern)
    if not b:
        return [make_row(L, "solver benchmarks", "hphtsim-bench present", "present", "missing", None, "equal", "",
                         note="hphtsim-bench is built only when Google Benchmark (libbenchmark-dev) is found")]
    rows = []
    for n in sizes:
        mg, eg = b.get(f"BM_Solve/mgpcg/{n}"), b.get(f"BM_Solve/eigen_cg_ic/{n}")
        if mg and eg:
            case = f"Poisson with a 1000x conductivity jump, {n}^3, to 1e-8"
            rows.append(informational(L, case, "MG-PCG solve time", _seconds(mg), "s",
                                      note=f"{int(mg.get('iterations', 0))} iterations"))
            rows.append(informational(L, case, "Eigen CG + incomplete Cholesky solve time", _seconds(eg), "s",
                                      note=f"{int(eg.get('iterations', 0))} iterations, factorisation not counted"))
            rows.append(make_row(L, case, "speed-up of MG-PCG over Eigen's ICCG", 1.0, _seconds(eg) / _seconds(mg),
                                 0.0, "at_least", "Eigen 3 ConjugateGradient<IncompleteCholesky>, same run"))
    el, ee = b.get("BM_Solve/elasticity/32"), b.get("BM_Solve/elasticity_eigen/32")
    if el and ee:
        case = "elasticity, heterogeneous cell 32^3"
        rows.append(make_row(L, case, "speed-up of the elasticity multigrid over Eigen's sparse direct solve", 1.0,
                             _seconds(ee) / _seconds(el), 0.0, "at_least", "Eigen 3 SimplicialLDLT, same run"))
    st, tr = b.get("BM_StencilApply/128"), b.get("BM_StreamTriad")
    if st and tr:
        s_bw, t_bw = st["bytes_per_second"] / 1e9, tr["bytes_per_second"] / 1e9
        rows.append(informational(L, "memory bandwidth", "STREAM triad (24 B/element)", t_bw, "GB/s",
                                  source="McCalpin STREAM triad, measured in this run"))
        rows.append(informational(L, "memory bandwidth", "7-point stencil apply at 128^3 (56 B/cell)", s_bw, "GB/s"))
        rows.append(make_row(L, "memory bandwidth", "stencil bandwidth / triad bandwidth", [0.5, 1.2], s_bw / t_bw,
                             None, "range", "a memory-bound stencil reaches the triad's bandwidth (56/48 "
                             "byte-count allowance above 1)"))
    # hypre's PFMG (issue 16: when Debian's libhypre-dev is installed): detected, not compared.
    hypre = any(Path(d, "HYPRE_struct_ls.h").exists() for d in ("/usr/include/hypre", "/usr/include"))
    rows.append(informational(L, "Poisson with a 1000x conductivity jump", "hypre PFMG solve time",
                              "not compared", "", "hypre (libhypre-dev)",
                              note=("libhypre-dev is installed, but no PFMG comparison is built yet" if hypre else
                                    "libhypre-dev is not installed (optional, not among the dependencies)")))
    return rows


def _timed(fn) -> tuple:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _timed_run(cfg_path: Path, overrides: dict, threads: int, steady: bool) -> tuple:
    """(wall seconds, simulation) of the steady state (``steady``) or the whole run of the config."""
    from .. import Simulation, set_num_threads
    set_num_threads(threads)
    sim = Simulation(str(cfg_path), overrides)
    wall, _ = _timed(sim.solve_steady if steady else sim.run)
    return wall, sim


def _mass_ct(sim) -> str:
    m = sim.diagnostics().get("mass_ct")
    return "final crystal " + ", ".join(f"{x:.3f}" for x in (m if isinstance(m, list) else [m])) + " ct" if m else ""


RZ = {"cell.geometry": "axisymmetric", "cell.cells": [64, 64]}
# The steady state at the growth power (the config's own start is the cold press).
HOT = {"recipe.heater.start": "1265 W", "recipe.heater.segments": [{"hold": "1 h"}]}


def _cell_rows(full: bool, cores: int) -> list:
    cfg = _configs_dir() / "tgm_default.yaml"
    rows = []
    n3 = 64 if full else 40
    case = "default gem cell (configs/tgm_default.yaml)"
    wall, sim = _timed_run(cfg, {"cell.cells": n3, **HOT}, cores, steady=True)
    rows.append(informational(L, case, f"steady state, 3-D {n3}^3, {cores} threads", wall, "s",
                              note=f"{sim.diagnostics().get('coupling_iterations', '')} coupling passes"))
    wall1, _ = _timed_run(cfg, {"cell.cells": n3, **HOT}, 1, steady=True)
    rows.append(informational(L, case, f"steady state, 3-D {n3}^3, 1 thread", wall1, "s"))
    if cores > 1:
        rows.append(informational(L, case, f"thread scaling of the steady state, 1 -> {cores} threads", wall1 / wall, "",
                                  note="speed-up; a memory-bound code is limited by the memory channels"))
    wall_rz, _ = _timed_run(cfg, {**RZ, **HOT}, cores, steady=True)
    rows.append(informational(L, case, "steady state, (r, z) 64 x 64", wall_rz, "s"))
    wall_c, sim_c = _timed_run(cfg, RZ, cores, steady=False)
    rows.append(informational(L, case, "whole cycle (20.4 d), (r, z) 64 x 64", wall_c, "s",
                              note=f"{len(sim_c.timeseries())} steps, {_mass_ct(sim_c)}"))
    if full:
        wall_3, sim_3 = _timed_run(cfg, {"cell.cells": 64}, cores, steady=False)
        rows.append(informational(L, case, "whole cycle (20.4 d), 3-D 64^3", wall_3, "s",
                                  note=f"{len(sim_3.timeseries())} steps, {_mass_ct(sim_3)}"))
        rows.append(informational(L, case, "speed-up of (r, z) 64 x 64 over 3-D 64^3, whole cycle", wall_3 / wall_c, ""))
    return rows


def _sweep_rows(cores: int) -> list:
    """A parameter study as researchers run one: the default cycle at four powers of the hold's
    ramp, (r, z) 48 x 48, with 1 and 2 worker processes (one thread each)."""
    from .. import sweep
    cfg = _configs_dir() / "tgm_default.yaml"
    params = [{"cell.geometry": "axisymmetric", "cell.cells": [48, 48], "recipe.heater.segments.4.ramp_to": f"{P} W"}
              for P in (1290, 1300, 1310, 1320)]
    case = "sweep: default cycle at 4 hold powers, (r, z) 48 x 48"
    rows, walls = [], {}
    for workers in sorted({1, min(2, cores)}):
        with tempfile.TemporaryDirectory(prefix="hphtsim-sweep-") as tmp:
            ex = ProcessPoolExecutor(workers) if workers > 1 else None
            try:
                wall, table = _timed(lambda: sweep(str(cfg), params, executor=ex, out_dir=tmp, resume=False,
                                                   threads=1))
            finally:
                if ex:
                    ex.shutdown()
        ok = int((table["status"] == "ok").sum())
        walls[workers] = wall
        rows.append(informational(L, case, f"throughput, {workers} worker(s) x 1 thread", 60.0 * ok / wall,
                                  "runs/min", note=f"{ok} of {len(params)} ok in {wall:.1f} s"))
    if 2 in walls:
        rows.append(informational(L, case, "speed-up, 1 -> 2 workers", walls[1] / walls[2], ""))
    return rows


def run_performance(level: str = "quick", progress: Optional[Callable[[str], None]] = None, cores: int = 2) -> list:
    full = level == "full"
    rows = []
    for name, fn in (("solvers vs Eigen, stencil vs STREAM", lambda: _solver_rows(full)),
                     ("steady states, cycles, thread scaling", lambda: _cell_rows(full, cores)),
                     ("sweep throughput", lambda: _sweep_rows(cores))):
        if progress:
            progress(f"performance: {name}")
        rows.extend(fn())
    return rows
