#!/usr/bin/python3
"""Issue 15's cool-down design on the default cell: `design --cooldown` on the (r, z) model (the
fastest joint reduction of power and oil pressure keeping crack_risk below 1 and the hot seed in
the diamond field), its report (designed against ten times faster and the config's own), the
design's wall time, and optionally the designed schedule run in 3-D.

    /usr/bin/python3 benchmarks/cooldown_design.py [--cells 64,64] [--strength "2 GPa"] [--3d] [-o DIR]

Needs a build (build/python). Prints the report; run it on a quiet machine."""
import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build" / "python"))
from hphtsim.config import load_config  # noqa: E402
from hphtsim.cooldown import design_cooldown  # noqa: E402

CONFIG = ROOT / "configs" / "tgm_default.yaml"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", default="64,64", help="(r, z) cells of the design model")
    ap.add_argument("--strength", help="pressure.crystal_stress.tensile_strength (default: the config's)")
    ap.add_argument("--3d", dest="three_d", action="store_true", help="also run the designed schedule in 3-D")
    ap.add_argument("-o", "--output", help="directory for designed.yaml and designed.md (default: a temporary one)")
    a = ap.parse_args()
    cfg = load_config(CONFIG)
    if a.strength:
        cfg = cfg.with_overrides({"pressure.crystal_stress": {"tensile_strength": a.strength}})
    out = Path(a.output or tempfile.mkdtemp(prefix="cooldown_")) / "designed.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    design_cooldown(cfg, out=out, rz_cells=tuple(int(x) for x in a.cells.split(",")), verify=a.three_d,
                    progress=lambda text: print(text, file=sys.stderr))
    print(out.with_suffix(".md").read_text(), end="")
    print(f"\nwall time of the design{' and its 3-D check' if a.three_d else ''}: {time.time() - t0:.0f} s "
          f"(2 threads per run); designed config: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
