"""``hphtsim benchmark [--quick|--full] -o DIR``: how hphtsim compares with analytic solutions,
published HPHT data, other codes and itself, in one table (docs/benchmark.md).

Four layers, each a list of rows (:mod:`.rows`): verification (the suite's recorded figures),
validation (published observations), code-to-code (the shipped exported case against the
reference values hphtsim's finer grid gives, and any other code's CSV added with
``hphtsim compare``), performance (solvers, bandwidth, cycles, sweeps, threads). Writes
``DIR/results.json`` (schema: ``results.schema.json`` beside this file), ``DIR/report.md`` and
``DIR/*.png``; progress goes to stderr, what the runs themselves print to ``DIR/runs.log``. A layer that raises is reported as a failed row with the
error, and the others still run.
"""
from __future__ import annotations

import json
import os
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from .._atomic import write_atomically
from .rows import LAYERS, make_row, summary_counts, validate

__all__ = ["benchmark", "machine", "LAYERS", "validate"]


def machine(threads: int) -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {"cores": os.cpu_count() or 1, "threads": threads, "cpu": cpu, "memory_GiB": mem,
            "platform": platform.platform()}


class _RunMessages:
    """Sends what the runs print on file descriptor 2 (the C++ core's events: a seed that stops or
    resumes growing, ...) to DIR/runs.log while the layers run, so that stderr carries the
    benchmark's progress only; ``say`` writes to the original stderr."""

    def __init__(self, log_path: Path):
        self.log_path = log_path

    def __enter__(self):
        sys.stderr.flush()
        self.log = open(self.log_path, "w")
        try:
            self.saved = os.dup(2)
            try:
                self.stream = os.fdopen(os.dup(self.saved), "w", buffering=1)
                os.dup2(self.log.fileno(), 2)
            except BaseException:
                os.close(self.saved)
                raise
        except BaseException:
            self.log.close()
            raise
        return self

    def say(self, text: str) -> None:
        self.stream.write(text + "\n")

    def __exit__(self, *exc):
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.stream.close()
        self.log.close()
        return False


def _layer_runner(layer: str):
    if layer == "verification":
        from .verification import run_verification as run
    elif layer == "validation":
        from .validation import run_validation as run
    elif layer == "code-to-code":
        from .code_to_code import run_code_to_code as run
    else:
        from .performance import run_performance as run
    return run


def benchmark(out, level: str = "quick", layers: Optional[Sequence[str]] = None, threads: int = 0,
              progress: Union[bool, Callable[[str], None], None] = None) -> dict:
    """Runs the layers (default all four) at ``level`` ("quick" or "full"), writes the report into
    ``out`` and returns the results document. ``progress``: True for lines on stderr, or a
    callable given each line."""
    from .. import _core
    from .report import write_report
    if level not in ("quick", "full"):
        raise ValueError("level must be 'quick' or 'full'")
    layers = list(layers or LAYERS)
    for layer in layers:
        if layer not in LAYERS:
            raise ValueError(f"unknown layer '{layer}' (one of {', '.join(LAYERS)})")
    threads = threads or min(os.cpu_count() or 1, 2)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t_all = time.perf_counter()
    rows, layer_info = [], {}
    with _RunMessages(out / "runs.log") as messages:
        say = messages.say if progress is True else (progress or (lambda msg: None))
        for layer in layers:
            t0 = time.perf_counter()
            say(f"[benchmark] {layer} ({level}) ...")
            err = None
            try:
                run = _layer_runner(layer)
                kwargs = {"cores": threads} if layer == "performance" else {"threads": threads}
                mine = run(level, progress=lambda m: say(f"[benchmark]   {m}"), **kwargs)
            except Exception as e:  # a broken layer is a failed row; the other layers still run
                err = f"{type(e).__name__}: {e}"
                say(f"[benchmark]   {layer} failed: {err}")
                mine = [make_row(layer, f"{layer} layer", "runs", "completes", "raised", None, "equal", "",
                                 note=(err + " | " + traceback.format_exc(limit=2).replace("\n", " "))[:600])]
            rows.extend(mine)
            info = {"wall_time_s": round(time.perf_counter() - t0, 2)}
            info.update(summary_counts(mine)[layer])
            if err:
                info["error"] = err
            layer_info[layer] = info
            say(f"[benchmark] {layer}: {info['rows']} rows, {info['passed']} passed, {info['failed']} failed, "
                f"{info['unmarked']} unmarked, {info['wall_time_s']:.1f} s")
    doc = {"schema_version": 1, "level": level, "hphtsim_version": f"{_core.version} ({_core.git_revision})",
           "started": started, "machine": machine(threads), "wall_time_s": round(time.perf_counter() - t_all, 2),
           "layers": layer_info, "rows": rows}
    validate(doc)
    write_atomically(out / "results.json", lambda f: json.dump(doc, f, indent=1, allow_nan=False))
    write_report(out, doc)
    return doc
