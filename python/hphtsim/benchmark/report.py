"""DIR/report.md and the plots of a benchmark's results document."""
from __future__ import annotations

from pathlib import Path

from .._atomic import write_atomically
from .rows import LAYERS

__all__ = ["write_report", "format_value"]


def format_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(format_value(x) for x in v) + "]"
    if isinstance(v, (int, float)):
        v = float(v)
        a = abs(v)
        return f"{v:.3e}" if a and (a < 1e-3 or a >= 1e6) else f"{v:.4g}"
    return str(v).replace("|", "/")


def _mark(p) -> str:
    return {True: "pass", False: "**FAIL**", None: "-"}[p]


def _table(rows) -> list:
    lines = ["| case | quantity | reference | value | error | tolerance | units | pass | source / note |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        note = r.get("source", "")
        if r.get("note"):
            note = f"{note}; {r['note']}" if note else r["note"]
        lines.append("| " + " | ".join([r["case"].replace("|", "/"), r["quantity"].replace("|", "/"),
                                         format_value(r["reference"]), format_value(r["value"]),
                                         format_value(r["error"]), format_value(r["tolerance"]), r.get("units", ""),
                                         _mark(r["pass"]), note.replace("|", "/")]) + " |")
    return lines


def _plot(out: Path, doc: dict) -> list:
    """One bar chart: per layer, rows passed / failed / unmarked. Returns the files written."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    layers = [l for l in LAYERS if l in doc["layers"]]
    if not layers:
        return []
    fig, ax = plt.subplots(figsize=(6, 3))
    bottom = [0] * len(layers)
    for key, colour in (("passed", "tab:green"), ("failed", "tab:red"), ("unmarked", "tab:gray")):
        vals = [doc["layers"][l][key] for l in layers]
        ax.bar(layers, vals, bottom=bottom, color=colour, label=key)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_ylabel("rows")
    ax.set_title(f"hphtsim benchmark ({doc['level']}), {doc['wall_time_s']:.0f} s")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "summary.png", dpi=100)
    plt.close(fig)
    files = ["summary.png"]
    perf = [r for r in doc["rows"] if r["layer"] == "performance" and r.get("units") == "s"
            and isinstance(r["value"], float)]
    if perf:
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(perf) + 1))
        ax.barh([f"{r['case'][:28]}: {r['quantity'][:40]}" for r in perf], [r["value"] for r in perf])
        ax.set_xscale("log")
        ax.set_xlabel("wall time (s)")
        fig.tight_layout()
        fig.savefig(out / "performance.png", dpi=100)
        plt.close(fig)
        files.append("performance.png")
    return files


def write_report(out: Path, doc: dict) -> None:
    m = doc["machine"]
    lines = [f"# hphtsim benchmark ({doc['level']})", "",
             f"hphtsim {doc['hphtsim_version']}, started {doc.get('started', '')}, wall time "
             f"{doc['wall_time_s']:.1f} s on {m['cores']} cores ({m['threads']} threads), {m['cpu']}, "
             f"{m['memory_GiB']} GiB, {m['platform']}.", "",
             "| layer | rows | passed | failed | unmarked | wall time (s) |", "| --- | --- | --- | --- | --- | --- |"]
    for layer, info in doc["layers"].items():
        lines.append(f"| {layer} | {info['rows']} | {info['passed']} | {info['failed']} | {info['unmarked']} | "
                     f"{info['wall_time_s']:.1f} |")
    lines += ["", "Rows without a pass mark (-) are figures (timings) or published cases the model does not "
              "reproduce; the note says why. Schema and comparisons: docs/benchmark.md.", ""]
    files = _plot(out, doc)
    for f in files:
        lines += [f"![{f}]({f})", ""]
    for layer in LAYERS:
        rows = [r for r in doc["rows"] if r["layer"] == layer]
        if rows:
            lines += [f"## {layer}", ""] + _table(rows) + [""]
    write_atomically(out / "report.md", lambda f: f.write("\n".join(lines)))
