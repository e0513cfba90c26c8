"""Layer 3, code-to-code: the exported cases that ship with hphtsim (``cases/*.json``, written by
``hphtsim export ... --reference N1,N2,N3``), each solved by hphtsim on the benchmark's grid and
compared with the case's reference values (hphtsim's own fine grids, Richardson-extrapolated where
the sequence converges, else the finest grid's value), and
every other code's answers shipped beside it (``cases/CASE.CODE.csv``, e.g. FEniCSx from
benchmarks/fenicsx_case.py) compared with the same reference through ``hphtsim compare``.

Tolerances (issue 11's accuracy target for a production grid): a temperature within 1 % of its
rise above the coolant, the source-seed difference within 3 %, other quantities within 1 %, or
twice the reference's own estimated error where that is larger (``hphtsim.export.allowed_error``). The grid answer's rows carry
the error a user of that grid sees: quick 48^3, full 64^3.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Optional

from .rows import make_row

__all__ = ["run_code_to_code", "CASES_DIR"]

CASES_DIR = Path(__file__).with_name("cases")
TOLERANCE = 0.01


def _grid_rows(spec: dict, name: str, cells: int) -> list:
    from ..export import hphtsim_values, reference_rows
    got = hphtsim_values(spec, {"cell.cells": cells})
    return reference_rows(spec, got, f"{name}: hphtsim at {cells}^3", TOLERANCE)


def run_code_to_code(level: str = "quick", progress: Optional[Callable[[str], None]] = None,
                     threads: int = 0) -> list:
    from ..export import compare_case
    if threads:
        from .. import set_num_threads
        set_num_threads(threads)
    cases = sorted(CASES_DIR.glob("*.json"))
    if not cases:
        return [make_row("code-to-code", "shipped exported cases", "present", "present", "missing", None, "equal", "",
                         note=f"no case in {CASES_DIR}")]
    rows = []
    for case in cases:
        spec = json.loads(case.read_text())
        name = case.stem
        if progress:
            progress(f"code-to-code: {name}")
        rows.extend(_grid_rows(spec, name, 64 if level == "full" else 48))
        for other in sorted(CASES_DIR.glob(f"{name}.*.csv")):
            code = other.name[len(name) + 1:-len(".csv")]
            rows.extend(compare_case(spec, other, code=code, tolerance=TOLERANCE, name=name))
    return rows
