#!/usr/bin/python3
"""How honest the progress line's ETA is: runs `hphtsim run CONFIG` with progress (extra
arguments go to it) and compares every printed ETA after the first 10 % of the wall time with
the true remaining wall time (issue 10's measure; the target is a factor of 3 either way).

    /usr/bin/python3 benchmarks/eta.py configs/tgm_default.yaml [--set cell.cells=48 ...]

The progress line shows the wall time and the ETA to the second. Needs a build (build/bin/hphtsim)."""
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def seconds(text):
    return sum(float(v) * {"h": 3600, "m": 60, "s": 1}[u] for v, u in re.findall(r"([\d.]+)\s*([hms])", text))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [os.path.join(ROOT, "build/bin/hphtsim"), "run", argv[1], "-o", os.path.join(tmp, "eta.h5")] + argv[2:]
        start = time.monotonic()
        run = subprocess.run(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, errors="replace")
        end = time.monotonic() - start
    if run.returncode != 0:
        sys.exit(f"hphtsim run failed ({run.returncode}):\n{run.stderr[-2000:]}")
    rows = []
    for part in run.stderr.replace("\n", "\r").split("\r"):
        m = re.search(r"t = ([^|]+?) / .*\| wall ([^|]+?) \| ETA ([^|\[]+)", part)
        if m:
            rows.append((m.group(1).strip(), seconds(m.group(2)), seconds(m.group(3))))
    # The run's own clock (the last row, printed at its end): the process's also counts the
    # set-up before the clock starts.
    end = rows[-1][1] if rows else end
    ratios = [(eta / (end - wall), t, wall) for t, wall, eta in rows if wall >= 0.1 * end and end - wall >= 1.0]
    if not ratios:
        sys.exit("no progress rows after the first 10 % of the run")
    lo, hi = min(ratios), max(ratios)
    out = [r for r in ratios if not 1 / 3 <= r[0] <= 3]
    print(f"wall {end:.0f} s, {len(rows)} progress rows, {len(ratios)} after the first 10 %")
    print(f"ETA / true remaining: smallest {lo[0]:.2f} (t = {lo[1]}, wall {lo[2]:.0f} s), "
          f"largest {hi[0]:.2f} (t = {hi[1]}, wall {hi[2]:.0f} s)")
    span = f", wall {min(r[2] for r in out):.0f}-{max(r[2] for r in out):.0f} s" if out else ""
    print(f"outside a factor of 3: {len(out)} rows{span}")


if __name__ == "__main__":
    main(sys.argv)
