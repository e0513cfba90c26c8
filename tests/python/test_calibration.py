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
from hphtsim.calibration import calibrate, covariance, parse_fit

CONFIG = Path(__file__).parents[2] / "configs" / "tgm_default.yaml"
RECIPE = {"heater": {"control": "power", "start": "0 W",
                     "segments": [{"hold": "30 min"}, {"ramp_to": "1240 W", "duration": "1 h"}, {"hold": "2.5 h"}]},
          "oil_pressure": {"start": "0 MPa", "segments": [{"ramp_to": "95 MPa", "duration": "30 min"}, {"hold": "3.5 h"}]}}
BASE = {"cell.geometry": "axisymmetric", "cell.cells": "[16, 24]", "pressure.field": "false"}
TRUTH = "2600 W/(m^2*K)"


def synthetic_log(path, seed, sigma_T=2.0, sigma_R=0.003, truth=None, offset=0.0, lag=0.0, hold_h=2.5,
                  recipe=None, every_s=600.0):
    """A log of the truth run: power and oil as driven, the thermocouple (through its sensor
    model: offset in K, lag in s) and the heater's resistance with noise, every 10 min."""
    from hphtsim.sensors import Thermocouple
    recipe = recipe or {"heater": {**RECIPE["heater"], "segments": RECIPE["heater"]["segments"][:2] + [{"hold": f"{hold_h} h"}]},
                        "oil_pressure": {**RECIPE["oil_pressure"],
                                         "segments": [RECIPE["oil_pressure"]["segments"][0], {"hold": f"{hold_h + 1.0} h"}]}}
    cfg = hphtsim.load_config(CONFIG, {**BASE, "recipe": recipe, **(truth or {"anvils.heat_transfer_coefficient": TRUTH})})
    ts = hphtsim.Simulation(cfg).run().timeseries()
    t = np.arange(0.0, ts.index.values[-1] + 1.0, every_s)
    at = lambda name: np.interp(t, ts.index.values, ts[name].values)
    rng = np.random.default_rng(seed)
    T_read = Thermocouple(offset, lag).reading(ts.index.values, ts["T_probe_thermocouple"].values, t)
    T = T_read - 273.15 + rng.normal(0.0, sigma_T, t.size)
    R = at("heater_resistance") * 1e3 * (1.0 + rng.normal(0.0, sigma_R, t.size))
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["time [h]", "heater_power [W]", "oil_pressure [MPa]", "T_thermocouple [degC]", "heater_resistance [mohm]"])
        for row in zip(t / 3600.0, at("heater_power"), at("oil_pressure") * 1e-6, T, R):
            w.writerow([f"{v:.10g}" for v in row])
    return path, ts


def test_a_synthetic_truth_is_recovered_and_an_unconstrained_key_is_flagged(tmp_path):
    log, _ = synthetic_log(tmp_path / "press.csv", seed=7)
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
    a, b = synthetic_log(tmp_path / "a.csv", seed=11)[0], synthetic_log(tmp_path / "b.csv", seed=12)[0]
    base = hphtsim.load_config(CONFIG, BASE)
    key = "anvils.heat_transfer_coefficient"
    fit = [f"{key}=1000 W/(m^2*K):5000 W/(m^2*K)"]
    noise = {"T_thermocouple": "2 K"}
    one = [calibrate(base, [log], fit, noise=noise, out_dir=tmp_path / name)["parameters"][key]
           for log, name in ((a, "fa"), (b, "fb"))]
    both = calibrate(base, [a, b], fit, noise=noise, out_dir=tmp_path / "fab")["parameters"][key]
    assert both["stderr"] < min(p["stderr"] for p in one)
    assert abs(both["value"] - 2600.0) <= 2.0 * both["stderr"]


def test_a_thermocouples_offset_and_lag_are_fitted_beside_the_cell(tmp_path):
    """A thermocouple 25 K low and 4 min slow: fitted with the film coefficient; the sensor's
    parameters need no forward run of their own."""
    log, _ = synthetic_log(tmp_path / "tc.csv", seed=3, offset=-25.0, lag=240.0, every_s=300.0)
    base = hphtsim.load_config(CONFIG, BASE)
    fit = calibrate(base, [log], ["anvils.heat_transfer_coefficient=1000 W/(m^2*K):5000 W/(m^2*K)",
                                  "sensors.T_thermocouple.offset=-60 K:40 K", "sensors.T_thermocouple.lag=0 min:10 min"],
                    noise={"T_thermocouple": "2 K"}, out_dir=tmp_path / "fit")
    p = fit["parameters"]
    for key, truth in (("anvils.heat_transfer_coefficient", 2600.0), ("sensors.T_thermocouple.offset", -25.0),
                       ("sensors.T_thermocouple.lag", 4.0)):
        assert p[key]["identifiable"], (key, p[key])
        assert abs(p[key]["value"] - truth) <= 2.0 * p[key]["stderr"], (key, p[key])
    assert p["sensors.T_thermocouple.lag"]["unit"] == "min"
    # a fit of the cell alone, with the sensor taken as perfect, is biased by the offset
    naive = calibrate(base, [log], ["anvils.heat_transfer_coefficient=1000 W/(m^2*K):5000 W/(m^2*K)"],
                      noise={"T_thermocouple": "2 K"}, out_dir=tmp_path / "naive")["parameters"]
    h = naive["anvils.heat_transfer_coefficient"]
    assert abs(h["value"] - 2600.0) > 3.0 * h["stderr"]
    report = (tmp_path / "fit" / "report.md").read_text()
    assert "fit_0_tc.png" in report and (tmp_path / "fit" / "fit_0_tc.png").stat().st_size > 10000
    # the fitted config does not carry the sensor's parameters: they belong to the log
    assert "sensors" not in hphtsim.load_config(tmp_path / "fit" / "fitted.yaml").to_dict()
    with pytest.raises(hphtsim.ConfigError, match="sensors.T_nowhere.offset"):
        calibrate(base, [log], ["sensors.T_nowhere.offset=-10 K:10 K"], out_dir=tmp_path / "x")
    with pytest.raises(hphtsim.ConfigError, match="give the range in K"):
        calibrate(base, [log], ["sensors.T_thermocouple.offset=-10 degC:10 degC"], out_dir=tmp_path / "x")


def test_a_final_mass_beside_the_log_constrains_the_growth(tmp_path):
    """Two days of hold: the final mass (in the YAML beside the log) fixes the solubility's
    temperature coefficient, which no temperature or resistance column sees; a scale factor
    on pyrophyllite's conductivity is fitted from the thermocouple alongside."""
    truth = {"growth.solubility.temperature_coefficient": "1.3e-5 1/K",
             "material_scales": {"pyrophyllite": {"thermal_conductivity": "0.9 1"}}}
    log, ts = synthetic_log(tmp_path / "grow.csv", seed=5, truth=truth, hold_h=20.0, every_s=1800.0)
    final_ct = float(ts["mass_ct"].values[-1])
    grown = final_ct - float(ts["mass_ct"].values[0])
    assert grown > 0.002
    (tmp_path / "grow.yaml").write_text(f'final_mass: {{seed_1: "{final_ct + 0.0002:.6f} ct"}}\n'
                                        f'final_mass_noise: "0.0005 ct"\n')
    base = hphtsim.load_config(CONFIG, BASE)
    keys = ["growth.solubility.temperature_coefficient=0.6e-5 1/K:2.0e-5 1/K",
            "material_scales.pyrophyllite.thermal_conductivity=0.7 1:1.3 1"]
    fit = calibrate(base, [log], keys, noise={"T_thermocouple": "2 K"}, out_dir=tmp_path / "fit")
    p = fit["parameters"]
    for key, value in (("growth.solubility.temperature_coefficient", 1.3e-5),
                       ("material_scales.pyrophyllite.thermal_conductivity", 0.9)):
        assert p[key]["identifiable"] and abs(p[key]["value"] - value) <= 2.0 * p[key]["stderr"], (key, p[key])
    assert "final_mass[seed_1]" in fit["residual_rms"]
    assert "| seed_1 |" in (tmp_path / "fit" / "report.md").read_text()
    # without the weighed crystal the coefficient is not constrained
    (tmp_path / "grow.yaml").unlink()
    blind = calibrate(base, [log], keys, noise={"T_thermocouple": "2 K"}, out_dir=tmp_path / "blind")
    assert not blind["parameters"]["growth.solubility.temperature_coefficient"]["identifiable"]


def test_the_bayesian_mode_samples_a_posterior_that_agrees_with_the_covariance(tmp_path):
    log, _ = synthetic_log(tmp_path / "b.csv", seed=9, hold_h=1.0)
    base = hphtsim.load_config(CONFIG, BASE)
    key = "anvils.heat_transfer_coefficient"
    fit = calibrate(base, [log], [f"{key}=1000 W/(m^2*K):5000 W/(m^2*K)"], noise={"T_thermocouple": "2 K"},
                    out_dir=tmp_path / "fit", bayes=True, walkers=6, steps=12)
    ls, post = fit["parameters"][key], fit["posterior"]["parameters"][key]
    assert abs(post["q50"] - ls["value"]) < 2.0 * ls["stderr"], (ls, post)
    assert 0.4 * ls["stderr"] < post["std"] < 2.5 * ls["stderr"], (ls, post)
    assert post["q05"] < ls["value"] < post["q95"]
    assert 0.1 < fit["posterior"]["acceptance"] < 0.95
    samples = np.loadtxt(tmp_path / "fit" / "posterior.csv", delimiter=",", skiprows=1)
    assert samples.shape == (fit["posterior"]["samples"],) and fit["posterior"]["samples"] == 6 * 8
    assert "Posterior" in (tmp_path / "fit" / "report.md").read_text()


def test_the_covariance_holds_for_keys_of_very_different_scales():
    """Two keys whose ranges differ by 1e9 (a film coefficient in W/(m^2 K), a kinetic
    coefficient in m/s): each key's standard error is that of the one-key problem scaled by its
    range, as it is analytically for orthogonal columns. (Inverting J^T J in the keys' units
    cut the large-range key off as singular: a standard error of 1e-8 W/(m^2 K).)"""
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.normal(size=(50, 2)))
    J_u = q * np.array([40.0, 250.0])  # orthogonal columns: stderr_u = 1 / |column|
    span = np.array([4000.0, 7e-6])
    stderr = np.sqrt(np.diag(covariance(J_u, span)))
    np.testing.assert_allclose(stderr, span / np.array([40.0, 250.0]), rtol=1e-9)
    # and a correlated pair keeps its correlation, whatever the units
    J_c = np.column_stack([q[:, 0], 0.6 * q[:, 0] + 0.8 * q[:, 1]])
    c = covariance(J_c, span)
    c_u = np.linalg.inv(J_c.T @ J_c)
    np.testing.assert_allclose(c[0, 1] / np.sqrt(c[0, 0] * c[1, 1]), c_u[0, 1] / np.sqrt(c_u[0, 0] * c_u[1, 1]))
