"""Shared fixtures of the Python tests. Run with
    PYTHONPATH=build/python OMP_NUM_THREADS=1 /usr/bin/python3 -m pytest -q tests/python
(ctest's `pytest` entry does exactly that)."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
os.environ.setdefault("MPLBACKEND", "Agg")

try:
    import hphtsim  # noqa: F401
except ImportError:  # not on PYTHONPATH: try the default build tree
    sys.path.insert(0, str(ROOT / "build" / "python"))
    import hphtsim  # noqa: F401


@pytest.fixture
def slab_path():
    return ROOT / "tests" / "data" / "slab.yaml"


@pytest.fixture
def seeded_path():
    """Slab with a carbon source and a seed (so dT_source_seed exists)."""
    return HERE / "slab_seed.yaml"


@pytest.fixture
def default_cell():
    """The default cell at a test-sized grid (a 2 mm seed so that it covers cells)."""
    return hphtsim.load_config(ROOT / "configs" / "tgm_lab_small.yaml",
                               {"cell.cells": 24, "seeds.0.size": "2 mm"})
