"""What a press recorded, and what a run predicts of it (issue 14, points 1 and 5).

A log (CSV, read by the C++ reader: the same checks as ``recipe.from_log``) may have beside it
a small YAML of the same stem (``run17.csv`` -> ``run17.yaml``) with end-of-run measurements
and the sensors' known properties::

    final_mass:                  # per seed (by name), weighed after the run
      seed_1: "1.52 ct"
    final_mass_noise: "0.02 ct"  # optional; default 0.02 ct [E]
    sensors:
      T_thermocouple: {offset: "-12 K", lag: "30 s"}

Each log becomes a :class:`LogCase`: the column that drives its heater, and its observations,
each a column of the log with the run series it is compared with and its noise level:

- ``T_<probe>`` against the thermocouple model (sensors.py) of ``T_probe_<probe>``;
- ``heater_resistance``, or, when the log has no such column but has heater_voltage and
  heater_current, the resistance read from them (V / I, noise propagated), which then stands for
  both; other electrical columns against the series of the same name;
- ``final_mass[<seed>]`` against the run's last ``mass_ct`` of that seed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import yaml

from . import _core
from ._errors import config_error, parse_quantity
from .sensors import SENSOR_KEYS, Thermocouple, resistance_from_voltage_current

__all__ = ["DRIVES", "INPUTS", "Observation", "LogCase", "read_log", "read_measurements", "load_case",
           "sensor_key", "series_column"]

DRIVES = ["heater_power", "heater_voltage", "heater_current", "heater_resistance"]
INPUTS = {"oil_pressure", "coolant_temperature"}
DEFAULT_T_NOISE = 5.0              # K, [E] placeholder for a thermocouple logger
DEFAULT_ELECTRICAL_NOISE = 0.005   # of the column's mean, [E] placeholder for a press's V, I, P meters
DEFAULT_MASS_NOISE = 0.02          # ct, [E]: a balance reads 0.001 ct; solvent residue and cleaning dominate


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping (PyYAML keeps the last)."""


def _no_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"key '{key}' written twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def read_log(path, probe_names) -> dict:
    """The log: time (s), columns {name: (unit, SI values)}, warnings (C++ reader)."""
    return _core.read_press_log(os.fspath(path), list(probe_names))


def read_measurements(log_path, seed_names, sensor_columns) -> dict:
    """The YAML beside the log, if any: {"final_mass": {seed: (kg, sigma kg)}, "sensors":
    {column: {param: SI}}}. Errors name the file and the key."""
    path = Path(log_path).with_suffix(".yaml")
    out = {"final_mass": {}, "sensors": {}, "file": None}
    if not path.exists():
        return out
    out["file"] = str(path)
    where = str(path)
    try:
        doc = yaml.load(path.read_text(), Loader=_StrictLoader)
    except OSError as e:
        raise config_error(where, f"cannot read: {e.strerror or e}") from None
    except yaml.YAMLError as e:
        raise config_error(where, f"malformed YAML: {e}") from None
    if doc is None:
        return out
    if not isinstance(doc, dict):
        raise config_error(where, "a mapping with final_mass, final_mass_noise, sensors")
    for k in doc:
        if k not in ("final_mass", "final_mass_noise", "sensors"):
            raise config_error(f"{where}: {k}", "unknown key (allowed: final_mass, final_mass_noise, sensors)")
    sigma = DEFAULT_MASS_NOISE * 2e-4
    if "final_mass_noise" in doc:
        sigma = parse_quantity(doc["final_mass_noise"], f"{where}: final_mass_noise", "kg", 'a mass such as "0.02 ct"')
        if not sigma > 0.0:
            raise config_error(f"{where}: final_mass_noise", "must be positive")
    masses = doc.get("final_mass") or {}
    if not isinstance(masses, dict):
        raise config_error(f"{where}: final_mass", "a mapping SEED: mass, e.g. {seed_1: \"1.5 ct\"}")
    for seed, text in masses.items():
        key = f"{where}: final_mass.{seed}"
        if seed not in seed_names:
            raise config_error(key, f"no seed '{seed}' in the config (seeds: {', '.join(seed_names) or 'none'})")
        m = parse_quantity(text, key, "kg", 'a mass such as "1.5 ct"')
        if not m > 0.0:
            raise config_error(key, "a crystal's mass must be positive")
        out["final_mass"][seed] = (m, sigma)
    sensors = doc.get("sensors") or {}
    if not isinstance(sensors, dict):
        raise config_error(f"{where}: sensors", "a mapping COLUMN: {offset, lag}")
    for col, spec in sensors.items():
        key = f"{where}: sensors.{col}"
        if col not in sensor_columns:
            raise config_error(key, f"no thermocouple column '{col}' in the log (have: {', '.join(sensor_columns) or 'none'})")
        if not isinstance(spec, dict):
            raise config_error(key, "a mapping {offset: \"0 K\", lag: \"30 s\"}")
        params = {}
        for p, text in spec.items():
            if p not in SENSOR_KEYS:
                raise config_error(f"{key}.{p}", f"unknown sensor parameter (allowed: {', '.join(SENSOR_KEYS)})")
            if p == "offset" and "degC" in str(text):
                raise config_error(f"{key}.{p}", "an offset is a difference: give it in K")
            params[p] = parse_quantity(text, f"{key}.{p}", SENSOR_KEYS[p], f"a value in {SENSOR_KEYS[p]}")
            if p == "lag" and params[p] < 0.0:
                raise config_error(f"{key}.{p}", "a lag must not be negative")
        out["sensors"][col] = params
    return out


def sensor_key(column: str, param: str) -> str:
    """The fit key of a sensor parameter: ``sensors.T_thermocouple.offset``."""
    return f"sensors.{column}.{param}"


def series_column(series: str, seed: str, seed_names) -> str:
    """The timeseries frame's column of a per-seed series (``mass_ct`` or ``mass_ct[seed]``)."""
    return series if len(seed_names) <= 1 else f"{series}[{seed}]"


@dataclass
class Observation:
    name: str               # log column, or final_mass[seed]
    series: str             # the run's timeseries column it is computed from
    time: np.ndarray        # s, the rows compared
    values: np.ndarray      # SI
    sigma: np.ndarray       # SI, per row
    sensor: bool = False    # a thermocouple (sensors apply)
    final: bool = False     # compared with the series' last value


@dataclass
class LogCase:
    path: str
    drive: str
    time: np.ndarray
    observations: list
    sensors: dict = field(default_factory=dict)   # column: {offset, lag} from the measurements file
    warnings: list = field(default_factory=list)

    def series(self) -> list:
        return sorted({o.series for o in self.observations})

    def thermocouple(self, column: str, overrides: Mapping[str, float]) -> Thermocouple:
        p = dict(self.sensors.get(column, {}))
        for name in SENSOR_KEYS:
            if sensor_key(column, name) in overrides:
                p[name] = overrides[sensor_key(column, name)]
        return Thermocouple(offset=p.get("offset", 0.0), lag=p.get("lag", 0.0))

    def predict(self, run: Mapping, overrides: Mapping[str, float]) -> dict:
        """{observation name: predicted values at its rows} from a run's recorded series
        ({"time": [...], series: [...]}) and sensor parameters ``overrides`` (fit key: SI)."""
        t = np.asarray(run["time"], dtype=float)
        out = {}
        for o in self.observations:
            y = np.asarray(run[o.series], dtype=float)
            if o.final:
                out[o.name] = np.array([y[-1]])
            elif o.sensor:
                out[o.name] = self.thermocouple(o.name, overrides).reading(t, y, o.time)
            else:
                out[o.name] = np.interp(o.time, t, y)
        return out


def load_case(path, probe_names, seed_names, noise: Mapping[str, float]) -> LogCase:
    """One log and its measurements as a LogCase; ``noise``: column -> SI noise level."""
    log = read_log(path, probe_names)
    cols = log["columns"]
    time = np.asarray(log["time"], dtype=float)
    drive = next((d for d in DRIVES if d in cols), None)
    if drive is None:
        raise config_error(os.fspath(path), f"no column can drive the heater (expected one of {', '.join(DRIVES)})")

    def values(name):
        return np.asarray(cols[name][1], dtype=float)

    def electrical_noise(name):
        return noise.get(name, DEFAULT_ELECTRICAL_NOISE * max(abs(float(np.mean(values(name)))), 1e-30))

    observations = []
    derive_R = "heater_resistance" not in cols and "heater_voltage" in cols and "heater_current" in cols
    for name in cols:
        if name == drive or name in INPUTS or (derive_R and name in ("heater_voltage", "heater_current")):
            continue
        v = values(name)
        if name.startswith("T_"):
            sigma = noise.get(name, DEFAULT_T_NOISE)
            observations.append(Observation(name, "T_probe_" + name[2:], time, v, np.full(v.size, sigma), sensor=True))
        else:
            observations.append(Observation(name, name, time, v, np.full(v.size, electrical_noise(name))))
    if derive_R:
        R, sR = resistance_from_voltage_current(values("heater_voltage"), values("heater_current"),
                                                electrical_noise("heater_voltage"), electrical_noise("heater_current"))
        if "heater_resistance" in noise:
            sR = np.where(np.isfinite(sR), noise["heater_resistance"], np.nan)
        ok = np.isfinite(R)
        observations.append(Observation("heater_resistance", "heater_resistance", time[ok], R[ok], sR[ok]))
    sensor_columns = [o.name for o in observations if o.sensor]
    meas = read_measurements(path, seed_names, sensor_columns)
    for seed, (m, sigma) in meas["final_mass"].items():
        sigma = noise.get("final_mass", sigma)
        observations.append(Observation(f"final_mass[{seed}]", series_column("mass_ct", seed, seed_names),
                                        np.array([time[-1]]), np.array([m / 2e-4]), np.array([sigma / 2e-4]),
                                        final=True))
    if not observations:
        raise config_error(os.fspath(path), "nothing to fit: the log has no observed column beside its inputs")
    return LogCase(str(Path(path).resolve()), drive, time, observations, meas["sensors"], list(log["warnings"]))
