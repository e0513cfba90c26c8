"""Config -> run -> open_result round trip; reading a killed or partial file."""
import os
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

import hphtsim


def test_round_trip(seeded_path, tmp_path):
    out = tmp_path / "run.h5"
    cfg = hphtsim.load_config(seeded_path, {"heater.voltage": "0.25 V"})
    sim = hphtsim.Simulation(cfg).run(until="40 s", output=out)
    ds = hphtsim.open_result(out)
    # grid: cell centres in mm, 0 at the cell's centre
    assert ds.sizes["x"] == 4 and ds.sizes["y"] == 4 and ds.sizes["z"] == 40
    assert ds["x"].attrs["units"] == "mm"
    np.testing.assert_allclose(ds["z"].values, np.linspace(-9.75, 9.75, 40))
    np.testing.assert_allclose(ds["x_edge"].values, [-2, -1, 0, 1, 2])
    # snapshots at 0, 30 s and the end (40 s); the last equals the live field
    np.testing.assert_allclose(ds["time"].values, [0.0, 30.0, 40.0])
    assert ds["T"].dims == ("time", "z", "y", "x") and ds["T"].attrs["units"] == "K"
    np.testing.assert_array_equal(ds["T"].isel(time=-1).values, sim.field("T"))
    np.testing.assert_array_equal(ds["phi"].isel(time=-1).values, sim.field("phi"))
    # materials with names
    names = ds["material"].attrs["names"]
    assert set(names) == {"conductor", "diamond"}
    assert (ds["material"].values == names.index("diamond")).sum() == 2 * 2 * 4
    # time series on `step`, with series_time (s); equal to the in-memory series
    ts = sim.timeseries()
    assert ds["series_time"].attrs["units"] == "s"
    np.testing.assert_allclose(ds["series_time"].values, ts.index.values)
    for name in ("heater_power", "T_max", "T_source", "dT_source_seed", "T_probe_middle"):
        np.testing.assert_allclose(ds[name].values.ravel(), ts[name].values, rtol=0, atol=0)
        assert ds[name].attrs["units"] == ts.attrs["units"][name]
    # metadata: the resolved config with the override
    assert "0.25 V" in ds.attrs["config"]
    assert ds.attrs["final_time"] == pytest.approx(40.0)
    assert ds.attrs["version"] == hphtsim.__version__
    # read_timeseries: the same table as the simulation's (columns in another order)
    rt = hphtsim.read_timeseries(out)
    assert set(rt.columns) == set(ts.columns)
    np.testing.assert_allclose(rt[ts.columns].values, ts.values)
    # the live state as a dataset: same layout
    live = sim.to_dataset()
    np.testing.assert_array_equal(live["T"].isel(time=0).values, ds["T"].isel(time=-1).values)
    assert set(live.data_vars) == set(ds.data_vars)


def test_partial_file(seeded_path, tmp_path):
    """A file whose last snapshot lacks a field and whose series have unequal lengths."""
    out = tmp_path / "run.h5"
    hphtsim.Simulation(seeded_path).run(until="40 s", output=out)
    cut = tmp_path / "cut.h5"
    shutil.copy(out, cut)
    with h5py.File(cut, "r+") as f:
        del f["snapshots/000002/q"]
        n = f["timeseries/T_max"].shape[0]
        f["timeseries/T_max"].resize((n - 2,))
    ds = hphtsim.open_result(cut)
    assert ds.sizes["time"] == 2
    assert ds.sizes["step"] == n - 2
    with pytest.raises(hphtsim.ResultFileError):
        hphtsim.open_result(tmp_path / "nothing.h5")


def test_killed_run_is_readable(seeded_path, tmp_path):
    """SIGKILL a run mid-way: the file opens with every snapshot written so far."""
    out = tmp_path / "killed.h5"
    code = ("import hphtsim; hphtsim.Simulation(%r, {'output.snapshot_interval': '2 s', 'time.max_step': '1 s'})"
            ".run(until='10 h', output=%r)" % (str(seeded_path), str(out)))
    p = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ, OMP_NUM_THREADS="1"))
    try:
        deadline = time.time() + 60
        n = 0
        while time.time() < deadline and p.poll() is None:
            time.sleep(0.1)
            try:
                with h5py.File(out, "r", locking=False) as f:
                    n = len(f["snapshots"])
            except Exception:  # not created yet, or caught mid-write
                n = 0
            if n >= 4:
                break
        assert p.poll() is None, "the run finished before it could be killed"
        os.kill(p.pid, signal.SIGKILL)
        p.wait(10)
    finally:
        if p.poll() is None:
            p.kill()
    ds = hphtsim.open_result(out)
    assert ds.sizes["time"] >= 3
    assert np.isfinite(ds["T"].values).all()
    assert ds.sizes["step"] >= ds.sizes["time"]


def test_summary_of_pressure_and_growth_series():
    """Summary figures from synthetic series with two seeds (the layout the core writes)."""
    from hphtsim.results import series_frame, summarize
    layout = [("time", "s", 1), ("heater_power", "W", 1), ("T_max", "K", 1), ("p_cell", "Pa", 1),
              ("T_seed", "K", 2), ("dT_source_seed", "K", 2), ("mass", "mg", 2),
              ("line_margin_K", "K", 2), ("eutectic_margin_K", "K", 2), ("anvil_advance", "m", 1),
              ("convection_enhancement", "1", 1)]
    rows = np.array([
        # t     P    Tmax   p_cell  T_seed      dT        mass        line margin   eutectic margin  advance Sh
        [0,    0,   300,   0,      300, 300,   0, 0,     0, 0,      -900, -900,    -1000, -1000,   0,      1],
        [3600, 800, 1800,  5.9e9,  1600, 1610, 20, 25,   10, 12,     60, 40,        80, 90,         -3e-4,  22],
        [7200, 790, 1790,  5.6e9,  1600, 1605, 22, 24,   200, 300,   70, 50,        85, 95,         -2e-4,  21],
    ], dtype=float)
    df = series_frame(rows, layout, ["a", "b"])
    assert list(df.columns[:3]) == ["heater_power", "T_max", "p_cell"]
    assert "mass[b]" in df.columns and df.attrs["units"]["mass[b]"] == "mg"
    s = summarize(df)
    assert s["final_time_h"] == 2.0
    assert s["T_max_degC"] == pytest.approx(1800 - 273.15)
    assert s["dT_source_seed_K"] == 22 and s["heater_power_W"] == 790
    assert s["T_seed_degC"] == pytest.approx(1600 - 273.15)
    assert s["p_cell_GPa"] == pytest.approx(5.6)
    assert s["p_cell_peak_GPa"] == pytest.approx(5.9)
    assert s["anvil_advance_min_um"] == pytest.approx(-300.0)
    assert s["convection_enhancement"] == 21
    assert s["mass_min_ct"] == pytest.approx(1.0) and s["mass_total_ct"] == pytest.approx(2.5)
    assert s["min_line_margin_K"] == 40            # the cold first row (solvent frozen) is left out
    assert np.isnan(s["min_line_margin_GPa"])


def test_axisymmetric_round_trip(tmp_path):
    """An (r, z) cell: fields on (z, r) live and in the file, the same values; a mirrored plot."""
    here = os.path.dirname(os.path.abspath(__file__))
    cfg = hphtsim.load_config(os.path.join(here, "..", "..", "configs", "tgm_default.yaml"),
                              {"cell.geometry": "axisymmetric", "pressure.field": "false", "cell.cells": "[24, 32]"})
    out = tmp_path / "ring.h5"
    sim = hphtsim.Simulation(cfg).run(until="3 h", output=out)
    assert sim.axisymmetric and sim.shape == (sim.field("T").shape[0], 24)
    ds = hphtsim.open_result(out)
    assert ds.attrs["geometry"] == "axisymmetric"
    assert ds["T"].dims == ("time", "z", "r") and ds["material"].dims == ("z", "r")
    assert ds["r_edge"].values[0] == 0.0 and ds.sizes["r"] == 24
    np.testing.assert_array_equal(ds["T"].isel(time=-1).values, sim.field("T"))
    live = sim.to_dataset()
    assert live["T"].dims == ("time", "z", "r")
    np.testing.assert_array_equal(live["r"].values, ds["r"].values)
    # the slice plot draws the half-plane and its mirror image
    from hphtsim import plot
    ax = plot.plot_slice(ds, out=tmp_path / "ring.png")
    assert "axisymmetric" in ax.get_title()
    assert ax.get_xlim() == pytest.approx((-ds["r_edge"].values[-1], ds["r_edge"].values[-1]))
