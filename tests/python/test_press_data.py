"""Sensor models and what a log is compared with (issue 14, points 1 and 5): the thermocouple's
lag against its analytic ramp response, the resistance read from V and I, the YAML of end-of-run
measurements beside a log and its errors."""
from pathlib import Path

import numpy as np
import pytest

import hphtsim
from hphtsim.press_data import load_case, read_measurements
from hphtsim.sensors import Thermocouple, first_order_lag, resistance_from_voltage_current


def test_the_lag_is_exact_for_a_ramp_at_any_step():
    tau, rate = 120.0, 0.5  # s, K/s
    exact = lambda t: rate * (t - tau * (1.0 - np.exp(-t / tau)))
    for n in (4, 40, 4000):
        t = np.linspace(0.0, 900.0, n)
        np.testing.assert_allclose(first_order_lag(t, rate * t, tau), exact(t), rtol=1e-12, atol=1e-9)
    # a step held long settles on the input; no lag is the identity
    t = np.array([0.0, 1.0, 1e4])
    assert first_order_lag(t, np.array([0.0, 10.0, 10.0]), 60.0)[-1] == pytest.approx(10.0, abs=1e-9)
    np.testing.assert_array_equal(first_order_lag(t, np.array([1.0, 2.0, 3.0]), 0.0), [1.0, 2.0, 3.0])
    tc = Thermocouple(offset=-20.0, lag=0.0)
    assert tc.reading([0.0, 10.0], [300.0, 310.0], [5.0])[0] == pytest.approx(285.0)


def test_resistance_read_from_voltage_and_current():
    V, I = np.array([0.0, 1.0, 4.0]), np.array([0.0, 200.0, 800.0])
    R, sR = resistance_from_voltage_current(V, I, 0.01, 2.0)
    assert np.isnan(R[0]) and np.isnan(sR[0])  # no current: no resistance
    np.testing.assert_allclose(R[1:], [5e-3, 5e-3])
    np.testing.assert_allclose(sR[1:], 5e-3 * np.sqrt([(0.01 / 1.0) ** 2 + (2.0 / 200.0) ** 2,
                                                       (0.01 / 4.0) ** 2 + (2.0 / 800.0) ** 2]))


def test_a_log_of_voltage_and_current_is_compared_by_its_resistance(tmp_path):
    log = tmp_path / "vi.csv"
    log.write_text("time [h], heater_power [W], heater_voltage [V], heater_current [A], T_tc [degC]\n"
                   "0, 0, 0, 0, 25\n1, 1000, 2.5, 400, 1200\n2, 1000, 2.6, 384.6, 1210\n")
    case = load_case(log, ["tc"], ["seed_1"], {})
    names = {o.name: o for o in case.observations}
    assert case.drive == "heater_power" and set(names) == {"T_tc", "heater_resistance"}
    R = names["heater_resistance"]
    assert R.time.tolist() == [3600.0, 7200.0]  # the zero-current row is left out
    np.testing.assert_allclose(R.values, [2.5 / 400, 2.6 / 384.6])
    assert names["T_tc"].values[1] == pytest.approx(1473.15) and names["T_tc"].sensor


@pytest.mark.parametrize("text,key", [
    ("final_mass: {seed_1: \"1.5 ct\"}\ncolour: red\n", "colour"),
    ("final_mass: {seed_9: \"1.5 ct\"}\n", "final_mass.seed_9"),
    ("final_mass: {seed_1: \"1.5 K\"}\n", "final_mass.seed_1"),
    ("final_mass: {seed_1: \"-1 ct\"}\n", "final_mass.seed_1"),
    ("final_mass: {seed_1: \"1 ct\", seed_1: \"2 ct\"}\n", "written twice"),
    ("sensors: {T_other: {offset: \"1 K\"}}\n", "sensors.T_other"),
    ("sensors: {T_tc: {offset: \"10 degC\"}}\n", "sensors.T_tc.offset"),
    ("sensors: {T_tc: {gain: \"1 1\"}}\n", "sensors.T_tc.gain"),
    ("sensors: {T_tc: {lag: \"-3 s\"}}\n", "sensors.T_tc.lag"),
    ("final_mass: [1, 2\n", "malformed YAML"),
])
def test_bad_measurement_files_name_file_and_key(tmp_path, text, key):
    log = tmp_path / "run.csv"
    log.write_text("time [h], heater_power [W], T_tc [degC]\n0, 0, 25\n1, 100, 500\n")
    (tmp_path / "run.yaml").write_text(text)
    with pytest.raises(hphtsim.ConfigError, match="run.yaml") as err:
        read_measurements(log, ["seed_1"], ["T_tc"])
    assert key in str(err.value)


def test_measurements_are_read_in_si(tmp_path):
    log = tmp_path / "run.csv"
    (tmp_path / "run.yaml").write_text("final_mass: {seed_1: \"1.5 ct\"}\nfinal_mass_noise: \"0.05 ct\"\n"
                                       "sensors: {T_tc: {offset: \"-12 K\", lag: \"0.5 min\"}}\n")
    m = read_measurements(log, ["seed_1"], ["T_tc"])
    assert m["final_mass"]["seed_1"] == pytest.approx((3e-4, 1e-5))
    assert m["sensors"]["T_tc"] == pytest.approx({"offset": -12.0, "lag": 30.0})
    assert read_measurements(tmp_path / "none.csv", [], [])["final_mass"] == {}
