"""Calibration to press logs (issue 14): a synthetic truth recovered, an unconstrained key
flagged, the outputs written, bad logs and options refused."""
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import hphtsim
from hphtsim.calibration import calibrate, parse_fit

CONFIG = Path(__file__).parents[2] / "configs" / "tgm_default.yaml"
RECIPE = {"heater": {"control": "power", "start": "0 W",
                     "segments": [{"hold": "30 min"}, {"ramp_to": "1240 W", "duration": "1 h"}, {"hold": "2.5 h"}]},
          "oil_pressure": {"start": "0 MPa", "segments": [{"ramp_to": "95 MPa", "duration": "30 min"}, {"hold": "3.5 h"}]}}
BASE = {"cell.geometry": "axisymmetric", "cell.cells": "[16, 24]", "pressure.field": "false"}
TRUTH = "2600 W/(m^2*K)"


def synthetic_log(path, seed, sigma_T=2.0, sigma_R=0.003):
    """A log of the truth run: power and oil as driven, the thermocouple and the heater's
    resistance with noise, every 10 min."""
    cfg = hphtsim.load_config(CONFIG, {**BASE, "recipe": RECIPE, "anvils.heat_transfer_coefficient": TRUTH})
    ts = hphtsim.Simulation(cfg).run().timeseries()
    t = np.arange(0.0, 4 * 3600.0 + 1.0, 600.0)
    at = lambda name: np.interp(t, ts.index.values, ts[name].values)
    rng = np.random.default_rng(seed)
    T = at("T_probe_thermocouple") - 273.15 + rng.normal(0.0, sigma_T, t.size)
    R = at("heater_resistance") * 1e3 * (1.0 + rng.normal(0.0, sigma_R, t.size))
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["time [h]", "heater_power [W]", "oil_pressure [MPa]", "T_thermocouple [degC]", "heater_resistance [mohm]"])
        for row in zip(t / 3600.0, at("heater_power"), at("oil_pressure") * 1e-6, T, R):
            w.writerow([f"{v:.10g}" for v in row])
    return path


def test_a_synthetic_truth_is_recovered_and_an_unconstrained_key_is_flagged(tmp_path):
    log = synthetic_log(tmp_path / "press.csv", seed=7)
    base = hphtsim.load_config(CONFIG, BASE)
    fit = calibrate(base, [log], ["anvils.heat_transfer_coefficient=1000 W/(m^2*K):5000 W/(m^2*K)",
                                  "growth.nucleation_supersaturation=0.02:0.1"],
                    noise={"T_thermocouple": "2 K"}, out_dir=tmp_path / "fit")
    h = fit["parameters"]["anvils.heat_transfer_coefficient"]
    assert h["identifiable"] and h["unit"] == "W/(m^2*K)"
    assert abs(h["value"] - 2600.0) <= 2.0 * h["stderr"], h
    assert h["stderr"] < 200.0
    # nucleation does not touch the temperature or the resistance: the data cannot tell it
    assert not fit["parameters"]["growth.nucleation_supersaturation"]["identifiable"]
    assert set(fit["residual_rms"]) == {"T_thermocouple", "heater_resistance"}
    assert fit["residual_rms"]["T_thermocouple"] < 4.0
    out = tmp_path / "fit"
    on_disk = json.loads((out / "fit.json").read_text())
    assert on_disk["parameters"]["anvils.heat_transfer_coefficient"]["value"] == pytest.approx(h["value"])
    # fitted.yaml runs as is, with the fitted value in it
    fitted = hphtsim.load_config(out / "fitted.yaml")
    assert "heat_transfer_coefficient" in fitted.text
    fitted.check()
    assert (out / "report.md").read_text().startswith("# Calibration")
    # a second call resumes from runs.json: no new forward run
    runs = on_disk["runs"]
    again = calibrate(base, [log], ["anvils.heat_transfer_coefficient=1000 W/(m^2*K):5000 W/(m^2*K)",
                                    "growth.nucleation_supersaturation=0.02:0.1"],
                      noise={"T_thermocouple": "2 K"}, out_dir=out)
    assert again["runs"] == runs and again["parameters"] == fit["parameters"]


def test_bad_options_and_logs_are_refused(tmp_path):
    with pytest.raises(hphtsim.ConfigError):
        parse_fit("anvils.heat_transfer_coefficient=5000")
    with pytest.raises(hphtsim.ConfigError):
        parse_fit("anvils.heat_transfer_coefficient=5000 W/(m^2*K):1000 W/(m^2*K)")
    bad = tmp_path / "bad.csv"
    bad.write_text("time [h], heater_power [W], T_thermocouple [degC]\n0, 0, 25\n1, 10, nan\n")
    with pytest.raises(hphtsim.ConfigError, match="row 3, column 'T_thermocouple'"):
        calibrate(hphtsim.load_config(CONFIG, BASE), [bad], ["anvils.heat_transfer_coefficient=1000:5000 W/(m^2*K)"],
                  out_dir=tmp_path / "x")
    # through the command line: exit 2, nothing written
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    r = subprocess.run([sys.executable, "-m", "hphtsim", "calibrate", str(CONFIG), str(bad), "--fit",
                        "anvils.heat_transfer_coefficient=1000:5000 W/(m^2*K)", "-o", str(tmp_path / "cli")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 2, r.stderr
    assert "row 3" in r.stderr and not (tmp_path / "cli" / "fit.json").exists()


def test_two_logs_at_once_constrain_the_shared_key_better_than_either(tmp_path):
    a, b = synthetic_log(tmp_path / "a.csv", seed=11), synthetic_log(tmp_path / "b.csv", seed=12)
    base = hphtsim.load_config(CONFIG, BASE)
    key = "anvils.heat_transfer_coefficient"
    fit = [f"{key}=1000 W/(m^2*K):5000 W/(m^2*K)"]
    noise = {"T_thermocouple": "2 K"}
    one = [calibrate(base, [log], fit, noise=noise, out_dir=tmp_path / name)["parameters"][key]
           for log, name in ((a, "fa"), (b, "fb"))]
    both = calibrate(base, [a, b], fit, noise=noise, out_dir=tmp_path / "fab")["parameters"][key]
    assert both["stderr"] < min(p["stderr"] for p in one)
    assert abs(both["value"] - 2600.0) <= 2.0 * both["stderr"]
