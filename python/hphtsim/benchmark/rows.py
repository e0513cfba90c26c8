"""The benchmark's unit of result: one row per compared figure (docs/benchmark.md).

A row is ``{"layer", "case", "quantity", "reference", "value", "error", "tolerance", "pass",
"source"}`` plus ``units``, ``comparison`` and ``note``. ``reference`` and ``value`` are numbers,
or text where the published statement is qualitative ("falls", "cube") or the case is not
reproduced; ``pass`` is true/false, or null for a figure that is reported without a pass mark
(a timing, a case the model cannot represent: ``note`` says why).

Comparisons (``error`` = value - reference; ``relative``: divided by |reference|):
``absolute`` |error| <= tolerance, ``relative`` |error| <= tolerance, ``at_least`` value >=
reference - tolerance, ``at_most`` value <= reference + tolerance, ``range`` reference is
[lo, hi] and value inside it, ``equal`` value == reference (text), ``informational`` no mark.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Optional, Sequence

__all__ = ["LAYERS", "make_row", "not_reproduced", "informational", "schema", "validate"]

LAYERS = ("verification", "validation", "code-to-code", "performance")
COMPARISONS = ("absolute", "relative", "at_least", "at_most", "range", "equal", "informational")
SCHEMA_PATH = Path(__file__).with_name("results.schema.json")


def _finite(v):
    return v if not isinstance(v, float) or math.isfinite(v) else None


def make_row(layer: str, case: str, quantity: str, reference: Any, value: Any, tolerance: Any = None,
             comparison: str = "absolute", source: str = "", units: str = "", note: str = "") -> dict:
    """A row with its error and pass mark computed by ``comparison``."""
    if layer not in LAYERS:
        raise ValueError(f"unknown benchmark layer '{layer}'")
    if comparison not in COMPARISONS:
        raise ValueError(f"unknown comparison '{comparison}'")
    error: Optional[float] = None
    passed: Optional[bool] = None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if comparison == "range":
        lo, hi = reference
        passed = bool(number and lo <= value <= hi)
        if number:
            error = 0.0 if lo <= value <= hi else float(value - (lo if value < lo else hi))
    elif comparison == "equal":
        passed = value == reference
    elif comparison != "informational" and number and isinstance(reference, (int, float)):
        diff = float(value) - float(reference)
        error = diff / abs(reference) if comparison == "relative" and reference != 0 else diff
        tol = float(tolerance or 0.0)
        passed = {"absolute": abs(error) <= tol, "relative": abs(error) <= tol,
                  "at_least": value >= reference - tol, "at_most": value <= reference + tol}[comparison]
        passed = bool(passed and math.isfinite(float(value)))
    elif comparison != "informational":
        passed = False
    return {"layer": layer, "case": case, "quantity": quantity, "reference": _finite(reference),
            "value": _finite(float(value)) if number else value, "error": _finite(error),
            "tolerance": _finite(tolerance), "pass": passed, "source": source, "units": units,
            "comparison": comparison, "note": note}


def informational(layer: str, case: str, quantity: str, value: Any, units: str = "", source: str = "",
                  note: str = "", reference: Any = None) -> dict:
    """A figure reported without a pass mark (a timing, a throughput)."""
    return make_row(layer, case, quantity, reference, value, None, "informational", source, units, note)


def not_reproduced(layer: str, case: str, quantity: str, reference: Any, why: str, source: str) -> dict:
    """A published case the model cannot represent: the reference, no value, the reason."""
    return make_row(layer, case, quantity, reference, "not reproduced", None, "informational", source, "", why)


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def validate(document: dict) -> None:
    """Raises jsonschema.ValidationError when ``document`` (results.json) breaks the schema."""
    import jsonschema
    jsonschema.validate(document, schema())


def summary_counts(rows: Sequence[dict]) -> dict:
    out = {}
    for layer in LAYERS:
        mine = [r for r in rows if r["layer"] == layer]
        out[layer] = {"rows": len(mine), "passed": sum(r["pass"] is True for r in mine),
                      "failed": sum(r["pass"] is False for r in mine),
                      "unmarked": sum(r["pass"] is None for r in mine)}
    return out
