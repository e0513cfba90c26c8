"""Layer 1, verification: the rows the GoogleTest suite records.

The verification tests check each figure with ``benchmark_row`` (tests/support/benchmark_row.hpp),
which records the same row as a test property; this layer runs those tests with
``--gtest_output=json`` and collects the rows, so that the report and the suite share one
computation and one tolerance. A test that fails adds a row for itself (``pass`` false) besides
its own rows. The test executables are those of the build tree (``BUILD_TESTING``, the default):
``$HPHTSIM_BINARY_DIR`` or the ``bin/`` beside this package's build copy.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Optional

from .rows import make_row

__all__ = ["binary_dir", "configs_dir", "run_verification", "QUICK", "FULL"]

ROW_KEY = "benchmark_row:"

# (executable, gtest filter). Quick: the manufactured solutions, the analytic cases, the
# conservation and restart checks that take seconds; full adds the rest of the verification tier
# and every restart equivalence.
QUICK = [
    ("hphtsim_verification_tests",
     "SolverMms.*:CylindricalMms.Second*:ElasticityMms.SecondOrderVariableModuli:AxisymmetricElasticity.*:"
     "JouleSlab.*:CrystalStress.DiamondSphereInACoolingMatrixAxisymmetric:VolumeFractions.TubeHeaterResistance:"
     "ConcentricShells.*:Mechanics.AgreesWithEigenReferenceOnAHeterogeneousCell:DefaultCell.SteadyFields*:"
     "DefaultCell.OneAndTwoThreadsAgree"),
    ("hphtsim_unit_tests", "Growth.DiffusionLimitedFluxMatchesTheAnalyticValue:Growth.ConservesCarbon*"),
    ("hphtsim_regression_tests", "Restart.ContinuingAfterUntilEqualsAnUninterruptedRun:"
                                 "Axisymmetric.ConcentricShells*"),
]
FULL = [
    ("hphtsim_verification_tests", "*"),
    ("hphtsim_unit_tests", "Growth.*"),
    ("hphtsim_regression_tests", "Restart.*:Axisymmetric.*"),
]


def binary_dir() -> Path:
    """Where the hphtsim executables and the test executables are."""
    env = os.environ.get("HPHTSIM_BINARY_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "bin"  # build/python/hphtsim/benchmark -> build/bin


def configs_dir() -> Path:
    """The source tree's configs/ ($HPHTSIM_SOURCE_DIR, or found from this file or the cwd)."""
    here = Path(__file__).resolve()
    env = os.environ.get("HPHTSIM_SOURCE_DIR")
    for base in ([Path(env)] if env else []) + [here.parents[3], here.parents[4], Path.cwd()]:
        if (base / "configs" / "tgm_default.yaml").exists():
            return base / "configs"
    raise FileNotFoundError("configs/tgm_default.yaml not found: set HPHTSIM_SOURCE_DIR to the source tree")


def _rows_of(report: dict, executable: str) -> list:
    rows = []
    for suite in report.get("testsuites", []):
        for test in suite.get("testsuite", []):
            name = f"{suite['name']}.{test['name']}"
            for key, text in test.items():
                if isinstance(key, str) and key.startswith(ROW_KEY):
                    r = json.loads(text)
                    row = make_row("verification", r["case"], r["quantity"], r["reference"], r["value"],
                                   r["tolerance"], r["comparison"], r["source"], r["units"], f"test {name}")
                    # the test's own comparison (the same rule as make_row's) is the mark
                    row["pass"], row["error"] = bool(r["pass"]), r["error"]
                    rows.append(row)
            if test.get("failures"):
                msg = test["failures"][0].get("failure", "")[:300].replace("\n", " ")
                rows.append(make_row("verification", f"test {name}", "passes", "passes", "fails", None, "equal",
                                     executable, note=msg))
    return rows


def run_verification(level: str = "quick", progress: Optional[Callable[[str], None]] = None,
                     threads: int = 0) -> list:
    """Runs the tests of ``level`` and returns their rows."""
    bin_dir = binary_dir()
    rows = []
    for executable, test_filter in (QUICK if level == "quick" else FULL):
        exe = bin_dir / executable
        if not exe.exists():
            rows.append(make_row("verification", executable, "test executable present", "present", "missing", None,
                                 "equal", "", note=f"{exe} not found: build with BUILD_TESTING=ON (the default) or "
                                                   "set HPHTSIM_BINARY_DIR"))
            continue
        if progress:
            progress(f"verification: {executable} --gtest_filter={test_filter[:60]}...")
        with tempfile.TemporaryDirectory(prefix="hphtsim-bench-") as tmp:
            out = Path(tmp) / "report.json"
            env = dict(os.environ)
            if threads:
                env["OMP_NUM_THREADS"] = str(threads)
            proc = subprocess.run([str(exe), f"--gtest_filter={test_filter}", f"--gtest_output=json:{out}"],
                                  cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if not out.exists():
                rows.append(make_row("verification", executable, "test run", "completes", "crashed", None, "equal",
                                     "", note=proc.stdout[-300:].replace("\n", " ")))
                continue
            report = json.loads(out.read_text())
            ran = sum(len(s.get("testsuite", [])) for s in report.get("testsuites", []))
            if ran == 0:  # a filter that matches nothing (renamed tests, a stale build) is a failure
                rows.append(make_row("verification", executable, f"tests matching {test_filter[:80]}", "at least one",
                                     "none", None, "equal", "", note="rebuild, or the tests were renamed"))
            elif proc.returncode != 0 and not any(s.get("failures") for s in report.get("testsuites", [])):
                rows.append(make_row("verification", executable, "exit code", 0, proc.returncode, 0, "absolute", "",
                                     note=proc.stdout[-300:].replace("\n", " ")))
            rows.extend(_rows_of(report, executable))
    return rows
