"""``python3 -m hphtsim`` (and ``hphtsim sweep|plot|converge|calibrate|estimate|design|benchmark|export|compare``, which run this):

    python3 -m hphtsim sweep SWEEP.yaml [--workers N] [--scheduler ADDRESS|local] [--mpi]
                                        [--out DIR] [--threads T] [--until D] [--no-resume] [-q]
    python3 -m hphtsim plot RESULT.h5 [-o OUT.png] [--kind run|slice|series] [--time SECONDS]
    python3 -m hphtsim plot SWEEP.csv [-o OUT.png] [--x PARAM] [--y COLUMN ...]
    python3 -m hphtsim plot ESTIMATE.csv [-o OUT.png]
    python3 -m hphtsim run CONFIG [-o OUT.h5] [--until D] [--set key=value]... [--overwrite] [--threads T]
    python3 -m hphtsim converge CONFIG --cells 32,48,64[,96] [--until D] [--set key=value]... [-o TABLE.csv]
                                       [--workers N] [--scheduler ADDRESS|local] [--mpi] [--out DIR] [--threads T] [-q]
    python3 -m hphtsim calibrate CONFIG LOG.csv [LOG2.csv ...] --fit KEY=LO:HI ... [--noise COLUMN=SIGMA ...]
                                 -o DIR [--set key=value]... [--workers N] [--scheduler ...] [--mpi] [--threads T]
                                 [--bayes [--walkers W] [--steps S]]
    python3 -m hphtsim estimate FITTED.yaml LOG.csv [--fit FIT.json] [--samples N] -o ESTIMATE.csv
                                [--set key=value]... [--workers N] [--scheduler ...] [--mpi] [--threads T]
    python3 -m hphtsim design CONFIG --target growth_rate="3 mg/h" [--target T_seed="1350 degC"] [--segments N]
    python3 -m hphtsim benchmark [--quick|--full] -o DIR [--layers verification,validation,code-to-code,performance]
    python3 -m hphtsim export CONFIG --format json|gmsh -o CASE [--power P] [--constant-properties T] [--reference N,N,N]
    python3 -m hphtsim compare CASE.json OTHER.csv [--code NAME] [--tolerance F] [-o ROWS.json]
    python3 -m hphtsim design CONFIG --cooldown [--shortest "1 min"] [--longest "24 h"] -o designed.yaml
                              [--max-rate critical|F*critical|RATE] [--power-max P] -o DESIGNED.yaml [--set key=value]...
                              [--rz-cells NR,NZ] [--no-axisymmetric] [--no-verify] [--workers N] [--scheduler ...]

Exit codes: 0 success; 2 bad input (the message names the config key or option); 1 a failure
while computing, or a sweep in which some runs failed (its table is still written).

The sweep file (YAML; relative paths resolve against its directory)::

    base: ../configs/tgm_default.yaml     # the base config (a path, or the document inline)
    set: {cell.cells: 40}                 # optional: overrides of every run
    params:                               # a grid (dict of lists: every combination) ...
      heater.power: ["0.7 kW", "0.8 kW", "0.9 kW"]
    # params: [{heater.power: "0.7 kW"}, {heater.power: "0.9 kW", cell.cells: 48}]   # ... or a list
    until: "2 h"                          # optional: simulated time of every run
    out_dir: power_sweep                  # optional (default: the file's stem + "_out")
    workers: 2                            # optional (--workers overrides)
    threads: 1                            # optional: OpenMP threads per run (default: cores / workers)
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


def _read_sweep_file(path: Path) -> dict:
    import yaml
    from ._errors import config_error
    try:
        doc = yaml.safe_load(path.read_text())
    except OSError as e:
        raise config_error("", f"cannot read sweep file '{path}': {e.strerror or e}") from None
    except yaml.YAMLError as e:
        raise config_error("", f"sweep file '{path}': {e}") from None
    if not isinstance(doc, dict):
        raise config_error("", f"sweep file '{path}' must be a mapping with base and params")
    allowed = {"base", "set", "params", "until", "out_dir", "workers", "threads", "resume", "title", "description"}
    for k in doc:
        if k not in allowed:
            raise config_error(str(k), f"unknown key in sweep file (allowed: {', '.join(sorted(allowed))})")
    for k in ("base", "params"):
        if k not in doc:
            raise config_error(k, "missing required key in sweep file")
    if not isinstance(doc["params"], (dict, list)) or not doc["params"]:
        raise config_error("params", "a grid (dict of lists) or a list of override dicts")
    if "set" in doc and not isinstance(doc["set"], dict):
        raise config_error("set", "a dict of overrides {key.path: value}")
    return doc


def _make_executor(args, workers: int):
    """(executor, closer) for the command line's choice."""
    if args.scheduler:
        from distributed import Client, LocalCluster
        if args.scheduler == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
            return client, lambda: (client.close(), cluster.close())
        client = Client(args.scheduler)
        return client, client.close
    if args.mpi:
        if "OMPI_COMM_WORLD_SIZE" not in os.environ and "PMI_SIZE" not in os.environ:
            # Started without mpirun: the workers are spawned beside this process, which needs
            # one slot more than the cores Open MPI counts (else the spawn fails and hangs).
            os.environ.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
        from mpi4py.futures import MPIPoolExecutor
        ex = MPIPoolExecutor(max_workers=workers)
        return ex, ex.shutdown
    if workers > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        # spawn, not fork: a forked child of a process that used OpenMP can hang.
        ex = ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"))
        return ex, ex.shutdown
    return None, lambda: None


def cmd_sweep(args) -> int:
    from .config import load_config
    from .sweeps import sweep
    path = Path(args.sweep_file)
    doc = _read_sweep_file(path)
    here = path.resolve().parent
    if isinstance(doc["base"], dict):
        base = load_config(doc["base"], base_dir=here)
    else:
        base = load_config(here / str(doc["base"]))
    base = base.with_overrides(doc.get("set"))
    out_dir = Path(args.out) if args.out else here / str(doc.get("out_dir", path.stem + "_out"))
    workers = args.workers or int(doc.get("workers", 1))
    threads = args.threads or doc.get("threads")
    until = args.until if args.until is not None else doc.get("until")
    resume = bool(doc.get("resume", True)) and not args.no_resume
    executor, close = _make_executor(args, workers)
    try:
        table = sweep(base, doc["params"], executor=executor, out_dir=out_dir, until=until, resume=resume,
                      threads=threads, progress=not args.quiet)
    finally:
        close()
    params = list(table.attrs.get("params", []))
    show = params + ["status", "T_max_degC", "dT_source_seed_K", "heater_power_W", "wall_s"]
    import pandas as pd
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        print(table[[c for c in show if c in table.columns]].to_string())
    failed = table[table["status"] != "ok"]
    for i, r in failed.iterrows():
        print(f"run {i} failed: {r['error']}", file=sys.stderr)
    print(f"table: {out_dir / 'sweep.csv'} ({len(table) - len(failed)} ok, {len(failed)} failed)")
    return EXIT_FAILURE if len(failed) else 0


def cmd_plot(args) -> int:
    from . import plot
    src = Path(args.file)
    if not src.exists():
        from ._errors import config_error
        raise config_error("", f"'{src}' does not exist")
    out = args.output or str(src.with_suffix("")) + ("_sweep.png" if src.suffix == ".csv" else f"_{args.kind}.png")
    if src.suffix == ".csv" and plot.is_estimate(str(src)):
        out = args.output or str(src.with_suffix("")) + "_estimate.png"
        plot.plot_estimate(str(src), out=out)
    elif src.suffix == ".csv":
        kw = {"y": args.y} if args.y else {}
        plot.plot_sweep(str(src), x=args.x, out=out, **kw)
    elif args.kind == "slice":
        drawn = plot.plot_slice(str(src), time=args.time, out=out).hphtsim_snapshot
    elif args.kind == "series":
        plot.plot_timeseries(str(src), out=out)
    else:
        drawn = plot.plot_run(str(src), out=out, time=args.time).hphtsim_snapshot
    if args.kind != "series" and src.suffix != ".csv":
        ti, t, why = drawn
        print(f"drew snapshot {ti} at t = {t / 3600:.4g} h" + (f" ({why})" if why else ""), file=sys.stderr)
    print(out)
    return 0


def cmd_run(args) -> int:
    from . import set_num_threads
    from .config import load_config
    from .simulation import Simulation
    if args.threads:
        set_num_threads(args.threads)
    cfg = load_config(args.config, list(args.set or []))
    output = args.output or Path(args.config).stem + ".h5"
    sim = Simulation(cfg)
    sim.run(until=args.until, output=output, overwrite=args.overwrite, progress=not args.quiet)
    print(output)
    return 0


def _cell_budgets(text: str) -> list[int]:
    """``--cells 32,48,64``: at least two positive integers (argparse reports the option)."""
    try:
        budgets = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected grid budgets such as 32,48,64, got '{text}'") from None
    if len(budgets) < 2 or min(budgets) < 1 or len(set(budgets)) != len(budgets):
        raise argparse.ArgumentTypeError(f"expected at least two different positive budgets, got '{text}'")
    return budgets


def cmd_converge(args) -> int:
    from .config import load_config
    from .convergence import convergence, render
    cfg = load_config(args.config, list(args.set or []))
    executor, close = _make_executor(args, args.workers)
    try:
        table = convergence(cfg, args.cells, until=args.until, executor=executor, out_dir=args.out,
                            threads=args.threads or None, progress=not args.quiet)
    finally:
        close()
    print(render(table))
    if args.output:
        table.to_csv(args.output)
        print(f"table: {args.output}")
    return 0


def cmd_calibrate(args) -> int:
    from .calibration import calibrate
    from .config import load_config
    from ._errors import config_error
    cfg = load_config(args.config, list(args.set or []))
    noise = {}
    for item in args.noise or []:
        if "=" not in item:
            raise config_error("--noise", f"'{item}': expected COLUMN=SIGMA, e.g. T_thermocouple=3 K")
        col, sigma = item.split("=", 1)
        noise[col.strip()] = sigma.strip()
    executor, close = _make_executor(args, args.workers)
    try:
        fit = calibrate(cfg, args.logs, args.fit, noise=noise, executor=executor, out_dir=args.output,
                        threads=args.threads or None, bayes=args.bayes, walkers=args.walkers or None,
                        steps=args.steps)
    finally:
        close()
    for key, p in fit["parameters"].items():
        err = f"+- {p['stderr']:.3g}" if p["identifiable"] else "(not constrained by the data)"
        print(f"{key} = {p['value']:.6g} {p['unit']} {err}")
    for key, q in (fit.get("posterior") or {}).get("parameters", {}).items():
        print(f"posterior {key}: {q['q50']:.6g} {q['unit']} (90 % in {q['q05']:.6g} .. {q['q95']:.6g})")
    print(f"{fit['runs']} forward runs; fitted config: {Path(args.output) / 'fitted.yaml'}")
    return 0


def cmd_estimate(args) -> int:
    from .config import load_config
    from .estimate import estimate
    cfg = load_config(args.config, list(args.set or []))
    executor, close = _make_executor(args, args.workers)
    try:
        df = estimate(cfg, args.log, fit=args.fit, out=args.output, executor=executor, samples=args.samples,
                      threads=args.threads or None)
    finally:
        close()
    last = df.iloc[-1]
    shown = [c for c in df.columns if c.startswith(("T_seed", "mass_ct")) and "_std" not in c]
    for c in shown:
        name, unit = c.split(" [")
        std = df[f"{name}_std [{'K' if unit.startswith('degC') else unit[:-1]}]"].iloc[-1]
        print(f"{name} at {last['time [h]']:.4g} h: {last[c]:.5g} +- {2 * std:.2g} {unit[:-1]} (2 std)")
    print(f"{df.attrs['runs']} runs ({df.attrs['method']}); estimate: {args.output}")
    return 0


def cmd_design(args) -> int:
    from .config import load_config
    from .design import design
    from ._errors import config_error
    cfg = load_config(args.config, list(args.set or []))
    try:
        cells = [int(x) for x in args.rz_cells.split(",")]
    except ValueError:
        cells = []
    if len(cells) != 2 or min(cells) < 4:
        raise config_error("--rz-cells", f"'{args.rz_cells}': expected NR,NZ (whole numbers of at least 4)")
    if args.cooldown == bool(args.target):
        raise config_error("--cooldown", "give either --target (the growth stage's program) or --cooldown "
                                         "(the cool-down and release), one of them")
    executor, close = _make_executor(args, args.workers)
    if args.cooldown:
        from .cooldown import design_cooldown
        try:
            design_cooldown(cfg, out=args.output, shortest=args.shortest, longest=args.longest, executor=executor,
                            threads=args.threads or None, axisymmetric=not args.no_axisymmetric, rz_cells=cells,
                            verify=not args.no_verify, progress=lambda text: print(text, file=sys.stderr))
        finally:
            close()
        print(Path(args.output).with_suffix(".md").read_text(), end="")
        print(f"designed config: {args.output}")
        return 0
    try:
        r = design(cfg, args.target, segments=args.segments, max_rate=args.max_rate, out=args.output,
                   executor=executor, threads=args.threads or None, axisymmetric=not args.no_axisymmetric,
                   rz_cells=cells, verify=not args.no_verify, progress=lambda text: print(text, file=sys.stderr),
                   power_max=args.power_max)
    finally:
        close()
    print(Path(args.output).with_suffix(".md").read_text(), end="")
    print(f"designed config: {args.output}")
    return 0


def cmd_benchmark(args) -> int:
    from .benchmark import LAYERS, benchmark
    from ._errors import config_error
    layers = [x.strip() for x in args.layers.split(",")] if args.layers else None
    for layer in layers or []:
        if layer not in LAYERS:
            raise config_error("--layers", f"unknown layer '{layer}' (one of {', '.join(LAYERS)})")
    if args.threads < 0:
        raise config_error("--threads", "must not be negative (0: min(cores, 2))")
    if Path(args.output).exists() and not Path(args.output).is_dir():
        raise config_error("-o", f"'{args.output}' exists and is not a directory")
    doc = benchmark(args.output, level="full" if args.full else "quick", layers=layers, threads=args.threads,
                    progress=not args.quiet)
    failed = sum(r["pass"] is False for r in doc["rows"])
    passed = sum(r["pass"] is True for r in doc["rows"])
    print(f"benchmark ({doc['level']}): {len(doc['rows'])} rows, {passed} passed, {failed} failed, "
          f"{doc['wall_time_s']:.0f} s; report {Path(args.output) / 'report.md'}")
    return EXIT_FAILURE if failed else 0


def cmd_export(args) -> int:
    from .export import export_case
    cells = args.reference
    path = export_case(args.config, args.output, fmt=args.format, power=args.power,
                       constant_properties=args.constant_properties, overrides=list(args.set or []),
                       reference_cells=cells)
    print(f"case: {path}" + (f", geometry {path.with_suffix('.geo')}" if args.format == "gmsh" else ""))
    return 0


def cmd_compare(args) -> int:
    import json as _json
    from .export import compare_case
    from .benchmark.report import format_value
    rows = compare_case(args.case, args.other, code=args.code, tolerance=args.tolerance)
    for r in rows:
        print(f"{r['quantity']:>24}  reference {format_value(r['reference']):>12}  {args.code} "
              f"{format_value(r['value']):>12}  error {format_value(r['error']):>10} {r['units']:<4} "
              f"(tolerance {format_value(r['tolerance'])})  {'pass' if r['pass'] else 'FAIL'}")
    if args.output:
        from ._atomic import write_atomically
        write_atomically(Path(args.output), lambda f: _json.dump(rows, f, indent=1))
    return EXIT_FAILURE if any(r["pass"] is False for r in rows) else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hphtsim", description="hphtsim: sweeps, plots and runs from Python")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sweep", help="run a sweep file: a table (CSV) and every run's HDF5")
    s.add_argument("sweep_file", help="sweep YAML (base, params, until, out_dir)")
    s.add_argument("--workers", "-j", type=int, default=0, help="concurrent runs (default: the file's, else 1)")
    s.add_argument("--scheduler", help="dask scheduler address (tcp://host:8786), or 'local' for a LocalCluster")
    s.add_argument("--mpi", action="store_true", help="run on mpi4py's MPIPoolExecutor")
    s.add_argument("--out", help="output directory (default: the file's out_dir)")
    s.add_argument("--threads", type=int, default=0, help="OpenMP threads per run (default: cores / workers)")
    s.add_argument("--until", help="simulated time of every run, e.g. \"2 h\"")
    s.add_argument("--no-resume", action="store_true", help="rerun runs that finished before")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_sweep)
    pl = sub.add_parser("plot", help="PNG of a result (.h5) or of a sweep table (.csv)")
    pl.add_argument("file", help="result file (.h5) or sweep table (.csv)")
    pl.add_argument("-o", "--output", help="PNG path (default: beside the input)")
    pl.add_argument("--kind", choices=["run", "slice", "series"], default="run",
                    help="run: slice + time series (default); slice; series")
    pl.add_argument("--time", type=float, help="snapshot time in s (default: the end of the main hold, else the hottest snapshot)")
    pl.add_argument("--x", help="sweep: the parameter on the x axis (default: the first swept)")
    pl.add_argument("--y", nargs="+", help="sweep: table columns to plot")
    pl.set_defaults(func=cmd_plot)
    r = sub.add_parser("run", help="run a config to an HDF5 file (as `hphtsim run`)")
    r.add_argument("config")
    r.add_argument("-o", "--output")
    r.add_argument("--until")
    r.add_argument("--set", action="append", metavar="KEY=VALUE")
    r.add_argument("--overwrite", action="store_true")
    r.add_argument("--threads", type=int, default=0)
    r.add_argument("-q", "--quiet", action="store_true")
    r.set_defaults(func=cmd_run)
    c = sub.add_parser("converge", help="grid-convergence study: key figures on several grids, observed order, "
                                        "extrapolated value, error of each grid (Celik et al. 2008)")
    c.add_argument("config")
    c.add_argument("--cells", type=_cell_budgets, required=True, metavar="N1,N2,...",
                   help="grid budgets (cell.cells), at least two; three or more for an order")
    c.add_argument("--until", help="end time of every run (default: the config's time.end)")
    c.add_argument("--set", action="append", metavar="KEY=VALUE", help="override of every run")
    c.add_argument("-o", "--output", help="write the table as CSV")
    c.add_argument("--workers", "-j", type=int, default=1, help="concurrent runs (default 1: in process)")
    c.add_argument("--scheduler", help="dask scheduler address (tcp://host:8786), or 'local' for a LocalCluster")
    c.add_argument("--mpi", action="store_true", help="run on mpi4py's MPIPoolExecutor")
    c.add_argument("--out", help="keep the runs' files here (and reuse finished ones); default: a temporary directory")
    c.add_argument("--threads", type=int, default=0, help="OpenMP threads per run (default: cores / workers)")
    c.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    c.set_defaults(func=cmd_converge)
    k = sub.add_parser("calibrate", help="fit config keys to press logs (weighted least squares; docs/model.md)")
    k.add_argument("config")
    k.add_argument("logs", nargs="+", metavar="LOG.csv")
    k.add_argument("--fit", action="append", required=True, metavar="KEY=LO:HI",
                   help="a key and its range, e.g. \"anvils.heat_transfer_coefficient=1000 W/(m^2*K):4000 W/(m^2*K)\"")
    k.add_argument("--noise", action="append", metavar="COLUMN=SIGMA", help="noise level of a column, e.g. \"T_thermocouple=3 K\"")
    k.add_argument("--set", action="append", metavar="KEY=VALUE", help="override of the config")
    k.add_argument("-o", "--output", required=True, help="directory for fitted.yaml, fit.json, report.md")
    k.add_argument("--workers", "-j", type=int, default=1, help="concurrent forward runs (default 1: in process)")
    k.add_argument("--scheduler", help="dask scheduler address (tcp://host:8786), or 'local' for a LocalCluster")
    k.add_argument("--mpi", action="store_true", help="run on mpi4py's MPIPoolExecutor")
    k.add_argument("--threads", type=int, default=0, help="OpenMP threads per run (default: cores / workers)")
    k.add_argument("--bayes", action="store_true", help="also sample the posterior with emcee (walkers x steps runs)")
    k.add_argument("--walkers", type=int, default=0, help="emcee walkers (default: 2 x parameters + 2, at least 6)")
    k.add_argument("--steps", type=int, default=60, help="emcee steps (default 60; the first third is discarded)")
    k.set_defaults(func=cmd_calibrate)
    e = sub.add_parser("estimate", help="virtual thermocouple: a production log replayed with a fitted config, "
                                        "seed and source temperatures, growth with +- bands (docs/model.md)")
    e.add_argument("config", help="the calibrated config (a calibration's fitted.yaml)")
    e.add_argument("log", metavar="LOG.csv")
    e.add_argument("--fit", help="the calibration's fit.json (default: fit.json beside CONFIG)")
    e.add_argument("--samples", type=int, default=0, help="propagate by N samples (default 0: linearised)")
    e.add_argument("--set", action="append", metavar="KEY=VALUE", help="override of the config")
    e.add_argument("-o", "--output", required=True, help="estimate CSV")
    e.add_argument("--workers", "-j", type=int, default=1, help="concurrent runs (default 1: in process)")
    e.add_argument("--scheduler", help="dask scheduler address (tcp://host:8786), or 'local' for a LocalCluster")
    e.add_argument("--mpi", action="store_true", help="run on mpi4py's MPIPoolExecutor")
    e.add_argument("--threads", type=int, default=0, help="OpenMP threads per run (default: cores / workers)")
    e.set_defaults(func=cmd_estimate)
    d = sub.add_parser("design", help="the growth stage's heater program for a target growth rate or seed "
                                      "temperature (docs/model.md \"Recipe design\")")
    d.add_argument("config")
    d.add_argument("--target", action="append", metavar="NAME=VALUE",
                   help="growth_rate=\"3 mg/h\" (the mean over seeds) and/or T_seed=\"1350 degC\"")
    d.add_argument("--cooldown", action="store_true", help="design the cool-down and release instead: the fastest "
                                                           "joint reduction keeping crack_risk below 1")
    d.add_argument("--shortest", default="1 min", help="--cooldown: the shortest reduction tried (default 1 min)")
    d.add_argument("--longest", default="24 h", help="--cooldown: the longest reduction tried (default 24 h)")
    d.add_argument("--segments", type=int, default=6, help="ramps over the growth stage (default 6)")
    d.add_argument("--max-rate", help="cap on the rate target: critical (0.9 x the critical rate at the crystal's "
                                      "mass), F*critical, or a rate such as \"2 mg/h\"")
    d.add_argument("--power-max", default="3 kW", help="the supply's limit on the designed power (default 3 kW)")
    d.add_argument("--set", action="append", metavar="KEY=VALUE", help="override of the config")
    d.add_argument("-o", "--output", required=True, help="the designed config (YAML); the report beside it (.md)")
    d.add_argument("--rz-cells", default="64,64", help="(r, z) grid of the design model (default 64,64)")
    d.add_argument("--no-axisymmetric", action="store_true", help="design on the config's own geometry")
    d.add_argument("--no-verify", action="store_true", help="skip the run of the designed config as given (3-D)")
    d.add_argument("--workers", "-j", type=int, default=1, help="concurrent runs (default 1: in process)")
    d.add_argument("--scheduler", help="dask scheduler address (tcp://host:8786), or 'local' for a LocalCluster")
    d.add_argument("--mpi", action="store_true", help="run on mpi4py's MPIPoolExecutor")
    d.add_argument("--threads", type=int, default=0, help="OpenMP threads per run (default: cores / workers)")
    d.set_defaults(func=cmd_design)
    b = sub.add_parser("benchmark", help="verification, validation, code-to-code and performance in one report")
    level = b.add_mutually_exclusive_group()
    level.add_argument("--quick", action="store_true", help="at most ~5 min on 2 cores (the default)")
    level.add_argument("--full", action="store_true", help="at most ~30 min on 2 cores")
    b.add_argument("-o", "--output", required=True, help="directory for report.md, results.json and the plots")
    b.add_argument("--layers", help="comma-separated subset of verification,validation,code-to-code,performance")
    b.add_argument("--threads", type=int, default=0, help="OpenMP threads (default: min(cores, 2))")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    b.set_defaults(func=cmd_benchmark)
    e = sub.add_parser("export", help="a cell as a neutral case (JSON, and a gmsh .geo) for another code")
    e.add_argument("config")
    e.add_argument("--format", default="json", help="json (CASE.json) or gmsh (CASE.json + CASE.geo)")
    e.add_argument("-o", "--output", required=True, help="CASE (.json added)")
    e.add_argument("--power", default="1265 W", help="the heater power of the steady case (default 1265 W)")
    e.add_argument("--constant-properties", metavar="T", help="evaluate every material law at T (e.g. \"1300 degC\")")
    e.add_argument("--reference", metavar="N1,N2,N3", type=_cell_budgets, help="add hphtsim's reference values from these grids "
                                                           "(Richardson-extrapolated where they converge, else the finest)")
    e.add_argument("--set", action="append", metavar="KEY=VALUE", help="override of the config")
    e.set_defaults(func=cmd_export)
    c = sub.add_parser("compare", help="another code's answers (CSV) against an exported case's reference values")
    c.add_argument("case", help="CASE.json with reference values")
    c.add_argument("other", help="CSV with header quantity,value[,units]")
    c.add_argument("--code", default="other code", help="the other code's name, for the rows")
    c.add_argument("--tolerance", type=float, default=0.01,
                   help="relative tolerance (of the rise above the coolant for temperatures; default 0.01)")
    c.add_argument("-o", "--output", help="write the rows as JSON")
    c.set_defaults(func=cmd_compare)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    from ._errors import ConfigError, ResultFileError, SolverError
    try:
        return args.func(args)
    except ConfigError as e:
        print(f"hphtsim: config error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SolverError as e:
        print(f"hphtsim: solver error: {e}", file=sys.stderr)
        return EXIT_FAILURE
    except ResultFileError as e:
        print(f"hphtsim: I/O error: {e}", file=sys.stderr)
        return EXIT_FAILURE
    except RuntimeError as e:  # a run of a study that failed while computing (converge)
        print(f"hphtsim: {e}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("hphtsim: interrupted", file=sys.stderr)
        return 130
