"""Grid convergence (hphtsim.convergence, `hphtsim converge`): the Celik et al. 2008 estimate on
synthetic sequences, a study of a small config, and the command line."""
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hphtsim
from hphtsim import celik_estimate

HERE = Path(__file__).resolve().parent
BUDGETS = [10, 14, 20]   # slab_seed.yaml's seed (2 mm at z = -5 mm) covers cells on each
UNTIL = "20 s"


# --- the estimate -------------------------------------------------------------------------

# Non-constant refinement ratios: (r21, r32) = (1.3, 1.54), (1.5, 1.33) and (1.05, 1.9), the
# last beyond where Celik's fixed-point iteration contracts (its bisection fallback).
SPACINGS = [[2.0, 1.3, 1.0], [2.0, 1.5, 1.0], [2.0, 1.05, 1.0]]


@pytest.mark.parametrize("h", SPACINGS)
@pytest.mark.parametrize("order", [2.0, 1.5])
def test_recovers_the_order_and_the_limit_of_a_power_law(h, order):
    f0, c = 1350.0, -7.5
    f = [f0 + c * x ** order for x in h]
    est = celik_estimate(h, f)
    assert est.convergence == "converging" and est.monotone
    assert est.order == pytest.approx(order, abs=1e-6)
    assert est.extrapolated == pytest.approx(f0, abs=1e-6)
    # GCI_fine = 1.25 |(f1 - f2) / f1| / (r21^p - 1), the finest grid's error bounded 1.25 times
    r21 = sorted(h)[1] / sorted(h)[0]
    assert est.gci_fine == pytest.approx(1.25 * abs((f[2] - f[1]) / f[2]) / (r21 ** order - 1), rel=1e-9)
    assert est.gci_fine >= abs((f[2] - f0) / f[2])


def test_uses_the_three_finest_grids_in_any_order():
    h = [1.0, 4.0, 2.0, 1.4]
    f = [3.0 + x ** 2 for x in h]
    f[1] = 100.0   # the coarsest grid is not used for the order ...
    est = celik_estimate(h, f)
    assert est.order == pytest.approx(2.0, abs=1e-6) and est.extrapolated == pytest.approx(3.0, abs=1e-6)
    assert est.monotone   # ... but is for monotone: 100, 7, 4.96, 4 all fall


def test_an_oscillatory_sequence_gets_no_order():
    est = celik_estimate([2.0, 1.5, 1.0], [10.0, 10.4, 10.1])
    assert est.convergence == "oscillatory" and not est.monotone
    assert math.isnan(est.order) and math.isnan(est.extrapolated) and math.isnan(est.gci_fine)


def test_a_coarse_grid_that_overshoots_is_not_monotone():
    h = [3.0, 2.0, 1.5, 1.0]
    f = [0.0] + [1.0 + x ** 2 for x in h[1:]]   # the three finest converge, the coarsest is below them
    est = celik_estimate(h, f)
    assert est.convergence == "converging" and not est.monotone
    assert est.order == pytest.approx(2.0, abs=1e-6)


def test_a_diverging_sequence_gets_no_order():
    est = celik_estimate([2.0, 1.3, 1.0], [1.0 / x for x in (2.0, 1.3, 1.0)])   # f = 1/h
    assert est.convergence == "diverging" and est.monotone
    assert math.isnan(est.order) and math.isnan(est.extrapolated)


def test_equal_values_are_grid_independent():
    est = celik_estimate([2.0, 1.5, 1.0], [5.0, 5.0, 5.0])
    assert est.convergence == "grid-independent" and est.extrapolated == 5.0 and est.gci_fine == 0.0
    assert math.isnan(est.order)


def test_round_off_below_the_floor_is_no_grid_effect():
    # a cold cell: the source-seed difference is round-off around zero, and a constant is monotone
    est = celik_estimate([2.0, 1.5, 1.0], [-1.1e-13, 5.7e-14, 2.3e-13], floor=1e-9)
    assert est.convergence == "grid-independent" and est.monotone
    # without the floor the noise would pass for an order
    assert celik_estimate([2.0, 1.5, 1.0], [-1.1e-13, 5.7e-14, 2.3e-13]).convergence == "converging"


def test_needs_three_distinct_spacings():
    with pytest.raises(ValueError):
        celik_estimate([2.0, 1.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        celik_estimate([2.0, 1.0, 1.0], [1.0, 2.0, 3.0])


# --- a study ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def study():
    cfg = hphtsim.load_config(HERE / "slab_seed.yaml")
    return hphtsim.convergence(cfg, cells=BUDGETS, until=UNTIL)


def test_study_table(study):
    values = [f"value_{n}" for n in BUDGETS]
    errors = [f"error_{n}" for n in BUDGETS]
    assert list(study.columns) == (["units"] + values + ["difference", "relative_difference", "order", "extrapolated"]
                                   + errors + ["gci_fine", "monotone", "convergence"])
    assert list(study.index) == ["cells", "h", "T_probe_middle", "T_max", "dT_source_seed", "heater_resistance",
                                 "heater_power"]   # no pressure, no growth in this config
    # The grids conform to the seed's faces: a budget gives at most n^3 cells, what the core builds.
    shapes = [hphtsim.load_config(HERE / "slab_seed.yaml", {"cell.cells": n}).model().shape for n in BUDGETS]
    counts = [int(np.prod(sh)) for sh in shapes]
    assert list(study.loc["cells", values]) == counts
    assert all(c <= n ** 3 for c, n in zip(counts, BUDGETS))
    h_mm = (4 * 4 * 20 / np.array(counts, dtype=float)) ** (1 / 3)   # (V / cells)^(1/3)
    np.testing.assert_allclose(study.loc["h", values].astype(float), h_mm, rtol=1e-12)
    assert study.loc["T_max", "units"] == "degC" and study.loc["heater_resistance", "units"] == "ohm"
    figures = study.drop(index=["cells", "h"])
    assert np.isfinite(figures[values + ["difference"]].to_numpy(dtype=float)).all()
    assert set(figures["convergence"]) <= {"converging", "oscillatory", "diverging", "undetermined"}
    for name, row in figures.iterrows():
        if row["convergence"] == "converging":
            assert row["order"] > 0 and math.isfinite(row["extrapolated"]) and row["gci_fine"] >= 0, name
            assert row[f"error_{BUDGETS[-1]}"] == pytest.approx((row[values[-1]] - row["extrapolated"])
                                                                / abs(row["extrapolated"]))
        else:
            assert math.isnan(row["order"]) and math.isnan(row["extrapolated"]), name
    # the figures are the last time-series row of the finest run
    sim = hphtsim.Simulation(HERE / "slab_seed.yaml", {"cell.cells": BUDGETS[-1]}).run(until=UNTIL)
    d = sim.diagnostics()
    assert figures.loc["T_max", values[-1]] == pytest.approx(d["T_max"] - 273.15, rel=1e-12)
    assert figures.loc["heater_power", values[-1]] == pytest.approx(d["heater_power"], rel=1e-12)


def test_two_grids_give_differences_and_no_order():
    table = hphtsim.convergence(HERE / "slab_seed.yaml", cells=[14, 10], until=UNTIL)
    assert [c for c in table.columns if c.startswith("value_")] == ["value_10", "value_14"]   # coarse to fine
    row = table.loc["T_max"]
    assert row["difference"] == pytest.approx(row["value_14"] - row["value_10"])
    assert row["convergence"] == "two grids" and pd.isna(row["monotone"]) and math.isnan(row["order"])


def test_bad_budgets_name_cells():
    for cells in ([16], [16, 16], [16, 0], "16,24"):
        with pytest.raises(hphtsim.ConfigError) as e:
            hphtsim.convergence(HERE / "slab_seed.yaml", cells=cells, until=UNTIL)
        assert e.value.key == "cells"

def test_a_budget_too_large_fails_before_anything_runs(monkeypatch):
    monkeypatch.setenv("HPHTSIM_MEMORY_LIMIT", str(200 << 20))   # bytes: the memory check of every grid
    with pytest.raises(hphtsim.ConfigError) as e:
        hphtsim.convergence(HERE / "slab_seed.yaml", cells=[8, 12, 300], until=UNTIL)
    assert e.value.key == "cell.cells" and "grid budget 300" in str(e.value)


# --- the command line ---------------------------------------------------------------------

def _cli(*args, timeout=240):
    return subprocess.run([sys.executable, "-m", "hphtsim", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, MPLBACKEND="Agg"))


def test_cli_writes_the_table_with_two_workers(study, tmp_path):
    out = tmp_path / "study.csv"
    r = _cli("converge", HERE / "slab_seed.yaml", "--cells", ",".join(map(str, BUDGETS)), "--until", UNTIL,
             "--workers", 2, "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    assert "grid 20: 20 x 20 x 20 = 8000 cells" in r.stdout and "T_max" in r.stdout and f"table: {out}" in r.stdout
    table = pd.read_csv(out, index_col="figure")
    assert list(table.columns) == list(study.columns) and list(table.index) == list(study.index)
    numeric = [c for c in study.columns if c not in ("units", "monotone", "convergence")]
    np.testing.assert_allclose(table[numeric].to_numpy(dtype=float), study[numeric].to_numpy(dtype=float),
                               rtol=1e-9, equal_nan=True)   # the same runs on a process pool


@pytest.mark.parametrize("cells", ["32,abc", "32", "0,8"])
def test_cli_bad_cells_exit_2(cells):
    r = _cli("converge", HERE / "slab_seed.yaml", "--cells", cells)
    assert r.returncode == 2 and "--cells" in r.stderr, r.stderr


def test_a_config_with_cell_grid_gets_its_budget_there(tmp_path):
    """A config laying its grid out with ``cell.grid`` gets the budgets in cell.grid.cells
    (cell.cells and cell.grid together are refused by the core)."""
    import importlib
    conv = importlib.import_module("hphtsim.convergence")
    text = (Path(__file__).parents[1] / "data" / "slab.yaml").read_text()
    assert "cells: [4, 4, 40]" in text
    path = tmp_path / "graded_slab.yaml"
    path.write_text(text.replace("cells: [4, 4, 40]", "grid: {cells: [4, 4, 40], max_ratio: 1.2}"))
    cfg = hphtsim.load_config(path)
    assert conv._budget_key(cfg) == "cell.grid.cells"
    assert conv._grid(cfg, 12)["shape"] == (12, 12, 12)
    assert conv._budget_key(hphtsim.load_config(Path(__file__).parents[1] / "data" / "slab.yaml")) == "cell.cells"
