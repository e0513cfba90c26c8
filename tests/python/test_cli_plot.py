"""python3 -m hphtsim sweep|plot|run, and the plots."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hphtsim
from hphtsim import plot

HERE = Path(__file__).resolve().parent


def _cli(*args, cwd=None, timeout=240):
    return subprocess.run([sys.executable, "-m", "hphtsim", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=dict(os.environ, MPLBACKEND="Agg"))


def _png(path):
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    return data


def test_cli_sweep_and_plot(tmp_path):
    sweep_file = tmp_path / "study.yaml"
    sweep_file.write_text(
        f"base: {HERE / 'slab_seed.yaml'}\n"
        "set: {time.max_step: 5 s}\n"
        "params:\n  heater.voltage: [0.1 V, 0.2 V, 0.3]\n"   # the last one is broken
        "until: 20 s\n"
        "out_dir: out\n")
    r = _cli("sweep", sweep_file, "--workers", "2")
    assert r.returncode == 1, r.stderr                        # one run failed: exit 1, table written
    assert "[sweep]" in r.stderr and "3/3" in r.stderr         # the progress bar
    assert "run 2 failed" in r.stderr and "heater.voltage" in r.stderr
    table = pd.read_csv(tmp_path / "out" / "sweep.csv", index_col=0)
    assert list(table["status"]) == ["ok", "ok", "failed"]
    assert (table["threads"] == max(1, hphtsim.available_cores() // 2)).all()
    assert len(list((tmp_path / "out").glob("run_*.h5"))) >= 2
    # rerun: everything finished is taken, nothing is recomputed
    r2 = _cli("sweep", sweep_file, "--workers", "1", "-q")
    assert r2.returncode == 1
    t2 = pd.read_csv(tmp_path / "out" / "sweep.csv", index_col=0)
    assert list(t2["cached"]) == [True, True, False]
    # plots: sweep response and a run
    r3 = _cli("plot", tmp_path / "out" / "sweep.csv", "-o", tmp_path / "sweep.png")
    assert r3.returncode == 0, r3.stderr
    _png(tmp_path / "sweep.png")
    r4 = _cli("plot", table["output"][1], "-o", tmp_path / "run.png")
    assert r4.returncode == 0, r4.stderr
    _png(tmp_path / "run.png")


def test_cli_bad_input(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: nowhere.yaml\nparams: {heater.voltage: [0.1 V]}\n")
    r = _cli("sweep", bad)
    assert r.returncode == 2 and "cannot read config file" in r.stderr
    bad.write_text("base: x.yaml\nparms: {}\n")
    r = _cli("sweep", bad)
    assert r.returncode == 2 and "parms" in r.stderr
    r = _cli("run", HERE / "slab_seed.yaml", "-o", tmp_path / "r.h5", "--set", "heater.voltage=2", "-q")
    assert r.returncode == 2 and "heater.voltage" in r.stderr
    assert not (tmp_path / "r.h5").exists()


def test_cli_run(tmp_path):
    r = _cli("run", HERE / "slab_seed.yaml", "-o", tmp_path / "r.h5", "--until", "5 s", "-q")
    assert r.returncode == 0, r.stderr
    assert hphtsim.open_result(tmp_path / "r.h5").attrs["final_time"] == 5.0


def test_plots_of_a_live_simulation_and_a_file(seeded_path, tmp_path):
    sim = hphtsim.Simulation(seeded_path).run(until="20 s", output=tmp_path / "r.h5")
    ax = plot.plot_slice(sim, out=tmp_path / "live.png")
    assert "degC" in ax.get_title()
    _png(tmp_path / "live.png")
    axes = plot.plot_timeseries(tmp_path / "r.h5", out=tmp_path / "ts.png")
    labels = {l.get_label() for a in axes for l in a.lines}
    assert {"heater power", "T_max", "T_source", "T_seed", "middle", "T_source - T_seed"} <= labels
    _png(tmp_path / "ts.png")
    fig = plot.plot_run(tmp_path / "r.h5", out=tmp_path / "run.png")
    _png(tmp_path / "run.png")
    import matplotlib.pyplot as plt
    plt.close("all")


def test_default_cell_short_run(default_cell, tmp_path):
    """The default cell at 24^3: the steady state at a constant 0.8 kW (recipe replaced by a
    hold), then a few minutes; the summary has the source-seed difference."""
    cfg = default_cell.with_overrides({
        "recipe.heater": {"control": "power", "start": "0.8 kW", "segments": [{"hold": "1 h"}]},
        "time.start_from_steady_state": True})
    sim = hphtsim.Simulation(cfg)
    sim.run(until="2 min", output=tmp_path / "d.h5")
    s = hphtsim.summarize(hphtsim.read_timeseries(tmp_path / "d.h5"))
    assert 1000 < s["T_max_degC"] < 2500
    assert s["heater_power_W"] == pytest.approx(800)
    assert 0 < s["dT_source_seed_K"] < 100           # the source sits hotter than the seed
    ds = hphtsim.open_result(tmp_path / "d.h5")
    assert "graphite" in ds["material"].attrs["names"]
    # A budget of 24 is below what the conforming grid needs for the default cell's interfaces
    # (about 27 across, 22 along z at a neighbour ratio of 1.3): the fewest cells it can have.
    nz, ny, nx = sim.shape
    assert (ds.sizes["x"], ds.sizes["y"], ds.sizes["z"]) == (nx, ny, nz)
    assert nx == ny and 24 <= nx <= 30 and 22 <= nz <= 30
    plot.plot_slice(ds, out=tmp_path / "slice.png")
    _png(tmp_path / "slice.png")


def test_default_snapshot_is_the_end_of_the_main_hold():
    import xarray as xr
    from hphtsim.plot import default_snapshot
    T = np.zeros((4, 1, 1, 1))
    T[1] = 2000.0                                   # the hottest snapshot is the second
    ds = xr.Dataset({"T": (("time", "z", "y", "x"), T)}, coords={"time": [0.0, 10.0, 20.0, 30.0]})
    assert default_snapshot(ds) == (1, "hottest snapshot")
    ds.attrs["hold_end"] = 25.0                     # the run summary's main hold ends at 25 s
    assert default_snapshot(ds) == (2, "end of the main hold")
