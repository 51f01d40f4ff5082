"""Latency vs request rate PNG from the sidecar results (matplotlib from the benchmark-only venv).

bench/.venv-checkov/bin/python bench/plot.py bench/work/sidecar.json bench/latency_vs_rate.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def main(source: Path, out: Path) -> None:
    data = json.loads(source.read_text())
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    colors = {"admission": "tab:blue", "decision": "tab:green", "plan": "tab:red"}
    for workload, entry in data["workloads"].items():
        points = entry["points"]
        rates = [p["target_rps"] for p in points]
        color = colors.get(workload, "tab:gray")
        for key, style, label in (("p50_ms", "--", "p50"), ("p99_ms", "-", "p99")):
            values = [p[key] for p in points]
            lows = [p[key] - p[key + "_range"][0] for p in points]
            highs = [p[key + "_range"][1] - p[key] for p in points]
            ax.errorbar(
                rates,
                values,
                yerr=[lows, highs],
                fmt="o" + style,
                color=color,
                capsize=3,
                label=f"{workload} {label} -> {entry['path']}",
            )
            go = [p["vegeta"] for p in points if p.get("vegeta")]
            if len(go) == len(points):
                bars = [[g[key] - g[key + "_range"][0] for g in go], [g[key + "_range"][1] - g[key] for g in go]]
                ax.errorbar(
                    rates,
                    [g[key] for g in go],
                    yerr=bars,
                    fmt="s" + style,
                    color=color,
                    alpha=0.45,
                    capsize=2,
                    label=f"{workload} {label} (vegeta)",
                )
        for p in points:
            if p.get("dropped") or p["achieved_rps"] < 0.97 * p["target_rps"]:
                offset = {"admission": (-70, 8), "decision": (6, -12), "plan": (6, 4)}.get(workload, (4, 4))
                ax.annotate(
                    f"{workload}: {p['achieved_rps']:.0f}/s served",
                    (p["target_rps"], p["p99_ms"]),
                    fontsize=7,
                    textcoords="offset points",
                    xytext=offset,
                    color=color,
                )
    ax.axhline(2.0, color="black", linewidth=0.8, linestyle=":", label="target p99 2 ms")
    ax.axvline(500, color="gray", linewidth=0.8, linestyle=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("offered load, requests/s (open loop, fixed rate)")
    ax.set_ylabel("latency from scheduled send, ms (median of runs, bars = min-max)")
    store = "--optimize-store-for-read-speed" if "optimize-store" in data.get("opa_command", "") else "default store"
    ax.set_title(
        f"OPA sidecar (opa run, {store}, full range data), {data.get('machine_nproc', '2')} shared vCPUs", fontsize=9
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
