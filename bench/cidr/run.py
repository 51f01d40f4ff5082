"""Run the egress benchmark: `opa bench` of data.mlfence.decision (input.json: a NetworkPolicy
with 14 ipBlocks) against 1x, 10x and 100x data, both OPA stores, and record bench/cidr/results.json.

    .venv/bin/python bench/cidr/run.py DATA_DIR [--count N] [--scales 1 10 100]

Scales run interleaved per repetition (1x, 10x, 100x, 1x, ...) is not possible with one data
load per process, so each (store, scale) is one `opa bench --count N` process; the ratios are
taken between runs of this same invocation, on the same (shared, noisy) machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import time
from pathlib import Path

from mlfence import toolchain

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
QUERY = "data.mlfence.decision"
STORES = {"read_optimized": ["--optimize-store-for-read-speed"], "default": []}


def bench(data: Path, store: str, count: int) -> dict:
    opa = str(toolchain.binary("opa"))
    argv = [
        opa,
        "bench",
        "--count",
        str(count),
        "--format",
        "json",
        *STORES[store],
        "-d",
        str(ROOT / "policy"),
        "-d",
        str(data),
        "-i",
        str(HERE / "input.json"),
        QUERY,
    ]
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"opa bench failed: {proc.stderr.strip()[:500]}")
    runs = toolchain.json_documents(proc.stdout)
    ns = [r["T"] / r["N"] for r in runs]
    allocs = [r["MemAllocs"] / r["N"] for r in runs]
    return {
        "ns_per_op": {
            "median": round(statistics.median(ns)),
            "min": round(min(ns)),
            "max": round(max(ns)),
            "runs": [round(x) for x in ns],
        },
        "allocs_per_op": round(statistics.median(allocs)),
        "bytes_per_op": round(statistics.median(r["MemBytes"] / r["N"] for r in runs)),
        "max_rss_mb_of_any_opa_so_far": round(
            max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        ),
        "wall_seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    results: dict = {
        "query": QUERY,
        "input": "bench/cidr/input.json (NetworkPolicy, 14 ipBlocks)",
        "opa": subprocess.run(
            [str(toolchain.binary("opa")), "version"], capture_output=True, text=True, check=False
        ).stdout.splitlines()[0],
        "machine": f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} CPUs, shared",
        "count": args.count,
        "data": {},
        "stores": {},
    }
    for scale in args.scales:
        results["data"][f"{scale}x"] = json.loads((args.data / f"{scale}x" / "stats.json").read_text())
    for store in STORES:
        results["stores"][store] = {}
        for scale in args.scales:
            result = bench(args.data / f"{scale}x", store, args.count)
            results["stores"][store][f"{scale}x"] = result
            print(store, f"{scale}x", json.dumps(result["ns_per_op"]), flush=True)
        first, last = f"{args.scales[0]}x", f"{args.scales[-1]}x"
        rows = results["stores"][store]
        results["stores"][store]["ratio_last_to_first_median"] = round(
            rows[last]["ns_per_op"]["median"] / rows[first]["ns_per_op"]["median"], 2
        )
        results["stores"][store]["ratio_last_to_first_min"] = round(
            rows[last]["ns_per_op"]["min"] / rows[first]["ns_per_op"]["min"], 2
        )
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
