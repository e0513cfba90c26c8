"""hphtsim benchmark: the quick verification and validation layers in the suite, the results
document against its schema, the row comparisons, failures reported as failed rows, bad options."""
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from hphtsim.benchmark import benchmark, validate
from hphtsim.benchmark.rows import make_row, not_reproduced
from hphtsim.benchmark.verification import _rows_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    doc = benchmark(out, level="quick", layers=["verification", "validation"], threads=1)
    return out, doc


def test_quick_layers_pass_and_validate(quick):
    out, doc = quick
    on_disk = json.loads((out / "results.json").read_text())
    validate(on_disk)
    assert on_disk["rows"] == doc["rows"]
    failed = [r for r in doc["rows"] if r["pass"] is False]
    assert not failed, failed
    layers = {r["layer"] for r in doc["rows"]}
    assert layers == {"verification", "validation"}
    # the verification layer carries the suite's figures: orders, analytic cases, conservation, restart
    quantities = " ".join(r["case"] + " " + r["quantity"] for r in doc["rows"] if r["layer"] == "verification")
    for needle in ("observed order", "Joule slab", "Lame cylinder", "thermal-mismatch sphere", "diffusion-limited",
                   "carbon conservation", "restart equivalence", "thread independence", "heater resistance"):
        assert needle in quantities, needle
    # every validation row names its source; the unreproduced cases say why
    for r in doc["rows"]:
        if r["layer"] == "validation":
            assert r["source"], r
            if r["value"] == "not reproduced":
                assert r["pass"] is None and r["note"], r
    report = (out / "report.md").read_text()
    assert "| case | quantity | reference | value |" in report and "## validation" in report
    assert (out / "summary.png").stat().st_size > 0


def test_schema_rejects_a_row_without_its_mark(quick):
    _, doc = quick
    bad = json.loads(json.dumps(doc))
    del bad["rows"][0]["pass"]
    with pytest.raises(jsonschema.ValidationError):
        validate(bad)
    bad = json.loads(json.dumps(doc))
    bad["rows"][0]["layer"] = "marketing"
    with pytest.raises(jsonschema.ValidationError):
        validate(bad)


def test_row_comparisons():
    assert make_row("validation", "c", "q", 2.0, 1.95, 0.1, "at_least")["pass"] is True
    assert make_row("validation", "c", "q", 2.0, 1.85, 0.1, "at_least")["pass"] is False
    assert make_row("validation", "c", "q", 0.0, 2e-5, 1e-5, "at_most")["pass"] is False
    r = make_row("validation", "c", "q", 10.0, 10.4, 0.05, "relative")
    assert r["pass"] is True and abs(r["error"] - 0.04) < 1e-12
    r = make_row("validation", "c", "q", [15.0, 45.0], 50.0, None, "range")
    assert r["pass"] is False and r["error"] == 5.0
    assert make_row("validation", "c", "q", "cube", "octahedron", None, "equal")["pass"] is False
    assert make_row("validation", "c", "q", 1.0, float("nan"), 1.0, "absolute")["pass"] is False
    nr = not_reproduced("validation", "c", "q", "2.5", "no geometry", "Li 2019")
    assert nr["pass"] is None and nr["note"] == "no geometry"
    with pytest.raises(ValueError):
        make_row("nonsense", "c", "q", 1, 1)


def test_a_failed_test_becomes_a_failed_row():
    report = {"testsuites": [{"name": "S", "testsuite": [
        {"name": "T", "status": "RUN", "result": "COMPLETED",
         "benchmark_row:a/b": json.dumps({"case": "a", "quantity": "b", "reference": 2, "value": 1.5, "error": -0.5,
                                          "tolerance": 0.1, "comparison": "at_least", "units": "", "source": "s",
                                          "pass": False}),
         "failures": [{"failure": "a, b: value 1.5 against reference 2", "type": ""}]}]}]}
    rows = _rows_of(report, "exe")
    assert [r["pass"] for r in rows] == [False, False]
    assert rows[0]["case"] == "a" and rows[1]["case"] == "test S.T"


def test_bad_layer_is_exit_two(tmp_path):
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "hphtsim", "benchmark", "-o", str(tmp_path / "b"), "--layers",
                           "verification,marketing"], capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "--layers" in proc.stderr and "marketing" in proc.stderr
    assert not (tmp_path / "b" / "results.json").exists()


def test_performance_reads_google_benchmark_output():
    from hphtsim.benchmark.performance import _bench
    b = _bench("BM_StreamTriad")
    if not b:
        pytest.skip("hphtsim-bench not built (no Google Benchmark)")
    assert b["BM_StreamTriad"]["bytes_per_second"] > 1e8


CASE = ROOT / "python" / "hphtsim" / "benchmark" / "cases" / "tgm_default_constant.json"


def test_export_writes_a_case_hphtsim_solves_as_its_config(tmp_path):
    from hphtsim.export import export_case, hphtsim_values
    from hphtsim import Simulation
    path = export_case(ROOT / "configs" / "tgm_lab_small.yaml", tmp_path / "lab", fmt="gmsh", power="900 W",
                       constant_properties="1300 degC")
    spec = json.loads(path.read_text())
    assert spec["format"] == "hphtsim-case/1" and spec["load"]["heater_power"] == 900.0
    # SI throughout: the cube's edge in m, the coolant in K, constant laws as numbers
    assert all(0.0 < x < 0.1 for x in spec["domain"]["size"])
    assert 250.0 < spec["boundary_conditions"]["coolant_temperature"] < 400.0
    assert all(isinstance(v, float) for m in spec["materials"].values() for v in m.values())
    assert {"T_max", "heater_resistance", "heater_voltage"} <= set(spec["quantities"])
    geo = path.with_suffix(".geo").read_text()
    assert geo.count("Physical Volume") == len(spec["parts"]) + len(spec["seeds"])
    # the carried config is the case: its steady state dissipates the case's power
    v = hphtsim_values(spec, {"cell.cells": 24})
    assert abs(v["heater_voltage"] ** 2 / v["heater_resistance"] - 900.0) < 1e-6 * 900.0


def test_compare_reads_units_and_flags_a_wrong_answer(tmp_path):
    from hphtsim.export import compare_case
    spec = json.loads(CASE.read_text())
    ref = spec["reference"]["values"]
    good = tmp_path / "good.csv"
    good.write_text("quantity,value,units\n"
                    f"T_probe_seed,{ref['T_probe_seed'] - 273.15 + 0.5},degC\n"
                    f"heater_resistance,{ref['heater_resistance'] * 1e3},mohm\n"
                    f"dT_probe_source_seed,{ref['dT_probe_source_seed']},K\n")
    rows = [r for r in compare_case(spec, good, code="test") if r["value"] != "missing"]
    assert [r["pass"] for r in rows] == [True, True, True]
    assert abs(rows[0]["error"] - 0.5) < 1e-9
    bad = tmp_path / "bad.csv"
    bad.write_text(f"quantity,value\ndT_probe_source_seed,{ref['dT_probe_source_seed'] * 1.1}\n")
    assert [r["pass"] for r in compare_case(spec, bad) if r["value"] != "missing"] == [False]


@pytest.mark.parametrize("text,where", [
    ("quantity,value\nT_probe_nowhere,1\n", "row 2, column quantity"),
    ("quantity,value\nT_max,hot\n", "row 2, column value"),
    ("quantity,value,units\nT_max,1500,ohm\n", "row 2, column units"),
    ("quantity,value\nT_max,1500\nT_max,1501\n", "row 3"),
    ("name,number\nT_max,1500\n", "row 1"),
])
def test_compare_names_the_row_and_column_of_bad_input(tmp_path, text, where):
    other = tmp_path / "other.csv"
    other.write_text(text)
    proc = subprocess.run([sys.executable, "-m", "hphtsim", "compare", str(CASE), str(other)], capture_output=True,
                          text=True)
    assert proc.returncode == 2, proc.stderr
    assert where in proc.stderr


def test_code_to_code_layer_passes_on_the_shipped_case():
    from hphtsim.benchmark.code_to_code import run_code_to_code
    rows = run_code_to_code("quick", threads=1)
    assert rows and all(r["pass"] for r in rows), [r for r in rows if not r["pass"]]
    assert any("hphtsim at 48^3" in r["case"] for r in rows)


def test_the_geo_partitions_the_cube_into_the_parts(tmp_path):
    gmsh = pytest.importorskip("gmsh")  # python3-gmsh: optional, not among the dependencies
    from hphtsim.export import export_case
    path = export_case(ROOT / "configs" / "tgm_default.yaml", tmp_path / "gem", fmt="gmsh")
    spec = json.loads(path.read_text())
    gmsh.initialize()
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.open(str(path.with_suffix(".geo")))
        volumes = {gmsh.model.getPhysicalName(3, tag).split(":")[0]:
                   sum(gmsh.model.occ.getMass(3, e) for e in gmsh.model.getEntitiesForPhysicalGroup(3, tag))
                   for _, tag in gmsh.model.getPhysicalGroups(3)}
    finally:
        gmsh.finalize()
    size = spec["domain"]["size"]
    assert abs(sum(volumes.values()) - size[0] * size[1] * size[2]) < 1e-9 * size[0] ** 3
    heater = next(p for p in spec["parts"] if p["name"] == "heater")
    exact = 3.141592653589793 * (heater["outer_radius"] ** 2 - heater["inner_radius"] ** 2) * heater["height"]
    assert abs(volumes["heater"] / exact - 1.0) < 1e-9
    assert abs(volumes["seed_1"] - spec["seeds"][0]["size"] ** 3) < 1e-15


def test_export_of_a_constant_drive_config_carries_a_loadable_case(tmp_path):
    # tests/data/slab.yaml drives its heater by heater.control (no recipe): the case's recipe
    # holds the power instead, and the carried config loads and dissipates it.
    from hphtsim.export import export_case, hphtsim_values
    path = export_case(ROOT / "tests" / "data" / "slab.yaml", tmp_path / "slab", power="2 W")
    spec = json.loads(path.read_text())
    v = hphtsim_values(spec)
    assert abs(v["heater_voltage"] ** 2 / v["heater_resistance"] - 2.0) < 1e-6


@pytest.mark.parametrize("args,key", [
    (["--power", "5 mm"], "--power"),
    (["--power", "1265"], "--power"),
    (["--constant-properties", "hot"], "--constant-properties"),
    (["--reference", "64,96"], "--reference"),
    (["--set", "cell.geometry=axisymmetric"], "cell.geometry"),
])
def test_export_refuses_bad_options_with_exit_two(tmp_path, args, key):
    proc = subprocess.run([sys.executable, "-m", "hphtsim", "export", str(ROOT / "configs" / "tgm_lab_small.yaml"),
                           "-o", str(tmp_path / "case")] + args, capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert key in proc.stderr
    assert not (tmp_path / "case.json").exists()


def test_compare_fails_the_quantities_the_other_code_left_out(tmp_path):
    from hphtsim.export import compare_case
    spec = json.loads(CASE.read_text())
    one = tmp_path / "one.csv"
    one.write_text(f"quantity,value\nT_max,{spec['reference']['values']['T_max']}\n")
    rows = compare_case(spec, one)
    missing = [r for r in rows if r["value"] == "missing"]
    assert len(missing) == len(spec["reference"]["values"]) - 1
    assert all(r["pass"] is False for r in missing)
    assert [r["pass"] for r in rows if r["quantity"] == "T_max"] == [True]
