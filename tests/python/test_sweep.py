"""Sweeps: the same table in process, on a ProcessPoolExecutor, a dask LocalCluster and (where
MPI can spawn) mpi4py's MPIPoolExecutor; broken members; resume."""
import json
import multiprocessing as mp
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hphtsim
from hphtsim.sweeps import run_id

PARAMS = {"heater.voltage": ["0.1 V", "0.15 V", "0.2 V", "0.25 V"]}
UNTIL = "30 s"
VOLATILE = ["wall_s", "output", "threads"]  # differ between executors by design


def _compare(a, b):
    pd.testing.assert_frame_equal(a.drop(columns=VOLATILE), b.drop(columns=VOLATILE), check_exact=False, rtol=1e-9)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref")
    base = hphtsim.load_config(Path(__file__).parent / "slab_seed.yaml")
    return base, hphtsim.sweep(base, PARAMS, out_dir=out, until=UNTIL)


def test_in_process_table(reference):
    base, df = reference
    assert list(df.index) == [0, 1, 2, 3] and df.index.name == "run"
    assert list(df["heater.voltage"]) == PARAMS["heater.voltage"]
    assert (df["status"] == "ok").all() and (df["error"] == "").all()
    assert not df["cached"].any()
    # summary figures: Joule heating grows with V^2
    assert df["heater_power_W"].is_monotonic_increasing
    assert df["T_max_degC"].is_monotonic_increasing
    assert (df["dT_source_seed_K"] > 0).all()
    assert df["final_time_h"].values == pytest.approx(30 / 3600)
    for col in ("p_cell_GPa", "mass_min_ct", "mass_total_ct", "min_line_margin_K"):   # no pressure, no growth
        assert df[col].isna().all()
    # files: a .h5 and a .json per run, named by the run id; the CSV table
    out = Path(df["output"][0]).parent
    for rid, path in zip(df["run_id"], df["output"]):
        assert Path(path).name == f"run_{rid}.h5" and Path(path).exists()
        assert json.loads((out / f"run_{rid}.json").read_text())["status"] == "ok"
    csv = pd.read_csv(out / "sweep.csv", index_col=0)
    np.testing.assert_allclose(csv["T_max_degC"], df["T_max_degC"])
    # the run id depends on the overrides, the base config and until, not on the order
    assert df["run_id"][0] == run_id(base, {"heater.voltage": "0.1 V"}, UNTIL)


def test_process_pool_gives_the_same_table(reference, tmp_path):
    base, ref = reference
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as ex:
        assert hphtsim.thread_budget(ex) == max(1, hphtsim.available_cores() // 2)
        df = hphtsim.sweep(base, PARAMS, executor=ex, out_dir=tmp_path, until=UNTIL)
    _compare(ref, df)
    assert (df["threads"] == max(1, hphtsim.thread_budget(None) // 2)).all()


def test_dask_local_cluster_gives_the_same_table(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    base, ref = reference
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster, distributed.Client(cluster) as client:
        budget = hphtsim.thread_budget(client)
        assert budget >= 1
        df = hphtsim.sweep(base, PARAMS, executor=client, out_dir=tmp_path, until=UNTIL)
    _compare(ref, df)
    assert (df["threads"] == budget).all()


MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMP_NUM_THREADS="1")


def _mpi_spawn_works():
    try:
        import mpi4py.futures  # noqa: F401
    except ImportError as e:
        return f"mpi4py.futures not importable: {e}"
    probe = ("from mpi4py.futures import MPIPoolExecutor\n"
             "with MPIPoolExecutor(max_workers=1) as ex: print(ex.submit(abs, -7).result())\n")
    try:
        r = subprocess.run([sys.executable, "-c", probe], env=MPI_ENV, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "MPI spawn hung (no spawn support without mpirun?)"
    if r.returncode != 0 or r.stdout.strip() != "7":
        return f"MPI spawn failed (rc {r.returncode}): {(r.stderr or r.stdout).strip()[-300:]}"
    return None


def test_mpi_pool_gives_the_same_table(reference, tmp_path):
    reason = _mpi_spawn_works()
    if reason:
        pytest.skip(reason)
    base, ref = reference
    script = textwrap.dedent(f"""
        import pickle, hphtsim
        from mpi4py.futures import MPIPoolExecutor
        base = pickle.loads({pickle_bytes(base)!r})
        with MPIPoolExecutor(max_workers=2) as ex:
            df = hphtsim.sweep(base, {PARAMS!r}, executor=ex, out_dir={str(tmp_path)!r}, until={UNTIL!r})
        df.to_pickle({str(tmp_path / 'table.pkl')!r})
    """)
    r = subprocess.run([sys.executable, "-c", script], env=MPI_ENV, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    _compare(ref, pd.read_pickle(tmp_path / "table.pkl"))


def pickle_bytes(obj):
    import pickle
    return pickle.dumps(obj)


def test_broken_member_keeps_the_other_rows(tmp_path, seeded_path):
    runs = [{"heater.voltage": "0.1 V"},
            {"heater.voltage": "0.2"},                        # no unit: ConfigError
            {"heater.voltage": "0.2 V", "cell.cells": [4, 4, -3]},  # bad grid
            {"heater.voltage": "0.3 V"}]
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as ex:
        df = hphtsim.sweep(seeded_path, runs, executor=ex, out_dir=tmp_path, until="10 s")
    assert list(df["status"]) == ["ok", "failed", "failed", "ok"]
    assert df["error_key"][1] == "heater.voltage" and "ConfigError" in df["error"][1]
    assert df["error_key"][2].startswith("cell.cells")
    assert np.isfinite(df["T_max_degC"][[0, 3]]).all() and df["T_max_degC"][[1, 2]].isna().all()
    assert list(df.columns[:2]) == ["heater.voltage", "cell.cells"]
    assert df["cell.cells"][2] == "[4, 4, -3]"


def test_resume_reruns_nothing_finished(tmp_path, seeded_path):
    grid = {"heater.voltage": ["0.1 V", "0.2 V", "0.3"]}   # the last one fails
    first = hphtsim.sweep(seeded_path, grid, out_dir=tmp_path, until="10 s")
    assert list(first["status"]) == ["ok", "ok", "failed"]
    stamps = {p: os.stat(p).st_mtime_ns for p in first["output"][:2]}
    jsons = {p: os.stat(p).st_mtime_ns for p in tmp_path.glob("run_*.json")}
    # the same sweep grown by one run: only the new one and the failed one run again
    grid["heater.voltage"].append("0.4 V")
    second = hphtsim.sweep(seeded_path, grid, out_dir=tmp_path, until="10 s")
    assert list(second["cached"]) == [True, True, False, False]
    assert list(second["status"]) == ["ok", "ok", "failed", "ok"]
    for p, t in stamps.items():
        assert os.stat(p).st_mtime_ns == t                 # finished runs untouched
    for p in first["output"][:2]:
        j = Path(p).with_suffix(".json")
        assert os.stat(j).st_mtime_ns == jsons[j]
    _compare(first.iloc[:2].drop(columns="cached"), second.iloc[:2].drop(columns="cached"))
    # resume=False reruns everything
    third = hphtsim.sweep(seeded_path, grid, out_dir=tmp_path, until="10 s", resume=False)
    assert not third["cached"].any()
    # a deleted result file is rerun
    os.remove(first["output"][0])
    fourth = hphtsim.sweep(seeded_path, grid, out_dir=tmp_path, until="10 s")
    assert list(fourth["cached"]) == [False, True, False, True]


def test_grid_and_list_params():
    runs = hphtsim.expand_params({"a": [1, 2], "b": ["x", "y", "z"]})
    assert runs[:3] == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "z"}] and len(runs) == 6
    assert hphtsim.expand_params([{"a": 1}, {"b": 2}]) == [{"a": 1}, {"b": 2}]
    with pytest.raises(TypeError):
        hphtsim.expand_params({"a": "0.8 kW"})


def test_axisymmetric_sweep_on_a_process_pool(tmp_path):
    """(r, z) cells sweep as 3-D ones do: the same table in process and on two processes, and
    the axisymmetric result files open with (z, r) fields."""
    base = hphtsim.load_config(Path(__file__).parents[2] / "configs" / "tgm_default.yaml",
                               {"cell.geometry": "axisymmetric", "cell.cells": "[24, 32]"})
    params = {"growth.kinetic_coefficient": ["2.0e-6 m/s", "3.0e-6 m/s"]}
    here = hphtsim.sweep(base, params, out_dir=tmp_path / "a", until="2 h")
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as ex:
        pool = hphtsim.sweep(base, params, executor=ex, out_dir=tmp_path / "b", until="2 h")
    assert (here["status"] == "ok").all(), here["error"].tolist()
    _compare(here, pool)
    ds = hphtsim.open_result(here["output"].iloc[0])
    assert ds.attrs["geometry"] == "axisymmetric" and ds["T"].dims == ("time", "z", "r")
