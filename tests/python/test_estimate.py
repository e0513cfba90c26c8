"""The virtual thermocouple (issue 14, point 4): a production log without a thermocouple,
replayed with a calibrated config, brackets the true seed temperature within its band; the
propagation modes agree; bad fits and logs are refused with nothing written."""
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import hphtsim
from hphtsim.calibration import calibrate
from hphtsim.estimate import estimate, read_fit

from test_calibration import BASE, CONFIG, TRUTH, synthetic_log

KEY = "anvils.heat_transfer_coefficient"
#: A production program unlike the calibration's: a slower start, a higher hold power.
PRODUCTION = {"heater": {"control": "power", "start": "0 W",
                         "segments": [{"hold": "20 min"}, {"ramp_to": "1290 W", "duration": "1.5 h"}, {"hold": "2 h"}]},
              "oil_pressure": {"start": "0 MPa", "segments": [{"ramp_to": "95 MPa", "duration": "20 min"}, {"hold": "3.5 h"}]}}


def production_log(path):
    """What a production press records: time, heater power and oil pressure, nothing inside
    the cell; and the truth run's own seed temperature to compare with."""
    cfg = hphtsim.load_config(CONFIG, {**BASE, "recipe": PRODUCTION, KEY: TRUTH})
    ts = hphtsim.Simulation(cfg).run().timeseries()
    t = np.arange(0.0, ts.index.values[-1] + 1.0, 600.0)
    at = lambda name: np.interp(t, ts.index.values, ts[name].values)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["time [h]", "heater_power [W]", "oil_pressure [MPa]"])
        for row in zip(t / 3600.0, at("heater_power"), at("oil_pressure") * 1e-6):
            w.writerow([f"{v:.10g}" for v in row])
    return path, t, at("T_seed") - 273.15


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    d = tmp_path_factory.mktemp("estimate")
    lab, _ = synthetic_log(d / "lab.csv", seed=5)
    fit = calibrate(hphtsim.load_config(CONFIG, BASE), [lab], [f"{KEY}=1000 W/(m^2*K):5000 W/(m^2*K)"],
                    noise={"T_thermocouple": "2 K"}, out_dir=d / "fit")
    log, t, T_true = production_log(d / "production.csv")
    return d, fit, log, t, T_true


def test_the_estimate_brackets_the_true_seed_temperature(calibrated):
    d, fit, log, t, T_true = calibrated
    df = estimate(d / "fit" / "fitted.yaml", log, out=d / "estimate.csv")
    assert df.attrs["runs"] == 2 and df.attrs["method"] == "linearised"
    assert (d / "estimate.csv").exists() and not (d / "estimate.csv.tmp").exists()
    np.testing.assert_allclose(df["time [h]"].to_numpy(), t / 3600.0)
    est, sd = df["T_seed [degC]"].to_numpy(), df["T_seed_std [K]"].to_numpy()
    # the fit's own error is what separates estimate and truth: within its band at every time,
    # give or take 0.3 K of time discretisation (truth and estimate take different steps; the
    # step control's local error tolerance is 1 K, time.tolerance)
    assert np.all(np.abs(est - T_true) <= 2.0 * sd + 0.3), np.max(np.abs(est - T_true) - 2.0 * sd)
    hot = T_true > 1000.0
    assert hot.sum() >= 10 and np.all(sd[hot] > 0.05)
    # the band follows the film coefficient's standard error: a seed hotter than ambient moves
    # with h, a cold cell does not
    assert sd[0] < 0.05 * sd[hot].max()
    for col in ("T_source [degC]", "dT_source_seed [K]", "growth_rate [mg/h]", "mass_ct [ct]"):
        name = col.split(" [")[0]
        assert col in df.columns and any(c.startswith(f"{name}_std [") for c in df.columns), col


def test_sampling_agrees_with_the_linearised_band(calibrated):
    d, fit, log, t, T_true = calibrated
    lin = estimate(d / "fit" / "fitted.yaml", log, out=d / "lin.csv")
    smp = estimate(d / "fit" / "fitted.yaml", log, out=d / "smp.csv", samples=8)
    assert smp.attrs["runs"] == 9
    hot = T_true > 1000.0
    ratio = smp["T_seed_std [K]"].to_numpy()[hot] / lin["T_seed_std [K]"].to_numpy()[hot]
    assert 0.3 < np.median(ratio) < 3.0, ratio  # 8 samples: the std is known to about 25 %
    np.testing.assert_allclose(smp["T_seed [degC]"], lin["T_seed [degC]"])  # the centre is the fitted run


def test_an_unconstrained_key_widens_the_band_with_its_range(tmp_path):
    fit = {"parameters": {KEY: {"value": 2600.0, "unit": "W/(m^2*K)", "stderr": 50.0, "identifiable": True,
                                "range": [1000.0, 5000.0]},
                          "growth.kinetic_coefficient": {"value": 1e-4, "unit": "m/s", "stderr": 1e9,
                                                         "identifiable": False, "range": [0.0, 2e-4]},
                          "sensors.T_thermocouple.offset": {"value": -3.0, "unit": "K", "stderr": 1.0,
                                                            "identifiable": True, "range": [-50.0, 50.0]}},
           "correlation": [[1.0, 0.9, 0.1], [0.9, 1.0, 0.0], [0.1, 0.0, 1.0]]}
    (tmp_path / "fit.json").write_text(json.dumps(fit))
    params, C = read_fit(tmp_path / "fit.json")
    assert [p[0] for p in params] == [KEY, "growth.kinetic_coefficient"]  # the sensor's key is not the cell's
    assert params[1][3] == pytest.approx(2e-4 / np.sqrt(12.0))
    np.testing.assert_array_equal(C, np.eye(2))


def test_bad_fits_and_logs_are_refused_with_nothing_written(calibrated, tmp_path):
    d, fit, log, t, T_true = calibrated
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    cli = [sys.executable, "-m", "hphtsim", "estimate", str(d / "fit" / "fitted.yaml")]
    bad_fit = tmp_path / "bad.json"
    bad_fit.write_text('{"parameters": {')
    r = subprocess.run(cli + [str(log), "--fit", str(bad_fit), "-o", str(tmp_path / "a.csv")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "malformed JSON" in r.stderr, r.stderr
    bad_log = tmp_path / "bad.csv"
    bad_log.write_text("time [h], heater_power [W]\n0, 0\n0, 10\n")
    r = subprocess.run(cli + [str(bad_log), "-o", str(tmp_path / "b.csv")], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "row 3" in r.stderr, r.stderr
    no_drive = tmp_path / "nodrive.csv"
    no_drive.write_text("time [h], oil_pressure [MPa]\n0, 0\n1, 10\n")
    r = subprocess.run(cli + [str(no_drive), "-o", str(tmp_path / "c.csv")], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "drive the heater" in r.stderr, r.stderr
    assert not any(tmp_path.glob("?.csv"))
    # and a good one, through the command line, then its plot
    out = tmp_path / "good.csv"
    r = subprocess.run(cli + [str(log), "-o", str(out)], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "T_seed at" in r.stdout, r.stderr
    r = subprocess.run([sys.executable, "-m", "hphtsim", "plot", str(out)], capture_output=True, text=True,
                       env=dict(env, MPLBACKEND="Agg"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "good_estimate.png").stat().st_size > 10000
