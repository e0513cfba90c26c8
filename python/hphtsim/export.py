"""``hphtsim export CONFIG --format json|gmsh -o CASE``: a cell as a neutral specification that
another code (FEniCSx, Elmer, COMSOL) can solve, and ``hphtsim compare CASE OTHER.csv``: that
code's answers against the case's reference values, as benchmark rows (docs/benchmark.md).

The case (CASE.json, format ``hphtsim-case/1``) is the steady electro-thermal problem of the
config at a fixed heater power: geometry (parts painted in order, later over earlier; seeds),
materials with their laws (constant, table in T held constant beyond its ends, polynomial in
T/K), boundary conditions (film cooling per cube face, separate heat paths, the anvil squares as
electrodes), the load, the probes and the quantities to report; everything in SI (m, K, W, V,
A, ohm, Pa). It carries the hphtsim config that solves exactly that problem (``hphtsim_config``),
so that hphtsim's own answers on any grid are one run away. ``--constant-properties T`` evaluates
every law at T (the linear problem of issue 11's finite-element comparison). ``--format gmsh``
also writes CASE.geo, an OpenCASCADE script of the same parts with a physical volume per part.
"""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any, Optional

import yaml

from . import _core
from ._atomic import write_atomically
from ._errors import config_error, parse_quantity
from .config import Config, load_config

__all__ = ["allowed_error", "reference_rows", "case_spec", "export_case", "read_other", "compare_case", "QUANTITIES"]

FORMAT = "hphtsim-case/1"
KELVIN = 273.15
# What a case asks the other code for: name -> (units, meaning). Probe temperatures are added
# per probe as T_probe_<name>.
QUANTITIES = {
    "T_max": ("K", "largest temperature in the cell"),
    "heater_resistance": ("ohm", "V / I between the two anvil electrodes"),
    "heater_voltage": ("V", "the voltage that dissipates the case's power"),
    "dT_probe_source_seed": ("K", "T at the source probe minus T at the seed probe (the growth driver)"),
}


_TEXT_KEYS = {"name", "material", "shape", "axis", "orientation", "primitive", "source", "property"}


def _si(value: Any) -> Any:
    """Quantity strings to SI floats (recursively); other strings, and names, unchanged."""
    if isinstance(value, str):
        try:
            return _core.parse_quantity(value)[0]
        except (ValueError, RuntimeError):
            return value
    if isinstance(value, list):
        return [_si(v) for v in value]
    if isinstance(value, dict):
        return {k: (str(v) if k in _TEXT_KEYS else _si(v)) for k, v in value.items()}
    return value


def _materials(cfg: Config) -> dict:
    """The config's materials as written (library file, then inline entries over it)."""
    doc = cfg.to_dict()
    out = {}
    lib = (doc.get("cell") or {}).get("materials_library")
    if lib:
        path = Path(cfg.base_dir) / lib
        try:
            out.update((yaml.safe_load(path.read_text()) or {}).get("materials") or {})
        except OSError as e:
            raise config_error("cell.materials_library", f"cannot read '{path}': {e.strerror or e}") from None
    out.update(doc.get("materials") or {})
    return out


def _law_at(law: Any, T: float) -> float:
    """A property law's value at T (K): constant, table (held beyond its ends) or polynomial."""
    law = _si(law)
    if isinstance(law, (int, float)):
        return float(law)
    if "table" in law:
        pts = sorted((float(t), float(v)) for t, v in law["table"])
        if T <= pts[0][0]:
            return pts[0][1]
        for (t0, v0), (t1, v1) in zip(pts, pts[1:]):
            if T <= t1:
                return v0 + (v1 - v0) * (T - t0) / (t1 - t0)
        return pts[-1][1]
    if "polynomial" in law:
        return float(sum(c * T ** i for i, c in enumerate(law["polynomial"])))
    raise ValueError(f"unknown property law {law!r}")


LAWS = ("density", "heat_capacity", "thermal_conductivity", "electrical_resistivity")


def _used_materials(doc: dict) -> list:
    used = [p["material"] for p in doc.get("assembly") or []]
    used += [s.get("material", "diamond") for s in doc.get("seeds") or []]
    return list(dict.fromkeys(used))


def steady_config(cfg: Config, power: float, constant_at: Optional[float] = None) -> dict:
    """The config of the steady electro-thermal case: the heater held at ``power`` (W), no growth,
    pressure field or drift; with ``constant_at`` (K) every law evaluated there (inline)."""
    doc = json.loads(json.dumps(cfg.to_dict()))
    for key in ("growth", "drift", "pressure", "output"):
        doc.pop(key, None)
    for key in ("control", "power", "voltage", "current"):  # the constant drive: the recipe holds the power
        (doc.get("heater") or {}).pop(key, None)
    doc["recipe"] = {"heater": {"control": "power", "start": f"{power:.10g} W", "segments": [{"hold": "1 h"}]}}
    doc["time"] = {k: v for k, v in (doc.get("time") or {}).items() if k in ("initial_temperature", "step")}
    mats = _materials(cfg)
    used = _used_materials(doc)
    if constant_at is not None:
        doc["cell"].pop("materials_library", None)
        inline = {}
        for name in used:
            m = mats[name]
            inline[name] = {"source": f"{name} at {constant_at - KELVIN:.6g} degC (constant-property case)"}
            for law in LAWS:
                unit = {"density": "kg/m^3", "heat_capacity": "J/(kg*K)", "thermal_conductivity": "W/(m*K)",
                        "electrical_resistivity": "ohm*m"}[law]
                inline[name][law] = f"{_law_at(m[law], constant_at):.10g} {unit}"
        doc["materials"] = inline
    elif "materials_library" in doc.get("cell", {}):
        doc["cell"]["materials_library"] = str((Path(cfg.base_dir) / doc["cell"]["materials_library"]).resolve())
    return doc


def case_spec(config, power: str = "1265 W", constant_properties: Optional[str] = None, overrides=None) -> dict:
    """The neutral specification (a dict) of ``config``'s steady case at heater ``power``."""
    cfg = load_config(config, overrides)
    cfg.model()  # the config itself must be valid (ConfigError naming its key)
    if str((cfg.to_dict().get("cell") or {}).get("geometry", "cartesian")) == "axisymmetric":
        raise config_error("cell.geometry", "export writes the 3-D cell (box, square anvil faces): export the "
                                            "config without cell.geometry: axisymmetric")
    P = parse_quantity(power, "--power", _core.parse_quantity("1 W")[1], "a power such as \"1265 W\"")
    if not P > 0:
        raise config_error("--power", "the case's heater power must be positive")
    T_c = None
    if constant_properties is not None:
        T_c = parse_quantity(constant_properties, "--constant-properties", "K", "a temperature such as \"1300 degC\"")
        if not T_c > 0:
            raise config_error("--constant-properties", "expected an absolute temperature such as \"1300 degC\"")
    run_doc = steady_config(cfg, P, T_c)
    Config(yaml.safe_dump(run_doc, sort_keys=False), cfg.base_dir).model()  # the carried config loads
    doc = cfg.to_dict()
    mats = run_doc["materials"] if T_c is not None else _materials(cfg)
    used = _used_materials(doc)
    anvils = _si(doc["anvils"])
    probes = {k: _si(v) for k, v in (doc.get("probes") or {}).items()}
    quantities = {f"T_probe_{p}": ("K", f"temperature at probe '{p}'") for p in probes}
    quantities.update({k: v for k, v in QUANTITIES.items()
                       if k != "dT_probe_source_seed" or {"source", "seed"} <= set(probes)})
    return {
        "format": FORMAT,
        "title": doc.get("title", ""),
        "exported_by": f"hphtsim {_core.version} ({_core.git_revision})",
        "units": "SI: m, kg, s, K, W, V, A, ohm, Pa",
        "problem": {
            "kind": "steady electro-thermal, heater power held",
            "electric": "div(sigma grad phi) = 0, sigma = 1/rho_e(T); phi = V on the top anvil square (face_size, "
                        "centred on z_max), 0 on the bottom one (z_min), insulated elsewhere; parts with "
                        "rho_e > insulator_resistivity carry no current (hphtsim's circuit cut-off, docs/model.md)",
            "thermal": "-div(k(T) grad T) = q, q = sigma |grad phi|^2; on every cube face -k dT/dn = h (T - T_coolant), "
                       "h per face, and each heat path's part keeps its own h where it touches a face",
            "load": "V such that V * I = heater_power",
        },
        "domain": {"shape": "box", "center": [0.0, 0.0, 0.0], "size": _si((doc.get("cell") or {}).get("size"))},
        "painting": "parts in order; a later part replaces an earlier one where they overlap; seeds last",
        "parts": [_si(p) for p in doc.get("assembly") or []],
        "seeds": [{**_si(s), "material": s.get("material", "diamond"), "shape": "cube (axis-aligned, edge = size)"}
                  for s in doc.get("seeds") or []],
        "materials": {name: {law: _si(mats[name][law]) for law in LAWS if law in mats[name]} for name in used},
        "material_laws": "a number: constant; {table: [[T, value], ...]}: piecewise linear in T (K), constant "
                         "beyond its ends; {polynomial: [c0, c1, ...]}: sum c_i T^i, T in K",
        "boundary_conditions": {
            "anvil_face_size": anvils.get("face_size"),
            "coolant_temperature": anvils.get("coolant_temperature"),
            "heat_transfer_coefficient": anvils.get("heat_transfer_coefficient"),
            "heat_paths": anvils.get("heat_paths", []),
            "insulator_resistivity": _si((doc.get("heater") or {}).get("insulator_resistivity", "1 ohm*m")),
            "contact_resistance": _si((doc.get("heater") or {}).get("contact_resistance", "0 ohm*m^2")),
        },
        "load": {"heater_power": P},
        "probes": probes,
        "quantities": {k: {"units": u, "meaning": m} for k, (u, m) in quantities.items()},
        "hphtsim_config": yaml.safe_dump(run_doc, sort_keys=False),
    }


def hphtsim_values(spec: dict, overrides=None) -> dict:
    """hphtsim's answers to the case (the steady state of its config), by quantity name (SI)."""
    from .simulation import Simulation
    sim = Simulation(Config(spec["hphtsim_config"], "."), overrides)
    sim.solve_steady()
    d = sim.diagnostics()
    out = {f"T_probe_{p}": float(d[f"T_probe_{p}"]) for p in spec["probes"]}
    out["T_max"] = float(d["T_max"])
    out["heater_resistance"] = float(d["heater_resistance"])
    out["heater_voltage"] = float(d["heater_voltage"])
    if "dT_probe_source_seed" in spec["quantities"]:
        out["dT_probe_source_seed"] = out["T_probe_source"] - out["T_probe_seed"]
    return out


def _geo_cylinder(tag: int, center, axis: int, radius: float, height: float) -> str:
    """A .geo cylinder of ``height`` along ``axis`` centred on ``center``."""
    base = list(center)
    base[axis] -= height / 2
    d = [0.0, 0.0, 0.0]
    d[axis] = height
    return (f"Cylinder({tag}) = {{{base[0]:.9g}, {base[1]:.9g}, {base[2]:.9g}, {d[0]:.9g}, {d[1]:.9g}, "
            f"{d[2]:.9g}, {radius:.9g}}};")


def _geo(spec: dict) -> str:
    """OpenCASCADE .geo text of the parts (painting order by boolean differences)."""
    lines = ['// ' + spec["title"], '// exported by ' + spec["exported_by"] + ' (hphtsim-case/1): metres',
             'SetFactory("OpenCASCADE");']
    vols = []
    for i, p in enumerate(spec["parts"] + [{**s, "shape": "seed"} for s in spec["seeds"]], start=1):
        c = p["center"]
        axis = {"x": 0, "y": 1, "z": 2}[p.get("axis", "z")]
        if p["shape"] in ("box", "seed"):
            s = p["size"] if p["shape"] == "box" else [p["size"]] * 3
            lines.append(f"Box({i}) = {{{c[0]-s[0]/2:.9g}, {c[1]-s[1]/2:.9g}, {c[2]-s[2]/2:.9g}, "
                         f"{s[0]:.9g}, {s[1]:.9g}, {s[2]:.9g}}};")
        elif p["shape"] in ("cylinder", "disk"):
            lines.append(_geo_cylinder(i, c, axis, p["radius"], p["height"]))
        elif p["shape"] == "tube":
            lines.append(_geo_cylinder(1000 + i, c, axis, p["outer_radius"], p["height"]))
            lines.append(_geo_cylinder(2000 + i, c, axis, p["inner_radius"], p["height"]))
            lines.append(f"BooleanDifference({i}) = {{ Volume{{{1000 + i}}}; Delete; }}{{ Volume{{{2000 + i}}}; Delete; }};")
        elif p["shape"] == "sphere":
            lines.append(f"Sphere({i}) = {{{c[0]:.9g}, {c[1]:.9g}, {c[2]:.9g}, {p['radius']:.9g}}};")
        vols.append((i, p["name"], p.get("material", "diamond")))
    # later parts win: cut every part by the union of the parts after it (a cut may leave
    # several pieces: each part's pieces are the list part_<i>[])
    for k, (i, _, _) in enumerate(vols[:-1]):
        later = ", ".join(str(j) for j, _, _ in vols[k + 1:])
        lines.append(f"part_{i}[] = BooleanDifference{{ Volume{{{i}}}; Delete; }}{{ Volume{{{later}}}; }};")
    lines.append(f"part_{vols[-1][0]}[] = {{{vols[-1][0]}}};")
    lines.append("Coherence;")
    for i, name, material in vols:
        lines.append(f'Physical Volume("{name}:{material}") = {{part_{i}[]}};')
    lines.append("// boundary conditions, materials, load and probes: see the case's .json")
    return "\n".join(lines) + "\n"


def export_case(config, out, fmt: str = "json", power: str = "1265 W", constant_properties: Optional[str] = None,
                overrides=None, reference_cells: Optional[list] = None) -> Path:
    """Writes CASE.json (and CASE.geo for ``fmt="gmsh"``); returns the .json path."""
    if fmt not in ("json", "gmsh"):
        raise config_error("--format", f"'{fmt}': expected json or gmsh")
    spec = case_spec(config, power, constant_properties, overrides)
    if reference_cells:
        spec["reference"] = reference_values(spec, reference_cells)
    out = Path(out)
    path = out if out.suffix == ".json" else out.with_suffix(".json")
    write_atomically(path, lambda f: json.dump(spec, f, indent=1, allow_nan=False))
    if fmt == "gmsh":
        write_atomically(path.with_suffix(".geo"), lambda f: f.write(_geo(spec)))
    return path


def reference_values(spec: dict, cells: list) -> dict:
    """hphtsim on the grids ``cells`` (N^3 budgets), with the Celik/Richardson extrapolation of each
    quantity and its GCI: the case's reference values."""
    from .convergence import celik_estimate
    cells = sorted(int(n) for n in cells)  # coarsest first: the last is the finest
    if len(cells) < 3 or len(set(cells)) != len(cells):
        raise config_error("--reference", "expected at least three different grid budgets, such as 64,96,128")
    runs = []
    for n in cells:
        v = hphtsim_values(spec, {"cell.cells": int(n)})
        runs.append(v)
    size = spec["domain"]["size"]
    h = [(size[0] * size[1] * size[2] / n ** 3) ** (1 / 3) for n in cells]
    values, errors, orders = {}, {}, {}
    for q in runs[0]:
        f = [r[q] for r in runs]
        est = celik_estimate(h, f)
        ok = est.convergence == "converging" and math.isfinite(est.extrapolated)
        values[q] = est.extrapolated if ok else f[-1]
        errors[q] = abs(est.extrapolated - f[-1]) * 1.25 if ok else abs(f[-1] - f[-2])
        orders[q] = est.order if ok else None
    return {"solver": f"hphtsim {_core.version}", "method": f"steady state on {', '.join(f'{n}^3' for n in cells)} "
            "(conforming graded grids), Richardson-extrapolated (Celik et al. 2008) where the sequence converges, "
            "else the finest value", "grids": [int(n) for n in cells],
            "by_grid": [{q: r[q] for q in r} for r in runs], "values": values, "uncertainty": errors,
            "observed_order": orders}


def read_other(path, spec: dict) -> dict:
    """The other code's CSV: a header ``quantity,value[,units]``, a row per quantity; units
    optional (default: the case's). ConfigError names the row and column of bad input."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as e:
        raise config_error("OTHER.csv", f"cannot read '{path}': {e.strerror or e}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or [c.strip() for c in rows[0][:2]] != ["quantity", "value"]:
        raise config_error("OTHER.csv", f"'{path}' row 1: expected the header quantity,value[,units]")
    has_units = len(rows[0]) > 2 and rows[0][2].strip() == "units"
    out = {}
    for i, r in enumerate(rows[1:], start=2):
        if not r or not "".join(r).strip():
            continue
        name = r[0].strip()
        if name not in spec["quantities"]:
            raise config_error("OTHER.csv", f"row {i}, column quantity: '{name}' is not one of the case's quantities "
                                            f"({', '.join(spec['quantities'])})")
        if name in out:
            raise config_error("OTHER.csv", f"row {i}: '{name}' is given twice")
        want = spec["quantities"][name]["units"]
        unit = r[2].strip() if has_units and len(r) > 2 and r[2].strip() else want
        try:
            value, dim = _core.parse_quantity(f"{r[1].strip()} {unit}")
            _, want_dim = _core.parse_quantity(f"1 {want}")
        except (ValueError, RuntimeError, IndexError):
            raise config_error("OTHER.csv", f"row {i}, column value: '{','.join(r[1:])}' is not a number with "
                                            f"units of {want}") from None
        if dim != want_dim:
            raise config_error("OTHER.csv", f"row {i}, column units: '{unit}' is not a unit of {want}")
        if want == "K" and unit == "degC" and name.startswith("dT"):
            value = float(r[1])  # a difference: degC and K agree
        out[name] = value
    if not out:
        raise config_error("OTHER.csv", f"'{path}' has no rows")
    return out


# The accuracy issue 11 asks of a production grid: probe temperatures within 1 % (of the rise
# above the coolant), the source-seed difference (the growth driver) within 3 %.
DIFFERENCE_TOLERANCE = 0.03


def allowed_error(spec: dict, quantity: str, reference: float, relative: float = 0.01) -> float:
    """The allowed |value - reference| of a quantity: ``relative`` of the rise above the coolant
    (temperatures) or of |reference| (others; differences: 3 %), and never below twice the
    reference's own uncertainty."""
    T_c = spec["boundary_conditions"]["coolant_temperature"]
    if quantity.startswith("dT"):
        tol = max(relative, DIFFERENCE_TOLERANCE) * abs(reference)
    elif spec["quantities"][quantity]["units"] == "K":
        tol = relative * abs(reference - T_c)
    else:
        tol = relative * abs(reference)
    return max(tol, 2.0 * (spec.get("reference") or {}).get("uncertainty", {}).get(quantity, 0.0))


def compare_case(case, other_csv, code: str = "other code", tolerance: float = 0.01,
                 name: Optional[str] = None) -> list:
    """Benchmark rows: the other code's values against the case's reference values, each within
    :func:`allowed_error` (``tolerance`` its relative part)."""
    if isinstance(case, dict):
        spec = case
    else:
        try:
            spec = json.loads(Path(case).read_text())
        except OSError as e:
            raise config_error("CASE", f"cannot read '{case}': {e.strerror or e}") from None
        except ValueError as e:
            raise config_error("CASE", f"'{case}' is not JSON: {e}") from None
    if spec.get("format") != FORMAT:
        raise config_error("CASE", f"not an {FORMAT} case (format: {spec.get('format')!r})")
    ref = spec.get("reference")
    if not ref:
        raise config_error("CASE", "the case carries no reference values (export it with --reference 48,64,96)")
    return reference_rows(spec, read_other(other_csv, spec), f"{name or spec['title']}: {code}", tolerance)


def reference_rows(spec: dict, values: dict, case: str, tolerance: float = 0.01) -> list:
    """Benchmark rows of ``values`` (by quantity, SI) against the case's reference values, each
    within :func:`allowed_error`; a reference quantity missing from ``values`` is a failed row, not
    a silent pass."""
    from .benchmark.rows import make_row
    ref = spec["reference"]
    rows = []
    for q, r in ref["values"].items():
        units = spec["quantities"][q]["units"]
        if q not in values:
            rows.append(make_row("code-to-code", case, q, r, "missing", None, "equal", ref["solver"], units,
                                 note="not among the values given"))
            continue
        rows.append(make_row("code-to-code", case, q, r, values[q], allowed_error(spec, q, r, tolerance), "absolute",
                             ref["solver"] + ", " + ref["method"], units,
                             note=f"reference uncertainty {ref['uncertainty'].get(q, float('nan')):.3g} {units}"))
    return rows
