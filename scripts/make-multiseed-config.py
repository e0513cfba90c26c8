#!/usr/bin/env python3
"""Writes configs/tgm_multiseed.yaml from configs/tgm_default.yaml: the same cell, materials,
recipe and growth, with five seeds (the centre and four at 5.5 mm from the axis). Run it after
every change to the default; tests/python/test_config.py checks that the two agree.

    /usr/bin/python3 scripts/make-multiseed-config.py
"""
import pathlib
import re

HEADER = """\
# Multi-seed production variant of the default gem cell, GENERATED from configs/tgm_default.yaml
# by scripts/make-multiseed-config.py (edit the default, then rerun the script): the same 48 mm
# cube, heater, capsule, recipe and growth, with five 1 mm seeds on the seed bed, one on the axis
# and four on a 5.5 mm circle (production cells grow several crystals per run, G&G 2016 [S]).
# The run reports each seed's mass and rate; their spread is the seed-to-seed variation this
# layout gives (docs/validation.md). The crystals share the carbon of one source, so each grows
# less than the single seed of the default cell.
#
#   hphtsim run configs/tgm_multiseed.yaml -o multi.h5
title: "TGM gem cell, 48 mm pyrophyllite cube, five seeds"
"""

SEEDS = """\
# Five 1 mm diamond seeds, {100} face up, set into the seed bed with their top faces on the
# solvent: the centre and four at 5.5 mm from the axis (at 45 degrees to the cube's faces).
seeds:
  - {name: centre, center: ["0 mm", "0 mm", "-8.5 mm"], size: "1 mm", orientation: "100"}
  - {name: ne, center: ["3.889 mm", "3.889 mm", "-8.5 mm"], size: "1 mm", orientation: "100"}
  - {name: nw, center: ["-3.889 mm", "3.889 mm", "-8.5 mm"], size: "1 mm", orientation: "100"}
  - {name: sw, center: ["-3.889 mm", "-3.889 mm", "-8.5 mm"], size: "1 mm", orientation: "100"}
  - {name: se, center: ["3.889 mm", "-3.889 mm", "-8.5 mm"], size: "1 mm", orientation: "100"}
"""


def main():
    configs = pathlib.Path(__file__).resolve().parents[1] / "configs"
    text = (configs / "tgm_default.yaml").read_text()
    # Everything up to and with the title line is the default's header.
    body = text[re.search(r"^title:.*\n", text, re.M).end():]
    # The seeds section with the comment block just above it.
    body, n = re.subn(r"(?:^#.*\n)*^seeds:\n(?:^  .*\n)+", SEEDS, body, count=1, flags=re.M)
    if n != 1:
        raise SystemExit("make-multiseed-config: no seeds section in configs/tgm_default.yaml")
    (configs / "tgm_multiseed.yaml").write_text(HEADER + body)


if __name__ == "__main__":
    main()
