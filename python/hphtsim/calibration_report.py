"""report.md of a calibration (calibration.py): the parameters, the residuals, and one PNG per
log of each observed column, measured against simulated with the fitted values."""
from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["write_report"]

KELVIN = 273.15


def _display(name: str, values):
    """Values of an observation in the unit a grower reads (degC, mohm, MPa, ct)."""
    v = np.asarray(values, dtype=float)
    if name.startswith("T_"):
        return v - KELVIN, "degC"
    if name == "heater_resistance":
        return v * 1e3, "mohm"
    if name == "oil_pressure":
        return v * 1e-6, "MPa"
    if name.startswith("final_mass"):
        return v, "ct"
    return v, {"heater_power": "W", "heater_voltage": "V", "heater_current": "A"}.get(name, "SI")


def _plot_case(path: Path, case, pred) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    shown = [o for o in case.observations if not o.final]
    if not shown:
        return
    fig, axes = plt.subplots(len(shown), 1, figsize=(8, 2.6 * len(shown)), sharex=True, squeeze=False)
    for ax, o in zip(axes[:, 0], shown):
        t = o.time / 3600.0
        meas, unit = _display(o.name, o.values)
        sim, _ = _display(o.name, pred[o.name])
        ax.plot(t, meas, ".", ms=3, color="0.35", label="log")
        ax.plot(t, sim, "-", lw=1.4, color="C3", label="simulated (fitted)")
        ax.set_ylabel(f"{o.name} [{unit}]")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="best", fontsize=8)
    axes[0, 0].set_title(Path(case.path).name)
    axes[-1, 0].set_xlabel("time [h]")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(out: Path, params, values, stderr, ident, result, cases, preds) -> None:
    lines = ["# Calibration", "", f"{len(cases)} log(s), {result['runs']} forward runs.", "",
             "| parameter | value | stderr | identifiable |", "| --- | --- | --- | --- |"]
    for p, v, e, i in zip(params, values, stderr, ident):
        err = f"{e:.3g} {p.unit}" if i else "- (not constrained by the data)"
        lines.append(f"| `{p.key}` | {v:.6g} {p.unit} | {err} | {'yes' if i else 'no'} |")
    if "posterior" in result:
        lines += ["", "Posterior (emcee, uniform priors on the ranges):", "",
                  "| parameter | mean | std | 5 % | 50 % | 95 % |", "| --- | --- | --- | --- | --- | --- |"]
        for key, q in result["posterior"]["parameters"].items():
            lines.append(f"| `{key}` | {q['mean']:.6g} | {q['std']:.3g} | {q['q05']:.6g} | {q['q50']:.6g} | "
                         f"{q['q95']:.6g} |")
        lines += ["", f"{result['posterior']['walkers']} walkers x {result['posterior']['steps']} steps, "
                      f"acceptance {result['posterior']['acceptance']:.2f}; ![posterior](posterior.png)"]
    lines += ["", "| column | residual rms (SI; final masses in ct) |", "| --- | --- |"]
    lines += [f"| {col} | {r:.4g} |" for col, r in result["residual_rms"].items()]
    finals = [(c, o) for c in cases for o in c.observations if o.final]
    if finals:
        lines += ["", "| log | seed | measured (ct) | simulated (ct) |", "| --- | --- | --- | --- |"]
        for c, o in finals:
            pred = preds[cases.index(c)][o.name]
            lines.append(f"| {Path(c.path).name} | {o.name[11:-1]} | {o.values[0]:.4g} +- {o.sigma[0]:.2g} | "
                         f"{pred[0]:.4g} |")
    for n, (c, pred) in enumerate(zip(cases, preds)):
        png = f"fit_{n}_{Path(c.path).stem}.png"
        _plot_case(out / png, c, pred)
        if (out / png).exists():
            lines += ["", f"## {Path(c.path).name}", "", f"![measured and simulated]({png})"]
        lines += [f"- warning: {w}" for w in c.warnings]
    (out / "report.md").write_text("\n".join(lines) + "\n")
