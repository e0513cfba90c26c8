"""Cool-down and release stress (issue 15, point 3): the series crystal_max_stress and
crack_risk, their maxima in the summary, a continued run through the cool-down equal to the
uninterrupted one, and `design --cooldown`: the designed schedule stays below the crack limit
while one ten times faster exceeds it; an unreachable limit is refused with its reason."""
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import hphtsim
from hphtsim.config import load_config
from hphtsim.cooldown import design_cooldown, _schedule
from hphtsim.design import DesignRefused

CONFIG = Path(__file__).parents[2] / "configs" / "tgm_default.yaml"
QUENCH = 25.5 * 3600  # s: the short cycle's cool-down starts here


def short_cycle(strength=None):
    """The default cell in (r, z) 32 x 48 (a crystal of several cells), a one-day hold, the
    default's quench (5 min) and release (1 h, from the quench's start)."""
    heater = {"control": "power", "start": "0 W",
              "segments": [{"hold": "30 min"}, {"ramp_to": "1240 W", "duration": "1 h"}, {"hold": "24 h"},
                           {"ramp_to": "0 W", "duration": "5 min"}, {"hold": "1.5 h"}]}
    oil = {"start": "0 MPa", "segments": [{"ramp_to": "95 MPa", "duration": "30 min"}, {"hold": "25 h"},
                                          {"ramp_to": "0 MPa", "duration": "1 h"}]}
    sets = {"cell.geometry": "axisymmetric", "cell.cells": "[32, 48]", "recipe": {"heater": heater, "oil_pressure": oil}}
    if strength:
        sets["pressure.crystal_stress"] = {"tensile_strength": strength}
    return sets


def test_the_crystal_carries_the_melt_pressure_then_the_locked_in_stress():
    sim = hphtsim.Simulation(CONFIG, short_cycle()).run()
    ts = sim.timeseries()
    t = ts.index.values
    s1, risk, p_seed = ts["crystal_max_stress"].values, ts["crack_risk"].values, ts["p_seed"].values
    hold = (t > 3 * 3600) & (t < QUENCH)
    # in the melt: hydrostatic, the melt's pressure
    assert np.allclose(s1[hold], -p_seed[hold], rtol=1e-12)
    assert np.all(risk[hold] == 0.0)
    # released cold: the metal expands more than the diamond and pulls on it (tension)
    assert s1[-1] > 0.3e9 and 0.0 < risk[-1] == pytest.approx(s1[-1] / 2e9)
    summary = sim.run_summary()
    assert summary["max_crack_risk[seed_1]"][0] == pytest.approx(risk.max())
    assert summary["max_crystal_stress[seed_1]"][0] == pytest.approx(s1.max())


def test_a_continued_run_through_the_cool_down_equals_the_uninterrupted_one(tmp_path):
    sets = {**short_cycle(), "output.snapshot_interval": "12 h", "output.checkpoint_wall_interval": "0 s"}
    full, part = tmp_path / "full.h5", tmp_path / "part.h5"
    hphtsim.Simulation(CONFIG, sets).run(output=full)
    hphtsim.Simulation(CONFIG, sets).run(until="25.6 h", output=part)   # frozen, mid-release
    hphtsim.Simulation(CONFIG, sets).run(output=part, restart=True)
    with h5py.File(full, "r") as f, h5py.File(part, "r") as g:
        a, b = f["timeseries"], g["timeseries"]
        np.testing.assert_array_equal(a["time"][()], b["time"][()])
        assert a["crack_risk"][()].max() > 0.1
        np.testing.assert_allclose(b["crack_risk"][()], a["crack_risk"][()], rtol=1e-10, atol=0)
        np.testing.assert_allclose(b["crystal_max_stress"][()], a["crystal_max_stress"][()], rtol=1e-10, atol=1.0)


def test_design_cooldown_is_below_the_limit_and_ten_times_faster_is_not(tmp_path):
    # 1.1 GPa, in the lower part of the 1-3 GPa bracket of the diamond's tensile strength, so
    # that the limit is active on this small cell (at 2 GPa every schedule of it is safe)
    cfg = load_config(CONFIG).with_overrides(short_cycle("1.1 GPa"))
    out = tmp_path / "designed.yaml"
    r = design_cooldown(cfg, out=out)
    assert not r["shortest_is_safe"] and r["limited_by"] == "the crack risk"
    assert r["design"]["max_risk"] < 1.0 < r["ten_times_faster"]["max_risk"]
    assert r["own"]["max_risk"] > 1.0  # the config's cold release exceeds it
    assert 600 < r["duration_s"] < 86400
    # the designed config runs as is and gives what the design saw
    ts = hphtsim.Simulation(out).run().timeseries()
    assert ts["crack_risk"].values.max() == pytest.approx(r["design"]["max_risk"], rel=1e-9)
    report = out.with_suffix(".md").read_text()
    assert "ten times faster" in report and "the config's own" in report


def test_an_unreachable_limit_is_refused_with_its_reason(tmp_path):
    cfg = load_config(CONFIG).with_overrides(short_cycle("0.8 GPa"))
    with pytest.raises(DesignRefused, match="no schedule up to 24 h is safe: at 24 h crack risk 1.2"):
        design_cooldown(cfg, out=tmp_path / "d.yaml")
    assert not (tmp_path / "d.yaml").exists()


def test_the_schedule_keeps_the_recipe_before_the_quench():
    cfg = load_config(CONFIG).with_overrides(short_cycle())
    s = _schedule(cfg, 7200.0)
    assert s["recipe.heater.segments"][:3] == short_cycle()["recipe"]["heater"]["segments"][:3]
    assert s["recipe.heater.segments"][3] == {"ramp_to": "0 W", "duration": "7200 s"}
    assert s["recipe.oil_pressure.segments"] == [{"ramp_to": "95 MPa", "duration": "30 min"}, {"hold": "25 h"},
                                                 {"ramp_to": "0 MPa", "duration": "7200 s"}]


def test_cli_cooldown_refuses_a_target_beside_it(tmp_path):
    r = subprocess.run([sys.executable, "-m", "hphtsim", "design", str(CONFIG), "--cooldown", "--target",
                        "growth_rate=3 mg/h", "-o", str(tmp_path / "d.yaml")], capture_output=True, text=True)
    assert r.returncode == 2 and "--cooldown" in r.stderr


def test_crystal_stress_settings_name_their_key():
    sets = {**short_cycle(), "pressure.crystal_stress": {"tensile_strength": "-1 GPa"}}
    with pytest.raises(hphtsim.ConfigError, match="tensile_strength"):
        hphtsim.Simulation(CONFIG, sets)
    sets = {**short_cycle(), "pressure.field": "false", "pressure.crystal_stress": {"tensile_strength": "2 GPa"}}
    with pytest.raises(hphtsim.ConfigError, match="pressure.field: true"):
        hphtsim.Simulation(CONFIG, sets)
