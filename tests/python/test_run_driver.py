"""One run driver for the command line and Python: a run written from Python continues under
`hphtsim run --restart` and the other way round; SIGINT checkpoints a Python run; a sweep
continues an interrupted member from its checkpoint; the run summary reaches /meta."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

import hphtsim
from hphtsim.sweeps import run_id

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "small_cell.yaml"
BINARY = ROOT / "build" / "bin" / "hphtsim"
SETS = {"output.snapshot_interval": "1 h", "output.checkpoint_wall_interval": "0 s"}
CLI_SETS = sum((["--set", f'{k}="{v}"' if " " in v else f"{k}={v}"] for k, v in SETS.items()), [])


def _last_T(path):
    with h5py.File(path, "r") as f:
        snaps = sorted(f["snapshots"])
        return f["snapshots"][snaps[-1]]["T"][()], f["timeseries"]["time"][()]


def _cli(*args, cwd):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run([str(BINARY), "run", str(SMALL), *CLI_SETS, "-q", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("full")
    r = _cli("-o", "full.h5", "--until", "3 h", cwd=d)
    assert r.returncode == 0, r.stderr
    return d / "full.h5"


@pytest.mark.skipif(not BINARY.exists(), reason="needs the hphtsim binary of the default build")
def test_python_run_continues_under_the_command_line(full_run, tmp_path):
    out = tmp_path / "part.h5"
    hphtsim.Simulation(SMALL, SETS).run(until="47 min", output=out)
    assert out.with_suffix(".checkpoint.h5").exists()       # Python runs checkpoint too
    r = _cli("-o", str(out), "--restart", "--until", "3 h", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (T_full, t_full), (T_part, t_part) = _last_T(full_run), _last_T(out)
    np.testing.assert_array_equal(t_full, t_part)
    assert np.max(np.abs(T_full - T_part) / T_full) <= 1e-10


@pytest.mark.skipif(not BINARY.exists(), reason="needs the hphtsim binary of the default build")
def test_command_line_run_continues_in_python(full_run, tmp_path):
    out = tmp_path / "part.h5"
    r = _cli("-o", str(out), "--until", "47 min", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    sim = hphtsim.Simulation(SMALL, SETS).run(until="3 h", output=out, restart=True)
    assert sim.time == pytest.approx(3 * 3600)
    (T_full, t_full), (T_part, t_part) = _last_T(full_run), _last_T(out)
    np.testing.assert_array_equal(t_full, t_part)
    assert np.max(np.abs(T_full - T_part) / T_full) <= 1e-10
    # The summary covers the whole run (read back from the file), in /meta with units.
    with h5py.File(out, "r") as f:
        meta = f["meta"].attrs
        assert meta["final_time"] == pytest.approx(3 * 3600)
        assert meta["electrical_energy_units"] in ("kWh", b"kWh")
        with h5py.File(full_run, "r") as g:
            assert meta["electrical_energy"] == pytest.approx(g["meta"].attrs["electrical_energy"], rel=1e-12)


def test_restart_errors_name_the_argument(tmp_path):
    with pytest.raises(hphtsim.ConfigError) as e:
        hphtsim.Simulation(SMALL).run(until="1 min", output=tmp_path / "none.h5", restart=True)
    assert e.value.key == "restart"
    out = tmp_path / "a.h5"
    hphtsim.Simulation(SMALL, SETS).run(until="1 min", output=out)
    with pytest.raises(hphtsim.ConfigError) as e:   # another config than the checkpoint's
        hphtsim.Simulation(SMALL, {**SETS, "time.tolerance": "0.4 K"}).run(until="2 min", output=out, restart=True)
    assert e.value.key == "restart" and "differs" in str(e.value)
    with pytest.raises(hphtsim.ConfigError) as e:
        hphtsim.Simulation(SMALL, SETS).run(until="2 min", output=out, restart=True, overwrite=True)
    assert e.value.key == "restart"


def test_sigint_checkpoints_a_python_run(full_run, tmp_path):
    out = tmp_path / "part.h5"
    script = (f"import hphtsim\nhphtsim.Simulation({str(SMALL)!r}, {SETS!r})"
              f".run(until='3 h', output={str(out)!r})\n")
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(sys.path))
    p = subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE, text=True)
    ckpt = out.with_suffix(".checkpoint.h5")
    t0 = time.time()
    while not ckpt.exists() and time.time() - t0 < 60 and p.poll() is None:
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    if p.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert "KeyboardInterrupt" in err and "checkpoint" in err, err
    sim = hphtsim.Simulation(SMALL, SETS).run(until="3 h", output=out, restart=True)
    (T_full, _), (T_part, _) = _last_T(full_run), _last_T(out)
    assert np.max(np.abs(T_full - T_part) / T_full) <= 1e-10


def test_a_sweep_continues_an_interrupted_member(tmp_path, seeded_path):
    grid = {"heater.voltage": ["0.1 V", "0.2 V"]}
    ref = hphtsim.sweep(seeded_path, grid, out_dir=tmp_path / "ref", until="30 s")
    base = hphtsim.load_config(seeded_path)
    out = tmp_path / "resumed"
    out.mkdir()
    # Member 1 was stopped at 12 s: its result and checkpoint exist, its status JSON does not.
    rid = run_id(base, {"heater.voltage": "0.2 V"}, "30 s")
    hphtsim.Simulation(base.with_overrides({"heater.voltage": "0.2 V"})).run(until="12 s", output=out / f"run_{rid}.h5")
    df = hphtsim.sweep(seeded_path, grid, out_dir=out, until="30 s")
    assert list(df["resumed"]) == [False, True]
    assert (df["status"] == "ok").all()
    assert not (out / f"run_{rid}.checkpoint.h5").exists()   # a finished member keeps none
    for col in ("T_max_degC", "heater_power_W", "dT_source_seed_K"):
        np.testing.assert_allclose(df[col], ref[col], rtol=1e-9)


def test_diagnostics_and_outputs_come_from_the_table(seeded_path):
    sim = hphtsim.Simulation(seeded_path).step("1 s")
    d = sim.diagnostics()
    table = sim.outputs()
    series = table[table["kind"] == "series"]
    assert set(d) == set(series["name"])
    assert set(table[table["kind"] == "field"]["name"]) == set(sim.field_names)
    assert (table["meaning"].str.len() > 0).all()
    with pytest.raises(ValueError) as e:
        sim.field("nope")
    assert "T, phi, q" in str(e.value)
