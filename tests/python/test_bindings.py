"""The Simulation's live fields, steps, errors and threads."""
import gc
import weakref

import numpy as np
import pytest

import hphtsim


def test_field_is_a_view_without_copy(slab_path):
    sim = hphtsim.Simulation(slab_path)
    T = sim.field("T")
    assert T.shape == sim.shape == (40, 4, 4)
    assert T.dtype == np.float64 and T.flags.c_contiguous
    assert not T.flags.owndata                         # not a copy ...
    assert np.shares_memory(T, sim.field("T"))         # ... the same memory every time
    assert T.__array_interface__["data"][0] == sim.field("T").__array_interface__["data"][0]
    before = T.copy()
    sim.step("1 s")
    assert sim.time == pytest.approx(1.0)
    assert not np.array_equal(T, before)               # the view sees the new state
    assert T.max() > before.max()
    # writing into the view changes the simulation's state (it is its memory)
    T[0, 0, 0] = 1234.5
    assert sim.field("T")[0, 0, 0] == 1234.5


def test_field_keeps_simulation_alive(slab_path):
    sim = hphtsim.Simulation(slab_path)
    core_ref = weakref.ref(sim._sim)
    q = sim.field("q")
    del sim
    gc.collect()
    assert core_ref() is not None                      # the view holds the C++ simulation
    assert np.isfinite(q).all() and q.max() > 0
    del q
    gc.collect()
    assert core_ref() is None


def test_fields_steps_and_timeseries(seeded_path):
    sim = hphtsim.Simulation(seeded_path)
    assert sim.field_names == ["T", "phi", "q"]
    assert sim.field_units("q") == "W/m^3"
    sim.step()                                         # default: time.step (1 s)
    sim.step(2.0)
    assert sim.time == pytest.approx(3.0)
    ts = sim.timeseries()
    assert list(ts.index) == pytest.approx([0.0, 1.0, 3.0])
    assert {"heater_power", "T_max", "T_source", "T_seed", "dT_source_seed", "T_probe_middle"} <= set(ts.columns)
    assert ts.attrs["units"]["T_max"] == "K"
    assert ts["T_max"].iloc[-1] == pytest.approx(sim.field("T").max())
    d = sim.diagnostics()
    assert d["dT_source_seed"][0] == pytest.approx(ts["dT_source_seed"].iloc[-1])
    with pytest.raises(ValueError):
        sim.field("nope")


def test_config_error_carries_key(slab_path):
    with pytest.raises(hphtsim.ConfigError) as e:
        hphtsim.Simulation(slab_path, {"heater.voltage": "3"})     # no unit
    assert isinstance(e.value, ValueError)
    assert e.value.key == "heater.voltage"
    assert "unit" in str(e.value)
    with pytest.raises(hphtsim.ConfigError) as e:
        hphtsim.Simulation(slab_path, {"heater.voltag": "3 V"})    # unknown key
    assert e.value.key.startswith("heater")
    with pytest.raises(hphtsim.ConfigError) as e:
        hphtsim.Simulation(slab_path).run(until="2 kg")
    assert e.value.key == "until"


def test_result_file_error_is_oserror(slab_path, tmp_path):
    sim = hphtsim.Simulation(slab_path)
    with pytest.raises(hphtsim.ResultFileError) as e:
        sim.run(until="1 s", output=tmp_path / "no" / "such" / "dir" / "r.h5")
    assert isinstance(e.value, OSError)
    out = tmp_path / "r.h5"
    sim.run(until="1 s", output=out)
    with pytest.raises(hphtsim.ConfigError) as e:        # existing output without overwrite
        hphtsim.Simulation(slab_path).run(until="1 s", output=out)
    assert e.value.key == "output"


def test_solver_error_class():
    assert issubclass(hphtsim.SolverError, RuntimeError)
    assert issubclass(hphtsim.ResultFileError, OSError)
    assert issubclass(hphtsim.ConfigError, ValueError)


def test_threads_roundtrip():
    n = hphtsim.get_num_threads()
    try:
        hphtsim.set_num_threads(1)
        assert hphtsim.get_num_threads() == 1
        hphtsim.set_num_threads(2)
        assert hphtsim.get_num_threads() == 2
    finally:
        hphtsim.set_num_threads(n)
    with pytest.raises(ValueError):
        hphtsim.set_num_threads(0)


def test_durations():
    assert hphtsim.parse_duration("2 h") == 7200.0
    assert hphtsim.parse_duration(30) == 30.0
    with pytest.raises(hphtsim.ConfigError):
        hphtsim.parse_duration("2 kg")


def test_pressure_field_crosses_without_copy(default_cell):
    """The default config's thermo-elastic field: p (Pa) as a live view, p_cell/p_seed series."""
    sim = hphtsim.Simulation(default_cell)
    assert "p" in sim.field_names and sim.field_units("p") == "Pa"
    p = sim.field("p")
    assert not p.flags.owndata and np.shares_memory(p, sim.field("p"))
    sim.run(until="1.5 h")                             # pressurised, then heated to the setpoint
    ts = sim.timeseries()
    assert ts.attrs["units"]["p_cell"] == "Pa" and ts.attrs["units"]["p_seed"] == "Pa"
    assert ts["p_calibrated"].iloc[-1] == pytest.approx(5.956e9, rel=1e-3)   # 95 MPa of oil
    assert ts["p_cell"].iloc[-1] > ts["p_calibrated"].iloc[-1] + 0.1e9       # thermal pressure
    assert p.min() >= 0.0 and p.max() > ts["p_cell"].iloc[-1]                # the view sees the field
