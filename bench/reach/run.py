"""`mlfence reach` at 1x and 10x the issue's platform (bench/reach/make_platform.py): wall time and
CPU time (user + system of the CLI and the OPA it runs) per scale, the 10x/1x growth, the model's
size, and the load average at the start, since wall time on a shared machine says little alone.
With --flows each scale runs a second time with declared flows (admission.py's declaration: one
component per namespace tier, tier 0 may reach tier 1 on 8080), which adds the declared-flow
verdicts (`undeclared`) to the work: recorded under runs_with_flows.

    .venv/bin/python bench/reach/run.py --out bench/reach/results.json [--scales 1 10] [--flows]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from admission import FLOWS  # noqa: E402
from make_platform import platform  # noqa: E402


def measure(scale: int, folder: Path, config: Path | None = None) -> dict[str, float | int]:
    source = folder / f"platform-{scale}x.yaml"
    objects = platform(scale)
    source.write_text("\n---\n".join(json.dumps(o) for o in objects) + "\n")
    out = folder / f"reach-{scale}x.json"
    settings = ["--config", str(config)] if config else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "mlfence"), "reach", str(source), "-f", "json", "-o", str(out), *settings],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"mlfence reach failed at {scale}x: {proc.stderr.strip()}")
    model = json.loads(out.read_text())
    return {
        "scale": scale,
        "namespaces": sum(1 for o in objects if o["kind"] == "Namespace"),
        "workloads": len(model["workloads"]),
        "network_policies": sum(1 for o in objects if o["kind"] == "NetworkPolicy"),
        "flows": len(model["flows"]),
        "external": len(model["external"]),
        "undeclared_flows": len(model["undeclared"]["flows"]) if model["undeclared"]["declared"] else None,
        "wall_s": round(wall, 2),
        "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--flows", action="store_true", help="also run each scale with declared flows")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    result: dict[str, object] = {"cpus": os.cpu_count(), "load_average_at_start": round(load, 1)}
    with tempfile.TemporaryDirectory(prefix="mlfence-bench-reach-") as tmp:
        runs = [measure(scale, Path(tmp)) for scale in args.scales]
        if args.flows:
            config = Path(tmp) / "flows.mlfence.yaml"
            config.write_text(json.dumps({"flows": FLOWS}))  # JSON is YAML
            result["runs_with_flows"] = [measure(scale, Path(tmp), config) for scale in args.scales]
    result["runs"] = runs
    if len(runs) > 1:
        result["cpu_growth"] = round(runs[-1]["cpu_s"] / runs[0]["cpu_s"], 2)
        result["scale_growth"] = runs[-1]["scale"] // runs[0]["scale"]
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
